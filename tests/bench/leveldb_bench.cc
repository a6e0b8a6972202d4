// leveldb.crash_recovery (Debian's libleveldb in the simulated world): per variant, seeds/s on one
// core, puts per seed, simulated time / CPU time; then one long run of a clean variant in this one
// process (a campaign worker that is never recycled) with its failures (expected: none) and its RSS
// every 1,000 seeds. Targets (issue 12): >= 500 seeds/s per core at ~1,000 puts a seed; <= 1 MiB RSS
// growth per 1,000 seeds per worker. Timed with this thread's CPU clock.
// Usage: leveldb_bench [--seconds S] [--sweep-seeds N] [--sweep-variant V]
#include <malloc.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>

#include "scenarios/harness/runner.h"
#include "scenarios/harness/scenario.h"
#include "tests/bench/bench_util.h"

namespace {

long RssKiB() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::strtol(line.c_str() + 6, nullptr, 10);
  return -1;
}

// Bytes malloc has handed out and not taken back: unlike RSS, it drops when memory is freed, so
// its growth is what the runs leak (abandoned LevelDB instances), not what malloc keeps cached.
double HeapInUseMiB() { return static_cast<double>(mallinfo2().uordblks) / (1 << 20); }

uint64_t Puts(const seedbed::RunReport& report) {
  uint64_t n = 0;
  for (const seedbed::Op& op : report.history->ops()) n += op.type == seedbed::OpType::kPut;
  return n;
}

}  // namespace

int main(int argc, char** argv) {
  double seconds = 2;
  uint64_t sweep_seeds = 10'000;
  std::string sweep_variant = "sync-machine-ext4";
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--seconds") == 0 && i + 1 < argc) {
      seconds = std::atof(argv[++i]);
    } else if (std::strcmp(argv[i], "--sweep-seeds") == 0 && i + 1 < argc) {
      sweep_seeds = std::strtoull(argv[++i], nullptr, 10);
    } else if (std::strcmp(argv[i], "--sweep-variant") == 0 && i + 1 < argc) {
      sweep_variant = argv[++i];
    } else {
      std::fprintf(stderr, "usage: %s [--seconds S] [--sweep-seeds N] [--sweep-variant V]\n", argv[0]);
      return 2;
    }
  }
  const char* kScenario = "leveldb.crash_recovery";
  auto scenario = seedbed::Registry::Get().Make(kScenario);
  if (!scenario) {
    std::fprintf(stderr, "%s is not linked into this binary\n", kScenario);
    return 2;
  }
  std::printf("%-28s %6s %9s %10s %12s %10s %6s\n", "variant", "seeds", "seeds/s", "puts/seed",
              "sim ms/seed", "sim/cpu", "fails");
  for (const std::string& variant : scenario->info().variants) {
    uint64_t seeds = 0, failures = 0, puts = 0;
    double sim_s = 0, cpu = 0;
    const double start = seedbed_bench::ThreadCpuSeconds();
    for (uint64_t seed = 1; cpu < seconds; ++seed) {
      seedbed::RunConfig config;
      config.scenario = kScenario;
      config.variant = variant;
      config.seed = seed;
      absl::StatusOr<seedbed::RunReport> report = seedbed::RunOnce(config);
      if (!report.ok()) return 2;
      ++seeds;
      failures += report->failed;
      puts += Puts(*report);
      sim_s += static_cast<double>(report->sim_time_ns) * 1e-9;
      cpu = seedbed_bench::ThreadCpuSeconds() - start;
    }
    std::printf("%-28s %6llu %9.0f %10.0f %12.1f %9.0fx %6llu\n", variant.c_str(),
                static_cast<unsigned long long>(seeds), seeds / cpu, double(puts) / seeds,
                sim_s / seeds * 1e3, sim_s / cpu, static_cast<unsigned long long>(failures));
  }

  std::printf("\n%s --variant %s, seeds 1..%llu in this one process:\n", kScenario,
              sweep_variant.c_str(), static_cast<unsigned long long>(sweep_seeds));
  std::printf("%8s %10s %10s %9s %10s\n", "seeds", "RSS MiB", "heap MiB", "failures", "seeds/s");
  const long rss_start = RssKiB();
  std::printf("%8d %10.1f %10.1f %9d %10s\n", 0, rss_start / 1024.0, HeapInUseMiB(), 0, "-");
  uint64_t failures = 0, first_failure = 0;
  const double start = seedbed_bench::ThreadCpuSeconds();
  long rss_first_1000 = rss_start;
  double heap_first_1000 = HeapInUseMiB();
  for (uint64_t seed = 1; seed <= sweep_seeds; ++seed) {
    seedbed::RunConfig config;
    config.scenario = kScenario;
    config.variant = sweep_variant;
    config.seed = seed;
    absl::StatusOr<seedbed::RunReport> report = seedbed::RunOnce(config);
    if (!report.ok()) return 2;
    if (report->failed && failures++ == 0) first_failure = seed;
    if (seed % 1000 == 0 || seed == sweep_seeds) {
      const long rss = RssKiB();
      const double heap = HeapInUseMiB();
      if (seed == 1000) {
        rss_first_1000 = rss;
        heap_first_1000 = heap;
      }
      std::printf("%8llu %10.1f %10.1f %9llu %10.0f\n", static_cast<unsigned long long>(seed),
                  rss / 1024.0, heap,
                  static_cast<unsigned long long>(failures),
                  seed / (seedbed_bench::ThreadCpuSeconds() - start));
      std::fflush(stdout);
    }
  }
  const long rss_end = RssKiB();
  std::printf("failures: %llu%s\n", static_cast<unsigned long long>(failures),
              failures ? (" (first at seed " + std::to_string(first_failure) + ")").c_str() : "");
  if (sweep_seeds > 1000)
    std::printf("RSS growth after the first 1,000 seeds: %.2f MiB per 1,000 seeds (heap in use: "
                "%.2f MiB per 1,000 seeds)\n",
                (rss_end - rss_first_1000) / 1024.0 / ((sweep_seeds - 1000) / 1000.0),
                (HeapInUseMiB() - heap_first_1000) / ((sweep_seeds - 1000) / 1000.0));
  return failures == 0 ? 0 : 1;
}
