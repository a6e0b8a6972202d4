// Harness trust (issue 17): no false failures on correct code, one report per bug, and a verdict
// that says what broke. Small test scenarios registered here pin each harness defect:
//  - test.client_on_crashed_process: a client spawned on a process that crashes before the
//    client's first step was never counted as ended (the chaos phase ran to its end and the run
//    failed "liveness" at 60 s); test.client_on_abandoned_process: the same in CrashMode::kAbandon,
//    where a crash destroys no function object;
//  - test.idle_background: a background task idle on a condition variable, no client left, was a
//    "deadlock" on every seed; with a heartbeat as well, the clientless liveness phase idled its
//    whole 120 s budget, and with no client at all the chaos phase idled its 60 s;
//  - test.stuck_client: a client blocked forever was reported twice (chaos and liveness);
//  - test.slow_liveness: the liveness failure said "did not finish within 120s" whatever ended
//    the phase, and named no task;
//  - test.cycle_with_heartbeat: a lock-order deadlock next to a heartbeat was never reported
//    as one (the world was never quiescent).
#include <catch2/catch.hpp>

#include <memory>
#include <string>

#include "fmt/format.h"
#include "scenarios/campaign/campaign.h"
#include "scenarios/checks/history_checks.h"
#include "scenarios/harness/runner.h"
#include "scenarios/harness/scenario.h"
#include "scenarios/testing/testing.h"
#include "sim/sync.h"
#include "sim/world/world.h"

namespace seedbed {
namespace {

class ClientOnCrashedProcess : public Scenario {
 public:
  ScenarioInfo info() const override {
    return {"test.client_on_crashed_process", "test only", {"fixed"}, {}, "", {}};
  }
  void Build(World& world, const RunConfig&) override {
    node_ = &world.AddProcess("node", [](Process&) {});
  }
  void Workload(World& world, History&) override {
    world.SpawnClient(*node_, "doomed", [&world] { world.kernel().SleepFor(1'000'000); });
    world.SpawnClient("other", [&world] { world.kernel().SleepFor(5'000'000); });
    world.Crash(*node_);  // before "doomed" ever ran
    // And one spawned into the crashed process: born dead.
    world.SpawnClient(*node_, "unborn", [&world] { world.kernel().SleepFor(1'000'000); });
  }
  void Check(const World&, const History&, Verdict&) override {}

