// The whole seedbed command (list, run, fuzz, replay, shrink, merge, ...) as one call, for the
// bundled `seedbed` executable and for a user's own: `int main(int argc, char** argv) { return
// seedbed::cli::Main(argc, argv); }` linked with seedbed::seedbed and their scenarios. Call once,
// from the main thread; it forks workers for `fuzz --jobs`.
#pragma once

#include <string>

namespace seedbed::cli {

struct MainOptions {
  // The name the command's help and every printed replay or rerun line use ("my_seedbed replay
  // FILE"). Empty: the program's invocation name, argv[0] without its directory.
  std::string program_name;
};

// Parses argv, runs the subcommand, returns the process exit code: 0 clean, 1 an invariant
// failed, 2 bad usage or input, 3 nondeterminism detected.
int Main(int argc, char** argv);
int Main(int argc, char** argv, const MainOptions& options);

// The worker processes `fuzz` starts without --jobs: the CPUs this process may run on
// (sched_getaffinity), else std::thread::hardware_concurrency(); at least 1, at most 256.
int DefaultJobs();

}  // namespace seedbed::cli
