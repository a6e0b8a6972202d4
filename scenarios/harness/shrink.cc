#include "scenarios/harness/shrink.h"

#include <algorithm>
#include <chrono>
#include <functional>
#include <map>
#include <tuple>
#include <utility>
#include <vector>

#include "fmt/format.h"
#include "scenarios/harness/signature.h"
#include "sim/version.h"

namespace seedbed {
namespace {

using Clock = std::chrono::steady_clock;  // bounds the search only; never reaches a run

uint64_t SaturatingAdd(uint64_t a, uint64_t b) { return a > ~b ? ~uint64_t{0} : a + b; }

bool IsFaultKind(DecisionKind kind) { return kind == DecisionKind::kFault || kind == DecisionKind::kCrash; }

// Values that are durations (latencies, think times, crash and partition gaps, restart delays):
// the ones "scale the timing" lowers together, keeping their order.
bool IsTiming(const Decision& d) {
  return (d.kind == DecisionKind::kLatency || d.kind == DecisionKind::kUser || d.kind == DecisionKind::kCrash ||
          d.kind == DecisionKind::kNetwork) &&
         d.value >= 1000;
}

// The kinds zeroed together in the first pass, biggest expected win first.
constexpr DecisionKind kKindOrder[] = {
    DecisionKind::kSwarm,   DecisionKind::kCrash,    DecisionKind::kFault,   DecisionKind::kDisk,
    DecisionKind::kNetwork, DecisionKind::kSchedule, DecisionKind::kTimerTie, DecisionKind::kWake,
    DecisionKind::kPriority, DecisionKind::kLatency, DecisionKind::kUser,
};

class Shrinker {
 public:
  Shrinker(const FailureFile& file, const ShrinkOptions& options, std::ostream& progress)
      : file_(file),
        options_(options),
        out_(progress),
        start_(Clock::now()),
        deadline_(start_ + std::chrono::duration_cast<Clock::duration>(
                               std::chrono::duration<double>(options.time_limit_s))) {}

  absl::StatusOr<ShrinkResult> Run();

 private:
  bool Budget() {
    if (options_.stop != nullptr && *options_.stop != 0) {
      stopped_by_ = "signal";
      return false;
    }
    if (attempts_ >= options_.max_attempts) {
      stopped_by_ = "attempt limit";
      return false;
    }
    if (Clock::now() >= deadline_) {
      stopped_by_ = "time limit";
      return false;
    }
    return true;
  }
  double Elapsed() const { return std::chrono::duration<double>(Clock::now() - start_).count(); }

  // Every edited list is matched by site and defaults past its end (sim/decisions.h), so dropping
  // a fault shifts nothing else and a cut list reaches the all-default run.
  absl::StatusOr<RunReport> Replay(const DecisionList& list, ReplayOptions how) const {
    RunConfig config = ConfigFromFailureFile(file_);
    config.replay = &list;
    config.replay_options = how;
    config.keep_events = true;
    return RunOnce(config);
  }
  absl::StatusOr<RunReport> ReplayEdit(const DecisionList& list) const {
    return Replay(list, ReplayOptions{ReplayMatch::kBySite, ReplayTail::kDefault});
  }

  // Runs `candidate` and keeps the run's recorded list if it still fails with the signature, is no
  // larger in any of faults, crashes, non-default decisions and context switches, and is smaller
  // overall. True if kept, or if the candidate is the current list (nothing to try).
  bool Try(const DecisionList& candidate, std::string_view pass);

  // The passes; each returns whether it kept an edit.
  bool ZeroKinds();
  bool ZeroTail();
  bool ZeroSubsets(std::string_view pass, const std::function<bool(const Decision&)>& wanted);
  bool ZeroSites();
  bool ScaleTiming();
  bool DeleteChunks();
  bool LowerValues();

