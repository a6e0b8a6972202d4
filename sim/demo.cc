#include "sim/demo.h"

#include <memory>

#include <fmt/format.h>

namespace seedbed {
namespace {

struct Shared {
  int64_t counter = 0;
};

void Worker(Kernel& kernel, Shared& shared) {
  for (int i = 0; i < kDemoIncrements; ++i) {
    const int64_t seen = shared.counter;  // check ...
    kernel.Yield();                       // ... (another task may run here) ...
    shared.counter = seen + 1;            // ... then act on a stale value
    kernel.SleepFor(1000);                // all workers wake at the same instant: timer ties
  }
}

}  // namespace

DemoResult RunDemo(const KernelConfig& config, Trace* trace_out) {
  KernelConfig c = config;
  if (c.pct_steps_estimate > kDemoStepsMax) c.pct_steps_estimate = kDemoStepsMax;
  Kernel kernel(c);
  DemoResult result;
  result.seed = c.seed;
  kernel.AddProcess("demo", [&kernel, &result](Process& p) {
    Shared* shared = p.Keep(std::make_unique<Shared>());
    TaskId workers[kDemoWorkers];
    for (int w = 0; w < kDemoWorkers; ++w) {
      workers[w] = kernel.Spawn(p, fmt::format("worker-{}", w),
                                [&kernel, shared] { Worker(kernel, *shared); });
    }
    for (TaskId w : workers) kernel.Join(w);
    result.counter = shared->counter;
    const int64_t expected = int64_t{kDemoWorkers} * kDemoIncrements;
    if (shared->counter != expected) {
      result.race_fired = true;
      result.message = fmt::format("lost update: counter is {} after {} increments",
                                   shared->counter, expected);
      kernel.trace().Add(kernel.Now(), p.id(), kernel.current_task(), EventKind::kViolation,
                         result.message);
    }
  });
  const RunResult run = kernel.Run();
  result.outcome = run.outcome;
  result.events = run.events;
  result.sim_time_ns = run.end_time_ns;
  result.trace_hash = kernel.trace().hash();
  result.decisions = kernel.decisions().recorded();
  if (trace_out != nullptr) *trace_out = std::move(kernel.trace());
  return result;
}

DeterminismReport CheckDemoDeterminism(const KernelConfig& config) {
  KernelConfig c = config;
  c.trace_details = true;
  return CheckDeterminism([&c] {
    Trace trace;
    RunDemo(c, &trace);
    return trace;
  });
}

}  // namespace seedbed
