#include <set>

#include "fmt/format.h"
#include "nlohmann/json.hpp"
#include "reports/reports.h"

namespace seedbed::reports {
namespace {

using nlohmann::json;

constexpr uint32_t kKernel = ~0u;
double Us(int64_t ns) { return static_cast<double>(ns) / 1000.0; }

// Process and task ids shifted by one: Perfetto treats pid 0 specially.
int Pid(uint32_t process) { return process == kKernel ? 0 : static_cast<int>(process) + 1; }
int Tid(uint32_t task) { return task == kKernel ? 0 : static_cast<int>(task) + 1; }

uint32_t ProcessOf(const RunReport& r, uint32_t task) {
  return task < r.task_process.size() ? r.task_process[task] : kKernel;
}

void Metadata(const RunReport& r, json& events) {
  events.push_back({{"ph", "M"}, {"name", "process_name"}, {"pid", 0}, {"tid", 0},
                    {"args", {{"name", "kernel"}}}});
  for (size_t p = 0; p < r.process_names.size(); ++p)
    events.push_back({{"ph", "M"}, {"name", "process_name"}, {"pid", Pid(p)}, {"tid", 0},
                      {"args", {{"name", r.process_names[p]}}}});
  for (size_t t = 0; t < r.task_names.size(); ++t)
    events.push_back({{"ph", "M"}, {"name", "thread_name"}, {"pid", Pid(ProcessOf(r, t))},
                      {"tid", Tid(t)}, {"args", {{"name", r.task_names[t]}}}});
}

bool Instant(EventKind kind) {
  switch (kind) {
    case EventKind::kCrash: case EventKind::kRestart: case EventKind::kFault:
    case EventKind::kCrashPoint: case EventKind::kProbe: case EventKind::kNote:
    case EventKind::kViolation: case EventKind::kSpawn: case EventKind::kTaskEnd:
      return true;
    default:
      return false;
  }
}

}  // namespace

std::string PerfettoJson(const RunReport& r) {
  json events = json::array();
  Metadata(r, events);
  std::set<uint64_t> highlighted;
  if (const Violation* v = r.first_violation()) highlighted.insert(v->ops.begin(), v->ops.end());
  for (const Span& s : r.spans) {
    json args{{"detail", s.detail}, {"outcome", s.outcome}};
    if (s.fault) args["fault"] = true;
    if (s.op >= 0) {
      args["op"] = s.op;
      if (highlighted.count(static_cast<uint64_t>(s.op))) args["violation"] = true;
    }
    events.push_back({{"ph", "X"}, {"name", s.name}, {"cat", s.op >= 0 ? "client" : "io"},
                      {"ts", Us(s.start_ns)}, {"dur", Us(std::max<int64_t>(s.end_ns - s.start_ns, 0))},
                      {"pid", Pid(ProcessOf(r, s.task))}, {"tid", Tid(s.task)}, {"args", std::move(args)}});
    if (s.op >= 0 && s.outcome == "ok" && s.name != "client get")
      events.push_back({{"ph", "i"}, {"s", "t"}, {"name", "ack"}, {"cat", "ack"}, {"ts", Us(s.end_ns)},
                        {"pid", Pid(ProcessOf(r, s.task))}, {"tid", Tid(s.task)},
                        {"args", {{"op", s.op}, {"detail", s.detail}}}});
  }
  if (r.trace) {
    for (const TraceEvent& e : r.trace->events()) {
      if (!Instant(e.kind)) continue;
      bool global = e.kind == EventKind::kViolation || e.kind == EventKind::kCrash;
      events.push_back({{"ph", "i"}, {"s", global ? "g" : "t"}, {"name", std::string(EventKindName(e.kind))},
                        {"cat", std::string(EventKindName(e.kind))}, {"ts", Us(e.time_ns)},
                        {"pid", Pid(e.process)}, {"tid", Tid(e.task)}, {"args", {{"detail", e.detail}}}});
    }
  }
  for (const Violation& v : r.violations) {
    int64_t at = v.time_ns >= 0 ? v.time_ns : r.sim_time_ns;
    events.push_back({{"ph", "i"}, {"s", "g"}, {"name", "violation: " + v.invariant}, {"cat", "violation"},
                      {"ts", Us(at)}, {"pid", 0}, {"tid", 0},
                      {"args", {{"message", v.message}, {"evidence", v.evidence}}}});
  }
  json doc{{"traceEvents", std::move(events)},
           {"displayTimeUnit", "ns"},
           {"otherData",
            {{"scenario", r.config.scenario}, {"variant", r.config.variant}, {"seed", r.config.seed},
             {"trace_hash", fmt::format("{:016x}", r.trace_hash)}, {"invariant", r.invariant()}}}};
  return doc.dump();
}

}  // namespace seedbed::reports
