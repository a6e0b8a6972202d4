// Catch2 (v2) helpers: run a scenario over seeds inside a TEST_CASE and fail with the seed, the
// invariant, the command that replays it and the line that reruns only that seed of this test
// binary. Header-only and not part of the library build; include it (or <seedbed/testing.h>) from a
// test that links seedbed::seedbed and Catch2. GoogleTest: scenarios/testing/gtest.h.
//
//   TEST_CASE("my engine keeps acknowledged writes") {
//     SEEDBED_CHECK_SEEDS("myengine.lost_put", "fixed", 1, 100);   // every seed must pass
//     SEEDBED_EXPECT_FAILURE("myengine.lost_put", "buggy", 1, 100); // some seed must fail
//   }
//
// Rerunning one seed: with SEEDBED_SEED=N in the environment, both macros run only seed N; a
// failure prints the exact line (`SEEDBED_SEED=17 ./my_tests "my engine keeps acknowledged writes"`).
#pragma once

#include <catch2/catch.hpp>

#include "scenarios/testing/seeds.h"

namespace seedbed::testing {

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

inline std::string RerunHint(uint64_t seed) {
  return "rerun only this seed: " + RerunLine(seed, "\"" + Catch::getResultCapture().getCurrentTestName() + "\"");
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
