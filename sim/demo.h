// The kernel's built-in toy: a few tasks share a counter through a check-then-act race (read,
// yield, write), so an update is lost under some interleavings and an end-of-run assertion fires.
// `seedbed demo` and the kernel tests run it. Runs a whole simulation; never yields.
#pragma once

#include <cstdint>
#include <string>

#include "sim/decisions.h"
#include "sim/determinism.h"
#include "sim/kernel.h"
#include "sim/trace.h"

namespace seedbed {

inline constexpr int kDemoWorkers = 3;
inline constexpr int kDemoIncrements = 5;  // per worker
// Upper bound on the demo's scheduler steps. PCT's k must estimate a run's steps: RunDemo lowers
// config.pct_steps_estimate to this (the default of 10000 would put change points past the end).
inline constexpr uint64_t kDemoStepsMax = 40;

struct DemoResult {
  uint64_t seed = 0;
  RunOutcome outcome = RunOutcome::kQuiescent;
  uint64_t events = 0;        // scheduler steps + timer events
  Nanos sim_time_ns = 0;      // simulated time at the end
  uint64_t trace_hash = 0;
  bool race_fired = false;    // the lost-update assertion fired
  int64_t counter = 0;        // final value (kDemoWorkers * kDemoIncrements without a lost update)
  std::string message;        // the assertion's text when it fired
  DecisionList decisions;     // recorded: feed back through KernelConfig::replay to replay the run
};

// Runs the demo under `config` (seed, strategy, replay, budgets). If `trace_out` is set, the run's
// trace is moved there (set config.trace_details to keep its events).
DemoResult RunDemo(const KernelConfig& config, Trace* trace_out = nullptr);

// CheckDeterminism over two RunDemo(config) runs with events kept.
DeterminismReport CheckDemoDeterminism(const KernelConfig& config);

}  // namespace seedbed
