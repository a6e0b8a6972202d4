// The seedbed command. Its subcommands and options live in scenarios/cli/cli_main.cc (the library's
// seedbed::cli::Main, so that a user's own executable gets the same command); edit them there.
#include "scenarios/cli/cli_main.h"

int main(int argc, char** argv) { return seedbed::cli::Main(argc, argv); }
