// Failure files: round trip, and every way a file can be bad is refused with a message saying which.
#include <catch2/catch.hpp>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "scenarios/harness/failure_file.h"

namespace seedbed {
namespace {

FailureFile Sample() {
  FailureFile f;
  f.scenario = "slatedb.wal_id_last_seen";
  f.variant = "buggy";
  f.seed = 1234;
  f.strategy = Strategy::kPct;
  f.pct_depth = 3;
  f.event_budget = 1000;
  f.time_budget_ns = 5000;
  f.invariant = "manifest-not-ahead-of-wal";
  f.message = "wal_id_last_seen 7 > highest durable WAL 6";
  f.trace_hash = 0xdeadbeefcafef00dull;
  f.events = 99;
  f.decisions = {{3, DecisionKind::kSchedule}, {0, DecisionKind::kFault}, {12345678, DecisionKind::kLatency}};
  return f;
}

// Re-signs an edited body the way EncodeFailureFile does (FNV-1a 64 over the compact dump).
std::string Resign(nlohmann::json body) {
  body.erase("checksum");
  uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : body.dump()) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  body["checksum"] = fmt::format("{:016x}", h);
  return body.dump(1);
}

std::string Replace(std::string text, const std::string& from, const std::string& to) {
  size_t at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

}  // namespace

TEST_CASE("failure file round trip keeps every field", "[failure-file]") {
  auto decoded = DecodeFailureFile(EncodeFailureFile(Sample()));
  REQUIRE(decoded.ok());
  CHECK(decoded->scenario == "slatedb.wal_id_last_seen");
  CHECK(decoded->seed == 1234);
  CHECK(decoded->strategy == Strategy::kPct);
  CHECK(decoded->pct_depth == 3);
  CHECK(decoded->trace_hash == 0xdeadbeefcafef00dull);
  CHECK(decoded->decisions == Sample().decisions);
}

TEST_CASE("every strategy of kStrategies parses back from its name, and an unknown one names them all",
          "[failure-file]") {
  for (Strategy s : kStrategies) {
    auto parsed = ParseStrategy(StrategyName(s));
    REQUIRE(parsed.ok());
    CHECK(*parsed == s);
  }
  const std::string names = StrategyNames();
  CHECK(names.rfind("random, pct, ", 0) == 0);
  for (Strategy s : kStrategies) CHECK(names.find(StrategyName(s)) != std::string::npos);
  const std::string last = std::string(" or ") + std::string(StrategyName(std::end(kStrategies)[-1]));
  CHECK(names.substr(names.size() - last.size()) == last);
  auto bad = ParseStrategy("bogus");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(std::string(bad.status().message()) == "unknown strategy 'bogus' (" + StrategyNames() + ")");
}

TEST_CASE("a truncated failure file is refused", "[failure-file]") {
  std::string text = EncodeFailureFile(Sample());
  auto decoded = DecodeFailureFile(text.substr(0, text.size() / 2));
  REQUIRE_FALSE(decoded.ok());
  CHECK_THAT(std::string(decoded.status().message()), Catch::Contains("truncated"));
}

TEST_CASE("an edited failure file fails its checksum", "[failure-file]") {
  std::string text = Replace(EncodeFailureFile(Sample()), "1234", "1235");
  auto decoded = DecodeFailureFile(text);
  REQUIRE_FALSE(decoded.ok());
  CHECK_THAT(std::string(decoded.status().message()), Catch::Contains("checksum"));
}

TEST_CASE("a failure file of another format version is refused as incompatible", "[failure-file]") {
  std::string text = Replace(EncodeFailureFile(Sample()),
                             fmt::format("\"format_version\": {}", kFailureFormatVersion), "\"format_version\": 99");
  auto decoded = DecodeFailureFile(text);
  REQUIRE_FALSE(decoded.ok());
  CHECK_THAT(std::string(decoded.status().message()), Catch::Contains("incompatible"));
}

TEST_CASE("keep_going round-trips; a version 1 file reads as keep_going", "[failure-file]") {
  FailureFile f = Sample();
  f.keep_going = true;
  auto decoded = DecodeFailureFile(EncodeFailureFile(f));
  REQUIRE(decoded.ok());
  CHECK(decoded->keep_going);
  CHECK_FALSE(DecodeFailureFile(EncodeFailureFile(Sample()))->keep_going);

  // Version 1 had no keep_going field, and its runs did not stop at the first violation.
  nlohmann::json v1 = nlohmann::json::parse(EncodeFailureFile(Sample()));
  v1.erase("keep_going");
  v1["format_version"] = 1;
  auto old = DecodeFailureFile(Resign(v1));
  REQUIRE(old.ok());
  CHECK(old->keep_going);
  CHECK(old->seed == 1234);

  // Version 2 requires it.
  nlohmann::json v2 = nlohmann::json::parse(EncodeFailureFile(Sample()));
  v2.erase("keep_going");
  auto missing = DecodeFailureFile(Resign(v2));
  REQUIRE_FALSE(missing.ok());
  CHECK_THAT(std::string(missing.status().message()), Catch::Contains("keep_going"));
}

TEST_CASE("version 3 keeps sites, matching, tail, signature and story; version 2 replays by position",
          "[failure-file]") {
  FailureFile f = Sample();
  f.decisions = {{3, DecisionKind::kSchedule, 0}, {1, DecisionKind::kFault, 0xabcdef12u}};
  f.replay_tail = ReplayTail::kDefault;
  f.signature = "manifest-not-ahead-of-wal: x";
  f.story = RunStory{2, 2, 1, 0, 5, 99};
  f.shrunk_from = RunStory{30, 20, 4, 1, 50, 999};
  auto decoded = DecodeFailureFile(EncodeFailureFile(f));
  REQUIRE(decoded.ok());
  CHECK(decoded->decisions == f.decisions);
  CHECK(decoded->replay_match == ReplayMatch::kBySite);
  CHECK(decoded->replay_tail == ReplayTail::kDefault);
  CHECK(decoded->signature == f.signature);
  CHECK(decoded->story == f.story);
  CHECK(decoded->shrunk_from == f.shrunk_from);

  // A version 2 file had no sites: its decisions replay by position, past the end from the seed.
  nlohmann::json v2 = nlohmann::json::parse(EncodeFailureFile(Sample()));
  for (const char* field : {"decision_sites", "decision_match", "decision_tail", "signature"}) v2.erase(field);
  v2["format_version"] = 2;
  auto old = DecodeFailureFile(Resign(v2));
  REQUIRE(old.ok());
  CHECK(old->replay_match == ReplayMatch::kByPosition);
  CHECK(old->replay_tail == ReplayTail::kSeed);
  CHECK(old->decisions == Sample().decisions);

  // Version 3 requires its fields, and they must agree in length.
  nlohmann::json short_sites = nlohmann::json::parse(EncodeFailureFile(Sample()));
  short_sites["decision_sites"] = nlohmann::json::array({0});
  auto bad = DecodeFailureFile(Resign(short_sites));
  REQUIRE_FALSE(bad.ok());
  CHECK_THAT(std::string(bad.status().message()), Catch::Contains("decision_sites"));
  nlohmann::json bad_match = nlohmann::json::parse(EncodeFailureFile(Sample()));
  bad_match["decision_match"] = "sideways";
  auto refused = DecodeFailureFile(Resign(bad_match));
  REQUIRE_FALSE(refused.ok());
  CHECK_THAT(std::string(refused.status().message()), Catch::Contains("decision_match"));
}

TEST_CASE("a JSON file that is not a failure file is refused", "[failure-file]") {
  auto decoded = DecodeFailureFile("{\"hello\": 1}");
  REQUIRE_FALSE(decoded.ok());
  CHECK_THAT(std::string(decoded.status().message()), Catch::Contains("not a failure file"));
}

TEST_CASE("a missing file is reported by name", "[failure-file]") {
  auto read = ReadFailureFile("/nonexistent/dir/x.failure.json");
  REQUIRE_FALSE(read.ok());
  CHECK_THAT(std::string(read.status().message()), Catch::Contains("/nonexistent/dir/x.failure.json"));
}

}  // namespace seedbed
