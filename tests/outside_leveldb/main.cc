// The whole `seedbed` command over this project's scenario (it registers from a static initialiser
// of this executable's own object file).
#include <seedbed/cli.h>

int main(int argc, char** argv) { return seedbed::cli::Main(argc, argv); }
