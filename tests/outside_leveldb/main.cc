// The whole `seedbed` command over this project's scenario (it registers from a static initialiser
// of this executable's own object file).
#include "scenarios/cli/cli_main.h"

int main(int argc, char** argv) { return seedbed::cli::Main(argc, argv); }
