// The seedbed command's subcommands, as functions returning the process exit code:
// 0 clean, 1 an invariant failed, 2 bad usage or input, 3 nondeterminism detected.
#pragma once

#include <string>
#include <vector>

namespace seedbed::cli {

inline constexpr int kExitClean = 0;
inline constexpr int kExitViolation = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitNondeterminism = 3;

struct Args {
  std::vector<std::string> scenarios;
  std::string variant;
  std::string seed;
  std::string seeds;
  std::string time;
  std::string strategy = "random";
  int pct_depth = 2;
  int jobs = 1;
  std::string shard;
  std::string out_dir;
  std::string report_dir;
  std::string file;
  std::vector<std::string> reports;  // merge REPORT...
  std::string out_file;        // shrink --out
  int attempts = 5000;         // shrink --attempts
  std::string shrink_time;     // fuzz --shrink-time
  bool no_shrink = false;      // fuzz --no-shrink
  bool all = false;
  bool trace = false;
  bool expect = false;
  bool check_determinism = false;
  bool keep_going = false;     // run/fuzz --keep-going
  bool stdout_is_tty = false;
  bool stderr_is_tty = false;
};

int List(const Args& args);
int Run(const Args& args);
int Fuzz(const Args& args);
int Replay(const Args& args);
int Merge(const Args& args);  // scenarios/merge.cc
int Shrink(const Args& args);
int Demo(const Args& args);
int WorldDemo(const Args& args);

}  // namespace seedbed::cli
