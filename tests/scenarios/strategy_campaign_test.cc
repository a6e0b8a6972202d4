// `seedbed fuzz --strategy pos|surw|portfolio` end to end: a campaign finds the buggy variant's
// failure, gives the same report with --jobs 1 and 2 and as two merged shards, passes
// --check-determinism, and its failure files (plain and shrunk) replay exactly. PCT's k comes from
// calibration runs and is written into the replay command and the failure file.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>

#include "nlohmann/json.hpp"
#include "tests/scenarios/seedbed_command.h"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using seedbed_test::LoadJson;
using seedbed_test::Seedbed;

std::string Dir(const std::string& name) { return seedbed_test::FreshDir("strategy_campaign_test", name); }

// What may differ between two campaigns of the same seeds (seedbed_command.h), and
// check_determinism, given to one of the two campaigns compared.
json Comparable(json j) {
  j = seedbed_test::ComparableCampaign(std::move(j));
  j.at("config").erase("check_determinism");
  return j;
}

std::vector<std::string> Files(const std::string& dir, const std::string& suffix) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) {
    const std::string name = e.path().filename().string();
    if (name.size() >= suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0)
      out.push_back(e.path().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Each failure file of a campaign (plain and shrunk) replays its recorded run exactly.
void CheckReplaysExactly(const std::string& dir) {
  const std::vector<std::string> failures = Files(dir, ".failure.json");
  REQUIRE(failures.size() >= 2);  // the failure file and its shrunk one
  for (const std::string& file : failures) {
    auto r = Seedbed("replay " + file);
    INFO(file << "\n" << r.output);
    CHECK(r.code == 1);
    CHECK_THAT(r.output, Catch::Contains("reproduced the recorded run exactly"));
  }
}

const char kCell[] = "fuzz slatedb.flush_self_fence --variant buggy --seeds 1..16 --label strategy-test ";

}  // namespace

TEST_CASE("strategies: pos, surw, delay and portfolio campaigns replay, shrink and do not depend on --jobs",
          "[strategy][campaign]") {
  for (const std::string strategy : {"pos", "surw", "delay", "portfolio"}) {
    INFO("strategy " << strategy);
    const std::string one = Dir(strategy + "_jobs1"), two = Dir(strategy + "_jobs2");
    auto a = Seedbed(std::string(kCell) + "--strategy " + strategy +
                     " --jobs 1 --check-determinism --shrink-attempts 150 --out " + one);
    INFO(a.output);
    REQUIRE(a.code == 1);  // the bug was found (no --expect)
    CHECK_THAT(a.output, !Catch::Contains("nondetermin"));
    auto b = Seedbed(std::string(kCell) + "--strategy " + strategy + " --jobs 2 --shrink-attempts 150 --out " + two);
    INFO(b.output);
    REQUIRE(b.code == 1);
    CHECK(Comparable(LoadJson(one + "/campaign.json")) == Comparable(LoadJson(two + "/campaign.json")));
    const json cell = LoadJson(one + "/campaign.json").at("cells").at(0);
    CHECK(cell.at("failures").get<int>() > 0);
    uint64_t credited = 0;
    for (const auto& [label, n] : cell.at("found_by").items()) {
      credited += n.get<uint64_t>();
      if (strategy != "portfolio") CHECK(label == strategy);
    }
    CHECK(credited == cell.at("failures").get<uint64_t>());
    if (strategy == "portfolio") CHECK(cell.at("found_by").size() >= 2);  // several members found it
    CheckReplaysExactly(one);
  }
}

TEST_CASE("strategies: pos and delay campaigns in two shards merge to the unsharded one", "[strategy][campaign][merge]") {
  for (const std::string strategy : {"pos", "delay"}) {
    INFO("strategy " << strategy);
    const std::string whole = Dir(strategy + "_whole"), s0 = Dir(strategy + "_shard0"), s1 = Dir(strategy + "_shard1"),
                      merged = Dir(strategy + "_merged");
    const std::string base = std::string(kCell) + "--strategy " + strategy + " --no-shrink ";
    REQUIRE(Seedbed(base + "--out " + whole).code == 1);
    REQUIRE(Seedbed(base + "--shard 0/2 --out " + s0).code == 1);
    REQUIRE(Seedbed(base + "--shard 1/2 --out " + s1).code == 1);
    auto m = Seedbed("merge " + s0 + "/campaign.json " + s1 + "/campaign.json --out " + merged);
    INFO(m.output);
    CHECK(Comparable(LoadJson(merged + "/campaign.json")) == Comparable(LoadJson(whole + "/campaign.json")));
  }
}

TEST_CASE("strategies: PCT's k is estimated from calibration runs and kept for replay", "[strategy][pct]") {
  const std::string dir = Dir("pct_k");
  auto a = Seedbed("fuzz slatedb.flush_self_fence --variant buggy --seeds 1..12 --strategy pct --pct-depth 3 "
                   "--no-shrink --label strategy-test --out " + dir);
  INFO(a.output);
  REQUIRE(a.code == 1);
  // The replay command names k, and running it reproduces the failure file's run.
  const auto at = a.output.find("--pct-steps ");
  REQUIRE(at != std::string::npos);
  const uint64_t k = std::stoull(a.output.substr(at + 12));
  CHECK(k > 50);
  CHECK(k < 10000);
  const std::vector<std::string> failures = Files(dir, ".failure.json");
  REQUIRE(!failures.empty());
  CHECK(LoadJson(failures.front()).at("pct_steps").get<uint64_t>() == k);
  auto r = Seedbed("replay " + failures.front());
  INFO(r.output);
  CHECK_THAT(r.output, Catch::Contains("reproduced the recorded run exactly"));
  // An explicit --pct-steps wins over the estimate.
  auto run = Seedbed("run slatedb.flush_self_fence --variant buggy --seed 3 --strategy pct --pct-steps 77");
  CHECK_THAT(run.output, Catch::Contains("--pct-steps 77"));
}

TEST_CASE("strategies: a guided campaign is the same twice with the same --jobs, and its failures replay",
          "[strategy][campaign][guided]") {
  const std::string one = Dir("guided_a"), two = Dir("guided_b");
  const std::string args = std::string(kCell) + "--strategy guided --jobs 2 --shrink-attempts 100 --out ";
  auto a = Seedbed(args + one + " --check-determinism");
  INFO(a.output);
  REQUIRE(a.code == 1);
  CHECK_THAT(a.output, !Catch::Contains("nondetermin"));
  auto b = Seedbed(args + two);
  INFO(b.output);
  REQUIRE(b.code == 1);
  CHECK(Comparable(LoadJson(one + "/campaign.json")) == Comparable(LoadJson(two + "/campaign.json")));
  const json cell = LoadJson(one + "/campaign.json").at("cells").at(0);
  CHECK(cell.at("found_by").at("guided").get<uint64_t>() == cell.at("failures").get<uint64_t>());
  CheckReplaysExactly(one);
}
