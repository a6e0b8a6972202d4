// Ways to look at one run: a plain-text timeline, Chrome Trace Event JSON (opens in Perfetto and
// chrome://tracing), and a self-contained HTML report with a swimlane timeline. They read a
// RunReport kept with every event (RunConfig::keep_events); they never change it. Never yields.
#pragma once

#include <ostream>
#include <string>

#include "absl/status/status.h"
#include "scenarios/runner.h"

namespace seedbed::reports {

// One line per event (task resumes left out), for terminals and logs.
void WriteTextTimeline(const RunReport& report, std::ostream& out);

// Chrome Trace Event Format: processes as pids, tasks as threads, spans as complete ("X") slices
// with their arguments and outcomes, faults, crashes, acknowledgements and violations as instant
// ("i") events. Time unit: microseconds of simulated time.
std::string PerfettoJson(const RunReport& report);

// A self-contained HTML page (no network, no external script): the scenario, the invariant and its
// evidence, the replay command, and the timeline with the violation's events highlighted.
std::string HtmlReport(const RunReport& report, const std::string& replay_command);

// Writes <dir>/<stem>.trace.json, <dir>/<stem>.html and <dir>/<stem>.timeline.txt.
absl::Status WriteRunReports(const RunReport& report, const std::string& dir, const std::string& stem,
                             const std::string& replay_command);

}  // namespace seedbed::reports
