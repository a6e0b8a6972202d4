#include "reports/internal.h"

#include <algorithm>
#include <map>

#include "fmt/format.h"

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

namespace seedbed::reports::internal {
namespace {

// "disk open snap/1-2.db r -> ok h25" -> "snap/1-2.db"; "disk close snap/1-2.db -> ok" likewise.
std::string DiskPath(std::string_view detail) {
  size_t start = detail.find(' ', 5);
  if (start == std::string_view::npos) return "";
  std::string_view rest = detail.substr(start + 1);
  return std::string(rest.substr(0, rest.find(' ')));
}

bool OpenedOk(std::string_view detail) {
  size_t arrow = detail.find(" -> ");
  return arrow != std::string_view::npos && detail.substr(arrow + 4, 2) == "ok";
}

// Leases (Runtime::HoldBegin / HoldEnd): per (process, name), from the begin to the end by any task
// of the process, or to the process's crash, or to the end of the run.
void AddLeases(const RunReport& r, const Violation* v, std::vector<Hold>& out) {
  std::map<std::pair<uint32_t, std::string>, Hold> open;
  // By its exact name only: "raft g1" names the state bands, not every lease of group 1.
  auto named = [v](const std::string& name) {
    return v != nullptr && std::count(v->objects.begin(), v->objects.end(), "lease " + name) > 0;
  };
  // Crashes come from the events, leases from the marks: walk both in trace order.
  const std::vector<TraceEvent>& events = r.trace->events();
  size_t e = 0;
  auto crashes_until = [&](size_t end) {
    for (; e < end && e < events.size(); ++e) {
      if (events[e].kind != EventKind::kCrash) continue;
      for (auto it = open.begin(); it != open.end();) {
        if (it->first.first != events[e].process) {
          ++it;
          continue;
        }
        it->second.end_ns = events[e].time_ns;
        it->second.detail += "; its process crashed while it held it";
        out.push_back(std::move(it->second));
        it = open.erase(it);
      }
    }
  };
  for (const TraceMark& m : r.trace->marks()) {
    if (m.kind != MarkKind::kLeaseBegin && m.kind != MarkKind::kLeaseEnd) continue;
    crashes_until(m.after);
    const std::pair<uint32_t, std::string> key{m.process, m.key};
    if (m.kind == MarkKind::kLeaseBegin) {
      if (!open.contains(key))
        open.emplace(key, Hold{m.task, m.time_ns, m.time_ns, "lease", m.key, "held from here", named(m.key)});
      continue;
    }
    auto it = open.find(key);
    if (it == open.end()) continue;
    it->second.end_ns = m.time_ns;
    it->second.detail += fmt::format("; given up by {}", TaskName(r, m.task));
    out.push_back(std::move(it->second));
    open.erase(it);
  }
  crashes_until(events.size());
  for (auto& [key, h] : open) {
    h.end_ns = r.sim_time_ns;
    h.detail += "; still held at the end of the run";
    out.push_back(std::move(h));
  }
}

}  // namespace

std::vector<Hold> AllHolds(const RunReport& r) {
  std::vector<Hold> out;
  if (!r.trace) return out;
  const Violation* v = r.first_violation();
  // Open handles per (process, path), a stack each: a close ends the latest open of that path.
  std::map<std::pair<uint32_t, std::string>, std::vector<Hold>> open;
  auto close_all = [&](uint32_t process, int64_t at, const std::string& why) {
    for (auto it = open.begin(); it != open.end();) {
      if (it->first.first != process) {
        ++it;
        continue;
      }
      for (Hold& h : it->second) {
        h.end_ns = at;
        h.detail += "; " + why;
        out.push_back(std::move(h));
      }
      it = open.erase(it);
    }
  };
  for (const TraceEvent& e : r.trace->events()) {
    if (e.kind == EventKind::kCrash) {
      close_all(e.process, e.time_ns, "its process crashed while it was open");
      continue;
    }
    if (e.kind != EventKind::kIo || e.task == kKernel) continue;
    std::string_view d = e.detail;
    if (StartsWith(d, "disk open ") && OpenedOk(d)) {
      Hold h;
      h.task = e.task;
      h.start_ns = e.time_ns;
      h.kind = "file";
      h.label = DiskPath(d);
      h.detail = std::string(d);
      h.named = MentionsNamedObject(v, h.label);
      open[{ProcessOf(r, e.task), h.label}].push_back(std::move(h));
    } else if (StartsWith(d, "disk close ")) {
      auto it = open.find({ProcessOf(r, e.task), DiskPath(d)});
      if (it == open.end() || it->second.empty()) continue;
      Hold h = std::move(it->second.back());
      it->second.pop_back();
      if (it->second.empty()) open.erase(it);
      h.end_ns = e.time_ns;
      h.detail += "; " + std::string(d);
      out.push_back(std::move(h));
    }
  }
  for (auto& [key, holds] : open)
    for (Hold& h : holds) {
      h.end_ns = r.sim_time_ns;
      h.detail += "; still open at the end of the run";
      out.push_back(std::move(h));
    }
  // Mutex holds from the trace's marks.
  std::map<std::pair<uint64_t, uint32_t>, std::pair<int64_t, std::string>> held;  // (mutex, task) -> start
  for (const TraceMark& m : r.trace->marks()) {
    if (m.kind == MarkKind::kHoldBegin) {
      held[{m.id, m.task}] = {m.time_ns, m.key};
    } else if (m.kind == MarkKind::kHoldEnd) {
      auto it = held.find({m.id, m.task});
      if (it == held.end()) continue;
      if (m.time_ns > it->second.first)
        out.push_back({m.task, it->second.first, m.time_ns, "mutex", it->second.second, "held",
                       MentionsNamedObject(v, "mutex " + it->second.second)});
      held.erase(it);
    }
  }
  for (const auto& [key, start] : held)
    if (r.sim_time_ns > start.first)
      out.push_back({key.second, start.first, r.sim_time_ns, "mutex", start.second, "held at the end of the run",
                     MentionsNamedObject(v, "mutex " + start.second)});
  AddLeases(r, v, out);
  std::stable_sort(out.begin(), out.end(), [](const Hold& a, const Hold& b) { return a.start_ns < b.start_ns; });
  return out;
}

std::vector<Arrow> AllArrows(const RunReport& r) {
  std::vector<Arrow> out;
  if (!r.trace) return out;
  const std::vector<TraceEvent>& events = r.trace->events();
  // Messages: each receive's mark names the send's id (a duplicated message is received twice).
  std::map<uint64_t, const TraceMark*> sends;
  for (const TraceMark& m : r.trace->marks()) {
    if (m.kind == MarkKind::kSend) {
      sends[m.id] = &m;
    } else if (m.kind == MarkKind::kReceive) {
      auto it = sends.find(m.id);
      if (it != sends.end())
        out.push_back({it->second->task, it->second->time_ns, m.task, m.time_ns, "message", it->second->key});
    }
  }
  // Lock hand-offs: a release and an acquisition of one mutex at one mark position by another task.
  const std::vector<TraceMark>& marks = r.trace->marks();
  for (size_t i = 0; i + 1 < marks.size(); ++i) {
    const TraceMark& a = marks[i];
    const TraceMark& b = marks[i + 1];
    if (a.kind == MarkKind::kHoldEnd && b.kind == MarkKind::kHoldBegin && a.id == b.id && a.task != b.task &&
        a.time_ns == b.time_ns)
      out.push_back({a.task, a.time_ns, b.task, b.time_ns, "lock", "hands " + a.key + " over"});
  }
  // Wake-ups made by a running task (a notify, a semaphore release, a task end that a joiner waits
  // for); mutex and receive waits are drawn above. The woken task's arrow ends where it resumes.
  std::map<uint32_t, std::string> waits_on;  // task -> its last block's detail
  std::map<uint32_t, size_t> pending;         // woken task -> index in out, to end at its resume
  uint32_t running = kKernel;
  for (const TraceEvent& e : events) {
    switch (e.kind) {
      case EventKind::kStep: {
        running = e.task;
        auto it = pending.find(e.task);
        if (it != pending.end()) {
          out[it->second].to_ns = e.time_ns;
          pending.erase(it);
        }
        break;
      }
      case EventKind::kTimer: running = kKernel; break;
      case EventKind::kBlock: waits_on[e.task] = e.detail; break;
      case EventKind::kWake: {
        const std::string& on = waits_on[e.task];
        if (running == kKernel || running == e.task || StartsWith(on, "mutex ") || StartsWith(on, "receive on"))
          break;
        pending[e.task] = out.size();
        out.push_back({running, e.time_ns, e.task, e.time_ns, "wake", "wakes " + TaskName(r, e.task) + " (" + on + ")"});
        break;
      }
      default: break;
    }
  }
  // A put to the reads of the version it wrote.
  std::map<std::pair<std::string, uint64_t>, const Span*> puts;
  for (const Span& s : r.spans)
    if (s.name == "put" && s.version > 0) puts[{s.detail.substr(0, s.detail.find(' ')), s.version}] = &s;
  for (const Span& s : r.spans) {
    if ((s.name != "get" && s.name != "head") || s.version == 0) continue;
    auto it = puts.find({s.detail.substr(0, s.detail.find(' ')), s.version});
    if (it == puts.end()) continue;
    out.push_back({it->second->task, it->second->applied_ns, s.task, s.applied_ns, "read",
                   fmt::format("{} reads v{} of {}", s.name, s.version, it->first.first)});
  }
  return out;
}

std::vector<StateMarkRow> AllStates(const RunReport& r) {
  std::vector<StateMarkRow> out;
  if (!r.trace) return out;
  for (const TraceMark& m : r.trace->marks())
    if (m.kind == MarkKind::kState) out.push_back({m.task, m.process, m.time_ns, m.key, m.value});
  return out;
}

}  // namespace seedbed::reports::internal

