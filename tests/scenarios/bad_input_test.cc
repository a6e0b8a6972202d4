// Issue 14, "nothing misreported": the failure-file and campaign-file decoders refuse every bad
// input with a message (exit 2 from the command), never an exception, an abort or undefined
// behaviour. Each case below aborted (exit 134) or misreported (exit 3) before the decoders were
// made strict; the float cases are the three sites libFuzzer found (UBSan: float-cast-overflow).
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>

#include "fmt/format.h"
#include "nlohmann/json.hpp"
#include "scenarios/campaign/campaign_report.h"
#include "scenarios/harness/failure_file.h"
#include "scenarios/harness/file_io.h"
#include "tests/scenarios/seedbed_command.h"

namespace seedbed {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using seedbed_test::Seedbed;

std::string TempPath(const std::string& name) {
  fs::path dir = fs::path(SEEDBED_BINARY_DIR) / "bad_input_test";
  fs::create_directories(dir);
  return (dir / name).string();
}

FailureFile Sample() {
  FailureFile f;
  f.scenario = "influxdb3.duplicate_writer";
  f.variant = "buggy";
  f.seed = 1;
  f.event_budget = 1000;
  f.time_budget_ns = 5000;
  f.invariant = "wal-object-written-once";
  f.trace_hash = 0x1234;
  f.decisions = {{3, DecisionKind::kSchedule}, {0, DecisionKind::kFault}};
  return f;
}

// Re-signs an edited body the way EncodeFailureFile does, so that only the edit is wrong.
std::string Resign(json body) {
  body.erase("checksum");
  uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : body.dump()) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  body["checksum"] = fmt::format("{:016x}", h);
  return body.dump(1);
}

json SampleJson() { return json::parse(EncodeFailureFile(Sample())); }

std::string DecodeError(const std::string& text) {
  auto decoded = DecodeFailureFile(text);
  REQUIRE_FALSE(decoded.ok());
  CHECK(decoded.status().code() == absl::StatusCode::kInvalidArgument);
  return std::string(decoded.status().message());
}

}  // namespace

TEST_CASE("failure file: mistyped format fields are refused, not thrown", "[bad-input][failure-file]") {
  CHECK_THAT(DecodeError(R"({"format":1})"), Catch::Contains("not a failure file"));
  CHECK_THAT(DecodeError(R"({"format":"seedbed-failure","format_version":"2"})"),
             Catch::Contains("format_version"));
  CHECK_THAT(DecodeError(R"({"format":"seedbed-failure","format_version":1e300})"),
             Catch::Contains("format_version"));
  CHECK_THAT(DecodeError(R"({"format":"seedbed-failure","format_version":-1e300})"),
             Catch::Contains("format_version"));
  CHECK_THAT(DecodeError("[1,2,3]"), Catch::Contains("not a failure file"));
  CHECK_THAT(DecodeError(""), Catch::Contains("not a failure file"));
}

TEST_CASE("failure file: a trace_hash that is not hex is refused", "[bad-input][failure-file]") {
  for (const char* bad : {"zz", "", "-1", "0x12", "11112222333344445", "12 "}) {
    json j = SampleJson();
    j["trace_hash"] = bad;
    CHECK_THAT(DecodeError(Resign(j)), Catch::Contains("trace_hash"));
  }
}

TEST_CASE("failure file: floats and out-of-range numbers never become integers", "[bad-input][failure-file]") {
  for (const char* field : {"seed", "event_budget", "events", "time_budget_ns", "pct_depth"}) {
    for (json bad : {json(1e300), json(2.5), json(-1), json("7")}) {
      json j = SampleJson();
      j[field] = bad;
      INFO(field << " = " << bad.dump());
      CHECK_THAT(DecodeError(Resign(j)), Catch::Contains(field));
    }
  }
  for (json bad : {json(1e300), json(-3.0), json(11), json(-1), json(2.5)}) {
    json j = SampleJson();
    j["decision_kinds"][0] = bad;
    CHECK_THAT(DecodeError(Resign(j)), Catch::Contains("decision_kinds[0]"));
  }
  json j = SampleJson();
  j["decision_values"][1] = 1e300;
  CHECK_THAT(DecodeError(Resign(j)), Catch::Contains("decision_values[1]"));
}

TEST_CASE("failure file: out-of-range config with a valid checksum is bad input", "[bad-input][failure-file]") {
  json depth = SampleJson();
  depth["pct_depth"] = 0;
  CHECK_THAT(DecodeError(Resign(depth)), Catch::Contains("pct_depth"));
  json budget = SampleJson();
  budget["event_budget"] = 0;
  CHECK_THAT(DecodeError(Resign(budget)), Catch::Contains("event_budget"));
  json time = SampleJson();
  time["time_budget_ns"] = 0;
  CHECK_THAT(DecodeError(Resign(time)), Catch::Contains("time_budget_ns"));

  // Through the command: exit 2 (it was 3, "REPLAY DIVERGED", before the decoder checked ranges).
  for (const json& j : {depth, budget}) {
    std::string path = TempPath("out-of-range.failure.json");
    std::ofstream(path) << Resign(j);
    seedbed_test::CommandResult r = Seedbed("replay " + path);
    INFO(r.output);
    CHECK(r.code == 2);
  }
}

