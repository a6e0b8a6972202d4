// The whole `seedbed` command (list, run, fuzz, replay, shrink, merge), knowing this project's
// scenarios: they register from static initialisers of this executable's own object files.
#include "scenarios/cli/cli_main.h"

int main(int argc, char** argv) { return seedbed::cli::Main(argc, argv); }