namespace seedbed::reports::internal {

NamedItems CountNamed(const RunReport& r, const Violation& v) {
  NamedItems n;
  const size_t history_ops = r.history ? r.history->ops().size() : 0;
  for (uint64_t id : v.ops) n.ops += id < history_ops;
  for (const ReportSpan& s : AllSpans(r)) n.spans += NamedByViolation(&v, s.span);
  for (const Hold& h : AllHolds(r))
    n.holds += h.kind == "lease" ? std::count(v.objects.begin(), v.objects.end(), "lease " + h.label) > 0
                                 : MentionsNamedObject(&v, h.label) || MentionsNamedObject(&v, h.kind + " " + h.label);
  if (r.trace)
    for (const TraceEvent& e : r.trace->events())
      if (e.kind != EventKind::kStep && MentionsNamedObject(&v, e.detail)) ++n.events;
  std::vector<std::string> keys;
  for (const StateMarkRow& m : AllStates(r)) {
    const std::string exact = m.key + " = " + m.value;
    n.bands += std::count(v.objects.begin(), v.objects.end(), m.key) + std::count(v.objects.begin(), v.objects.end(), exact) > 0;
  }
  for (const std::string& task : r.task_names)
    n.tasks += !task.empty() && std::count(v.objects.begin(), v.objects.end(), "task " + task) > 0;
  return n;
}

}  // namespace seedbed::reports::internal
