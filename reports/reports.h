// Ways to look at one run: a plain-text timeline, Chrome Trace Event JSON (opens in Perfetto and
// chrome://tracing), and a self-contained HTML report with a swimlane timeline. They read a
// RunReport kept with every event (RunConfig::keep_events); they never change it. Never yields.
#pragma once

#include <ostream>
#include <string>

#include "absl/status/status.h"
#include "scenarios/harness/runner.h"

namespace seedbed::reports {

// A header (scenario, verdict, replay command) and one line per event (task resumes left out), for
// terminals and logs. Lines that name the violation's objects start with "!!".
void WriteTextTimeline(const RunReport& report, std::ostream& out, const std::string& replay_command = "");

// Chrome Trace Event Format (opens in ui.perfetto.dev; not in Debian's Chromium's chrome://tracing):
// processes as pids,
// tasks as threads, object-store, disk and client ops as complete ("X") slices with their arguments
// and outcomes, faults, crashes, restarts, fired crash points, acknowledgements, network messages
// and violations as instant ("i") events; causal arrows as flow events ("s" / "f", each end bound
// to a zero-length slice); held files, mutexes and leases and engine state as slices on extra lanes;
// metadata names every pid and tid used, none is 0.
// Time unit: microseconds of simulated time.
std::string PerfettoJson(const RunReport& report);

// A self-contained HTML page (inline CSS, data and script from reports/timeline.js; nothing from the
// network): the scenario, the invariant and its evidence, the replay command, run figures, an
// interactive timeline (zoom, pan, minimap, search, a lane per process with its tasks inside, held
// files, mutexes and leases, causal arrows, engine state bands, what the violation names in red, a
// detail panel), a per-key history view, and the key events. Byte-identical for the same run.
std::string HtmlReport(const RunReport& report, const std::string& replay_command);

// Writes <dir>/<stem>.trace.json, <dir>/<stem>.html and <dir>/<stem>.timeline.txt.
absl::Status WriteRunReports(const RunReport& report, const std::string& dir, const std::string& stem,
                             const std::string& replay_command);

}  // namespace seedbed::reports
