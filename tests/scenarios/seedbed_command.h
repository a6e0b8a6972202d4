// Test helper: runs the built `seedbed` command with arguments (and optional environment
// assignments before it) and returns its exit code and combined stdout+stderr.
#pragma once

#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <string>

namespace seedbed_test {

struct CommandResult {
  int code = -1;
  std::string output;  // stdout and stderr together
};

inline CommandResult Seedbed(const std::string& args, const std::string& env = "") {
  std::string command = env + " " + std::string(SEEDBED_BINARY_DIR) + "/seedbed " + args + " 2>&1";
  CommandResult result;
  FILE* pipe = popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) result.output.append(buffer, n);
  int status = pclose(pipe);
  result.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

}  // namespace seedbed_test