  const FailureFile& file_;
  const ShrinkOptions& options_;
  std::ostream& out_;
  Clock::time_point start_;
  Clock::time_point deadline_;
  DecisionList current_;
  std::string signature_;  // of the reproducing run: every kept edit fails with it
  RunSize size_;
  int attempts_ = 0;
  int kept_ = 0;
  std::string stopped_by_ = "fixpoint";
};

bool Shrinker::Try(const DecisionList& candidate, std::string_view pass) {
  if (candidate == current_) return true;
  if (!Budget()) return false;
  ++attempts_;
  absl::StatusOr<RunReport> report = ReplayEdit(candidate);
  if (attempts_ % 250 == 0)
    out_ << fmt::format("shrink: {} runs, {:.1f}s: {} non-default decisions, {} context switches ({})\n",
                        attempts_, Elapsed(), size_.nonzero_values, size_.context_switches, pass);
  if (!report.ok() || !report->failed || FailureSignature(*report) != signature_) return false;
  RunSize size = RunSize::Of(*report);
  if (!size.NoLargerThan(size_) || !size.SmallerThan(size_)) return false;
  ++kept_;
  if (options_.verbose)
    out_ << fmt::format("shrink: run {}: {}: {} -> {} non-default decisions, {} -> {} context switches\n",
                        attempts_, pass, size_.nonzero_values, size.nonzero_values, size_.context_switches,
                        size.context_switches);
  current_ = report->decisions;
  size_ = size;
  return true;
}

// One run per kind present: every decision of that kind set to its default.
bool Shrinker::ZeroKinds() {
  bool any = false;
  DecisionList all = current_;
  for (Decision& d : all) d.value = 0;
  const bool already_zero = all == current_;
  if (Try(all, "zero every decision") && !already_zero) any = true;
  // Everything default but one kind (e.g. keep the faults, drop every latency and switch).
  for (DecisionKind keep : kKindOrder) {
    DecisionList candidate = current_;
    bool changed = false, kept_some = false;
    for (Decision& d : candidate) {
      if (d.kind == keep) {
        kept_some = kept_some || d.value != 0;
      } else if (d.value != 0) {
        d.value = 0;
        changed = true;
      }
    }
    if (changed && kept_some && Try(candidate, fmt::format("zero all but {}", DecisionKindName(keep)))) any = true;
  }
  for (DecisionKind kind : kKindOrder) {
    DecisionList candidate = current_;
    bool changed = false;
    for (Decision& d : candidate)
      if (d.kind == kind && d.value != 0) {
        d.value = 0;
        changed = true;
      }
    if (changed && Try(candidate, fmt::format("zero every {}", DecisionKindName(kind)))) any = true;
  }
  return any;
}

// Binary search for the earliest index from which every value can be zeroed (a cut list: past
// its end every draw is the default).
bool Shrinker::ZeroTail() {
  bool any = false;
  size_t lo = 0, hi = current_.size();
  while (lo < hi && Budget()) {
    size_t mid = lo + (hi - lo) / 2;
    DecisionList candidate(current_.begin(), current_.begin() + static_cast<std::ptrdiff_t>(mid));
    if (Try(candidate, "cut the tail")) {
      any = true;
      hi = std::min(mid, current_.size());
      lo = std::min(lo, hi);
    } else {
      lo = mid + 1;
    }
  }
  return any;
}

// ddmin over the decisions `wanted` picks (with non-zero values): zero them in chunks, big first.
bool Shrinker::ZeroSubsets(std::string_view pass, const std::function<bool(const Decision&)>& wanted) {
  auto indices = [&] {
    std::vector<size_t> out;
    for (size_t i = 0; i < current_.size(); ++i)
      if (current_[i].value != 0 && wanted(current_[i])) out.push_back(i);
    return out;
  };
  bool any = false;
  std::vector<size_t> set = indices();
  for (size_t chunk = std::max<size_t>(set.size() / 2, 1); !set.empty() && Budget(); chunk /= 2) {
    for (size_t j = 0; j < set.size() && Budget();) {
      DecisionList candidate = current_;
      for (size_t k = j; k < std::min(set.size(), j + chunk); ++k)
        if (set[k] < candidate.size()) candidate[set[k]].value = 0;
      if (Try(candidate, fmt::format("{} (chunks of {})", pass, chunk))) {
        any = true;
        set = indices();  // the kept run's list may differ in shape: recompute, stay at j
      } else {
        j += chunk;
      }
    }
    if (chunk == 1) break;
  }
  return any;
}

// Each site (one task's latencies, one crash loop's gaps, ...) with non-default values: all of it
// to the default at once. Sites in order of first appearance.
bool Shrinker::ZeroSites() {
  std::vector<std::pair<DecisionKind, uint32_t>> sites;
  for (const Decision& d : current_)
    if (d.value != 0 && std::find(sites.begin(), sites.end(), std::make_pair(d.kind, d.site)) == sites.end())
      sites.emplace_back(d.kind, d.site);
  bool any = false;
  for (const auto& [kind, site] : sites) {
    if (!Budget()) break;
    DecisionList candidate = current_;
    for (Decision& d : candidate)
      if (d.kind == kind && d.site == site) d.value = 0;
    if (Try(candidate, fmt::format("zero one {} site", DecisionKindName(kind)))) any = true;
  }
  return any;
}

// Every duration scaled down together (1/16, 1/4, 1/2): the order of the timed events they make
// mostly stays, so the story stays while the numbers shrink; then each site's durations alone.
bool Shrinker::ScaleTiming() {
  bool any = false;
  auto scaled = [&](uint64_t divisor, const std::function<bool(const Decision&)>& which) {
    DecisionList candidate = current_;
    for (Decision& d : candidate)
      if (IsTiming(d) && which(d)) d.value /= divisor;
    return candidate;
  };
  for (uint64_t divisor : {16, 4, 2}) {
    if (!Budget()) break;
    if (Try(scaled(divisor, [](const Decision&) { return true; }), fmt::format("durations / {}", divisor))) {
      any = true;
      break;
    }
  }
  std::vector<std::pair<DecisionKind, uint32_t>> sites;
  for (const Decision& d : current_)
    if (IsTiming(d) && std::find(sites.begin(), sites.end(), std::make_pair(d.kind, d.site)) == sites.end())
      sites.emplace_back(d.kind, d.site);
  for (const auto& [kind, site] : sites) {
    if (!Budget()) break;
    auto here = [kind = kind, site = site](const Decision& d) { return d.kind == kind && d.site == site; };
    if (Try(scaled(4, here), "one site's durations / 4")) any = true;
  }
  return any;
}

// ddmin deletion: remove runs of decisions, halving the run length down to one. Matched by site,
// a deleted decision shifts only the later decisions of its own site.
bool Shrinker::DeleteChunks() {
  bool any = false;
  for (size_t chunk = std::max<size_t>(current_.size() / 2, 1); !current_.empty() && Budget(); chunk /= 2) {
    for (size_t i = 0; i < current_.size() && Budget();) {
      DecisionList candidate = current_;
      size_t end = std::min(candidate.size(), i + chunk);
      candidate.erase(candidate.begin() + static_cast<std::ptrdiff_t>(i),
                      candidate.begin() + static_cast<std::ptrdiff_t>(end));
      if (Try(candidate, fmt::format("delete runs of {}", chunk))) {
        any = true;
      } else {
        i += chunk;
      }
    }
    if (chunk == 1) break;
  }
  return any;
}

// Each non-zero value: try 0, then halve while the run still fails.
bool Shrinker::LowerValues() {
  bool any = false;
  for (size_t i = 0; i < current_.size() && Budget(); ++i) {
    for (int halvings = 0; halvings < 64 && i < current_.size() && current_[i].value != 0; ++halvings) {
      DecisionList candidate = current_;
      candidate[i].value = halvings == 0 ? 0 : current_[i].value / 2;
      if (!Try(candidate, "lower values")) {
        if (halvings == 0) continue;  // 0 failed: try halves
        break;
      }
      any = true;
      if (halvings == 0) break;  // now 0
    }
  }
  return any;
}

absl::StatusOr<ShrinkResult> Shrinker::Run() {
  if (file_.invariant.empty())
    return absl::FailedPreconditionError("the failure file names no invariant: nothing to shrink");
  // The input as it was recorded (an old file by position); its recorded list, which has every
  // draw with its site, is then edited.
  absl::StatusOr<RunReport> first =
      Replay(file_.decisions, ReplayOptions{file_.replay_match, file_.replay_tail});
  if (!first.ok()) return first.status();
  if (!first->failed || first->invariant() != file_.invariant)
    return absl::FailedPreconditionError(fmt::format(
        "the failure file does not reproduce: expected invariant '{}', the run gave '{}'", file_.invariant,
        first->failed ? first->invariant() : std::string("no violation")));
  ShrinkResult result;
  signature_ = FailureSignature(*first);
  result.signature = signature_;
  result.before = RunSize::Of(*first);
  current_ = first->decisions;
  size_ = result.before;
  out_ << fmt::format("shrink: {} [{}] seed {}: {}: {} decisions ({} non-default), {} context switches; "
                      "limits {} runs, {:.0f}s\n",
                      file_.scenario, file_.variant, file_.seed, signature_, size_.decisions, size_.nonzero_values,
                      size_.context_switches, options_.max_attempts, options_.time_limit_s);
  const std::pair<std::string_view, std::function<bool()>> passes[] = {
      {"zero kinds", [&] { return ZeroKinds(); }},
      {"cut the tail", [&] { return ZeroTail(); }},
      {"drop faults", [&] { return ZeroSubsets("drop faults", [](const Decision& d) { return IsFaultKind(d.kind); }); }},
      {"zero sites", [&] { return ZeroSites(); }},
      {"fewer context switches",
       [&] { return ZeroSubsets("schedule 0", [](const Decision& d) { return d.kind == DecisionKind::kSchedule; }); }},
      {"zero chunks", [&] { return ZeroSubsets("zero chunks", [](const Decision&) { return true; }); }},
      {"scale timing", [&] { return ScaleTiming(); }},
      {"delete runs", [&] { return DeleteChunks(); }},
      {"lower values", [&] { return LowerValues(); }},
  };
  if (options_.stop != nullptr && *options_.stop != 0) stopped_by_ = "signal";  // during the first run
  for (int round = 1; stopped_by_ != "signal" && size_.nonzero_values > 0 && Budget(); ++round) {
    bool any = false;
    for (const auto& [name, pass] : passes) {
      if (size_.nonzero_values == 0 || !Budget()) break;
      RunSize was = size_;
      if (pass()) any = true;
      if (size_.SmallerThan(was))
        out_ << fmt::format("shrink: round {} {}: {} runs, {:.1f}s: {} non-default decisions, {} faults, {} context "
                            "switches\n",
                            round, name, attempts_, Elapsed(), size_.nonzero_values, size_.faults_injected,
                            size_.context_switches);
    }
    if (!any) break;  // a fixpoint: no pass kept anything this round
  }

  result.attempts = attempts_;
  result.kept = kept_;
  if (stopped_by_ == "signal") {  // stop now: no final replay, no file (the caller keeps the input)
    result.after = size_;
    result.wall_s = Elapsed();
    result.stopped_by = stopped_by_;
    return result;
  }
  if (size_.nonzero_values == 0) stopped_by_ = "all defaults";
  // Replay the kept list once more, compacted (the defaults at the end of each site dropped) and
  // as `seedbed replay` will (by site, defaults past the end), and check THAT run is the kept one.
  const DecisionList compact = CompactForDefaultTail(current_);
  absl::StatusOr<RunReport> last = ReplayEdit(compact);
  if (!last.ok()) return last.status();
  if (!last->failed || FailureSignature(*last) != signature_ || last->replay_mismatches != 0 ||
      last->decisions != current_)
    return absl::InternalError(fmt::format(
        "the shrunk decision list did not replay to the run it was kept for ({} mismatches, signature "
        "'{}'): nondeterminism",
        last->replay_mismatches, FailureSignature(*last)));
  result.after = RunSize::Of(*last);
  result.file = FailureFileFromReport(*last);
  result.file.decisions = compact;
  result.file.replay_tail = ReplayTail::kDefault;
  result.file.shrunk = true;
  result.file.story = result.after.Story();
  result.file.shrunk_from = result.before.Story();
  result.report = *std::move(last);
  result.report.shrunk = RunReport::ShrunkStory{*result.file.shrunk_from, *result.file.story,
                                                fmt::format("{} runs, stopped by {}", attempts_, stopped_by_)};
  result.attempts = attempts_;
  result.kept = kept_;
  result.wall_s = Elapsed();
  result.stopped_by = stopped_by_;
  return result;
}

}  // namespace

RunSize RunSize::Of(const RunReport& report) {
  RunSize s;
  s.decisions = CompactForDefaultTail(report.decisions).size();
  s.choice_points = report.decisions.size();
  s.context_switches = report.context_switches;
  s.faults_injected = report.faults_injected;
  for (const Decision& d : report.decisions) {
    if (d.value != 0) ++s.nonzero_values;
    s.value_sum = SaturatingAdd(s.value_sum, d.value);
  }
  if (report.trace)
    for (const TraceEvent& e : report.trace->events()) s.crashes += e.kind == EventKind::kCrash;
  s.events = report.events;
  s.sim_time_ns = report.sim_time_ns;
  return s;
}

bool RunSize::SmallerThan(const RunSize& o) const {
  const uint64_t unusual = nonzero_values + faults_injected, other_unusual = o.nonzero_values + o.faults_injected;
  return std::tie(unusual, context_switches, decisions, events, value_sum) <
         std::tie(other_unusual, o.context_switches, o.decisions, o.events, o.value_sum);
}

bool RunSize::NoLargerThan(const RunSize& o) const {
  return nonzero_values <= o.nonzero_values && faults_injected <= o.faults_injected && crashes <= o.crashes &&
         context_switches <= o.context_switches && decisions <= o.decisions;
}

RunStory RunSize::Story() const {
  return RunStory{decisions, nonzero_values, faults_injected, crashes, context_switches, events};
}

RunConfig ConfigFromFailureFile(const FailureFile& file) {
  RunConfig config;
  config.scenario = file.scenario;
  config.variant = file.variant;
  config.seed = file.seed;
  config.strategy = file.strategy;
  config.pct_depth = file.pct_depth;
  config.pct_steps = file.pct_steps;
  config.stalls = file.stalls;
  config.event_budget = file.event_budget;
  config.time_budget_ns = file.time_budget_ns;
  config.replay = &file.decisions;
  config.replay_options = ReplayOptions{file.replay_match, file.replay_tail};
  config.keep_going = file.keep_going;
  return config;
}

FailureFile FailureFileFromReport(const RunReport& report) {
  FailureFile f;
  f.seedbed_version = kGitDescribe;
  f.scenario = report.config.scenario;
  f.variant = report.config.variant;
  f.seed = report.config.seed;
  f.strategy = report.config.strategy;
  f.pct_depth = report.config.pct_depth;
  f.pct_steps = report.config.pct_steps;
  f.stalls = report.config.stalls;
  f.event_budget = report.config.event_budget;
  f.time_budget_ns = report.config.time_budget_ns;
  f.keep_going = report.config.keep_going;
  f.invariant = report.invariant();
  f.message = report.failed ? report.first_violation()->message : "";
  f.signature = FailureSignature(report);
  f.trace_hash = report.trace_hash;
  f.events = report.events;
  f.decisions = report.decisions;
  f.replay_match = ReplayMatch::kBySite;  // a complete recorded list: both matchings replay it
  if (report.trace) f.story = RunSize::Of(report).Story();
  return f;
}

absl::StatusOr<ShrinkResult> Shrink(const FailureFile& file, const ShrinkOptions& options,
                                    std::ostream& progress) {
  return Shrinker(file, options, progress).Run();
}

std::string DescribeStory(const RunStory& s) {
  return fmt::format("{} decisions ({} non-default), {} faults, {} crashes, {} context switches, {} events",
                     s.decisions, s.non_default, s.faults, s.crashes, s.context_switches, s.events);
}

std::string DescribeSize(const RunSize& s) {
  return fmt::format("{} ({} choice points), {:.6f}s simulated", DescribeStory(s.Story()), s.choice_points,
                     s.sim_time_ns / 1e9);
}

std::string DescribeShrink(const ShrinkResult& r) {
  auto line = [](std::string_view label, const RunSize& s) {
    return fmt::format("{:<7} {}\n", label, DescribeSize(s));
  };
  return fmt::format("signature: {}\n", r.signature) + line("before:", r.before) + line("after:", r.after) +
         fmt::format("{} runs tried, {} edits kept, {:.1f}s, stopped by {}{}\n", r.attempts, r.kept, r.wall_s,
                     r.stopped_by,
                     r.stopped_by == "time limit"
                         ? " (the result depends on the machine's speed; --attempts bounds it by runs instead)"
                         : "");
}

}  // namespace seedbed
