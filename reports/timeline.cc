#include "fmt/format.h"
#include "reports/reports.h"

namespace seedbed::reports {

void WriteTextTimeline(const RunReport& report, std::ostream& out) {
  if (!report.trace) return;
  for (const TraceEvent& e : report.trace->events()) {
    if (e.kind == EventKind::kStep) continue;  // resumes are implied by the events they cause
    std::string who = e.task < report.task_names.size() ? report.task_names[e.task] : "kernel";
    out << fmt::format("{:>12.6f}ms  {:<28} {:<11} {}\n", e.time_ns / 1e6, who, EventKindName(e.kind),
                       e.detail);
  }
}

}  // namespace seedbed::reports
