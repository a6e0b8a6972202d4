// What the report writers share: every span of a run (object-store and client ops from the runner,
// disk ops rebuilt from the trace), task and process names, and which spans and events the first
// violation names. Reads a RunReport; never changes it. Never yields.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "scenarios/harness/runner.h"

namespace seedbed::reports::internal {

inline constexpr uint32_t kKernel = ~0u;

enum class SpanKind { kStore, kDisk, kClient };

struct ReportSpan {
  Span span;
  SpanKind kind = SpanKind::kStore;
  bool named = false;  // named by the first violation (its ops or objects)
};

// The runner's spans plus disk operations. A disk op traces one kIo event ("disk <op> <path> ->
// <outcome>") when it completes; it began at the task's previous resume, because the op suspends
// exactly once (for its latency) and simulated time does not move within a resume.
std::vector<ReportSpan> AllSpans(const RunReport& report);

std::string TaskName(const RunReport& report, uint32_t task);        // "process/task" or "kernel"
std::string ProcessName(const RunReport& report, uint32_t process);  // or "kernel"
uint32_t ProcessOf(const RunReport& report, uint32_t task);          // kKernel if unknown

// True if the text mentions an object or file the violation names.
bool MentionsNamedObject(const Violation* violation, std::string_view text);
bool NamedByViolation(const Violation* violation, const Span& span);

// What is held over time: a file handle from its open to its close (or its process's crash), a mutex
// from its acquisition to its release (holds that began and ended at one instant are left out), a
// lease from Runtime::HoldBegin to HoldEnd (or its process's crash); "lease X" names lease X.
struct Hold {
  uint32_t task = 0;
  int64_t start_ns = 0;
  int64_t end_ns = 0;
  std::string kind;   // "file", "mutex" or "lease" (Runtime::HoldBegin)
  std::string label;  // the path, the mutex's name or what is held
  std::string detail;  // "open snap/1-2.db r -> ok h25", "crashed while open"
  bool named = false;  // the violation names the path
};
std::vector<Hold> AllHolds(const RunReport& report);

// A causal arrow: a message from its send to its receive, a mutex from its release to the waiter it
// was handed to, a notify (or another wake-up) to the task it woke, an object-store put to a get or
// head that read the version it wrote.
struct Arrow {
  uint32_t from_task = 0;
  int64_t from_ns = 0;
  uint32_t to_task = 0;
  int64_t to_ns = 0;
  std::string kind;   // "message", "lock", "wake", "read"
  std::string label;
};
std::vector<Arrow> AllArrows(const RunReport& report);

// Engine state (Runtime::State): from each mark on, `key` of that task's lane is `value`.
struct StateMarkRow {
  uint32_t task = 0;
  uint32_t process = 0;
  int64_t time_ns = 0;
  std::string key;
  std::string value;
};
std::vector<StateMarkRow> AllStates(const RunReport& report);

// What one violation names that the reports outline (the page's computeNamed, reports/timeline.js):
// history ops that exist, spans (client ops by id, others whose detail mentions a named object),
// held files and mutexes ("mutex M" names a mutex's holds), trace events that mention an object,
// state bands ("raft g1", "raft g1 = leader term 2") and task lanes ("task P/T").
struct NamedItems {
  size_t ops = 0, spans = 0, holds = 0, events = 0, bands = 0, tasks = 0;
  size_t total() const { return ops + spans + holds + events + bands + tasks; }
};
NamedItems CountNamed(const RunReport& report, const Violation& violation);

// The shrunk story, one row per quantity in a fixed order: decisions, non-default decisions,
// faults, crashes, context switches, events.
struct StoryRow {
  std::string_view name;
  uint64_t before = 0;
  uint64_t after = 0;
};
std::vector<StoryRow> StoryRows(const RunReport::ShrunkStory& story);

// Events worth listing: no resumes, blocks, wakes or timer firings.
bool IsKeyEvent(const TraceEvent& event);
// A crash point that fired (details end "fired"); armed / reached ones are only coverage.
bool IsFiredCrashPoint(const TraceEvent& event);

}  // namespace seedbed::reports::internal
