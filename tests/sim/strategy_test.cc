// The scheduling strategies beyond the random walk: PCT's depth on a bug that needs three ordering
// constraints, PCT and spin loops (YieldSpin), POS's race-driven redraws, SURW, and the property
// every recorded-decision strategy must keep: its decision list replays the run under any strategy.
#include <catch2/catch.hpp>

#include <memory>
#include <set>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "sim/kernel.h"
#include "sim/sync.h"

namespace seedbed {
namespace {

constexpr int kPad = 20;  // scheduling points before and between the racing steps

// A depth-3 ordering bug (Burckhardt et al.'s sense: three ordering constraints): it fires only if
// a1 < b1 < a2 < b2, i.e. each task is preempted between its two racing steps. One change point
// (PCT d=2) can preempt only one of them, so d=2 never finds it; d=3 can.
struct Depth3Result {
  bool fired = false;
  uint64_t steps = 0;
  uint64_t trace_hash = 0;
  DecisionList decisions;
};

Depth3Result RunDepth3(const KernelConfig& config) {
  Kernel kernel(config);
  int x = 0;
  Depth3Result r;
  kernel.AddProcess("p", [&](Process& p) {
    kernel.Spawn(p, "a", [&] {
      for (int i = 0; i < kPad; ++i) kernel.Yield();
      x = 1;  // a1
      for (int i = 0; i < kPad; ++i) kernel.Yield();
      if (x == 2) x = 3;  // a2
    });
    kernel.Spawn(p, "b", [&] {
      for (int i = 0; i < kPad; ++i) kernel.Yield();
      if (x == 1) x = 2;  // b1
      for (int i = 0; i < kPad; ++i) kernel.Yield();
      if (x == 3) r.fired = true;  // b2
    });
  });
  kernel.Run();
  r.steps = kernel.steps();
  r.trace_hash = kernel.trace().hash();
  r.decisions = kernel.decisions().recorded();
  return r;
}

KernelConfig Pct(uint64_t seed, int depth, uint64_t k) {
  KernelConfig c;
  c.seed = seed;
  c.strategy = Strategy::kPct;
  c.pct_depth = depth;
  c.pct_steps_estimate = k;
  return c;
}

TEST_CASE("strategy: PCT d=3 finds a depth-3 bug that d=2 cannot, once k is the run's length",
          "[kernel][pct][strategy]") {
  const uint64_t k = RunDepth3(KernelConfig{}).steps;  // what a calibration run measures
  REQUIRE(k > 4 * kPad);
  int d2 = 0, d3 = 0, d3_default_k = 0;
  for (uint64_t seed = 1; seed <= 400; ++seed) {
    d2 += RunDepth3(Pct(seed, 2, k)).fired ? 1 : 0;
    d3 += RunDepth3(Pct(seed, 3, k)).fired ? 1 : 0;
    d3_default_k += RunDepth3(Pct(seed, 3, 10000)).fired ? 1 : 0;
  }
  WARN(fmt::format("depth-3 bug over seeds 1..400 (k = {}): PCT d=2 {}, d=3 {}, d=3 with k = 10,000: {}",
                   k, d2, d3, d3_default_k));
  CHECK(d2 == 0);
  CHECK(d3 >= 5);
  // The old fixed k puts change points past the run's end: d=3 is then no better than d=2.
  CHECK(d3 > 4 * d3_default_k);
}

// A task spins (YieldSpin) until another sets a flag. Under PCT without the demotion, a spinner of
// higher priority would starve the setter until the event budget.
TEST_CASE("strategy: under PCT a spinning task yields to the task it waits for", "[kernel][pct][strategy]") {
  for (uint64_t seed = 1; seed <= 40; ++seed) {
    KernelConfig c = Pct(seed, 2, 50);
    c.event_budget = 100'000;
    Kernel kernel(c);
    bool flag = false;
    int spins = 0;
    kernel.AddProcess("p", [&](Process& p) {
      kernel.Spawn(p, "spinner", [&] {
        while (!flag && spins < 1'000'000) {
          ++spins;
          kernel.YieldSpin();
        }
      });
      kernel.Spawn(p, "setter", [&] {
        for (int i = 0; i < 5; ++i) kernel.Yield();
        flag = true;
      });
    });
    const RunResult result = kernel.Run();
    INFO("seed " << seed << ", spins " << spins);
    CHECK(result.outcome == RunOutcome::kQuiescent);
    CHECK(flag);
    CHECK(spins < 20);
  }
}

TEST_CASE("strategy: an event budget spent spinning is counted as a spin loop", "[kernel][strategy]") {
  KernelConfig c;
  c.event_budget = 5'000;
  Kernel kernel(c);
  kernel.AddProcess("p", [&](Process& p) {
    kernel.Spawn(p, "spinner", [&] {
      for (int i = 0; i < 1'000'000; ++i) kernel.YieldSpin();  // nothing ever sets what it waits for
    });
  });
  CHECK(kernel.Run().outcome == RunOutcome::kEventBudget);
  CHECK(kernel.spin_steps() >= 4'000);
  CHECK(kernel.spinning_tasks() == std::vector<std::string>{"p/spinner"});
}

// Two writers and a reader of one mutex-guarded cell, with scheduling points that touch it and
// some that touch nothing: the mutex is what POS's races are made of.
struct SharedResult {
  uint64_t trace_hash = 0;
  DecisionList decisions;
  std::string order;  // who held the mutex, in order
};

SharedResult RunShared(const KernelConfig& config) {
  std::unique_ptr<Mutex> mu;
  Kernel kernel(config);
  mu = std::make_unique<Mutex>(kernel, "cell");
  SharedResult r;
  kernel.AddProcess("p", [&](Process& p) {
    for (const char* name : {"w1", "w2", "r"}) {
      kernel.Spawn(p, name, [&, name] {
        for (int i = 0; i < 4; ++i) {
          kernel.Yield();
          MutexLock lock(*mu);
          r.order += name[0] == 'r' ? 'r' : name[1];
          kernel.Yield();  // holds the mutex across a scheduling point: the others block on it
        }
      });
    }
  });
  kernel.Run();
  r.trace_hash = kernel.trace().hash();
  r.decisions = kernel.decisions().recorded();
  return r;
}

TEST_CASE("strategy: POS and SURW runs replay exactly from their decisions, under any strategy",
          "[kernel][strategy][replay]") {
  for (Strategy s : {Strategy::kPos, Strategy::kSurw}) {
    for (uint64_t seed : {1, 2, 3, 17}) {
      KernelConfig c;
      c.seed = seed;
      c.strategy = s;
      const SharedResult original = RunShared(c);
      for (Strategy replay_under : {s, Strategy::kRandom}) {
        KernelConfig again = c;
        again.seed = seed + 1000;  // only the list decides
        again.strategy = replay_under;
        again.replay = &original.decisions;
        again.replay_options = {ReplayMatch::kBySite, ReplayTail::kSeed};
        const SharedResult replayed = RunShared(again);
        INFO("seed " << seed << " strategy " << static_cast<int>(s) << " under " << static_cast<int>(replay_under));
        CHECK(replayed.trace_hash == original.trace_hash);
        CHECK(replayed.order == original.order);
      }
    }
  }
}

TEST_CASE("strategy: POS and SURW are deterministic, differ by seed and from the random walk",
          "[kernel][strategy]") {
  for (Strategy s : {Strategy::kPos, Strategy::kSurw}) {
    KernelConfig c;
    c.strategy = s;
    c.seed = 5;
    CHECK(RunShared(c).trace_hash == RunShared(c).trace_hash);
    std::set<std::string> orders;
    for (uint64_t seed = 1; seed <= 30; ++seed) {
      c.seed = seed;
      orders.insert(RunShared(c).order);
    }
    CHECK(orders.size() >= 5);  // it explores
  }
  KernelConfig random, pos;
  random.seed = pos.seed = 9;
  pos.strategy = Strategy::kPos;
  CHECK(RunShared(random).trace_hash != RunShared(pos).trace_hash);
}

TEST_CASE("strategy: a task's next access is known at schedule time and counted",
          "[kernel][strategy]") {
  KernelConfig c;
  c.track_accesses = true;
  {
    std::unique_ptr<Mutex> mu;
    Kernel kernel(c);
    mu = std::make_unique<Mutex>(kernel, "cell");
    kernel.AddProcess("p", [&](Process& p) {
      for (const char* name : {"x", "y"}) {
        kernel.Spawn(p, name, [&] {
          MutexLock lock(*mu);
          kernel.Yield();
        });
      }
    });
    kernel.Run();
    // One of the two blocked on the mutex: its step after the hand-off touched it.
    uint64_t total = 0;
    for (const auto& [key, n] : kernel.AccessCounts()) total += n;
    CHECK(total == 1);
  }
  CHECK(Kernel::ResourceKey("mutex", "a") != Kernel::ResourceKey("mutex", "b"));
  CHECK(Kernel::ResourceKey("mutex", "a") != Kernel::ResourceKey("object", "a"));
  StrategyHints hints;
  hints.accesses_by_task = {{3, 7}, {9, 2}};
  CHECK(hints.AccessesOf(9) == 2);
  CHECK(hints.AccessesOf(4) == 0);
}

}  // namespace
}  // namespace seedbed
