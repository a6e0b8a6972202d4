// Prints one line per seed of leveldb.crash_recovery: "variant seed trace_hash events verdict".
// Built twice, with Debian's libleveldb.so and with libleveldb.a (leveldb_trace_hashes_shared,
// leveldb_trace_hashes_static); same_trace_test.sh runs both, twice each, and compares: the trace
// must not depend on the process, on address randomisation or on how the engine was linked.
// Usage: leveldb_trace_hashes VARIANT FIRST_SEED LAST_SEED [SCENARIO]
// (SCENARIO defaults to leveldb.crash_recovery; any linked scenario works, e.g. sqlite.crash_recovery,
// to check that an optimisation leaves every seed's run as it was.)
#include <cstdio>
#include <cstdlib>
#include <string>

#include "scenarios/harness/runner.h"

int main(int argc, char** argv) {
  if (argc != 4 && argc != 5) {
    std::fprintf(stderr, "usage: %s VARIANT FIRST_SEED LAST_SEED [SCENARIO]\n", argv[0]);
    return 2;
  }
  const std::string variant = argv[1];
  const unsigned long long first = std::strtoull(argv[2], nullptr, 10);
  const unsigned long long last = std::strtoull(argv[3], nullptr, 10);
  const std::string scenario = argc == 5 ? argv[4] : "leveldb.crash_recovery";
  if (first == 0 || last < first) {
    std::fprintf(stderr, "bad seed range %s..%s\n", argv[2], argv[3]);
    return 2;
  }
  for (unsigned long long seed = first; seed <= last; ++seed) {
    seedbed::RunConfig config;
    config.scenario = scenario;
    config.variant = variant;
    config.seed = seed;
    absl::StatusOr<seedbed::RunReport> report = seedbed::RunOnce(config);
    if (!report.ok()) {
      std::fprintf(stderr, "%s\n", std::string(report.status().message()).c_str());
      return 2;
    }
    std::printf("%s %llu %016llx %llu %s\n", variant.c_str(), seed,
                static_cast<unsigned long long>(report->trace_hash),
                static_cast<unsigned long long>(report->events),
                report->failed ? report->invariant().c_str() : "ok");
  }
  return 0;
}
