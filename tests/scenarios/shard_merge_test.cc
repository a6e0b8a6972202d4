// Campaign shards: N shards of a seed range merged equal the unsharded campaign (apart from the
// "shards" and "timing" fields); merge refuses corrupt, incompatible and overlapping inputs; the
// shard comes from a Kubernetes Indexed Job's or a Slurm array's environment.
#include <stdlib.h>
#include <sys/wait.h>

#include <catch2/catch.hpp>

#include "tests/scenarios/seedbed_command.h"
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "nlohmann/json.hpp"
#include "scenarios/campaign/campaign_report.h"
#include "scenarios/harness/parse.h"
#include "scenarios/cli/merge.h"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using namespace seedbed;

using Result = seedbed_test::CommandResult;
using seedbed_test::Seedbed;

using seedbed_test::ComparableCampaign;
using seedbed_test::LoadJson;

std::string Dir(const std::string& name) { return seedbed_test::FreshDir("shard_merge_test", name); }

// A small campaign whose buggy variant fails on some seeds: the merge has groups to join. Labelled,
// so that the shards' label does not follow `git describe` of a work tree edited meanwhile.
const char kCampaign[] = "fuzz influxdb3.duplicate_writer --seeds 1..12 --no-shrink --label merge-test";

void Unset() {
  for (const char* name : {"JOB_COMPLETION_INDEX", "SEEDBED_SHARDS", "SLURM_ARRAY_TASK_ID",
                           "SLURM_ARRAY_TASK_COUNT", "SLURM_ARRAY_TASK_MIN"})
    unsetenv(name);
}

}  // namespace

TEST_CASE("merge: three shards merged equal the unsharded campaign", "[merge]") {
  std::string whole = Dir("whole");
  Result w = Seedbed(std::string(kCampaign) + " --jobs 2 --out " + whole);
  INFO(w.output);
  REQUIRE((w.code == 0 || w.code == 1));
  std::string merge_args;
  for (int k = 0; k < 3; ++k) {
    std::string dir = Dir("shard" + std::to_string(k));
    Result s = Seedbed(std::string(kCampaign) + " --shard " + std::to_string(k) + "/3 --out " + dir);
    INFO(s.output);
    REQUIRE((s.code == 0 || s.code == 1));
    json shard = LoadJson(dir + "/campaign.json");
    CHECK(shard.at("shards").at("indices") == json::array({k}));
    CHECK(shard.at("totals").at("seeds").get<int>() == 2 * 4);  // 4 of 12 seeds, 2 variants
    merge_args += " " + dir + "/campaign.json";
  }
  std::string merged_dir = Dir("merged");
  Result m = Seedbed("merge" + merge_args + " --out " + merged_dir);
  INFO(m.output);
  CHECK(m.code == w.code);
  json merged = LoadJson(merged_dir + "/campaign.json");
  json unsharded = LoadJson(whole + "/campaign.json");
  CHECK(merged.at("shards").at("complete") == true);
  CHECK(merged.at("totals").at("seeds") == 24);
  CHECK(ComparableCampaign(merged) == ComparableCampaign(unsharded));
  // Not vacuous: the buggy variant failed, with a replay command, and coverage was recorded.
  const json& buggy = unsharded.at("cells").at(0);
  CHECK(buggy.at("failures").get<int>() > 0);
  REQUIRE(!buggy.at("groups").empty());
  CHECK_THAT(buggy.at("groups").at(0).at("replay").get<std::string>(),
             Catch::StartsWith("seedbed run influxdb3.duplicate_writer --variant"));
  CHECK(!(buggy.at("probes").empty() && buggy.at("crash_points").empty()));
  CHECK(buggy.at("swarm").at("runs").get<int>() == 12);
  // The table and the Markdown report agree with the merged JSON.
  CHECK_THAT(m.output, Catch::Contains("24 seeds from 3 report(s)"));
  std::ifstream md(merged_dir + "/campaign.md");
  std::stringstream md_text;
  md_text << md.rdbuf();
  CHECK_THAT(md_text.str(), Catch::Contains("| influxdb3.duplicate_writer |"));
  CHECK_THAT(md_text.str(), Catch::Contains("replay: `seedbed run influxdb3.duplicate_writer"));
}

TEST_CASE("merge: corrupt, incompatible and overlapping reports are refused with exit 2", "[merge]") {
  std::string a = Dir("refuse_a"), b = Dir("refuse_b"), c = Dir("refuse_c");
  const std::string fixed = "fuzz influxdb3.duplicate_writer --variant fixed --label merge-test ";
  REQUIRE(Seedbed(fixed + "--seeds 1..4 --shard 0/2 --out " + a).code == 0);
  REQUIRE(Seedbed(fixed + "--seeds 1..4 --shard 1/2 --out " + b).code == 0);
  REQUIRE(Seedbed(fixed + "--seeds 1..6 --shard 1/2 --out " + c).code == 0);
  CHECK(Seedbed("merge " + a + "/campaign.json " + b + "/campaign.json").code == 0);

  Result overlap = Seedbed("merge " + a + "/campaign.json " + a + "/campaign.json");
  CHECK(overlap.code == 2);
  CHECK_THAT(overlap.output, Catch::Contains("shard 0/2 is in both"));

  Result range = Seedbed("merge " + a + "/campaign.json " + c + "/campaign.json");
  CHECK(range.code == 2);
  CHECK_THAT(range.output, Catch::Contains("seed range differs"));

  // Shards that tested different engines (labels) are not one campaign.
  std::string other = Dir("refuse_label");
  REQUIRE(Seedbed("fuzz influxdb3.duplicate_writer --variant fixed --label other-engine --seeds 1..4 --shard 1/2 "
                  "--out " + other).code == 0);
  Result label = Seedbed("merge " + a + "/campaign.json " + other + "/campaign.json");
  CHECK(label.code == 2);
  CHECK_THAT(label.output, Catch::Contains("tested label 'merge-test' vs 'other-engine'"));

  std::string garbage = Dir("refuse_garbage") + "/campaign.json";
  std::ofstream(garbage) << "{\"format\": \"seedbed.campaign\", \"version\": 1, \"cells\": [";
  Result corrupt = Seedbed("merge " + a + "/campaign.json " + garbage);
  CHECK(corrupt.code == 2);
  CHECK_THAT(corrupt.output, Catch::Contains("corrupt"));

  json truncated = LoadJson(a + "/campaign.json");
  truncated.at("cells").at(0).erase("groups");
  std::string missing = Dir("refuse_missing") + "/campaign.json";
  std::ofstream(missing) << truncated.dump();
  Result field = Seedbed("merge " + missing);
  CHECK(field.code == 2);
  CHECK_THAT(field.output, Catch::Contains("groups"));

  CHECK(Seedbed("merge /nonexistent/campaign.json").code == 2);
}

