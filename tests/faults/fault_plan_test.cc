// Fault plans and swarm draws: defaults, descriptions, latency draws, recorded subsets, replay.
#include <catch2/catch.hpp>

#include <set>
#include <string>

#include "faults/fault_plan.h"
#include "faults/swarm.h"
#include "sim/world/world.h"
#include "tests/sim/world/world_test_util.h"

namespace seedbed {
namespace {

using testing::CheckReplays;
using testing::kMs;
using testing::RunWorld;

TEST_CASE("fault plan: the default injects nothing", "[faults]") {
  FaultPlan plan;
  CHECK_FALSE(plan.any());
  CHECK(plan.Describe() == "no faults");
  CHECK(plan.KeyValues().empty());
  plan.op(OpKind::kStorePut).ambiguous_probability = 0.01;
  CHECK(plan.any());
  CHECK(plan.Describe() == "store.put.ambiguous: 1%\n");
}

TEST_CASE("fault plan: latency draws follow the model and are recorded", "[faults]") {
  KernelConfig config;
  World w(config);
  WorldCore& core = w.core();
  CHECK(core.DrawLatency(LatencyModel::Fixed(5 * kMs)) == 5 * kMs);
  CHECK(w.kernel().decisions().recorded().empty());  // a fixed latency is not a decision
  for (int i = 0; i < 100; ++i) {
    const Nanos ns = core.DrawLatency(LatencyModel::Uniform(1 * kMs, 3 * kMs));
    CHECK(ns >= 1 * kMs);
    CHECK(ns <= 3 * kMs);
  }
  LatencyModel tail = LatencyModel::LogNormal(10 * kMs, 0.5).WithTail(1.0, 100);
  tail.cap_ns = 200 * kMs;
  CHECK(core.DrawLatency(tail) == 200 * kMs);
  CHECK(w.kernel().decisions().recorded().back().kind == DecisionKind::kLatency);
  CHECK(tail.Describe() == "lognormal median 10ms sigma 0.5 tail 100% x100 cap 200ms");
}

TEST_CASE("swarm: each seed enables a recorded subset of fault kinds; replay gives the same plan",
          "[faults][swarm]") {
  SwarmRanges ranges;
  std::set<std::string> seen_plans;
  std::set<std::string> kinds_seen;
  for (uint64_t seed = 1; seed <= 40; ++seed) {
    Decisions d(seed, nullptr);
    FaultPlan plan = DrawSwarmPlan(d, ranges);
    for (const std::string& k : plan.swarm_enabled) {
      kinds_seen.insert(k);
      CHECK(std::find(SwarmFaultKinds().begin(), SwarmFaultKinds().end(), k) !=
            SwarmFaultKinds().end());
    }
    CHECK(plan.swarm_enabled.size() < SwarmFaultKinds().size());  // disk_errors is off by default
    for (const Decision& decision : d.recorded()) CHECK(decision.kind == DecisionKind::kSwarm);
    seen_plans.insert(plan.Describe());
    Decisions replay(seed + 1000, &d.recorded());
    CHECK(DrawSwarmPlan(replay, ranges).Describe() == plan.Describe());
    if (!plan.swarm_enabled.empty())
      CHECK_THAT(plan.Describe(), Catch::StartsWith("swarm: " + plan.swarm_enabled[0]));
  }
  CHECK(seen_plans.size() > 30);
  CHECK(kinds_seen.size() == SwarmFaultKinds().size() - 1);
  CHECK(kinds_seen.count("disk_errors") == 0);
}

TEST_CASE("swarm: the default draws every durability profile and both crash kinds",
          "[faults][swarm]") {
  // A durable disk hides every fsync and rename bug: the default swarm must not stick to it.
  SwarmRanges ranges;
  std::set<std::string> profiles;
  int process_only = 0, machine_only = 0, mixed = 0;
  for (uint64_t seed = 1; seed <= 200; ++seed) {
    Decisions d(seed, nullptr);
    FaultPlan plan = DrawSwarmPlan(d, ranges);
    profiles.insert(DurabilityName(plan.durability));
    if (plan.crash_interval_ns_mean == 0 && plan.crash_point_arm_probability == 0) continue;
    CHECK(plan.machine_crash_probability >= 0);
    CHECK(plan.machine_crash_probability <= 1);
    if (plan.machine_crash_probability < 0.1) ++process_only;
    if (plan.machine_crash_probability > 0.9) ++machine_only;
    if (plan.machine_crash_probability > 0.1 && plan.machine_crash_probability < 0.9) ++mixed;
  }
  CHECK(profiles == std::set<std::string>{"durable", "drop-unsynced", "random", "ext4-ordered"});
  CHECK(process_only > 0);
  CHECK(machine_only > 0);
  CHECK(mixed > 0);
  // A scenario may restrict both.
  ranges.lossy_durability = {DiskDurability::kExt4Ordered};
  ranges.machine_crash_probability = {1, 1};
  for (uint64_t seed = 1; seed <= 40; ++seed) {
    Decisions d(seed, nullptr);
    FaultPlan plan = DrawSwarmPlan(d, ranges);
    CHECK((plan.durability == DiskDurability::kDurable ||
           plan.durability == DiskDurability::kExt4Ordered));
    CHECK(plan.machine_crash_probability == 1);
  }
}

TEST_CASE("swarm: a world under a swarm plan replays to the same trace hash", "[faults][swarm]") {
  auto build = [](World& w) {
    w.SetSwarm(SwarmRanges{});
    for (const char* name : {"a", "b"})
      w.AddProcess(name, [name](Process& p) {
        for (int i = 0; i < 20; ++i) {
          (void)p.env().store->Put(std::string("wal/") + std::to_string(i), name,
                                   {model::PutMode::kCreate, 0});
          p.env().runtime->CrashPoint("after_put");
          (void)p.env().transport->Send(std::string(name) == "a" ? "b" : "a", "hello");
        }
      });
  };
  for (uint64_t seed = 1; seed <= 5; ++seed) CheckReplays(seed, build, 10'000 * kMs);
}

}  // namespace
}  // namespace seedbed