TEST_CASE("failure file: deep nesting is refused before anything recurses", "[bad-input][failure-file]") {
  json j = SampleJson();
  std::string deep = std::string(100000, '[') + std::string(100000, ']');
  std::string text = j.dump();
  text.insert(1, "\"x\":" + deep + ",");
  CHECK_THAT(DecodeError(text), Catch::Contains("nested deeper"));
}

TEST_CASE("reads are bounded: /dev/zero is refused, not read until memory runs out", "[bad-input]") {
  auto zero = ReadFileBounded("/dev/zero", 1 << 20);
  REQUIRE_FALSE(zero.ok());
  CHECK_THAT(std::string(zero.status().message()), Catch::Contains("larger than"));
  for (const char* command : {"replay /dev/zero", "shrink /dev/zero", "merge /dev/zero"}) {
    seedbed_test::CommandResult r = Seedbed(command);
    INFO(command << ": " << r.output);
    CHECK(r.code == 2);
    CHECK_THAT(r.output, Catch::Contains("/dev/zero"));
  }
}

TEST_CASE("campaign file: mistyped and float fields are refused, not thrown", "[bad-input][merge]") {
  CampaignOptions options;
  options.cells = {{"influxdb3.duplicate_writer", "buggy", true, {"wal-object-written-once"}}};
  CampaignResult result;
  CellResult cell;
  cell.cell = options.cells[0];
  cell.seeds = 4;
  cell.failures = 1;
  cell.groups = {{"wal-object-written-once", 1, 2, "overwritten", "wal-object-written-once", {2}}};
  cell.swarm_plans = {{"latency,errors", 3}};
  cell.fault_kinds = {{"latency", 3}};
  cell.swarm_runs = 3;
  result.cells = {cell};
  const json good = CampaignReportToJson(MakeCampaignReport(options, result));
  REQUIRE(DecodeCampaignReport(good.dump()).ok());

  auto refused = [](const json& j, const std::string& needle) {
    auto r = DecodeCampaignReport(j.dump());
    REQUIRE_FALSE(r.ok());
    CHECK_THAT(std::string(r.status().message()), Catch::Contains(needle));
  };
  json j = good;
  j["cells"][0]["swarm"]["plans"]["latency,errors"] = 1e300;  // the libFuzzer site
  refused(j, "swarm.plans");
  j = good;
  j["cells"][0]["fault_kinds"]["latency"] = -2.0;
  refused(j, "fault_kinds");
  j = good;
  j["version"] = "1";
  refused(j, "version");
  j = good;
  j["version"] = 1e300;
  refused(j, "version");
  j = good;
  j["format"] = 7;
  refused(j, "not a campaign report");
  j = good;
  j["config"]["pct_depth"] = 0;
  refused(j, "pct_depth");
  j = good;
  j["shards"]["count"] = 1e20;
  refused(j, "shards.count");
  j = good;
  j["cells"][0]["failures"] = 5;  // more failing seeds than seeds
  refused(j, "failures");
  j = good;
  j["cells"][0]["sim_ns"] = -1;
  refused(j, "sim_ns");
  j = good;
  j["timing"]["wall_s"] = "fast";
  refused(j, "timing.wall_s");
  j = good;
  j["cells"][0]["groups"][0] = 3;
  refused(j, "groups[0]");
  j = good;  // a seed list whose expansion would take the memory
  j["cells"][0]["groups"][0]["seeds"] = "0-18446744073709551614";
  refused(j, "seeds");
  j = good;
  j["cells"][0]["groups"][0]["count"] = 1e300;
  refused(j, "count");
  CHECK_FALSE(DecodeCampaignReport(std::string(5000, '{')).ok());
}

TEST_CASE("campaign file: reports written before keep_going, completion and wall_s still read",
          "[bad-input][merge]") {
  CampaignOptions options;
  options.cells = {{"influxdb3.duplicate_writer", "fixed", false, {}}};
  CampaignResult result;
  CellResult cell;
  cell.cell = options.cells[0];
  cell.seeds = 2;
  cell.cpu_s = 1.5;
  result.cells = {cell};
  json old = CampaignReportToJson(MakeCampaignReport(options, result));
  old["config"].erase("keep_going");
  old.erase("completion");
  old["cells"][0].erase("not_run");
  old["cells"][0].erase("killed");
  old["cells"][0]["timing"].erase("wall_s");
  auto r = DecodeCampaignReport(old.dump());
  REQUIRE(r.ok());
  CHECK_FALSE(r->options.base.keep_going);
  CHECK(r->result.complete());
  CHECK(r->result.cells[0].wall_s == 1.5);  // then cpu_s held wall seconds
}

}  // namespace seedbed