TEST_CASE("merge: the library merge sums cells and keeps the lowest first seed", "[merge]") {
  CampaignOptions options;
  options.cells = {{"s", "buggy", true, {"single-writer"}}};
  options.shard_count = 2;
  auto shard = [&](int k, uint64_t first_seed, SeedSet seeds) {
    const uint64_t count = seeds.size();
    CampaignOptions o = options;
    o.shard_index = k;
    CampaignResult r;
    CellResult c;
    c.cell = options.cells[0];
    c.seeds = 5;
    c.failures = count;
    c.first_failing_seed = first_seed;
    c.groups = {{"single-writer", count, first_seed, "seed " + std::to_string(first_seed), "single-writer: x", seeds}};
    c.probes["p"] = {1, 3};
    r.cells = {c};
    return MakeCampaignReport(o, r);
  };
  auto merged = MergeCampaignReports({shard(1, 4, {4, 6}), shard(0, 7, {7})});
  REQUIRE(merged.ok());
  const CellResult& c = merged->result.cells.at(0);
  CHECK(c.seeds == 10);
  CHECK(c.failures == 3);
  CHECK(c.first_failing_seed == 4u);
  REQUIRE(c.groups.size() == 1);
  CHECK(c.groups[0].count == 3);
  CHECK(c.groups[0].first_message == "seed 4");
  CHECK(c.groups[0].seeds.ToVector() == std::vector<uint64_t>{4, 6, 7});
  CHECK(c.probes.at("p").reached == 6);
  CHECK(merged->complete());
  // Round trip through JSON keeps everything.
  auto again = CampaignReportFromJson(CampaignReportToJson(*merged));
  REQUIRE(again.ok());
  CHECK(CampaignReportToJson(*again) == CampaignReportToJson(*merged));
}

TEST_CASE("shards: from a Kubernetes Indexed Job's environment", "[merge][shard]") {
  Unset();
  CHECK(*ShardFromEnvironment() == std::pair{0, 1});
  setenv("JOB_COMPLETION_INDEX", "2", 1);
  CHECK_FALSE(ShardFromEnvironment().ok());  // no total given
  setenv("SEEDBED_SHARDS", "5", 1);
  CHECK(*ShardFromEnvironment() == std::pair{2, 5});
  setenv("JOB_COMPLETION_INDEX", "5", 1);
  CHECK_FALSE(ShardFromEnvironment().ok());  // index out of range
  Unset();
}

TEST_CASE("shards: from a Slurm array's environment", "[merge][shard]") {
  Unset();
  setenv("SLURM_ARRAY_TASK_ID", "3", 1);
  setenv("SLURM_ARRAY_TASK_COUNT", "4", 1);
  CHECK(*ShardFromEnvironment() == std::pair{3, 4});
  setenv("SLURM_ARRAY_TASK_MIN", "1", 1);  // --array=1-4
  CHECK(*ShardFromEnvironment() == std::pair{2, 4});
  setenv("SLURM_ARRAY_TASK_ID", "0", 1);
  CHECK_FALSE(ShardFromEnvironment().ok());
  unsetenv("SLURM_ARRAY_TASK_COUNT");
  CHECK_FALSE(ShardFromEnvironment().ok());
  Unset();
}

TEST_CASE("shards: fuzz reads the shard from the environment when --shard is absent", "[merge][shard]") {
  std::string dir = Dir("env_shard");
  Result r = Seedbed("fuzz influxdb3.duplicate_writer --variant fixed --seeds 1..6 --out " + dir,
                     "env -u SLURM_ARRAY_TASK_ID JOB_COMPLETION_INDEX=1 SEEDBED_SHARDS=3");
  INFO(r.output);
  REQUIRE(r.code == 0);
  json j = LoadJson(dir + "/campaign.json");
  CHECK(j.at("shards").at("count") == 3);
  CHECK(j.at("shards").at("indices") == json::array({1}));
  CHECK(j.at("totals").at("seeds") == 2);  // seeds 2 and 5
  std::string slurm = Dir("env_slurm");
  Result s = Seedbed("fuzz influxdb3.duplicate_writer --variant fixed --seeds 1..6 --out " + slurm,
                     "env -u JOB_COMPLETION_INDEX SLURM_ARRAY_TASK_ID=2 SLURM_ARRAY_TASK_COUNT=2 SLURM_ARRAY_TASK_MIN=1");
  INFO(s.output);
  REQUIRE(s.code == 0);
  json k = LoadJson(slurm + "/campaign.json");
  CHECK(k.at("shards").at("indices") == json::array({1}));
  CHECK(k.at("shards").at("count") == 2);
}
