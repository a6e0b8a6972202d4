// Running a scenario over seeds from a unit test, for any test framework: the first failing seed,
// its invariant, the command that replays it and the line that reruns only that seed. The Catch2
// (testing.h) and GoogleTest (gtest.h) helpers are built on it. Header-only; call from the test's
// thread (runs simulations to completion; never yields).
#pragma once

#include <errno.h>

#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "scenarios/harness/parse.h"
#include "scenarios/harness/runner.h"

namespace seedbed::testing {

// What running a range of seeds found: the first failing seed, if any.
struct SeedsOutcome {
  std::string error;               // non-empty: the scenario could not run (unknown name, bad variant, bad SEEDBED_SEED)
  uint64_t seeds_run = 0;
  std::optional<uint64_t> failing_seed;
  std::string invariant;           // of the first failing seed
  std::string message;             // its first violation
  std::string replay;              // the command that replays it
};

// The seeds to run: SEEDBED_SEED alone when set, else first .. first+count-1.
inline absl::StatusOr<std::vector<uint64_t>> SeedsToRun(uint64_t first, uint64_t count) {
  if (const char* only = std::getenv("SEEDBED_SEED"); only != nullptr && *only != '\0') {
    absl::StatusOr<uint64_t> seed = ParseSeed(only);
    if (!seed.ok()) return seed.status();
    return std::vector<uint64_t>{*seed};
  }
  std::vector<uint64_t> seeds;
  for (uint64_t i = 0; i < count; ++i) seeds.push_back(first + i);
  return seeds;
}

// Runs the seeds in order and stops at the first that breaks an invariant. `base` sets the
// strategy and budgets (its scenario, variant and seed are overwritten).
inline SeedsOutcome RunSeeds(const std::string& scenario, const std::string& variant, uint64_t first,
                             uint64_t count, RunConfig base = {}) {
  SeedsOutcome out;
  absl::StatusOr<std::vector<uint64_t>> seeds = SeedsToRun(first, count);
  if (!seeds.ok()) {
    out.error = "SEEDBED_SEED: " + std::string(seeds.status().message());
    return out;
  }
  for (uint64_t seed : *seeds) {
    RunConfig config = base;
    config.scenario = scenario;
    config.variant = variant;
    config.seed = seed;
    config.replay = nullptr;
    absl::StatusOr<RunReport> report = RunOnce(config);
    if (!report.ok()) {
      out.error = std::string(report.status().message());
      return out;
    }
    out.seeds_run++;
    if (report->failed) {
      out.failing_seed = seed;
      out.invariant = report->invariant();
      out.message = report->first_violation()->message;
      out.replay = ReplayCommand(config);
      return out;
    }
  }
  return out;
}

// The line that reruns only `seed` of the running test binary: SEEDBED_SEED=N, the binary as it was
// invoked (glibc's program_invocation_name), and `selector` (how the framework picks one test).
inline std::string RerunLine(uint64_t seed, std::string_view selector) {
  return "SEEDBED_SEED=" + std::to_string(seed) + " " + std::string(program_invocation_name) + " " +
         std::string(selector);
}

}  // namespace seedbed::testing
