// Chrome Trace Event JSON (https://docs.google.com/document/d/1CvAClvFfyA5R-PhYUmn5OOQtYMH4h6I0nSsKchNAySU):
// one pid per simulated process, one tid per task (task ids are unique across processes), plus a
// "kernel" process and a per-process "process events" thread for what happens to a process from
// kernel context (crashes, restarts). Perfetto treats pid/tid 0 as special, so none is 0.
#include <map>
#include <set>

#include "fmt/format.h"
#include "nlohmann/json.hpp"
#include "reports/internal.h"
#include "reports/reports.h"

namespace seedbed::reports {
namespace {

using nlohmann::json;
using namespace internal;

constexpr int kProcessEventsTid = 1'000'000;  // + pid: a process's kernel-context lane
constexpr int kExtraTid = 2'000'000;          // + n: holds and state lanes

double Us(int64_t ns) { return static_cast<double>(ns) / 1000.0; }

class Writer {
 public:
  explicit Writer(const RunReport& r) : r_(r), kernel_pid_(static_cast<int>(r.process_names.size()) + 1) {}

  int Pid(uint32_t process) const {
    return process < r_.process_names.size() ? static_cast<int>(process) + 1 : kernel_pid_;
  }
  // The lane of an event: its task, or its process's "process events" lane in kernel context.
  std::pair<int, int> Lane(uint32_t process, uint32_t task) {
    if (task != kKernel) {
      uint32_t owner = ProcessOf(r_, task);
      int pid = Pid(owner != kKernel ? owner : process);
      Use(pid, static_cast<int>(task) + 1, TaskName(r_, task));
      return {pid, static_cast<int>(task) + 1};
    }
    int pid = Pid(process);
    int tid = kProcessEventsTid + pid;
    Use(pid, tid, pid == kernel_pid_ ? "kernel" : ProcessName(r_, process) + " (process events)");
    return {pid, tid};
  }

  // A named extra lane of a process (holds, state bands), numbered in order of first use.
  std::pair<int, int> Extra(uint32_t process, const std::string& name) {
    int pid = Pid(process);
    auto [it, fresh] = extra_.try_emplace({pid, name}, kExtraTid + static_cast<int>(extra_.size()));
    Use(pid, it->second, name);
    return {pid, it->second};
  }

  void Add(json event, std::pair<int, int> lane) {
    event["pid"] = lane.first;
    event["tid"] = lane.second;
    events_.push_back(std::move(event));
  }

  // Metadata first: a name and a sort index for every pid and tid used.
  json Finish() {
    json out = json::array();
    for (const auto& [pid, name] : processes_) {
      out.push_back({{"ph", "M"}, {"name", "process_name"}, {"pid", pid}, {"tid", 0}, {"ts", 0},
                     {"args", {{"name", name}}}});
      out.push_back({{"ph", "M"}, {"name", "process_sort_index"}, {"pid", pid}, {"tid", 0}, {"ts", 0},
                     {"args", {{"sort_index", pid}}}});
    }
    for (const auto& [lane, name] : threads_) {
      out.push_back({{"ph", "M"}, {"name", "thread_name"}, {"pid", lane.first}, {"tid", lane.second}, {"ts", 0},
                     {"args", {{"name", name}}}});
      out.push_back({{"ph", "M"}, {"name", "thread_sort_index"}, {"pid", lane.first}, {"tid", lane.second},
                     {"ts", 0}, {"args", {{"sort_index", lane.second}}}});
    }
    for (json& e : events_) out.push_back(std::move(e));
    return out;
  }

 private:
  void Use(int pid, int tid, const std::string& thread) {
    if (!processes_.count(pid))
      processes_[pid] = pid == kernel_pid_ ? "kernel" : ProcessName(r_, static_cast<uint32_t>(pid - 1));
    threads_.try_emplace({pid, tid}, thread);
  }