 private:
  Process* node_ = nullptr;
};
SEEDBED_SCENARIO(ClientOnCrashedProcess);

// The same in CrashMode::kAbandon (leveldb.crash_recovery, sqlite.crash_recovery), where a crash
// destroys nothing of its tasks, so no function object dies: the abandoned clients were never
// counted as ended. Here also a client abandoned mid-sleep, by a crash at 2 ms, and a heartbeat on
// a third process, so that the world is never quiescent: only the count can end the phase.
class ClientOnAbandonedProcess : public ClientOnCrashedProcess {
 public:
  ScenarioInfo info() const override {
    ScenarioInfo info{"test.client_on_abandoned_process", "test only", {"fixed"}, {}, "", {}};
    info.crash_mode = CrashMode::kAbandon;
    return info;
  }
  void Build(World& world, const RunConfig& run) override {
    ClientOnCrashedProcess::Build(world, run);
    late_ = &world.AddProcess("late", [](Process&) {});
    world.AddProcess("beat", [](Process& p) {
      model::Runtime& rt = *p.env().runtime;
      p.Keep(rt.Spawn("heartbeat", [&rt] {
        for (int i = 0; i < 10'000'000; ++i) rt.SleepFor(1'000'000);
      }));
    });
  }
  void Workload(World& world, History& history) override {
    ClientOnCrashedProcess::Workload(world, history);
    world.SpawnClient(*late_, "midway", [&world] { world.kernel().SleepFor(1'000'000'000); });
    world.kernel().ScheduleAt(2'000'000, [this, &world] { world.Crash(*late_); });
  }

 private:
  Process* late_ = nullptr;
};
SEEDBED_SCENARIO(ClientOnAbandonedProcess);

// A flusher waits for work on a condition variable; the workload gives it none.
class IdleBackground : public Scenario {
 public:
  ScenarioInfo info() const override {
    return {"test.idle_background", "test only", {"fixed", "heartbeat", "heartbeat-no-client"}, {}, "", {}};
  }
  void Build(World& world, const RunConfig& run) override {
    const bool heartbeat = run.variant != "fixed";
    no_client_ = run.variant == "heartbeat-no-client";
    world.AddProcess("node", [this, heartbeat](Process& p) {
      model::Runtime& rt = *p.env().runtime;
      mu_ = rt.NewMutex("work");
      cv_ = rt.NewCondVar("has-work");
      tasks_.push_back(rt.Spawn("flusher", [this] {
        model::MutexLock l(*mu_);
        for (int i = 0; i < 1000; ++i) cv_->Wait(*mu_);
      }));
      if (heartbeat)
        tasks_.push_back(rt.Spawn("heartbeat", [&rt] {
          for (int i = 0; i < 10'000'000; ++i) rt.SleepFor(1'000'000);
        }));
    });
  }
  void Workload(World& world, History&) override {
    if (no_client_) return;
    world.SpawnClient("client", [&world] { world.kernel().SleepFor(1'000'000); });
  }
  void Check(const World&, const History&, Verdict&) override {}

 private:
  bool no_client_ = false;
  std::unique_ptr<model::Mutex> mu_;
  std::unique_ptr<model::CondVar> cv_;
  std::vector<std::unique_ptr<model::TaskHandle>> tasks_;
};
SEEDBED_SCENARIO(IdleBackground);

// A client waits on a condition variable nobody notifies: a real deadlock, to be reported once.
class StuckClient : public Scenario {
 public:
  ScenarioInfo info() const override {
    return {"test.stuck_client", "test only", {"buggy"}, {"buggy"}, "", {{"buggy", {"deadlock"}}}};
  }
  void Build(World& world, const RunConfig&) override {
    mu_ = std::make_unique<Mutex>(world.kernel(), "m");
    cv_ = std::make_unique<CondVar>(world.kernel(), "never");
  }
  void Workload(World& world, History&) override {
    world.SpawnClient("stuck", [this] {
      MutexLock l(*mu_);
      cv_->Wait(*mu_);
    });
  }
  void Check(const World&, const History&, Verdict&) override {}

 private:
  std::unique_ptr<Mutex> mu_;
  std::unique_ptr<CondVar> cv_;
};
SEEDBED_SCENARIO(StuckClient);

// The liveness client sleeps past the liveness budget.
class SlowLiveness : public Scenario {
 public:
  ScenarioInfo info() const override {
    return {"test.slow_liveness", "test only", {"buggy"}, {"buggy"}, "", {{"buggy", {"liveness"}}}};
  }
  void Build(World&, const RunConfig&) override {}
  void Workload(World& world, History&) override {
    world.SpawnClient("writer", [&world] { world.kernel().SleepFor(1'000'000); });
  }
  void Liveness(World& world, History&) override {
    world.SpawnClient("final", [&world] { world.kernel().SleepFor(200'000'000'000); });
  }
  void Check(const World&, const History&, Verdict&) override {}
};
SEEDBED_SCENARIO(SlowLiveness);

// Two clients take two mutexes in opposite orders while a heartbeat runs.
class CycleWithHeartbeat : public Scenario {
 public:
  ScenarioInfo info() const override {
    return {"test.cycle_with_heartbeat", "test only", {"buggy"}, {"buggy"}, "",
            {{"buggy", {"deadlock", "lock-order-inversion"}}}};
  }
  void Build(World& world, const RunConfig&) override {
    a_ = std::make_unique<Mutex>(world.kernel(), "a");
    b_ = std::make_unique<Mutex>(world.kernel(), "b");
    world.AddProcess("node", [](Process& p) {
      model::Runtime& rt = *p.env().runtime;
      p.Keep(rt.Spawn("heartbeat", [&rt] {
        for (int i = 0; i < 10'000'000; ++i) rt.SleepFor(1'000'000);
      }));
    });
  }
  void Workload(World& world, History&) override {
    Kernel& k = world.kernel();
    world.SpawnClient("left", [this, &k] {
      MutexLock la(*a_);
      k.SleepFor(10'000'000);
      MutexLock lb(*b_);
    });
    world.SpawnClient("right", [this, &k] {
      MutexLock lb(*b_);
      k.SleepFor(10'000'000);
      MutexLock la(*a_);
    });
  }
  void Check(const World&, const History&, Verdict&) override {}

 private:
  std::unique_ptr<Mutex> a_, b_;
};
SEEDBED_SCENARIO(CycleWithHeartbeat);

size_t Count(const RunReport& r, const std::string& invariant) {
  size_t n = 0;
  for (const Violation& v : r.violations) n += v.invariant == invariant;
  return n;
}

std::string Violations(const RunReport& r) {
  std::string out;
  for (const Violation& v : r.violations) out += fmt::format("{}: {}\n", v.invariant, v.message);
  return out;
}

TEST_CASE("trust: a client on a process that crashes before its first step counts as ended", "[trust]") {
  const RunReport r = testing::RequireRun("test.client_on_crashed_process", "fixed", 1);
  INFO(Violations(r));
  CHECK_FALSE(r.failed);
  CHECK(r.sim_time_ns < 1'000'000'000);  // the chaos phase ended with the last client, at 5 ms
}

TEST_CASE("trust: in CrashMode::kAbandon an abandoned client counts as ended", "[trust]") {
  const RunReport r = testing::RequireRun("test.client_on_abandoned_process", "fixed", 1);
  INFO(Violations(r));
  CHECK_FALSE(r.failed);
  // Before: the chaos and liveness phases each ran their whole budget (180 s), the heartbeat
  // beating once a millisecond.
  CHECK(r.sim_time_ns < 1'000'000'000);  // the chaos phase ended with the last client, at 5 ms
  CHECK(r.events < 1000);
}

TEST_CASE("trust: a background task idle on a condvar is not a deadlock", "[trust][deadlock]") {
  for (uint64_t seed = 1; seed <= 5; ++seed) {
    const RunReport r = testing::RequireRun("test.idle_background", "fixed", seed);
    INFO(Violations(r));
    CHECK_FALSE(r.failed);
  }
}

// The variant's run passes and ends within 100 ms and 1,000 events although a heartbeat runs.
void RequireEndsEarly(const std::string& variant) {
  const RunReport r = testing::RequireRun("test.idle_background", variant, 1);
  INFO(Violations(r));
  CHECK_FALSE(r.failed);
  CHECK(r.sim_time_ns < 100'000'000);
  CHECK(r.events < 1000);
}

TEST_CASE("trust: a liveness phase without clients ends once recovery did, heartbeat or not", "[trust]") {
  // Before: the 120 s liveness budget idled away, one heartbeat event per millisecond.
  RequireEndsEarly("heartbeat");
}

TEST_CASE("trust: a chaos phase without clients ends once recovery did, heartbeat or not", "[trust]") {
  // Before: the 60 s chaos budget idled away, one heartbeat event per millisecond.
  RequireEndsEarly("heartbeat-no-client");
}

TEST_CASE("trust: a deadlock is reported once, not once per phase", "[trust][deadlock]") {
  RunConfig config;
  config.keep_going = true;  // every phase runs: the stuck client is still stuck in liveness
  const RunReport r = testing::RequireRun("test.stuck_client", "buggy", 1, config);
  INFO(Violations(r));
  REQUIRE(r.failed);
  CHECK(Count(r, "deadlock") == 1);
  CHECK(Count(r, "liveness") == 0);
  CHECK(r.violations.size() == 1);
  REQUIRE_FALSE(r.violations[0].evidence.empty());
  CHECK(r.violations[0].evidence[0] == "client/stuck (must finish) waits on condvar never (mutex m)");
}

TEST_CASE("trust: the liveness watchdog says why the phase ended and names what each task waits on",
          "[trust]") {
  const RunReport r = testing::RequireRun("test.slow_liveness", "buggy", 1);
  INFO(Violations(r));
  REQUIRE(r.failed);
  const Violation& v = *r.first_violation();
  CHECK(v.invariant == "liveness");
  CHECK(v.message.find("its 120s budget ran out") != std::string::npos);
  REQUIRE(v.evidence.size() == 1);
  CHECK(v.evidence[0].find("client/final (must finish) waits on sleep until") != std::string::npos);
  // A run whose time budget ends the phase early says so, instead of "within 120s".
  RunConfig config;
  config.time_budget_ns = 30'000'000'000;
  const RunReport early = testing::RequireRun("test.slow_liveness", "buggy", 1, config);
  REQUIRE(early.failed);
  CHECK(early.first_violation()->message.find("time budget ran out") != std::string::npos);
}

TEST_CASE("trust: a mutex cycle next to a heartbeat is reported when it closes", "[trust][deadlock]") {
  const RunReport r = testing::RequireRun("test.cycle_with_heartbeat", "buggy", 1);
  INFO(Violations(r));
  REQUIRE(r.failed);
  // The lock order check sees the inversion as the second order is taken, the cycle closes at 10 ms.
  CHECK(r.invariant() == "lock-order-inversion");
  CHECK(r.first_violation()->time_ns == 10'000'000);
  RunConfig config;
  config.keep_going = true;
  const RunReport full = testing::RequireRun("test.cycle_with_heartbeat", "buggy", 1, config);
  INFO(Violations(full));
  REQUIRE(Count(full, "deadlock") == 1);
  for (const Violation& v : full.violations)
    if (v.invariant == "deadlock") {
      CHECK(v.time_ns == 10'000'000);
      CHECK(v.message.find("wait-for cycle of 2 tasks") != std::string::npos);
    }
}

TEST_CASE("trust: every failing variant of every bundled scenario names the invariants it breaks",
          "[trust][expect]") {
  int checked = 0;
  for (const ScenarioInfo& info : Registry::Get().List()) {
    for (const std::string& v : info.failing_variants) {
      INFO(info.name << " [" << v << "]");
      CHECK_FALSE(info.ExpectedInvariants(v).empty());
      ++checked;
    }
  }
  CHECK(checked >= 9);
}

TEST_CASE("trust: a buggy cell failing through another invariant is UNEXPECTED", "[trust][expect]") {
  CellResult c;
  c.cell = {"s", "buggy", true, {"wal-object-written-once"}};
  c.seeds = 10;
  c.failures = 3;
  c.groups = {{"wal-object-written-once", 2, 1, "m"}, {"deadlock", 1, 4, "m"}};
  c.unexpected = 1;
  CHECK_FALSE(c.as_expected());
  CampaignResult result;
  result.cells.push_back(c);
  const std::string table = FormatCampaignTable(result);
  CHECK(table.find("UNEXPECTED FAILURE (1 of 3): deadlock x1") != std::string::npos);
  // Without the deadlock group, every failure is an expected one.
  c.groups = {{"wal-object-written-once", 3, 1, "m"}};
  c.unexpected = 0;
  CHECK(c.as_expected());
  CHECK(c.cell.Expected("wal-object-written-once"));
  CHECK_FALSE(c.cell.Expected("deadlock"));
  // A fixed cell expects nothing.
  CampaignCell fixed{"s", "fixed", false, {}};
  CHECK_FALSE(fixed.Expected("wal-object-written-once"));
}

TEST_CASE("trust: an acknowledged write no final read looked at fails loudly", "[trust][checks]") {
  History h;
  const uint64_t w1 = h.Invoke("c", OpType::kPut, "k1", "v1", 0);
  h.Ok(w1, 10);
  const uint64_t w2 = h.Invoke("c", OpType::kPut, "k2", "v2", 0);
  h.Ok(w2, 10);
  const uint64_t r1 = h.Invoke("final", OpType::kGet, "k1", "", 100);
  h.MarkFinalRead(r1);
  h.Ok(r1, 110, std::string("v1"));
  Verdict verdict;
  checks::NoLostAcknowledgedWrites(h, verdict);
  REQUIRE(verdict.violations().size() == 1);  // before: passed silently
  const Violation& v = verdict.violations()[0];
  CHECK(v.invariant == "acknowledged-write-unchecked");
  CHECK(v.message == "1 acknowledged write(s) were never checked: no final read of k2 succeeded");
  CHECK(v.ops == std::vector<uint64_t>{w2});
}

TEST_CASE("trust: influxdb3.duplicate_writer stops at its first violation, the overwrite", "[trust][stop]") {
  const RunReport r = testing::RequireRun("influxdb3.duplicate_writer", "buggy", 1);
  REQUIRE(r.failed);
  CHECK(r.invariant() == "wal-object-written-once");
  CHECK(r.violations.size() == 1);
  bool stopped = false;
  for (const std::string& note : r.notes) stopped = stopped || note.find("stopped at the first violation") != std::string::npos;
  CHECK(stopped);  // before: the overwrite was found only by the end-of-run check, after the final reads
  CHECK(r.sim_time_ns == r.first_violation()->time_ns);
}

}  // namespace
}  // namespace seedbed
