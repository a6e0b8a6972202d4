// The shrinker: a pinned failing seed of influxdb3.duplicate_writer (buggy: two writers overwrite
// each other's WAL objects, influxdata/influxdb #26161) shrinks to a smaller story that replays
// exactly; the bounds hold; a file that does not fail is refused.
#include <catch2/catch.hpp>

#include <sstream>

#include "scenarios/failure_file.h"
#include "scenarios/runner.h"
#include "scenarios/testing.h"
#include "scenarios/shrink.h"

namespace seedbed {
namespace {

FailureFile FailingFile(uint64_t seed) {
  RunReport report = testing::RequireRun("influxdb3.duplicate_writer", "buggy", seed);
  REQUIRE(report.failed);
  return FailureFileFromReport(report);
}

size_t NonDefault(const DecisionList& list) {
  return static_cast<size_t>(std::count_if(list.begin(), list.end(), [](const Decision& d) { return d.value != 0; }));
}

}  // namespace

TEST_CASE("shrinking a duplicate-writer failure gives a smaller story that replays exactly", "[shrink]") {
  // Seed 2 draws crash points and a crash; the bug needs none of them.
  FailureFile file = FailingFile(2);
  REQUIRE(file.invariant == "wal-object-written-once");
  std::ostringstream progress;
  auto result = Shrink(file, ShrinkOptions{}, progress);
  REQUIRE(result.ok());
  CHECK(result->file.shrunk);
  CHECK(result->file.invariant == file.invariant);
  CHECK(result->after.decisions < result->before.decisions);
  CHECK(result->file.decisions.size() < file.decisions.size());
  CHECK(NonDefault(result->file.decisions) < NonDefault(file.decisions));
  CHECK(result->after.context_switches < result->before.context_switches);
  CHECK(result->attempts >= 1);
  CHECK_THAT(progress.str(), Catch::Contains("decisions") && Catch::Contains("context switches"));

  // The shrunk file, through its JSON encoding, replays to the same invariant and trace hash.
  auto decoded = DecodeFailureFile(EncodeFailureFile(result->file));
  REQUIRE(decoded.ok());
  auto replayed = RunOnce(ConfigFromFailureFile(*decoded));
  REQUIRE(replayed.ok());
  CHECK(replayed->invariant() == file.invariant);
  CHECK(replayed->trace_hash == result->file.trace_hash);
  CHECK(replayed->replay_mismatches == 0);
  CHECK(replayed->decisions == result->file.decisions);
}

TEST_CASE("shrinking stops at the attempt limit and still returns a replayable file", "[shrink]") {
  FailureFile file = FailingFile(1);
  std::ostringstream progress;
  ShrinkOptions options;
  options.max_attempts = 3;
  auto result = Shrink(file, options, progress);
  REQUIRE(result.ok());
  CHECK(result->attempts <= 3);
  auto replayed = RunOnce(ConfigFromFailureFile(result->file));
  REQUIRE(replayed.ok());
  CHECK(replayed->trace_hash == result->file.trace_hash);
  CHECK(replayed->invariant() == file.invariant);
}

TEST_CASE("shrinking refuses a file whose run does not fail with its invariant", "[shrink]") {
  FailureFile file = FailingFile(1);
  file.invariant = "no-such-invariant";
  std::ostringstream progress;
  auto result = Shrink(file, ShrinkOptions{}, progress);
  REQUIRE_FALSE(result.ok());
  CHECK(result.status().code() == absl::StatusCode::kFailedPrecondition);
  CHECK_THAT(std::string(result.status().message()), Catch::Contains("does not reproduce"));
}

TEST_CASE("run sizes compare unusual choices (faults + non-default decisions) first", "[shrink]") {
  RunSize a, b;
  a.faults_injected = 1;
  a.nonzero_values = 2;   // 3 unusual
  b.faults_injected = 0;
  b.nonzero_values = 4;   // 4 unusual, even with fewer decisions and switches
  b.decisions = 1;
  a.decisions = 100;
  a.context_switches = 50;
  CHECK(a.SmallerThan(b));
  CHECK_FALSE(b.SmallerThan(a));
  b.nonzero_values = 3;   // tie: fewer context switches wins
  CHECK(b.SmallerThan(a));
  CHECK_FALSE(a.SmallerThan(a));
}

}  // namespace seedbed
