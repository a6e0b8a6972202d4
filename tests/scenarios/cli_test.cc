// The seedbed command's handling of bad input: a clear message and exit 2, never a crash.
#include <sys/wait.h>

#include <catch2/catch.hpp>

#include "tests/scenarios/seedbed_command.h"
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

namespace {

using Result = seedbed_test::CommandResult;
using seedbed_test::Seedbed;

std::string TempPath(const std::string& name) {
  return std::string(SEEDBED_BINARY_DIR) + "/cli_test_" + name;
}

}  // namespace

TEST_CASE("cli: an unknown scenario is a usage error that lists the known ones", "[cli]") {
  Result r = Seedbed("run no.such_scenario --seed 1");
  CHECK(r.code == 2);
  CHECK_THAT(r.output, Catch::Contains("unknown scenario 'no.such_scenario'"));
}

TEST_CASE("cli: a malformed seed is a usage error", "[cli]") {
  for (const char* seed : {"abc", "-5", "12x", "99999999999999999999999"}) {
    Result r = Seedbed(std::string("demo --seed ") + seed);
    INFO("seed " << seed << ": " << r.output);
    CHECK(r.code == 2);
  }
  Result run = Seedbed("run influxdb3.duplicate_writer --seed 1x");
  CHECK(run.code == 2);
  CHECK_THAT(run.output, Catch::Contains("malformed seed"));
}

TEST_CASE("cli: a malformed or inverted seed range is a usage error", "[cli]") {
  for (const char* range : {"5..1", "1..", "..5", "a..b", "1...3"}) {
    Result r = Seedbed(std::string("fuzz --all --seeds ") + range);
    INFO("range " << range << ": " << r.output);
    CHECK(r.code == 2);
    CHECK_THAT(r.output, Catch::Contains("seed range"));
  }
}

TEST_CASE("cli: bad shard and duration are usage errors", "[cli]") {
  CHECK(Seedbed("fuzz --all --seeds 1..2 --shard 3/3").code == 2);
  CHECK(Seedbed("fuzz --all --seeds 1..2 --shard x").code == 2);
  CHECK(Seedbed("fuzz --all --time 10parsecs").code == 2);
  CHECK(Seedbed("fuzz --all --seeds 1..2 --time 1s").code == 2);
}

TEST_CASE("cli: an unwritable --out directory is a usage error before any run", "[cli]") {
  Result r = Seedbed("fuzz --all --seeds 1..2 --out /proc/seedbed-cannot-write-here");
  CHECK(r.code == 2);
  CHECK_THAT(r.output, Catch::Contains("/proc/seedbed-cannot-write-here"));
}

TEST_CASE("cli: corrupt, truncated and missing failure files are refused", "[cli]") {
  std::string garbage = TempPath("garbage.failure.json");
  std::ofstream(garbage) << "this is not json {";
  Result corrupt = Seedbed("replay " + garbage);
  CHECK(corrupt.code == 2);
  CHECK_THAT(corrupt.output, Catch::Contains("corrupt"));

  std::string truncated = TempPath("truncated.failure.json");
  std::ofstream(truncated) << "{\"format\": \"seedbed-failure\", \"format_version\": 1, \"scen";
  Result cut = Seedbed("replay " + truncated);
  CHECK(cut.code == 2);
  CHECK_THAT(cut.output, Catch::Contains("truncated"));

  Result missing = Seedbed("replay " + TempPath("does-not-exist.json"));
  CHECK(missing.code == 2);
  CHECK_THAT(missing.output, Catch::Contains("cannot open"));
}

TEST_CASE("cli: unknown commands and options are usage errors, help is not", "[cli]") {
  CHECK(Seedbed("frobnicate").code == 2);
  CHECK(Seedbed("run --no-such-flag").code == 2);
  CHECK(Seedbed("").code == 2);
  CHECK(Seedbed("--help").code == 0);
}

TEST_CASE("cli: shrink --report and a replay of the shrunk file write the story into the reports",
          "[cli][shrink]") {
  const std::string dir = TempPath("story");
  std::filesystem::remove_all(dir);
  for (const char* sub : {"/run", "/shrunk", "/replay"}) std::filesystem::create_directories(dir + sub);
  Result run = Seedbed("run influxdb3.duplicate_writer --variant buggy --seed 2 --report " + dir + "/run");
  REQUIRE(run.code == 1);
  const std::string failure = dir + "/run/influxdb3.duplicate_writer.buggy.seed2.failure.json";
  const std::string shrunk = dir + "/run/influxdb3.duplicate_writer.buggy.seed2.shrunk.failure.json";
  Result shrink = Seedbed("shrink " + failure + " --report " + dir + "/shrunk");
  INFO(shrink.output);
  REQUIRE(shrink.code == 0);
  Result replay = Seedbed("replay " + shrunk + " --report " + dir + "/replay");
  INFO(replay.output);
  REQUIRE(replay.code == 1);
  auto read = [](const std::string& path) {
    std::ifstream in(path);
    return std::string(std::istreambuf_iterator<char>(in), {});
  };
  const std::string stem = "influxdb3.duplicate_writer.buggy.seed2.shrunk";
  for (const char* sub : {"shrunk", "replay"}) {
    INFO(sub);
    const std::string html = read(dir + "/" + sub + "/" + stem + ".html");
    const std::string text = read(dir + "/" + sub + "/" + stem + ".timeline.txt");
    CHECK_THAT(html, Catch::Contains("<h2>Shrunk story</h2>") && Catch::Contains("<td>non-default</td>"));
    CHECK_THAT(text, Catch::Contains("# shrunk story (before -> after") && Catch::Contains("#     non-default"));
  }
  // The plain run's reports have none.
  CHECK(read(dir + "/run/influxdb3.duplicate_writer.buggy.seed2.html").find("Shrunk story") == std::string::npos);
}
