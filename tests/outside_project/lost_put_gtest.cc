// The same tests with GoogleTest (link GTest::gtest_main).
#include <seedbed/gtest.h>

TEST(TinyKv, FixedStoreKeepsEveryAcknowledgedPut) {
  EXPECT_TRUE(seedbed::testing::SeedsPass("tinykv.lost_put", "fixed", 1, 20));
}

TEST(TinyKv, BuggyStoreLosesAnAcknowledgedPut) {
  EXPECT_TRUE(seedbed::testing::SomeSeedFails("tinykv.lost_put", "buggy", 1, 20));
}
