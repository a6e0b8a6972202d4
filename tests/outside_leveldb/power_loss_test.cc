// Catch2 tests of kvapp through Seedbed's helpers (scenarios/testing/testing.h).
#define CATCH_CONFIG_MAIN
#include <seedbed/testing.h>

TEST_CASE("kvapp: with sync, no acknowledged put is lost at a power loss (20 seeds)") {
  SEEDBED_CHECK_SEEDS("kvapp.power_loss", "sync", 1, 20);
}

TEST_CASE("kvapp: without sync, a power loss loses an acknowledged put within 20 seeds") {
  SEEDBED_EXPECT_FAILURE("kvapp.power_loss", "nosync", 1, 20);
}
