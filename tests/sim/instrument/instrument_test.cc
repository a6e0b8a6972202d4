// Memory-access points (sim/instrument/): the callbacks are ours, the shadow map's rules, Preempt,
// the policies, and the race kernels (race.*): each buggy one fails at its pinned first failing
// seed with points on and passes it with points off; fixed ones and points-off runs stay clean over
// short sweeps; failures replay; runs are deterministic. The 10,000-seed sweeps are measurements
// (reports/BENCHMARKS.md, "Memory-access points"), not tests.
#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "races/races.h"
#include "scenarios/testing/testing.h"
#include "sim/foreign/foreign.h"
#include "sim/instrument/instrument.h"
#include "sim/instrument/state.h"
#include "sim/kernel.h"

namespace {

using seedbed::Kernel;
using seedbed::KernelConfig;
using seedbed::RunConfig;
using seedbed::RunReport;
using seedbed::Strategy;
using seedbed::TaskId;
using seedbed::instrument::Policy;

uint64_t Counter(const RunReport& r, const std::string& name) {
  for (const auto& [n, v] : r.counters)
    if (n == name) return v;
  FAIL("no counter " << name);
  return 0;
}

RunConfig WithStrategy(Strategy strategy) {
  RunConfig c;
  c.strategy = strategy;
  return c;
}

// The first failing seed of each buggy kernel, per strategy (PCT at its default depth 2), with
// memory points on, as found by `seedbed_races fuzz race.X --variant buggy --seeds 1..10000`.
struct Pin {
  const char* scenario;
  const char* invariant;
  uint64_t random_seed;
  uint64_t pct_seed;
};
// The first failing seeds are the build's: the shadow map decides points per 8-byte granule, and
// under ASan+UBSan the heap and stack layout differ (ASan's allocator and redzones), so other
// granules are shared and other accesses become points. Each build is deterministic on its own
// (the same seed gives the same trace, ASLR on or off); a seed does not carry over between them.
#ifdef SEEDBED_SANITIZE
const Pin kPins[] = {
    {"race.store_order", "reader-sees-a-before-b", 12, 118},
    {"race.lost_update", "no-lost-update", 1, 4},
    {"race.treiber_stack", "no-lost-push", 1, 2},
    {"race.double_checked_init", "initialised-before-use", 215, 33},
    {"race.memtable_seq", "snapshot-sees-its-entries", 1, 3},
};
#else
const Pin kPins[] = {
    {"race.store_order", "reader-sees-a-before-b", 24, 264},
    {"race.lost_update", "no-lost-update", 1, 4},
    {"race.treiber_stack", "no-lost-push", 1, 2},
    {"race.double_checked_init", "initialised-before-use", 215, 33},
    {"race.memtable_seq", "snapshot-sees-its-entries", 3, 11},
};
#endif

// Runs `fn` as a task of a fresh kernel under `policy` and returns the kernel's counters.
seedbed::instrument::Counters RunInKernel(Policy policy, uint64_t seed, void (*fn)(), uint64_t* trace_hash = nullptr) {
  KernelConfig config;
  config.seed = seed;
  Kernel kernel(config);
  seedbed::instrument::SetPolicy(kernel, policy);
  seedbed::Process& p = kernel.AddProcess("node", [](seedbed::Process&) {});
  kernel.Spawn(p, "main", fn);
  kernel.Run();
  if (trace_hash != nullptr) *trace_hash = kernel.trace().hash();
  return seedbed::instrument::CountersOf(kernel);
}

}  // namespace

TEST_CASE("instrument: the program's __tsan_* callbacks are seedbed's, and its pthread calls interposed") {
  REQUIRE(seedbed::instrument::Linked());
  REQUIRE(seedbed::foreign::Interposed());
}

TEST_CASE("instrument: outside a world instrumented code runs on real threads, atomics atomic") {
  // No Kernel on these threads: every callback does nothing but the atomic itself. The fixed
  // kernels' own checks hold on real threads (the Treiber stack's compare-exchange loop, the
  // memtable's ordering), a few times over.
  for (int i = 0; i < 20; ++i) {
    INFO("round " << i);
    REQUIRE(races::LostUpdate(false).violations == 0);
    REQUIRE(races::TreiberStack(false).violations == 0);
    REQUIRE(races::DoubleCheckedInit(false).violations == 0);
    REQUIRE(races::MemtableSeq(false).violations == 0);
    REQUIRE(races::StoreOrder(false).violations == 0);
  }
}

