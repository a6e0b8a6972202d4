// <seedbed/cli.h>: the whole seedbed command over your scenarios: int main(int argc, char**
// argv) { return seedbed::cli::Main(argc, argv); }
#pragma once

#include "scenarios/cli/cli_main.h"
