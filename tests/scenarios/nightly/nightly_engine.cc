// The nightly simulation's command: `seedbed` plus one scenario, nightly.engine, standing for an
// engine whose code changes from one night to the next. SEEDBED_TEST_NIGHT (1, 2 or 3) says which
// night's code runs; each of its bugs fails a fixed set of seeds (the first in Check wins):
//
//   bug               invariant        seeds       night 1   night 2   night 3
//   lost write        lost-write       s % 4 == 0  yes       yes       yes        (known)
//   torn manifest     torn-manifest    s % 5 == 0  yes       fixed     back       (regressed)
//   stuck writer      stuck-writer     s % 7 == 0  -         yes       fixed      (new, then gone)
//   double ack        double-ack       s % 9 == 0  -         -         yes        (new)
//
// Variant slow fails the same way, with thousands of scheduling decisions per run.
//
// SEEDBED_TEST_SIGNAL_AT_REPLAY="SIG N" (SIG 2 or 15) raises that signal in the N-th run of this
// process that replays a decision list: the shrinker's runs (a campaign's workers never replay),
// so a test can stop a campaign while it shrinks, at the same point every time.
//
// Reading the environment in a scenario would break determinism across machines; here it is the
// point: the variable is the engine build under test, fixed for a whole campaign.
#include <signal.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "fmt/format.h"
#include "scenarios/cli/cli_main.h"
#include "scenarios/harness/scenario.h"
#include "sim/world/world.h"

namespace {

void MaybeSignalAtReplay() {
  static int replays = 0;
  const char* spec = std::getenv("SEEDBED_TEST_SIGNAL_AT_REPLAY");
  int sig = 0, at = 0;
  if (spec == nullptr || std::sscanf(spec, "%d %d", &sig, &at) != 2) return;
  if (++replays == at) raise(sig);
}

class NightlyEngine : public seedbed::Scenario {
 public:
  seedbed::ScenarioInfo info() const override {
    return {"nightly.engine", "test fixture: an engine whose bugs come and go between nights (SEEDBED_TEST_NIGHT)",
            {"main", "slow"}, {}, "", {}};
  }
  void Build(seedbed::World& world, const seedbed::RunConfig& run) override {
    const char* night = std::getenv("SEEDBED_TEST_NIGHT");
    night_ = night == nullptr ? 1 : std::atoi(night);
    seed_ = run.seed;
    slow_ = run.variant == "slow";
    node_ = &world.AddProcess("node", [](seedbed::Process&) {});
    if (run.replay != nullptr) MaybeSignalAtReplay();
  }
  // "slow": thousands of scheduling decisions per run, so that shrinking one failure takes seconds.
  void Workload(seedbed::World& world, seedbed::History&) override {
    if (!slow_) return;
    for (int c = 0; c < 4; ++c)
      world.SpawnClient(*node_, fmt::format("client-{}", c), [&world] {
        for (int i = 0; i < 3000; ++i) world.kernel().Yield();
      });
  }
  void Check(const seedbed::World&, const seedbed::History&, seedbed::Verdict& v) override {
    if (seed_ % 4 == 0) v.Fail("lost-write", fmt::format("seed {}: an acknowledged write is gone", seed_));
    if (seed_ % 5 == 0 && night_ != 2) v.Fail("torn-manifest", fmt::format("seed {}: manifest torn", seed_));
    if (seed_ % 7 == 0 && night_ == 2) v.Fail("stuck-writer", fmt::format("seed {}: the writer never ends", seed_));
    if (seed_ % 9 == 0 && night_ == 3) v.Fail("double-ack", fmt::format("seed {}: a write acked twice", seed_));
  }

 private:
  int night_ = 1;
  bool slow_ = false;
  seedbed::Process* node_ = nullptr;
  uint64_t seed_ = 0;
};
SEEDBED_SCENARIO(NightlyEngine);

}  // namespace

int main(int argc, char** argv) { return seedbed::cli::Main(argc, argv); }