TEST_CASE("instrument: Preempt draws nothing alone and is a scheduling point beside another task") {
  KernelConfig config;
  config.seed = 7;
  Kernel kernel(config);
  seedbed::Process& p = kernel.AddProcess("node", [](seedbed::Process&) {});
  int order_switches = 0;
  int last = -1;
  kernel.Spawn(p, "alone", [&] {
    const size_t before = kernel.decisions().recorded_count();
    const uint64_t events = kernel.events();
    for (int i = 0; i < 100; ++i) kernel.Preempt();
    REQUIRE(kernel.decisions().recorded_count() == before);  // nobody else runnable: no decision
    REQUIRE(kernel.events() == events);
    for (int t = 0; t < 2; ++t) {
      kernel.Spawn(p, "pair-" + std::to_string(t), [&, t] {
        for (int i = 0; i < 50; ++i) {
          if (last != -1 && last != t) ++order_switches;
          last = t;
          kernel.Preempt();
        }
      });
    }
  });
  kernel.Run();
  // Random walk: with two runnable tasks each Preempt hands over about half the time.
  REQUIRE(order_switches > 10);
  REQUIRE(kernel.decisions().recorded_count() > 50);
}

TEST_CASE("instrument: the shadow map's rules (private, read-shared, write-shared, owner ended)") {
  using seedbed::instrument::internal::Shadow;
  Kernel kernel(KernelConfig{});
  seedbed::Process& p = kernel.AddProcess("node", [](seedbed::Process&) {});
  Shadow shadow;
  std::vector<bool> points;
  const TaskId a = kernel.Spawn(p, "a", [&] {
    points.push_back(shadow.Touch(1, kernel.current_task(), true, kernel));   // new: a's
    points.push_back(shadow.Touch(1, kernel.current_task(), false, kernel));  // a's own
    points.push_back(shadow.Touch(2, kernel.current_task(), false, kernel));  // a reads 2
    kernel.Yield();
    kernel.Yield();
  });
  kernel.Spawn(p, "b", [&] {
    kernel.Yield();  // a has touched 1 and 2
    points.push_back(shadow.Touch(2, kernel.current_task(), false, kernel));  // read-shared: no point
    points.push_back(shadow.Touch(1, kernel.current_task(), false, kernel));  // a wrote it: point
    points.push_back(shadow.Touch(2, kernel.current_task(), true, kernel));   // now written: point
    kernel.Join(a);
    points.push_back(shadow.Touch(3, kernel.current_task(), true, kernel));   // new: b's
  });
  kernel.Run();
  REQUIRE(points == std::vector<bool>{false, false, false, false, true, true, false});
  REQUIRE(shadow.size() == 3);
  REQUIRE(shadow.shared() == 2);
  // A granule whose owner ended is taken over, not shared.
  Kernel k2(KernelConfig{});
  seedbed::Process& p2 = k2.AddProcess("node", [](seedbed::Process&) {});
  Shadow s2;
  bool point = true;
  const TaskId first = k2.Spawn(p2, "first", [&] { s2.Touch(9, k2.current_task(), true, k2); });
  k2.Spawn(p2, "second", [&] {
    k2.Join(first);
    point = s2.Touch(9, k2.current_task(), true, k2);
  });
  k2.Run();
  REQUIRE_FALSE(point);
  REQUIRE(s2.shared() == 0);
}

TEST_CASE("instrument: kOff makes no point, kShared some, kAll one per access") {
  const auto off = RunInKernel(Policy::kOff, 3, [] { REQUIRE(races::MemtableSeq(false).violations == 0); });
  const auto shared = RunInKernel(Policy::kShared, 3, [] { REQUIRE(races::MemtableSeq(false).violations == 0); });
  const auto all = RunInKernel(Policy::kAll, 3, [] { REQUIRE(races::MemtableSeq(false).violations == 0); });
  REQUIRE(off.points == 0);
  REQUIRE(off.granules == 0);
  REQUIRE(off.accesses > 100);
  REQUIRE(shared.points > 0);
  REQUIRE(shared.shared_granules > 0);
  REQUIRE(shared.points < shared.accesses + shared.atomics);
  REQUIRE(all.points == all.accesses + all.atomics);
  REQUIRE(all.points > shared.points);
}

