// sqlite.crash_recovery: SQLite's documented durability contract, mode by mode, as pinned seeds
// and sweeps (the expectations of `seedbed list` and the README), and determinism in two
// processes (the seedbed command, run twice).
#include <catch2/catch.hpp>

#include <cstdio>
#include <string>

#include "scenarios/testing/testing.h"

namespace {

constexpr const char* kScenario = "sqlite.crash_recovery";

}  // namespace

TEST_CASE("sqlite: process crashes lose nothing in any mode", "[sqlite][scenario]") {
  for (const char* v : {"wal-full-process", "wal-normal-process", "wal-off-process",
                        "delete-full-process", "delete-normal-process", "delete-off-process",
                        "delete-full-windows", "wal-full-windows"})
    SEEDBED_CHECK_SEEDS(kScenario, v, 1, 10);
}

TEST_CASE("sqlite: machine crashes: WAL+FULL, WAL+EXTRA and DELETE+EXTRA keep every commit",
          "[sqlite][scenario]") {
  for (const char* v : {"wal-full-machine", "wal-extra-machine", "delete-extra-machine",
                        "wal-full-ext4", "delete-extra-ext4"})
    SEEDBED_CHECK_SEEDS(kScenario, v, 1, 25);
}

TEST_CASE("sqlite: DELETE+FULL on strict POSIX rolls the last commit back (seed 1)",
          "[sqlite][scenario]") {
  // Found at seed 1 (140 of seeds 1..200 fail): the journal's unlink was never dir-synced,
  // the machine crash brought the journal back, and recovery rolled the commit back.
  const seedbed::RunReport r = seedbed::testing::RequireRun(kScenario, "delete-full-machine", 1);
  REQUIRE(r.failed);
  const seedbed::Violation& v = *r.first_violation();
  CHECK(v.invariant == "no-lost-acknowledged-transaction");
  CHECK_THAT(v.message, Catch::Contains("1 acknowledged transaction(s) lost"));
  CHECK_THAT(v.message, Catch::Contains("t.db-journal was back"));
  CHECK_THAT(v.message, Catch::Contains("never dir-synced"));
  SEEDBED_EXPECT_FAILURE(kScenario, "delete-normal-machine", 1, 20);
  // ext4 data=ordered too: the unlink is committed only by a later fsync.
  SEEDBED_EXPECT_FAILURE(kScenario, "delete-full-ext4", 1, 20);
}

TEST_CASE("sqlite: WAL+NORMAL machine crashes may lose the latest commits, never corrupt",
          "[sqlite][scenario]") {
  int lost = 0;
  for (uint64_t seed = 1; seed <= 30; ++seed) {
    const seedbed::RunReport r = seedbed::testing::RequireRun(kScenario, "wal-normal-machine", seed);
    if (!r.failed) continue;
    INFO("seed " << seed << ": " << r.first_violation()->message);
    CHECK(r.first_violation()->invariant == "no-lost-acknowledged-transaction");
    ++lost;
  }
  CHECK(lost > 0);  // found (seed 2 is the first)
}

TEST_CASE("sqlite: synchronous=OFF machine crashes lose or corrupt, and say which",
          "[sqlite][scenario]") {
  for (const char* v : {"wal-off-machine", "delete-off-machine"}) {
    const seedbed::RunReport r = seedbed::testing::RequireRun(kScenario, v, 1);
    REQUIRE(r.failed);
    const std::string& inv = r.first_violation()->invariant;
    CHECK((inv == "no-lost-acknowledged-transaction" || inv == "sqlite-integrity" ||
           inv == "transaction-atomic"));
    CHECK_FALSE(r.first_violation()->message.empty());
  }
}

TEST_CASE("sqlite: the same seed gives the same trace in two processes", "[sqlite][scenario]") {
  std::string outputs[2];
  for (std::string& out : outputs) {
    FILE* p = ::popen(SEEDBED_BINARY_DIR "/seedbed run sqlite.crash_recovery --variant "
                                          "delete-full-machine --seed 7 --trace 2>&1", "r");
    REQUIRE(p != nullptr);
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    ::pclose(p);
  }
  CHECK(outputs[0].size() > 1000);
  CHECK(outputs[0] == outputs[1]);
  seedbed::RunConfig base;
  const seedbed::RunReport a = seedbed::testing::RequireRun(kScenario, "wal-full-machine", 3, base);
  const seedbed::RunReport b = seedbed::testing::RequireRun(kScenario, "wal-full-machine", 3, base);
  CHECK(a.trace_hash == b.trace_hash);
}
