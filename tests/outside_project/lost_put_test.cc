// Catch2 tests of tinykv. A failure prints the seed, the invariant, the replay command and the line
// that reruns only that seed.
#define CATCH_CONFIG_MAIN
#include <seedbed/testing.h>

TEST_CASE("tinykv: the fixed store keeps every acknowledged put over 20 seeds") {
  SEEDBED_CHECK_SEEDS("tinykv.lost_put", "fixed", 1, 20);
}

TEST_CASE("tinykv: the buggy store loses an acknowledged put within 20 seeds") {
  SEEDBED_EXPECT_FAILURE("tinykv.lost_put", "buggy", 1, 20);
}
