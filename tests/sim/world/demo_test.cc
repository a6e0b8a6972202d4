// The world demo prints a duplicate-writer overwrite and a Windows rename failure, deterministically.
#include <catch2/catch.hpp>

#include <cstdio>
#include <sstream>

#include "sim/world/demo.h"

namespace seedbed {
namespace {

TEST_CASE("world demo: shows the overwrite and the sharing violation, same output per seed",
          "[demo]") {
  std::ostringstream a, b;
  REQUIRE(RunWorldDemo(7, a) == 0);
  REQUIRE(RunWorldDemo(7, b) == 0);
  CHECK(a.str() == b.str());
  CHECK_THAT(a.str(), Catch::Contains("the first writer's acknowledged data is gone"));
  CHECK_THAT(a.str(), Catch::Contains("rename snap/S1.db -> snap/S2.db -> PermissionDenied"));
  CHECK_THAT(a.str(), Catch::Contains("is open by rqlite/stream"));
  CHECK_THAT(a.str(), Catch::Contains("rename snap/S1.db -> snap/S2.db -> ok"));
}

}  // namespace
}  // namespace seedbed

namespace seedbed {
namespace {

// Hidden (run with `world_tests "[.demo-print]"`): prints the demo for a look.
TEST_CASE("world demo: print", "[.demo-print]") {
  std::ostringstream out;
  RunWorldDemo(1, out);
  std::printf("%s", out.str().c_str());
  CHECK_FALSE(out.str().empty());
}

}  // namespace
}  // namespace seedbed
