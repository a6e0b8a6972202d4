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
