// The HTML report at scale: a real failing run (cnosdb.raft_wal_io buggy, seed 4: 11,196 events)
// repeated end to end until the trace holds at least --events events (default 100,000), its spans,
// marks and history shifted in time with it, written as one HTML report. Prints the event count, the
// page's size and the time to build it; reports/BENCHMARKS.md ("The HTML report at scale") measures
// the page's first paint and frame times from it in headless Chromium. Not a timed test; the wall
// clock is read here only, never by a simulation.
#include <time.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>

#include "reports/reports.h"
#include "scenarios/harness/history.h"
#include "scenarios/harness/runner.h"

namespace {

double WallSeconds() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

// `copies` runs of `r` end to end, each `period_ns` later than the one before.
seedbed::RunReport Tile(const seedbed::RunReport& r, int copies, int64_t period_ns) {
  using namespace seedbed;
  RunReport out = r;
  auto trace = std::make_shared<Trace>(true);
  auto history = std::make_shared<History>();
  out.spans.clear();
  const auto& events = r.trace->events();
  const auto& marks = r.trace->marks();
  const uint64_t ops = r.history->ops().size();
  for (int k = 0; k < copies; ++k) {
    const int64_t off = period_ns * k;
    size_t m = 0;
    for (size_t i = 0; i <= events.size(); ++i) {
      for (; m < marks.size() && marks[m].after == i; ++m)
        trace->Mark(marks[m].time_ns + off, marks[m].process, marks[m].task, marks[m].kind,
                    marks[m].id + static_cast<uint64_t>(k) * 1'000'000'000, marks[m].key, marks[m].value);
      if (i < events.size())
        trace->Add(events[i].time_ns + off, events[i].process, events[i].task, events[i].kind, events[i].detail);
    }
    for (Span s : r.spans) {
      s.start_ns += off;
      s.end_ns += off;
      if (s.applied_ns >= 0) s.applied_ns += off;
      if (s.op >= 0) s.op += static_cast<int64_t>(ops) * k;
      out.spans.push_back(std::move(s));
    }
    for (const Op& op : r.history->ops()) {
      uint64_t id = history->Invoke(op.client, op.type, op.key, op.value, op.invoke_ns + off, op.task);
      if (op.final_read) history->MarkFinalRead(id);
      const int64_t done = op.complete_ns + off;
      if (op.status == OpStatus::kOk) history->Ok(id, done, op.read);
      else if (op.status == OpStatus::kFailed) history->Fail(id, done, op.error);
      else if (op.status == OpStatus::kUnknown) history->Unknown(id, done, op.error);
    }
  }
  out.trace = trace;
  out.history = history;
  out.events = trace->count();
  out.sim_time_ns = period_ns * copies;
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  std::string path = "report_scale.html";
  uint64_t want = 100'000;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--out") path = argv[i + 1];
    else if (flag == "--events") want = std::strtoull(argv[i + 1], nullptr, 10);
  }
  seedbed::RunConfig config;
  config.scenario = "cnosdb.raft_wal_io";
  config.variant = "buggy";
  config.seed = 4;
  config.keep_events = true;
  absl::StatusOr<seedbed::RunReport> run = seedbed::RunOnce(config);
  if (!run.ok() || !run->trace || !run->history) {
    std::fprintf(stderr, "report_scale: the run failed to start\n");
    return 2;
  }
  const uint64_t per_run = run->trace->count();  // every trace event, resumes and wake-ups included
  const int copies = static_cast<int>((want + per_run - 1) / per_run);
  const double t0 = WallSeconds();
  seedbed::RunReport big = Tile(*run, copies, run->sim_time_ns + 1'000'000);
  const std::string html = seedbed::reports::HtmlReport(big, seedbed::ReplayCommand(config) + " (repeated)");
  const double t1 = WallSeconds();
  std::ofstream(path) << html;
  std::printf("%s: %d copies of %s [%s] seed %llu: %llu events, %zu spans, %zu history ops; %zu bytes "
              "(%.1f MiB), built in %.2f s\n",
              path.c_str(), copies, config.scenario.c_str(), config.variant.c_str(),
              static_cast<unsigned long long>(config.seed), static_cast<unsigned long long>(big.events),
              big.spans.size(), big.history->ops().size(), html.size(), html.size() / 1048576.0, t1 - t0);
  return 0;
}
