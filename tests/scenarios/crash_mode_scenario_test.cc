// A scenario's ScenarioInfo::crash_mode and ::stack_bytes reach its kernel, and the run report
// counts each kind of crash. The scenario is registered by the test itself, so no other test or
// `seedbed list` sees it.
#include <catch2/catch.hpp>

#include <memory>
#include <string>

#include "scenarios/harness/runner.h"
#include "scenarios/harness/scenario.h"
#include "sim/stack_pool.h"
#include "sim/world/world.h"

namespace seedbed {
namespace {

struct Seen {
  CrashMode mode = CrashMode::kUnwind;
  size_t pool_stack_bytes = 0;
  int destroyed = 0;  // Tripwire destructors that ran
  int boots = 0;
};
Seen g_seen;  // test only: the scenario reports what it saw here

struct Tripwire {
  ~Tripwire() { ++g_seen.destroyed; }
};

// variant "abandon": 128 KiB stacks, no unwinding; "unwind": the defaults. A node keeps a
// Tripwire and sleeps on a frame holding another; it crashes once of each kind and restarts.
class CrashModes : public Scenario {
 public:
  explicit CrashModes(bool abandon) : abandon_(abandon) {}
  ScenarioInfo info() const override {
    ScenarioInfo info{abandon_ ? "test.crash_mode_abandon" : "test.crash_mode_unwind", "test only",
                      {"fixed"}, {}, ""};
    if (abandon_) {
      info.crash_mode = CrashMode::kAbandon;
      info.stack_bytes = 128 * 1024;
    }
    return info;
  }
  void Build(World& world, const RunConfig&) override {
    g_seen = Seen{};
    g_seen.mode = world.kernel().config().crash_mode;
    g_seen.pool_stack_bytes = world.kernel().config().stack_pool->stack_bytes();
    node_ = &world.AddProcess("node", [](Process& p) {
      ++g_seen.boots;
      p.Keep(std::make_unique<Tripwire>());
      Tripwire frame;
      p.env().runtime->SleepFor(1'000'000'000'000);
    });
    world.SetFaults({});
  }
  void Workload(World& world, History&) override {
    world.SpawnClient("crasher", [this, &world] {
      world.kernel().SleepFor(1000);
      world.Crash(*node_, CrashKind::kProcess);
      world.Restart(*node_);
      world.kernel().SleepFor(1000);
      world.Crash(*node_, CrashKind::kMachine);
      world.Restart(*node_);
    });
  }
  void Check(const World&, const History&, Verdict&) override {}

 private:
  bool abandon_;
  Process* node_ = nullptr;
};

TEST_CASE("scenario: crash mode and stack size per scenario; reports count crash kinds",
          "[scenario][crash]") {
  static bool registered = false;
  if (!registered) {
    Registry::Get().Add([] { return std::make_unique<CrashModes>(true); });
    Registry::Get().Add([] { return std::make_unique<CrashModes>(false); });
    registered = true;
  }
  RunConfig config;
  config.variant = "fixed";
  config.scenario = "test.crash_mode_abandon";
  absl::StatusOr<RunReport> abandon = RunOnce(config);
  REQUIRE(abandon.ok());
  CHECK(g_seen.mode == CrashMode::kAbandon);
  CHECK(g_seen.pool_stack_bytes == 128 * 1024);
  CHECK(g_seen.boots == 3);
  CHECK(g_seen.destroyed == 0);  // neither crash nor the end of the run destroyed anything
  CHECK(abandon->crash_mode == CrashMode::kAbandon);
  CHECK(abandon->process_crashes == 1);
  CHECK(abandon->machine_crashes == 1);

  config.scenario = "test.crash_mode_unwind";
  absl::StatusOr<RunReport> unwind = RunOnce(config);
  REQUIRE(unwind.ok());
  CHECK(g_seen.mode == CrashMode::kUnwind);
  CHECK(g_seen.pool_stack_bytes == KernelConfig{}.stack_bytes);
  CHECK(g_seen.boots == 3);
  CHECK(g_seen.destroyed == 6);  // two per incarnation: the frame and the kept object
  CHECK(unwind->process_crashes == 1);
  CHECK(unwind->machine_crashes == 1);
}

}  // namespace
}  // namespace seedbed
