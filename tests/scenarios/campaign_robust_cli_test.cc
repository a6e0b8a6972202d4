// Issue 14, "nothing lost, nothing misreported", through the command: seed-range and --time
// arithmetic at the 64-bit edges, SIGINT / SIGTERM of `fuzz --out DIR`, merge of shards that
// differ in --keep-going or are missing, Slurm arrays with a step, and a rerun into an old --out.
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "fmt/format.h"
#include "nlohmann/json.hpp"
#include "scenarios/campaign/campaign_report.h"
#include "scenarios/harness/parse.h"
#include "tests/scenarios/seedbed_command.h"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using seedbed_test::LoadJson;
using seedbed_test::Seedbed;

std::string Dir(const std::string& name) { return seedbed_test::FreshDir("campaign_robust_cli_test", name); }

std::string Slurp(const std::string& path) {
  std::ifstream file(path);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

// Starts `seedbed fuzz ...` with output to `log`, sends `sig` once it has run for `after`, and
// returns its exit code.
int FuzzThenSignal(const std::vector<std::string>& args, const std::string& log, int sig,
                   std::chrono::milliseconds after) {
  pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(fd, 1);
    dup2(fd, 2);
    std::string binary = std::string(SEEDBED_BINARY_DIR) + "/seedbed";
    std::vector<char*> argv{binary.data()};
    std::vector<std::string> copy = args;
    for (std::string& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(binary.c_str(), argv.data());
    _exit(127);
  }
  std::this_thread::sleep_for(after);
  kill(pid, sig);
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace

TEST_CASE("fuzz: seed ranges at the 64-bit edge run or are refused, never wrap", "[cli][campaign][overflow]") {
  // Was: 0 seeds run, exit 0 (the seed count wrapped to 0).
  auto whole = Seedbed("fuzz influxdb3.duplicate_writer --variant fixed --seeds 0..18446744073709551615");
  CHECK(whole.code == 2);
  CHECK_THAT(whole.output, Catch::Contains("too large"));
  // Two cells of 2^63 seeds: 2^64 runs.
  auto cells = Seedbed("fuzz influxdb3.duplicate_writer --seeds 1..9223372036854775808");
  CHECK(cells.code == 2);
  // Was: ran for ever (first + shard index wrapped past the top seed).
  auto top = Seedbed("fuzz influxdb3.duplicate_writer --variant fixed --seeds 18446744073709551615 --shard 1/2",
                     "timeout 60");
  CHECK(top.code == 0);
  CHECK_THAT(top.output, Catch::Contains("0 seeds"));
  auto top_two = Seedbed(
      "fuzz influxdb3.duplicate_writer --variant fixed --seeds 18446744073709551614..18446744073709551615 "
      "--shard 1/2 --jobs 2",
      "timeout 60");
  CHECK(top_two.code == 0);
  CHECK_THAT(top_two.output, Catch::Contains("1 seeds"));
}

TEST_CASE("fuzz: a --time beyond the clock's range runs (was: 0 seeds, exit 0)", "[cli][campaign][overflow]") {
  std::string dir = Dir("huge_time");
  int code = FuzzThenSignal({"fuzz", "influxdb3.duplicate_writer", "--variant", "fixed", "--time", "10000000000s",
                             "--out", dir},
                            dir + "/log", SIGTERM, std::chrono::milliseconds(1500));
  INFO(Slurp(dir + "/log"));
  CHECK(code == 143);
  json report = LoadJson(dir + "/campaign.json");
  CHECK(report.at("totals").at("seeds").get<uint64_t>() > 0);
  CHECK(report.at("completion").at("stopped_by") == "SIGTERM");
}

// Was: DIR empty after minutes of work, the process killed by the signal.
TEST_CASE("fuzz: SIGINT and SIGTERM stop cleanly with a report marked incomplete", "[cli][campaign][signals]") {
  for (auto [sig, expected, name] : {std::tuple{SIGINT, 130, "SIGINT"}, std::tuple{SIGTERM, 143, "SIGTERM"}}) {
    std::string dir = Dir(std::string("stopped_") + name);
    int code = FuzzThenSignal({"fuzz", "influxdb3.duplicate_writer", "--seeds", "1..1000000", "--jobs", "2",
                               "--expect", "--out", dir},
                              dir + "/log", sig, std::chrono::milliseconds(2000));
    std::string log = Slurp(dir + "/log");
    INFO(name << "\n" << log);
    CHECK(code == expected);
    CHECK_THAT(log, Catch::Contains("INCOMPLETE"));
    json report = LoadJson(dir + "/campaign.json");
    CHECK(report.at("completion").at("complete") == false);
    CHECK(report.at("completion").at("stopped_by") == name);
    uint64_t ran = 0;
    for (const json& cell : report.at("cells")) {
      uint64_t seeds = cell.at("seeds").get<uint64_t>(), not_run = cell.at("not_run").at("seeds").get<uint64_t>();
      CHECK(seeds + not_run == 1000000);  // every seed of the range either ran or is listed as not run
      ran += seeds;
    }
    CHECK(ran > 0);
    CHECK_THAT(Slurp(dir + "/campaign.md"), Catch::Contains("INCOMPLETE"));
    // The failures found before the stop have their files (unshrunk: the user asked it to stop).
    bool failure_file = false;
    for (const auto& entry : fs::directory_iterator(dir))
      failure_file |= entry.path().string().find(".failure.json") != std::string::npos;
    CHECK(failure_file);
  }
}

TEST_CASE("merge: shards that differ in --keep-going are refused; missing shards fail --expect",
          "[cli][merge][campaign]") {
  std::string a = Dir("kg_a"), b = Dir("kg_b"), c = Dir("kg_c");
  const std::string campaign = "fuzz influxdb3.duplicate_writer --seeds 1..12 --no-shrink ";
  REQUIRE(Seedbed(campaign + "--shard 0/2 --out " + a).code == 1);
  REQUIRE(Seedbed(campaign + "--shard 1/2 --keep-going --out " + b).code == 1);
  REQUIRE(Seedbed(campaign + "--shard 1/2 --out " + c).code == 1);
  CHECK(LoadJson(b + "/campaign.json").at("config").at("keep_going") == true);
  auto mixed = Seedbed("merge " + a + "/campaign.json " + b + "/campaign.json");
  CHECK(mixed.code == 2);
  CHECK_THAT(mixed.output, Catch::Contains("--keep-going differs"));
  CHECK(Seedbed("merge --expect " + a + "/campaign.json " + c + "/campaign.json").code == 0);
  // Was: exit 0, the buggy cell having failed in the one shard given.
  auto half = Seedbed("merge --expect " + a + "/campaign.json");
  CHECK(half.code == 1);
  CHECK_THAT(half.output, Catch::Contains("incomplete"));
}

TEST_CASE("shards: a Slurm array with a step maps to contiguous shards; a list is refused clearly",
          "[merge][shard]") {
  auto unset = [] {
    for (const char* name : {"JOB_COMPLETION_INDEX", "SEEDBED_SHARDS", "SLURM_ARRAY_TASK_ID", "SLURM_ARRAY_TASK_COUNT",
                             "SLURM_ARRAY_TASK_MIN", "SLURM_ARRAY_TASK_MAX", "SLURM_ARRAY_TASK_STEP"})
      unsetenv(name);
  };
  unset();
  // --array=0-6:2: tasks 0, 2, 4, 6 (was: "malformed shard '6/4'").
  setenv("SLURM_ARRAY_TASK_COUNT", "4", 1);
  setenv("SLURM_ARRAY_TASK_MIN", "0", 1);
  setenv("SLURM_ARRAY_TASK_MAX", "6", 1);
  setenv("SLURM_ARRAY_TASK_STEP", "2", 1);
  for (auto [id, shard] : {std::pair{"0", 0}, std::pair{"2", 1}, std::pair{"4", 2}, std::pair{"6", 3}}) {
    setenv("SLURM_ARRAY_TASK_ID", id, 1);
    auto got = seedbed::ShardFromEnvironment();
    REQUIRE(got.ok());
    CHECK(*got == std::pair{shard, 4});
  }
  // --array=1,4,9: ids that are no stepped range.
  setenv("SLURM_ARRAY_TASK_COUNT", "3", 1);
  setenv("SLURM_ARRAY_TASK_MIN", "1", 1);
  setenv("SLURM_ARRAY_TASK_MAX", "9", 1);
  unsetenv("SLURM_ARRAY_TASK_STEP");
  setenv("SLURM_ARRAY_TASK_ID", "9", 1);
  auto list = seedbed::ShardFromEnvironment();
  REQUIRE_FALSE(list.ok());
  CHECK_THAT(std::string(list.status().message()), Catch::Contains("--array=0-N"));
  setenv("SLURM_ARRAY_TASK_ID", "4", 1);  // a shard index in range, but the array is still no range
  CHECK_FALSE(seedbed::ShardFromEnvironment().ok());
  unset();
}

// Was: the fixed campaign's DIR still held the buggy campaign's failure files.
TEST_CASE("fuzz: a rerun into an old --out DIR leaves none of the old campaign's files", "[cli][campaign]") {
  std::string dir = Dir("rerun");
  REQUIRE(Seedbed("fuzz influxdb3.duplicate_writer --variant buggy --seeds 1..6 --no-shrink --out " + dir).code == 1);
  std::ofstream(dir + "/notes.txt") << "the user's own file";
  auto count_failure_files = [&] {
    int n = 0;
    for (const auto& entry : fs::directory_iterator(dir))
      n += entry.path().string().find("influxdb3.duplicate_writer.") != std::string::npos;
    return n;
  };
  REQUIRE(count_failure_files() > 0);
  auto fixed = Seedbed("fuzz influxdb3.duplicate_writer --variant fixed --seeds 1..6 --out " + dir);
  INFO(fixed.output);
  CHECK(fixed.code == 0);
  CHECK(count_failure_files() == 0);
  CHECK(fs::exists(dir + "/notes.txt"));
  CHECK(LoadJson(dir + "/campaign.json").at("cells").size() == 1);
}

namespace {

// campaign.json without its two wall-clock fields ("timing", "date" and each cell's timing).
json WithoutTiming(json report) {
  report.erase("timing");
  report.erase("date");
  for (json& cell : report.at("cells")) cell.erase("timing");
  return report;
}

}  // namespace

// Issue 17: a campaign's shrink was bounded by --shrink-time alone, so how far it got, and the
// shrunk file and report, depended on the machine's speed. Bounded by runs, the same seeds give
// byte-equal shrunk files and equal reports whoever runs them (here with 1 and 2 workers).
TEST_CASE("fuzz: --shrink-attempts bounds each shrink by runs: the same seeds shrink to the same files",
          "[cli][campaign][shrink]") {
  const std::string campaign = "fuzz slatedb.flush_self_fence --variant buggy --seeds 1..4 --shrink-attempts 100 ";
  std::string a = Dir("attempts_a"), b = Dir("attempts_b");
  auto ra = Seedbed(campaign + "--jobs 1 --out " + a);
  INFO(ra.output);
  REQUIRE(ra.code == 1);
  REQUIRE(Seedbed(campaign + "--jobs 2 --out " + b).code == 1);
  json ja = LoadJson(a + "/campaign.json"), jb = LoadJson(b + "/campaign.json");
  CHECK(WithoutTiming(ja) == WithoutTiming(jb));
  const json& groups = ja.at("cells").at(0).at("groups");
  REQUIRE(groups.size() == 1);
  const json& g = groups.at(0);
  // Seed 2's shrink reaches a fixpoint only after ~1400 runs: 100 stop it, the same 100 each time.
  CHECK(g.at("shrink").at("attempts") == 100);
  CHECK(g.at("shrink").at("stopped_by") == "attempt limit");
  CHECK(g.at("shrink").at("kept").get<uint64_t>() > 0);
  const std::string shrunk = g.at("artifacts").at("shrunk_file");
  CHECK(Slurp(a + "/" + shrunk) == Slurp(b + "/" + shrunk));
  CHECK(!Slurp(a + "/" + shrunk).empty());
  CHECK_THAT(Slurp(a + "/campaign.md"), Catch::Contains("shrink: 100 runs, "));
  CHECK_THAT(Slurp(a + "/campaign.md"), Catch::Contains("stopped by attempt limit"));
  // A different bound is honoured (and shrinks less far: a different file).
  std::string c = Dir("attempts_c");
  REQUIRE(Seedbed("fuzz slatedb.flush_self_fence --variant buggy --seeds 1..4 --shrink-attempts 30 --out " + c).code ==
          1);
  const json jc = LoadJson(c + "/campaign.json");
  const json& gc = jc.at("cells").at(0).at("groups").at(0);
  CHECK(gc.at("shrink").at("attempts") == 30);
  CHECK(Slurp(c + "/" + gc.at("artifacts").at("shrunk_file").get<std::string>()) != Slurp(a + "/" + shrunk));
  CHECK(Seedbed("fuzz slatedb.flush_self_fence --variant buggy --seeds 1..4 --shrink-attempts 0").code == 2);
  CHECK(Seedbed("fuzz slatedb.flush_self_fence --variant buggy --seeds 1..4 --shrink-attempts many").code == 2);
}

// The wall-clock limit stays as a backstop; when it cuts a shrink short the report says so.
TEST_CASE("fuzz: a shrink cut short by --shrink-time says so in the report", "[cli][campaign][shrink]") {
  std::string dir = Dir("shrink_time");
  // cnosdb's seed 2 takes ~10 ms a run and thousands of runs to shrink: 1 s stops it first.
  auto r = Seedbed("fuzz cnosdb.raft_wal_io --variant buggy --seeds 2..2 --shrink-attempts 1000000 --shrink-time 1s "
                   "--out " + dir);
  INFO(r.output);
  REQUIRE(r.code == 1);
  CHECK_THAT(r.output, Catch::Contains("cut short by wall time"));
  const json j = LoadJson(dir + "/campaign.json");
  const json& g = j.at("cells").at(0).at("groups").at(0);
  CHECK(g.at("shrink").at("stopped_by") == "time limit");
  CHECK_FALSE(g.at("artifacts").at("shrunk_file").is_null());  // the last kept edit, written
  CHECK_THAT(Slurp(dir + "/campaign.md"), Catch::Contains("**cut short by time** (--shrink-time)"));
}

// A campaign.json of another format version (an older build's, or a newer one's) is refused by
// every reader with a message naming both versions and exit 2, never read wrongly or aborted on.
TEST_CASE("merge, baseline, history: a campaign.json of another format version is exit 2, named",
          "[cli][campaign][bad-input]") {
  std::string dir = Dir("old_format");
  REQUIRE(Seedbed("fuzz influxdb3.duplicate_writer --variant buggy --seeds 1..3 --no-shrink --out " + dir).code == 1);
  json report = LoadJson(dir + "/campaign.json");
  for (int version : {1, seedbed::kCampaignFormatVersion + 1}) {
    json old = report;
    old["version"] = version;
    if (version == 1)  // what version 1 did not have yet
      for (const char* field : {"tested", "baseline", "date"}) old.erase(field);
    const std::string path = fmt::format("{}/v{}.json", dir, version);
    std::ofstream(path) << old.dump(2);
    for (const std::string& command : {"merge " + path, "baseline " + path + " --out " + dir + "/b.json",
                                       "history " + path}) {
      auto r = Seedbed(command);
      INFO(command << "\n" << r.output);
      CHECK(r.code == 2);
      CHECK_THAT(r.output, Catch::Contains(fmt::format("campaign report format version {} (this build reads {})", version,
                                                             seedbed::kCampaignFormatVersion)));
    }
  }
  CHECK_FALSE(fs::exists(dir + "/b.json"));
}
