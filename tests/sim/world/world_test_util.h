// Helpers for the world tests: run a world built by a function, and check that the same seed, and
// a replay of the recorded decisions, give the same trace hash.
#pragma once

#include <catch2/catch.hpp>

#include <cstdint>
#include <functional>

#include "sim/world/world.h"

namespace seedbed::testing {

inline constexpr Nanos kMs = 1'000'000;

struct RunRecord {
  uint64_t hash = 0;
  uint64_t events = 0;
  DecisionList decisions;
};

// Builds a fresh World with `seed` (or a replay), calls build, runs until quiescent (or `until`),
// then calls check (if any) and returns the record.
inline RunRecord RunWorld(uint64_t seed, const std::function<void(World&)>& build,
                          const DecisionList* replay = nullptr, Nanos until_ns = -1,
                          const std::function<void(World&)>& check = {}) {
  KernelConfig config;
  config.seed = seed;
  config.replay = replay;
  World world(config);
  build(world);
  if (until_ns < 0) {
    world.kernel().Run();
  } else {
    world.kernel().RunUntil(until_ns);
  }
  if (check) check(world);
  return RunRecord{world.kernel().trace().hash(), world.kernel().trace().count(),
                   world.kernel().decisions().recorded()};
}

// The same seed twice, and a replay of the first run's decisions with a different seed, must give
// one trace hash.
inline void CheckReplays(uint64_t seed, const std::function<void(World&)>& build,
                         Nanos until_ns = -1) {
  const RunRecord first = RunWorld(seed, build, nullptr, until_ns);
  const RunRecord again = RunWorld(seed, build, nullptr, until_ns);
  CHECK(first.hash == again.hash);
  CHECK(first.events == again.events);
  const RunRecord replayed = RunWorld(seed + 7919, build, &first.decisions, until_ns);
  CHECK(replayed.hash == first.hash);
}

}  // namespace seedbed::testing
