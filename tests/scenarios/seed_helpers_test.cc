// The Catch2 helpers of scenarios/testing/testing.h: a range of seeds, the first failure with its replay
// command, and SEEDBED_SEED restricting a run to one seed.
#include <stdlib.h>

#include "scenarios/testing/testing.h"
#include "tests/scenarios/seed_env.h"

TEST_CASE("testing.h: the fixed duplicate writer passes a range of seeds", "[testing]") {
  SeedEnv env(nullptr);
  SEEDBED_CHECK_SEEDS("influxdb3.duplicate_writer", "fixed", 1, 5);
}

TEST_CASE("testing.h: the buggy variant fails with a replay command", "[testing]") {
  SeedEnv env(nullptr);
  seedbed::testing::SeedsOutcome o = seedbed::testing::RunSeeds("influxdb3.duplicate_writer", "buggy", 1, 30);
  CHECK(o.error.empty());
  REQUIRE(o.failing_seed.has_value());
  CHECK(o.seeds_run == *o.failing_seed);  // it stopped at the first failure
  CHECK_FALSE(o.invariant.empty());
  CHECK(o.replay == "seedbed run influxdb3.duplicate_writer --variant buggy --seed " + std::to_string(*o.failing_seed));
  SEEDBED_EXPECT_FAILURE("influxdb3.duplicate_writer", "buggy", 1, 30);
}

TEST_CASE("testing.h: SEEDBED_SEED runs only that seed", "[testing]") {
  SeedEnv env("7");
  seedbed::testing::SeedsOutcome o = seedbed::testing::RunSeeds("influxdb3.duplicate_writer", "fixed", 1, 50);
  CHECK(o.error.empty());
  CHECK(o.seeds_run == 1);
  SeedEnv bad("7x");
  CHECK_THAT(seedbed::testing::RunSeeds("influxdb3.duplicate_writer", "fixed", 1, 5).error,
             Catch::Contains("SEEDBED_SEED"));
}

TEST_CASE("testing.h: an unknown scenario is an error, not a pass", "[testing]") {
  SeedEnv env(nullptr);
  CHECK_FALSE(seedbed::testing::RunSeeds("no.such_scenario", "fixed", 1, 3).error.empty());
}

TEST_CASE("testing.h: the rerun line names this test binary and this test", "[testing]") {
  const std::string hint = seedbed::testing::RerunHint(17);
  CHECK(hint == std::string("rerun only this seed: SEEDBED_SEED=17 ") + program_invocation_name +
                    " \"testing.h: the rerun line names this test binary and this test\"");
}
