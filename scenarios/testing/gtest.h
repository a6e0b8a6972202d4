// GoogleTest helpers: run a scenario over seeds inside a TEST and fail with the seed, the
// invariant, the command that replays it and the line that reruns only that seed of this test
// binary. Header-only and not part of the library build; include it (or <seedbed/gtest.h>) from a
// test that links seedbed::seedbed and GTest::gtest (Debian: libgtest-dev). Catch2: testing.h.
//
//   TEST(MyEngine, KeepsAcknowledgedWrites) {
//     EXPECT_TRUE(seedbed::testing::SeedsPass("myengine.lost_put", "fixed", 1, 100));
//     EXPECT_TRUE(seedbed::testing::SomeSeedFails("myengine.lost_put", "buggy", 1, 100));
//   }
//
// Rerunning one seed: with SEEDBED_SEED=N in the environment, both run only seed N; a failure
// prints the exact line (`SEEDBED_SEED=17 ./my_tests --gtest_filter=MyEngine.KeepsAcknowledgedWrites`).
#pragma once

#include <gtest/gtest.h>

#include "scenarios/testing/seeds.h"

namespace seedbed::testing {

// `--gtest_filter=Suite.Name` of the running test.
inline std::string CurrentGtestFilter() {
  const ::testing::TestInfo* info = ::testing::UnitTest::GetInstance()->current_test_info();
  if (info == nullptr) return "";
  return std::string("--gtest_filter=") + info->test_suite_name() + "." + info->name();
}

// Success when every seed keeps every invariant; else the first failing seed, its invariant, the
// replay command and the rerun line.
inline ::testing::AssertionResult SeedsPass(const std::string& scenario, const std::string& variant,
                                            uint64_t first, uint64_t count, const RunConfig& base = {}) {
  SeedsOutcome o = RunSeeds(scenario, variant, first, count, base);
  if (!o.error.empty()) return ::testing::AssertionFailure() << scenario << " [" << variant << "]: " << o.error;
  if (o.failing_seed)
    return ::testing::AssertionFailure()
           << scenario << " [" << variant << "] seed " << *o.failing_seed << " broke " << o.invariant << ": "
           << o.message << "\n  replay: " << o.replay
           << "\n  rerun only this seed: " << RerunLine(*o.failing_seed, CurrentGtestFilter());
  return ::testing::AssertionSuccess() << scenario << " [" << variant << "]: " << o.seeds_run
                                       << " seeds, every invariant held";
}

// Success when some seed breaks an invariant (a buggy variant must be caught).
inline ::testing::AssertionResult SomeSeedFails(const std::string& scenario, const std::string& variant,
                                                uint64_t first, uint64_t count, const RunConfig& base = {}) {
  SeedsOutcome o = RunSeeds(scenario, variant, first, count, base);
  if (!o.error.empty()) return ::testing::AssertionFailure() << scenario << " [" << variant << "]: " << o.error;
  if (!o.failing_seed)
    return ::testing::AssertionFailure() << scenario << " [" << variant << "]: no invariant broke in "
                                         << o.seeds_run << " seeds (expected a failure)";
  return ::testing::AssertionSuccess() << scenario << " [" << variant << "] seed " << *o.failing_seed
                                       << " broke " << o.invariant << " as expected; replay: " << o.replay;
}

}  // namespace seedbed::testing

#define SEEDBED_GTEST_CHECK_SEEDS(scenario, variant, first, count) \
  EXPECT_TRUE(::seedbed::testing::SeedsPass((scenario), (variant), (first), (count)))
#define SEEDBED_GTEST_EXPECT_FAILURE(scenario, variant, first, count) \
  EXPECT_TRUE(::seedbed::testing::SomeSeedFails((scenario), (variant), (first), (count)))
