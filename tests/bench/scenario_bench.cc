// Per-scenario throughput (a plain binary, not a timed test): for every runnable (scenario, variant),
// seeds 1.. through RunOnce in this thread until a CPU-time limit, then seeds/s, events/s and
// simulated time / CPU time. Targets (issue 7): >= 1,000 seeds/s per core on the small scenarios;
// simulated time >= 10,000x wall time on latency-bound scenarios. Timed with this thread's CPU
// clock (on a shared, loaded machine wall time would count time spent descheduled); one core.
// Usage: scenario_bench [--seconds S] [--max-seeds N] [--only SCENARIO]
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "scenarios/harness/runner.h"
#include "tests/bench/bench_util.h"

int main(int argc, char** argv) {
  double seconds = 2;
  uint64_t max_seeds = 5000;
  std::string only;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--seconds") == 0 && i + 1 < argc) {
      seconds = std::atof(argv[++i]);
    } else if (std::strcmp(argv[i], "--max-seeds") == 0 && i + 1 < argc) {
      max_seeds = std::strtoull(argv[++i], nullptr, 10);
    } else if (std::strcmp(argv[i], "--only") == 0 && i + 1 < argc) {
      only = argv[++i];
    } else {
      std::fprintf(stderr, "usage: %s [--seconds S] [--max-seeds N] [--only SCENARIO]\n", argv[0]);
      return 2;
    }
  }
  std::printf("%-28s %-10s %6s %9s %11s %10s %12s %12s %6s\n", "scenario", "variant", "seeds",
              "seeds/s", "events/s", "ev/seed", "sim s/seed", "sim/cpu", "fails");
  for (const seedbed_bench::Cell& cell : seedbed_bench::AllCells(false)) {
    if (!only.empty() && cell.scenario != only) continue;
    uint64_t seeds = 0, events = 0, failures = 0;
    double sim_s = 0;
    const double start = seedbed_bench::ThreadCpuSeconds();
    double cpu = 0;
    for (uint64_t seed = 1; seed <= max_seeds && cpu < seconds; ++seed) {
      seedbed::RunConfig config;
      config.scenario = cell.scenario;
      config.variant = cell.variant;
      config.seed = seed;
      absl::StatusOr<seedbed::RunReport> report = seedbed::RunOnce(config);
      if (!report.ok()) {
        std::printf("%s %s: %s\n", cell.scenario.c_str(), cell.variant.c_str(),
                    std::string(report.status().message()).c_str());
        break;
      }
      ++seeds;
      events += report->events;
      sim_s += static_cast<double>(report->sim_time_ns) * 1e-9;
      failures += report->failed ? 1 : 0;
      cpu = seedbed_bench::ThreadCpuSeconds() - start;
    }
    if (seeds == 0 || cpu <= 0) continue;
    std::printf("%-28s %-10s %6llu %9.0f %11.0f %10.0f %12.1f %11.0fx %6llu\n", cell.scenario.c_str(),
                cell.variant.c_str(), static_cast<unsigned long long>(seeds), seeds / cpu, events / cpu,
                static_cast<double>(events) / seeds, sim_s / seeds, sim_s / cpu,
                static_cast<unsigned long long>(failures));
    std::fflush(stdout);
  }
  return 0;
}
