// A run that kills its worker (a signal: the engine under test crashed, or a fiber stack overflowed)
// is reported as a "crash" failure naming its seed, and the campaign goes on with the seeds after
// it. The crashing scenario is registered by the test itself, so no other test or `seedbed list`
// sees it.
#include <catch2/catch.hpp>

#include <csignal>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <sstream>

#include "scenarios/campaign/campaign.h"
#include "scenarios/harness/scenario.h"
#include "sim/world/world.h"

namespace seedbed {
namespace {

// Seed 3 overflows a fiber stack (the guard page: SIGSEGV on the fiber's stack, so the report
// needs the alternate signal stack); seed 7 aborts; every other seed passes.
class CrashesOnSomeSeeds : public Scenario {
 public:
  ScenarioInfo info() const override {
    return {"test.crashes_on_some_seeds", "test only", {"buggy"}, {"buggy"}, "", {{"buggy", {"crash"}}}};
  }
  void Build(World&, const RunConfig& run) override { seed_ = run.seed; }
  void Workload(World& world, History&) override {
    world.SpawnClient("crasher", [this, &world] {
      world.kernel().SleepFor(1000);
      if (seed_ == 3) std::printf("%d\n", Down(0));
      if (seed_ == 7) std::abort();
    });
  }
  void Check(const World&, const History&, Verdict&) override {}

 private:
  static int Down(int depth) {
    volatile char frame[1024];
    frame[0] = static_cast<char>(depth);
    return depth > 10'000'000 ? frame[0] : Down(depth + 1) + frame[0];
  }
  uint64_t seed_ = 0;
};

TEST_CASE("a crashing run is reported by seed and the campaign goes on", "[campaign][crash]") {
  static bool registered = false;
  if (!registered) {
    Registry::Get().Add([] { return std::make_unique<CrashesOnSomeSeeds>(); });
    registered = true;
  }
  // The workers chain to the handler they replaced; here that is Catch2's, which would report a
  // fatal error from inside the worker. Default actions while the campaign runs.
  struct DefaultSignals {
    struct sigaction saved[2];
    DefaultSignals() {
      struct sigaction dfl {};
      dfl.sa_handler = SIG_DFL;
      sigaction(SIGSEGV, &dfl, &saved[0]);
      sigaction(SIGABRT, &dfl, &saved[1]);
    }
    ~DefaultSignals() {
      sigaction(SIGSEGV, &saved[0], nullptr);
      sigaction(SIGABRT, &saved[1], nullptr);
    }
  } defaults;
  for (int jobs : {1, 2}) {
    CampaignOptions o;
    o.cells = {{"test.crashes_on_some_seeds", "buggy", true, {"crash"}}};
    o.seed_first = 1;
    o.seed_last = 10;
    o.jobs = jobs;
    std::ostringstream progress;
    CampaignResult result = RunCampaign(o, progress);
    INFO("jobs " << jobs << "\n" << progress.str());
    REQUIRE(result.cells.size() == 1);
    const CellResult& c = result.cells[0];
    CHECK(c.seeds == 10);  // every seed ran, including those after each crash
    CHECK(c.failures == 2);
    // Two signatures (scenarios/harness/signature.h): the overflow's SIGSEGV and the abort's SIGABRT.
    REQUIRE(c.groups.size() == 2);
    for (const FailureGroup& g : c.groups) {
      CHECK(g.invariant == kCrashInvariant);
      CHECK(g.count == 1);
      CHECK_THAT(g.first_message, Catch::Contains("signal"));
    }
    CHECK(c.groups[0].first_seed == 3);
    CHECK(c.groups[1].first_seed == 7);
    CHECK_THAT(c.groups[0].signature, Catch::StartsWith("crash: the run was killed by signal # (") &&
                                          Catch::Contains(strsignal(SIGSEGV)));
    CHECK_THAT(c.groups[1].signature, Catch::Contains(strsignal(SIGABRT)));
    CHECK(c.first_failing_seed == 3u);
  }
}

}  // namespace
}  // namespace seedbed