  const RunReport& r_;
  const int kernel_pid_;
  std::map<int, std::string> processes_;
  std::map<std::pair<int, int>, std::string> threads_;
  std::map<std::pair<int, std::string>, int> extra_;
  json events_ = json::array();
};

const char* Category(SpanKind kind) {
  switch (kind) {
    case SpanKind::kStore: return "object-store";
    case SpanKind::kDisk: return "disk";
    case SpanKind::kClient: return "client";
  }
  return "io";
}

// "cluster/wal/00000000000000000003 create 120B" -> "put cluster/wal/00000000000000000003".
std::string SliceName(const Span& s) {
  std::string_view detail = s.detail;
  return fmt::format("{} {}", s.name, detail.substr(0, detail.find(' ')));
}

void AddSpans(const RunReport& r, Writer& w) {
  for (const ReportSpan& rs : AllSpans(r)) {
    const Span& s = rs.span;
    json args{{"detail", s.detail}, {"outcome", s.outcome}};
    if (s.fault) args["fault"] = true;
    if (s.op >= 0) args["op"] = s.op;
    if (rs.named) args["named_by_violation"] = true;
    auto lane = w.Lane(ProcessOf(r, s.task), s.task);
    w.Add({{"ph", "X"}, {"name", SliceName(s)}, {"cat", Category(rs.kind)}, {"ts", Us(s.start_ns)},
           {"dur", Us(std::max<int64_t>(s.end_ns - s.start_ns, 0))}, {"args", std::move(args)}},
          lane);
    if (rs.kind == SpanKind::kClient && s.outcome == "ok" && s.name != "client get")
      w.Add({{"ph", "i"}, {"s", "t"}, {"name", "ack " + s.detail}, {"cat", "ack"}, {"ts", Us(s.end_ns)},
             {"args", {{"op", s.op}, {"detail", s.detail}}}},
            lane);
  }
}

void AddInstants(const RunReport& r, Writer& w) {
  if (!r.trace) return;
  for (const TraceEvent& e : r.trace->events()) {
    std::string name;
    switch (e.kind) {
      case EventKind::kCrash: name = "crash " + e.detail; break;
      case EventKind::kRestart: name = "restart " + e.detail; break;
      case EventKind::kFault: name = "fault"; break;
      case EventKind::kCrashPoint: name = IsFiredCrashPoint(e) ? "crash point fired" : "crash point"; break;
      case EventKind::kNote: name = "note"; break;
      case EventKind::kViolation: name = "violation"; break;
      case EventKind::kIo:
        if (e.detail.rfind("disk ", 0) == 0) continue;  // a slice already
        if (e.detail.rfind("send ", 0) == 0 || e.detail.rfind("receive ", 0) == 0 ||
            e.detail.rfind("stream ", 0) == 0 || e.detail.rfind("connect ", 0) == 0 ||
            e.detail.rfind("accept ", 0) == 0) {
          name = e.detail.substr(0, e.detail.find(' '));
          break;
        }
        continue;  // object-store ops are slices already
      default:
        continue;
    }
    bool global = e.kind == EventKind::kCrash || e.kind == EventKind::kViolation;
    w.Add({{"ph", "i"}, {"s", global ? "g" : "t"}, {"name", name}, {"cat", std::string(EventKindName(e.kind))},
           {"ts", Us(e.time_ns)}, {"args", {{"detail", e.detail}}}},
          w.Lane(e.process, e.task));
  }
}

// Causal arrows as flow events: a zero-length slice at each end (a flow binds to its enclosing slice)
// and a "s" / "f" pair with one id between them.
void AddFlows(const RunReport& r, Writer& w) {
  uint64_t id = 1;
  for (const Arrow& a : AllArrows(r)) {
    auto from = w.Lane(ProcessOf(r, a.from_task), a.from_task);
    auto to = w.Lane(ProcessOf(r, a.to_task), a.to_task);
    w.Add({{"ph", "X"}, {"name", a.kind + " out"}, {"cat", "flow." + a.kind}, {"ts", Us(a.from_ns)}, {"dur", 0},
           {"args", {{"label", a.label}}}},
          from);
    w.Add({{"ph", "s"}, {"name", a.kind}, {"cat", "flow." + a.kind}, {"id", id}, {"ts", Us(a.from_ns)}}, from);
    w.Add({{"ph", "X"}, {"name", a.kind + " in"}, {"cat", "flow." + a.kind}, {"ts", Us(a.to_ns)}, {"dur", 0},
           {"args", {{"label", a.label}}}},
          to);
    w.Add({{"ph", "f"}, {"bp", "e"}, {"name", a.kind}, {"cat", "flow." + a.kind}, {"id", id}, {"ts", Us(a.to_ns)}},
          to);
    ++id;
  }
}

// Held files and mutexes as slices on a "holds" lane of their task's process; engine state
// (Runtime::State) as slices on a "state: KEY" lane per task, one slice per value.
void AddHoldsAndStates(const RunReport& r, Writer& w) {
  for (const Hold& h : AllHolds(r)) {
    uint32_t process = ProcessOf(r, h.task);
    w.Add({{"ph", "X"}, {"name", h.kind + " " + h.label}, {"cat", "hold." + h.kind}, {"ts", Us(h.start_ns)},
           {"dur", Us(h.end_ns - h.start_ns)},
           {"args", {{"detail", h.detail}, {"task", TaskName(r, h.task)}, {"named_by_violation", h.named}}}},
          w.Extra(process, "holds: " + TaskName(r, h.task)));
  }
  std::vector<StateMarkRow> states = AllStates(r);
  std::map<std::pair<uint32_t, std::string>, size_t> last;  // (task, key) -> index of its open state
  std::vector<int64_t> ends(states.size(), r.sim_time_ns);
  for (size_t i = 0; i < states.size(); ++i) {
    auto [it, fresh] = last.try_emplace({states[i].task, states[i].key}, i);
    if (!fresh) {
      ends[it->second] = states[i].time_ns;
      it->second = i;
    }
  }
  for (size_t i = 0; i < states.size(); ++i) {
    const StateMarkRow& s = states[i];
    w.Add({{"ph", "X"}, {"name", s.value}, {"cat", "state"}, {"ts", Us(s.time_ns)},
           {"dur", Us(ends[i] - s.time_ns)}, {"args", {{"key", s.key}, {"task", TaskName(r, s.task)}}}},
          w.Extra(ProcessOf(r, s.task), "state: " + s.key + " (" + TaskName(r, s.task) + ")"));
  }
}

}  // namespace

std::string PerfettoJson(const RunReport& r) {
  Writer w(r);
  AddSpans(r, w);
  AddInstants(r, w);
  AddFlows(r, w);
  AddHoldsAndStates(r, w);
  for (const Violation& v : r.violations) {
    int64_t at = v.time_ns >= 0 ? v.time_ns : r.sim_time_ns;
    w.Add({{"ph", "i"}, {"s", "g"}, {"name", "violation: " + v.invariant}, {"cat", "violation"}, {"ts", Us(at)},
           {"args", {{"message", v.message}, {"evidence", v.evidence}, {"objects", v.objects}, {"ops", v.ops}}}},
          w.Lane(kKernel, kKernel));
  }
  json counters = json::object();
  for (const auto& [name, value] : r.counters) counters[name] = value;
  json doc{{"traceEvents", w.Finish()},
           {"displayTimeUnit", "ns"},
           {"otherData",
            {{"scenario", r.config.scenario}, {"variant", r.config.variant}, {"seed", r.config.seed},
             {"trace_hash", fmt::format("{:016x}", r.trace_hash)}, {"invariant", r.invariant()},
             {"events", r.events}, {"decisions", r.decisions.size()}, {"context_switches", r.context_switches},
             {"counters", counters}, {"time_unit", "ts and dur are microseconds of simulated time"}}}};
  return doc.dump();
}

}  // namespace seedbed::reports
