// Catch2 (v2) helpers: run a scenario over seeds inside a TEST_CASE and fail with the seed, the
// invariant and the one command that replays it. Header-only and not part of the library build;
// include it from a test that links seedbed::seedbed and Catch2. Call from the test's thread (runs
// simulations to completion; never yields).
//
//   TEST_CASE("my engine keeps acknowledged writes") {
//     SEEDBED_CHECK_SEEDS("myengine.lost_put", "fixed", 1, 100);   // every seed must pass
//     SEEDBED_EXPECT_FAILURE("myengine.lost_put", "buggy", 1, 100); // some seed must fail
//   }
//
// Rerunning one seed: with SEEDBED_SEED=N in the environment, both macros run only seed N (say
// `SEEDBED_SEED=17 ./my_tests "my engine keeps acknowledged writes"` after CI reported seed 17).
#pragma once

#include <catch2/catch.hpp>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
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

// One run of (scenario, variant, seed); `base` sets everything else. A harness error (unknown
// scenario or variant) fails the test at once.
inline RunReport RequireRun(const std::string& scenario, const std::string& variant, uint64_t seed,
                            RunConfig base = {}) {
  base.scenario = scenario;
  base.variant = variant;
  base.seed = seed;
  absl::StatusOr<RunReport> report = RunOnce(base);
  INFO(scenario << " [" << variant << "] seed " << seed);
  REQUIRE(report.ok());
  return *std::move(report);
}

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

inline std::string RerunHint(uint64_t seed) {
  std::string test = Catch::getResultCapture().getCurrentTestName();
  return "rerun only this seed: SEEDBED_SEED=" + std::to_string(seed) + " <this test binary> \"" + test + "\"";
}

// Fails the test case at the first seed that breaks an invariant.
inline void CheckSeeds(const std::string& scenario, const std::string& variant, uint64_t first, uint64_t count,
                       const RunConfig& base = {}) {
  SeedsOutcome o = RunSeeds(scenario, variant, first, count, base);
  if (!o.error.empty()) FAIL(scenario << " [" << variant << "]: " << o.error);
  if (o.failing_seed)
    FAIL(scenario << " [" << variant << "] seed " << *o.failing_seed << " broke " << o.invariant << ": "
                  << o.message << "\n  replay: " << o.replay << "\n  " << RerunHint(*o.failing_seed));
  SUCCEED(scenario << " [" << variant << "]: " << o.seeds_run << " seeds, every invariant held");
}

// Fails the test case unless some seed breaks an invariant (a buggy variant must be caught).
inline void ExpectFailure(const std::string& scenario, const std::string& variant, uint64_t first, uint64_t count,
                          const RunConfig& base = {}) {
  SeedsOutcome o = RunSeeds(scenario, variant, first, count, base);
  if (!o.error.empty()) FAIL(scenario << " [" << variant << "]: " << o.error);
  if (!o.failing_seed)
    FAIL(scenario << " [" << variant << "]: no invariant broke in " << o.seeds_run << " seeds (expected a failure)");
  SUCCEED(scenario << " [" << variant << "] seed " << *o.failing_seed << " broke " << o.invariant
                   << " as expected; replay: " << o.replay);
}

}  // namespace seedbed::testing

#define SEEDBED_CHECK_SEEDS(scenario, variant, first, count) \
  ::seedbed::testing::CheckSeeds((scenario), (variant), (first), (count))
#define SEEDBED_EXPECT_FAILURE(scenario, variant, first, count) \
  ::seedbed::testing::ExpectFailure((scenario), (variant), (first), (count))
