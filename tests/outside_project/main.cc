// The whole seedbed command (list, run, fuzz, replay, shrink, merge) over this project's scenarios.
#include <seedbed/cli.h>

int main(int argc, char** argv) { return seedbed::cli::Main(argc, argv); }
