// Test helpers for the tests that drive the built `seedbed` command: run it (or any command line)
// and get its exit code and combined stdout+stderr; a fresh folder per test case; campaign.json
// loaded, and without the fields two campaigns of the same seeds may differ in.
#pragma once

#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "nlohmann/json.hpp"

namespace seedbed_test {

struct CommandResult {
  int code = -1;
  std::string output;  // stdout and stderr together
};

// Runs a shell command line as it is (add "2>&1" to capture stderr too).
inline CommandResult RunCommand(const std::string& command_line) {
  CommandResult result;
  FILE* pipe = popen(command_line.c_str(), "r");
  REQUIRE(pipe != nullptr);
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) result.output.append(buffer, n);
  int status = pclose(pipe);
  result.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

inline CommandResult Seedbed(const std::string& args, const std::string& env = "") {
  return RunCommand(env + " " + std::string(SEEDBED_BINARY_DIR) + "/seedbed " + args + " 2>&1");
}

// SEEDBED_BINARY_DIR/<test>/<name>, emptied and created.
inline std::string FreshDir(const std::string& test, const std::string& name) {
  std::filesystem::path dir = std::filesystem::path(SEEDBED_BINARY_DIR) / test / name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir.string();
}

inline nlohmann::json LoadJson(const std::string& path) {
  std::ifstream file(path);
  REQUIRE(file.good());
  return nlohmann::json::parse(file);
}

// A campaign.json without the fields that legitimately differ between two campaigns of the same
// seeds, or between a merge and one campaign: timing, the date, shards, and the artifacts' paths (a
// merged report points into the shard folders).
inline nlohmann::json ComparableCampaign(nlohmann::json j) {
  j.erase("timing");
  j.erase("date");
  j.erase("shards");
  for (nlohmann::json& cell : j.at("cells")) {
    cell.erase("timing");
    for (nlohmann::json& g : cell.at("groups")) g.erase("artifacts");
  }
  return j;
}

}  // namespace seedbed_test
