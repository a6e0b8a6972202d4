#include "reports/internal.h"

#include <algorithm>
#include <map>

namespace seedbed::reports::internal {
namespace {

bool StartsWith(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

bool EndsWith(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

// "disk append raft/g1/log 12B -> ok" -> name "disk append", detail "raft/g1/log 12B", outcome "ok".
Span DiskSpan(const TraceEvent& e, int64_t start_ns) {
  Span s;
  s.task = e.task;
  s.start_ns = start_ns;
  s.end_ns = e.time_ns;
  std::string_view text = e.detail;
  size_t arrow = text.find(" -> ");
  std::string_view call = text.substr(0, arrow);
  s.outcome = arrow == std::string_view::npos ? "" : std::string(text.substr(arrow + 4));
  size_t op_end = call.find(' ', 5);  // after "disk "
  s.name = std::string(call.substr(0, op_end));
  s.detail = op_end == std::string_view::npos ? "" : std::string(call.substr(op_end + 1));
  s.fault = s.outcome.find("injected") != std::string::npos;
  return s;
}

}  // namespace

std::vector<ReportSpan> AllSpans(const RunReport& r) {
  const Violation* v = r.first_violation();
  std::vector<ReportSpan> out;
  out.reserve(r.spans.size());
  for (const Span& s : r.spans)
    out.push_back({s, s.op >= 0 ? SpanKind::kClient : SpanKind::kStore, NamedByViolation(v, s)});
  if (!r.trace) return out;
  std::map<uint32_t, std::pair<int64_t, int64_t>> steps;  // task -> (previous resume, last resume)
  for (const TraceEvent& e : r.trace->events()) {
    if (e.task == kKernel) continue;
    if (e.kind == EventKind::kStep) {
      auto [it, fresh] = steps.try_emplace(e.task, e.time_ns, e.time_ns);
      if (!fresh) it->second = {it->second.second, e.time_ns};
    } else if (e.kind == EventKind::kIo && StartsWith(e.detail, "disk ")) {
      auto it = steps.find(e.task);
      int64_t start = it == steps.end() ? e.time_ns : std::min(it->second.first, e.time_ns);
      Span s = DiskSpan(e, start);
      out.push_back({s, SpanKind::kDisk, NamedByViolation(v, s)});
    }
  }
  return out;
}

std::string ProcessName(const RunReport& r, uint32_t process) {
  return process < r.process_names.size() ? r.process_names[process] : "kernel";
}

std::string TaskName(const RunReport& r, uint32_t task) {
  return task < r.task_names.size() && !r.task_names[task].empty() ? r.task_names[task] : "kernel";
}

uint32_t ProcessOf(const RunReport& r, uint32_t task) {
  return task < r.task_process.size() ? r.task_process[task] : kKernel;
}

bool MentionsNamedObject(const Violation* v, std::string_view text) {
  if (v == nullptr) return false;
  for (const std::string& path : v->objects)
    if (!path.empty() && text.find(path) != std::string_view::npos) return true;
  return false;
}

bool NamedByViolation(const Violation* v, const Span& s) {
  if (v == nullptr) return false;
  if (s.op >= 0 && std::count(v->ops.begin(), v->ops.end(), static_cast<uint64_t>(s.op)) > 0) return true;
  return MentionsNamedObject(v, s.detail);
}

bool IsKeyEvent(const TraceEvent& e) {
  switch (e.kind) {
    case EventKind::kStep: case EventKind::kBlock: case EventKind::kWake: case EventKind::kTimer:
      return false;
    default:
      return true;
  }
}

bool IsFiredCrashPoint(const TraceEvent& e) {
  return e.kind == EventKind::kCrashPoint && EndsWith(e.detail, " fired");
}

std::vector<StoryRow> StoryRows(const RunReport::ShrunkStory& story) {
  const RunStory& a = story.from;
  const RunStory& b = story.to;
  return {{"decisions", a.decisions, b.decisions},
          {"non-default", a.non_default, b.non_default},
          {"faults", a.faults, b.faults},
          {"crashes", a.crashes, b.crashes},
          {"context switches", a.context_switches, b.context_switches},
          {"events", a.events, b.events}};
}

}  // namespace seedbed::reports::internal
