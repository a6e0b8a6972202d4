// SimRuntime and World: crash points, probes, random crashes with restarts, the heal and phases.
#include <catch2/catch.hpp>

#include <string>

#include "sim/world/world.h"
#include "tests/sim/world/world_test_util.h"

namespace seedbed {
namespace {

using testing::CheckReplays;
using testing::kMs;
using testing::RunWorld;

// A process that passes crash point "wal.after_put" on every loop of its first incarnation.
void CrashPointWorld(World& w, double arm, double fire) {
  FaultPlan plan;
  plan.crash_point_arm_probability = arm;
  plan.crash_point_fire_probability = fire;
  plan.restart_delay_ns_min = 1 * kMs;
  plan.restart_delay_ns_max = 3 * kMs;
  w.SetFaults(plan);
  w.AddProcess("node", [](Process& p) {
    model::Runtime& rt = *p.env().runtime;
    if (p.incarnation() > 0) {
      rt.Probe("recovered");
      return;
    }
    for (int i = 0; i < 5; ++i) {
      (void)p.env().store->Put("wal/" + std::to_string(i), "x", {});
      rt.CrashPoint("wal.after_put");
      rt.Probe("put done");
    }
  });
}

TEST_CASE("crash points: an armed point fires, the process crashes there and restarts",
          "[crash_point]") {
  RunWorld(1, [](World& w) { CrashPointWorld(w, 1.0, 1.0); }, nullptr, -1, [](World& w) {
    const CrashPointRecord& r = w.coverage().crash_points().at("wal.after_put");
    CHECK(r.reached == 1);
    CHECK(r.armed);
    CHECK(r.fired == 1);
    CHECK(w.faults_injected() == 1);  // one crash is one fault (it was counted twice)
    CHECK(w.store().objects().size() == 1);  // nothing of the first incarnation ran past it
    CHECK(w.coverage().probes().count("put done") == 0);
    CHECK(w.coverage().probes().at("recovered") == 1);
    CHECK(w.FindProcess("node")->incarnation() == 1);
  });
  RunWorld(1, [](World& w) { CrashPointWorld(w, 0.0, 1.0); }, nullptr, -1, [](World& w) {
    const CrashPointRecord& r = w.coverage().crash_points().at("wal.after_put");
    CHECK(r.reached == 5);
    CHECK_FALSE(r.armed);
    CHECK(r.fired == 0);
    CHECK(w.coverage().probes().at("put done") == 5);
  });
}

TEST_CASE("crash points fire deterministically for a seed, and the record says which",
          "[crash_point]") {
  int fired_runs = 0, quiet_runs = 0;
  for (uint64_t seed = 1; seed <= 30; ++seed) {
    std::vector<std::pair<std::string, std::string>> first, second;
    auto build = [](World& w) { CrashPointWorld(w, 0.5, 0.3); };
    RunWorld(seed, build, nullptr, -1, [&first](World& w) { first = w.coverage().Summary(); });
    RunWorld(seed, build, nullptr, -1, [&second](World& w) { second = w.coverage().Summary(); });
    CHECK(first == second);
    REQUIRE_FALSE(first.empty());
    CHECK(first[0].first == "crash point wal.after_put");
    (first[0].second.find("fired") != std::string::npos ? fired_runs : quiet_runs)++;
    if (seed <= 3) CheckReplays(seed, build);
  }
  CHECK(fired_runs > 0);
  CHECK(quiet_runs > 0);
}

TEST_CASE("world: random crashes restart after a delay; the heal restarts the rest; phases",
          "[world]") {
  auto build = [](World& w) {
    FaultPlan plan;
    plan.crash_interval_ns_mean = 200 * kMs;
    plan.restart_delay_ns_min = 50 * kMs;
    plan.restart_delay_ns_max = 400 * kMs;
    w.SetFaults(plan);
    for (const char* name : {"n1", "n2"})
      w.AddProcess(name, [](Process& p) {
        for (int i = 0; i < 1000; ++i) p.env().runtime->SleepFor(10 * kMs);
      });
    w.SpawnClient("workload", [&w] { w.kernel().SleepFor(2'000 * kMs); });
  };
  KernelConfig config;
  config.seed = 11;
  World w(config);
  build(w);
  bool liveness_ran = false;
  PhaseResult r = w.RunPhases(PhasePlan{5'000 * kMs, 1'000 * kMs}, [&w, &liveness_ran] {
    w.SpawnClient("final", [&w, &liveness_ran] {
      w.kernel().SleepFor(10 * kMs);
      liveness_ran = true;
    });
  });
  CHECK(r.chaos.outcome == RunOutcome::kStopped);  // the workload ended before chaos_ns
  CHECK(r.heal_ns == 2'000 * kMs);
  CHECK(r.liveness_done);
  CHECK(liveness_ran);
  CHECK(w.healed());
  uint32_t incarnations = 0;
  for (const char* name : {"n1", "n2"}) {
    CHECK_FALSE(w.FindProcess(name)->crashed());
    incarnations += w.FindProcess(name)->incarnation();
  }
  CHECK(incarnations >= 3);  // ~10 crashes expected over 2s
  CHECK(w.faults_injected() >= 3);
  CHECK_FALSE(w.FindProcess("client")->crashed());
  CHECK(w.FindProcess("client")->incarnation() == 0);
}

TEST_CASE("world: every process sees one shared store; two processes may share a prefix",
          "[world]") {
  auto build = [](World& w) {
    w.SetFaults({});
    w.AddProcess("writer", [](Process& p) { REQUIRE(p.env().store->Put("db/x", "1", {}).ok()); });
    w.AddProcess("zombie", [](Process& p) {
      p.env().runtime->SleepFor(1 * kMs);
      CHECK(p.env().store->Get("db/x")->bytes == "1");
      CHECK(p.env().store->Put("db/x", "2", {model::PutMode::kCreate, 0}).status().code() ==
            absl::StatusCode::kAlreadyExists);
    });
  };
  RunWorld(12, build);
  CheckReplays(12, build);
}

}  // namespace
}  // namespace seedbed
