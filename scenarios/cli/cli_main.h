// The whole seedbed command (list, run, fuzz, replay, shrink, merge, ...) as one call, for the
// bundled `seedbed` executable and for a user's own: `int main(int argc, char** argv) { return
// seedbed::cli::Main(argc, argv); }` linked with seedbed::seedbed and their scenarios. Call once,
// from the main thread; it forks workers for `fuzz --jobs`.
#pragma once

namespace seedbed::cli {

// Parses argv, runs the subcommand, returns the process exit code: 0 clean, 1 an invariant
// failed, 2 bad usage or input, 3 nondeterminism detected.
int Main(int argc, char** argv);

}  // namespace seedbed::cli
