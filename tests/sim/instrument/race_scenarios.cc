// The race kernels of races/races.h as scenarios ("race.*"): one process, one client task that
// runs the kernel (which starts its own threads), and a check of what the kernel saw. Variants:
//   buggy             the bug, memory-access points on (Policy::kShared): expected to fail
//   fixed             the fix, points on: must pass
//   buggy-points-off  the bug with points off (Policy::kOff): scheduling only at pthread calls,
//                     where the bug is out of reach; must pass (it documents the need for points)
// Not instrumented itself: only races/ is compiled with seedbed_instrument().
#include <functional>
#include <memory>
#include <string>

#include "races/races.h"
#include "scenarios/harness/scenario.h"
#include "sim/instrument/instrument.h"
#include "sim/world/world.h"

namespace {

using seedbed::instrument::Policy;

struct Kernel {
  const char* name;
  const char* description;
  const char* invariant;
  races::Outcome (*run)(bool buggy);
  uint64_t pct_steps;  // about the steps of one run with points on (PCT's k)
};

class RaceScenario : public seedbed::Scenario {
 public:
  explicit RaceScenario(const Kernel& kernel) : kernel_(kernel) {}
  seedbed::ScenarioInfo info() const override {
    seedbed::ScenarioInfo i{kernel_.name, kernel_.description, {"buggy", "fixed", "buggy-points-off"},
                            {"buggy"}, "", {{"buggy", {kernel_.invariant}}}};
    // A crash never happens here, but ~Kernel ends a task stopped at a memory point (a run stopped
    // early) by abandoning it: an unwind would throw through a callback gcc takes for nothrow.
    i.crash_mode = seedbed::CrashMode::kAbandon;
    i.pct_steps_estimate = kernel_.pct_steps;
    return i;
  }
  void Build(seedbed::World& world, const seedbed::RunConfig& run) override {
    buggy_ = run.variant != "fixed";
    seedbed::instrument::SetPolicy(world.kernel(), run.variant == "buggy-points-off" ? Policy::kOff : Policy::kShared);
    node_ = &world.AddProcess("node", [](seedbed::Process&) {});
  }
  void Workload(seedbed::World& world, seedbed::History&) override {
    world.SpawnClient(*node_, "main", [this] {
      outcome_ = kernel_.run(buggy_);
      done_ = true;
    });
  }
  void Check(const seedbed::World&, const seedbed::History&, seedbed::Verdict& v) override {
    if (!done_) {
      v.Fail(kernel_.invariant, "the kernel did not finish");
      return;
    }
    if (outcome_.violations > 0)
      v.Fail(kernel_.invariant, outcome_.first + " (" + std::to_string(outcome_.violations) + " time(s))");
  }

 private:
  const Kernel& kernel_;
  seedbed::Process* node_ = nullptr;
  bool buggy_ = false;
  bool done_ = false;
  races::Outcome outcome_;
};

const Kernel kStoreOrder{"race.store_order",
                         "a = 1; b = -1 stored in the wrong order against a reader that trusts a once b == -1",
                         "reader-sees-a-before-b", races::StoreOrder, 40};
const Kernel kLostUpdate{"race.lost_update",
                         "read-increment-write of a shared balance under each thread's own mutex (the wrong lock)",
                         "no-lost-update", races::LostUpdate, 400};
const Kernel kTreiberStack{"race.treiber_stack",
                           "a lock-free stack whose push stores the head with a plain store instead of a "
                           "compare-exchange",
                           "no-lost-push", races::TreiberStack, 300};
const Kernel kDoubleCheckedInit{"race.double_checked_init",
                                "double-checked locking that publishes the object before its fields are set",
                                "initialised-before-use", races::DoubleCheckedInit, 60};
const Kernel kMemtableSeq{"race.memtable_seq",
                          "a memtable whose writer publishes the sequence number before linking the entry it "
                          "covers (LevelDB sets the last sequence after the memtable insert)",
                          "snapshot-sees-its-entries", races::MemtableSeq, 150};

seedbed::ScenarioRegistration r1{[] { return std::make_unique<RaceScenario>(kStoreOrder); }};
seedbed::ScenarioRegistration r2{[] { return std::make_unique<RaceScenario>(kLostUpdate); }};
seedbed::ScenarioRegistration r3{[] { return std::make_unique<RaceScenario>(kTreiberStack); }};
seedbed::ScenarioRegistration r4{[] { return std::make_unique<RaceScenario>(kDoubleCheckedInit); }};
seedbed::ScenarioRegistration r5{[] { return std::make_unique<RaceScenario>(kMemtableSeq); }};

}  // namespace