TEST_CASE("instrument: each buggy race kernel first fails at its pinned seed with points on (random, pct)") {
  for (const Pin& pin : kPins) {
    for (Strategy strategy : {Strategy::kRandom, Strategy::kPct}) {
      const uint64_t seed = strategy == Strategy::kRandom ? pin.random_seed : pin.pct_seed;
      INFO(pin.scenario << " strategy " << (strategy == Strategy::kRandom ? "random" : "pct") << " seed " << seed);
      const seedbed::testing::SeedsOutcome o = seedbed::testing::RunSeeds(pin.scenario, "buggy", 1, seed, WithStrategy(strategy));
      REQUIRE(o.error.empty());
      REQUIRE(o.failing_seed.has_value());
      CHECK(*o.failing_seed == seed);
      CHECK(o.invariant == pin.invariant);
      // The same seed with memory points off: scheduling only at pthread calls, the bug is out of reach.
      const RunReport off = seedbed::testing::RequireRun(pin.scenario, "buggy-points-off", seed, WithStrategy(strategy));
      CHECK_FALSE(off.failed);
      CHECK(Counter(off, "instrument.points") == 0);
    }
  }
}

TEST_CASE("instrument: fixed race kernels and points-off runs are clean over 300 seeds (random, pct)") {
  for (const Pin& pin : kPins) {
    for (Strategy strategy : {Strategy::kRandom, Strategy::kPct}) {
      for (const char* variant : {"fixed", "buggy-points-off"}) {
        INFO(pin.scenario << " [" << variant << "] " << (strategy == Strategy::kRandom ? "random" : "pct"));
        const seedbed::testing::SeedsOutcome o = seedbed::testing::RunSeeds(pin.scenario, variant, 1, 300, WithStrategy(strategy));
        REQUIRE(o.error.empty());
        CHECK_FALSE(o.failing_seed.has_value());
        CHECK(o.seeds_run == 300);
      }
    }
  }
}

TEST_CASE("instrument: a failure found at memory points replays from its decisions, and a seed repeats") {
  for (const Pin& pin : kPins) {
    INFO(pin.scenario);
    const RunReport found = seedbed::testing::RequireRun(pin.scenario, "buggy", pin.random_seed);
    REQUIRE(found.failed);
    REQUIRE(Counter(found, "instrument.points") > 0);
    RunConfig replay;
    replay.replay = &found.decisions;
    replay.replay_options = {seedbed::ReplayMatch::kBySite, seedbed::ReplayTail::kSeed};
    // Another seed: only the recorded decisions can make it fail the same way.
    const RunReport again = seedbed::testing::RequireRun(pin.scenario, "buggy", pin.random_seed + 1000, replay);
    CHECK(again.failed);
    CHECK(again.invariant() == pin.invariant);
    CHECK(again.trace_hash == found.trace_hash);
    // The same seed after other runs in this process (other heap and stack-pool history): same trace.
    for (uint64_t s = 1; s <= 20; ++s) seedbed::testing::RequireRun(pin.scenario, "fixed", s);
    CHECK(seedbed::testing::RequireRun(pin.scenario, "buggy", pin.random_seed).trace_hash == found.trace_hash);
  }
}

TEST_CASE("instrument: a kernel run directly gives the same trace in every run of a seed") {
  uint64_t h1 = 0, h2 = 0;
  RunInKernel(Policy::kShared, 11, [] { races::TreiberStack(true); }, &h1);
  RunInKernel(Policy::kShared, 11, [] { races::TreiberStack(true); }, &h2);
  REQUIRE(h1 == h2);
}

TEST_CASE("instrument: the fixed kernels hold with every access a point (kAll, 100 seeds each)") {
  using Fn = void (*)();
  const Fn fixed[] = {
      [] { REQUIRE(races::StoreOrder(false).violations == 0); },
      [] { REQUIRE(races::LostUpdate(false).violations == 0); },
      [] { REQUIRE(races::TreiberStack(false).violations == 0); },
      [] { REQUIRE(races::DoubleCheckedInit(false).violations == 0); },
      [] { REQUIRE(races::MemtableSeq(false).violations == 0); },
  };
  for (size_t k = 0; k < std::size(fixed); ++k) {
    for (uint64_t seed = 1; seed <= 100; ++seed) {
      INFO("kernel " << k << " seed " << seed);
      REQUIRE(RunInKernel(Policy::kAll, seed, fixed[k]).points > 0);
    }
  }
  // And kAll reaches the buggy Treiber stack's lost push too (seed 1 of a bare kernel).
  uint64_t lost = 0;
  static uint64_t* out = nullptr;
  out = &lost;
  RunInKernel(Policy::kAll, 1, [] { *out = races::TreiberStack(true).violations; });
  REQUIRE(lost > 0);
}
