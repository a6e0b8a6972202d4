// seedbed_races: the seedbed command with the race kernels (race.*) of race_scenarios.cc, e.g.
//   seedbed_races fuzz race.memtable_seq --variant buggy --seeds 1..10000 --strategy pct
#include "scenarios/cli/cli_main.h"

int main(int argc, char** argv) { return seedbed::cli::Main(argc, argv); }
