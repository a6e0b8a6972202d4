#include "fmt/format.h"
#include "reports/internal.h"
#include "reports/reports.h"

namespace seedbed::reports {

void WriteTextTimeline(const RunReport& report, std::ostream& out, const std::string& replay_command) {
  const RunConfig& c = report.config;
  const Violation* v = report.first_violation();
  out << fmt::format("# {} [{}] seed {}: {} events, {:.6f}s simulated, trace {:016x}\n", c.scenario, c.variant,
                     c.seed, report.events, report.sim_time_ns / 1e9, report.trace_hash);
  if (v != nullptr) {
    out << fmt::format("# VIOLATION {}: {}\n", v->invariant, v->message);
    for (const std::string& line : v->evidence) out << "#     " << line << "\n";
  } else {
    out << "# every invariant held\n";
  }
  for (const std::string& note : report.notes) out << "# note: " << note << "\n";
  if (!replay_command.empty()) out << "# replay: " << replay_command << "\n";
  if (report.shrunk.has_value()) {
    out << "# shrunk story (before -> after" << (report.shrunk->search.empty() ? "" : "; " + report.shrunk->search)
        << "):\n";
    for (const internal::StoryRow& row : internal::StoryRows(*report.shrunk))
      out << fmt::format("#     {:<18} {:>8} -> {}\n", row.name, row.before, row.after);
  }
  if (!report.trace) return;
  for (const TraceEvent& e : report.trace->events()) {
    if (e.kind == EventKind::kStep) continue;  // resumes are implied by the events they cause
    bool named = internal::MentionsNamedObject(v, e.detail) || e.kind == EventKind::kViolation;
    out << fmt::format("{}{:>12.6f}ms  {:<28} {:<11} {}\n", named ? "!!" : "  ", e.time_ns / 1e6,
                       internal::TaskName(report, e.task), EventKindName(e.kind), e.detail);
  }
}

}  // namespace seedbed::reports
