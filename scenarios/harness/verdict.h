// What the checkers concluded about a run: the violated invariants with their evidence. Checkers
// append here; they never steer the run. Never yields.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace seedbed {

struct Violation {
  std::string invariant;               // e.g. "no-lost-acknowledged-writes"
  std::string message;                 // one line: what went wrong
  int64_t time_ns = -1;                // when it was detected or happened (-1: after the run)
  std::vector<std::string> evidence;   // the ops, objects and events that show it, one per line
  std::vector<uint64_t> ops;           // history op ids it names (highlighted in reports)
  std::vector<std::string> objects;    // object or file paths it names
};

// When an evidence line says it happened, in simulated nanoseconds: a leading "<t>ms " or "<t>s "
// (the world's and the checkers' lines), or a history op's "op#N ... [<t>ms.." (its invocation).
// nullopt: the line names no time of its own.
std::optional<int64_t> EvidenceTimeNs(std::string_view line);

// Puts `evidence` in simulated-time order, stably (equal times keep their order). A line with no
// time stays right after the line before it, as its continuation ("manifest: writer_epoch ...",
// "... 3 more ops"); lines before the first timed one stay first. The runner applies it to every
// violation, so run output, failure reports and timelines tell the story in order.
void SortEvidenceByTime(std::vector<std::string>& evidence);

class Verdict {
 public:
  Violation& Fail(std::string_view invariant, std::string message, int64_t time_ns = -1) {
    violations_.push_back(Violation{std::string(invariant), std::move(message), time_ns, {}, {}, {}});
    if (on_fail_) on_fail_();
    return violations_.back();
  }
  // Called after each Fail (the runner halts the world there unless RunConfig::keep_going). It
  // must not yield; the caller still fills in the returned Violation's evidence.
  void OnFail(std::function<void()> fn) { on_fail_ = std::move(fn); }
  // Informational: a check that could not conclude (e.g. a linearizability search over budget).
  void Note(std::string text) { notes_.push_back(std::move(text)); }

  bool ok() const { return violations_.empty(); }
  const std::vector<Violation>& violations() const { return violations_; }
  const std::vector<std::string>& notes() const { return notes_; }
  // The violation a failure is named after: the earliest detected (in-run ones first).
  const Violation* first() const;

 private:
  std::vector<Violation> violations_;
  std::vector<std::string> notes_;
  std::function<void()> on_fail_;
};

}  // namespace seedbed
