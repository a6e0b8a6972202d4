// The GoogleTest helpers of scenarios/testing/gtest.h (<seedbed/gtest.h>): a passing range, the
// first failing seed with its invariant, replay command and the line that reruns it with this very
// binary and test, SEEDBED_SEED, and an unknown scenario failing instead of passing.
#include <stdlib.h>

#include <optional>
#include <string>

#include "scenarios/testing/gtest.h"
#include "tests/scenarios/seed_env.h"

namespace {


TEST(SeedbedGtest, FixedVariantPasses) {
  SeedEnv env(nullptr);
  ::testing::AssertionResult r = seedbed::testing::SeedsPass("influxdb3.duplicate_writer", "fixed", 1, 5);
  EXPECT_TRUE(r) << r.message();
  EXPECT_NE(std::string(r.message()).find("5 seeds, every invariant held"), std::string::npos) << r.message();
  SEEDBED_GTEST_CHECK_SEEDS("influxdb3.duplicate_writer", "fixed", 1, 3);
}

TEST(SeedbedGtest, BuggyVariantNamesSeedInvariantReplayAndRerunLine) {
  SeedEnv env(nullptr);
  ::testing::AssertionResult r = seedbed::testing::SeedsPass("influxdb3.duplicate_writer", "buggy", 1, 30);
  ASSERT_FALSE(r);
  const std::string m = r.message();
  EXPECT_NE(m.find(" broke "), std::string::npos) << m;
  EXPECT_NE(m.find("replay: "), std::string::npos) << m;
  // The rerun line names this binary as it was started and this test's own filter.
  const std::string rerun = std::string(" ") + program_invocation_name +
                            " --gtest_filter=SeedbedGtest.BuggyVariantNamesSeedInvariantReplayAndRerunLine";
  EXPECT_NE(m.find("rerun only this seed: SEEDBED_SEED="), std::string::npos) << m;
  EXPECT_NE(m.find(rerun), std::string::npos) << m;
  SEEDBED_GTEST_EXPECT_FAILURE("influxdb3.duplicate_writer", "buggy", 1, 30);
}

TEST(SeedbedGtest, SeedEnvRunsOneSeedAndBadValuesFail) {
  SeedEnv env("7");
  ::testing::AssertionResult r = seedbed::testing::SeedsPass("influxdb3.duplicate_writer", "fixed", 1, 50);
  EXPECT_TRUE(r) << r.message();
  EXPECT_NE(std::string(r.message()).find("1 seeds, every invariant held"), std::string::npos) << r.message();
  SeedEnv bad("7x");
  ::testing::AssertionResult b = seedbed::testing::SeedsPass("influxdb3.duplicate_writer", "fixed", 1, 5);
  EXPECT_FALSE(b);
  EXPECT_NE(std::string(b.message()).find("SEEDBED_SEED"), std::string::npos) << b.message();
}

TEST(SeedbedGtest, UnknownScenarioFailsBothHelpers) {
  SeedEnv env(nullptr);
  EXPECT_FALSE(seedbed::testing::SeedsPass("no.such", "fixed", 1, 5));
  EXPECT_FALSE(seedbed::testing::SomeSeedFails("no.such", "buggy", 1, 5));
  EXPECT_FALSE(seedbed::testing::SomeSeedFails("influxdb3.duplicate_writer", "fixed", 1, 3));
}

}  // namespace
