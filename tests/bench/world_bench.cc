// What each fault costs per object-store op: wall-clock nanoseconds per simulated put with no
// faults, with a latency model, and with error and ambiguity draws. A plain main: prints figures;
// not a timed test. Measures process CPU time (the machine is shared), best of 3 runs. Clocks are
// read here only; they never reach a simulation.
#include <time.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <string>

#include "sim/world/world.h"

namespace {

using seedbed::FaultPlan;
using seedbed::LatencyModel;
using seedbed::OpKind;

constexpr int kPuts = 200'000;

double CpuNanos() {
  timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e9 + static_cast<double>(ts.tv_nsec);
}

double NsPerPut(const FaultPlan& plan, int puts) {
  seedbed::KernelConfig config;
  config.seed = 1;
  config.trace_details = false;
  config.event_budget = 100'000'000;
  config.time_budget_ns = INT64_MAX / 2;  // latency must not stop the run early
  seedbed::World world(config);
  world.SetFaults(plan);
  world.AddProcess("node", [puts](seedbed::Process& p) {
    const std::string bytes(100, 'x');
    for (int i = 0; i < puts; ++i) (void)p.env().store->Put("wal/" + std::to_string(i % 64), bytes, {});
  });
  const double start = CpuNanos();
  world.kernel().Run();
  const double elapsed = CpuNanos() - start;
  const size_t done = world.store().history().size();  // every put, whatever its outcome
  if (done != static_cast<size_t>(puts)) std::printf("  (warning: only %zu of %d puts ran)\n", done, puts);
  return elapsed / static_cast<double>(done);
}

double Best(const FaultPlan& plan, int puts) {
  double best = NsPerPut(plan, puts);
  for (int i = 0; i < 2; ++i) best = std::min(best, NsPerPut(plan, puts));
  return best;
}

}  // namespace

int main() {
  FaultPlan none;
  FaultPlan fixed;
  fixed.op(OpKind::kStorePut).latency = LatencyModel::Fixed(5'000'000);
  FaultPlan lognormal;
  lognormal.op(OpKind::kStorePut).latency = LatencyModel::LogNormal(20e6, 0.7).WithTail(0.01, 20);
  FaultPlan errors;
  errors.op(OpKind::kStorePut).error_probability = 0.01;
  errors.op(OpKind::kStorePut).ambiguous_probability = 0.01;
  FaultPlan all = lognormal;
  all.op(OpKind::kStorePut).error_probability = 0.01;
  all.op(OpKind::kStorePut).ambiguous_probability = 0.01;

  (void)NsPerPut(none, 10'000);  // warm-up
  const double base = Best(none, kPuts);
  std::printf("world_bench: CPU ns per simulated object-store put (%d puts, 100 B, history kept)\n",
              kPuts);
  std::printf("  %-36s %8.0f ns\n", "no faults (a yield per op)", base);
  const struct {
    const char* name;
    const FaultPlan* plan;
  } rows[] = {{"fixed latency 5ms (sleep, timer)", &fixed},
              {"log-normal latency + tail (3 draws)", &lognormal},
              {"error 1% + ambiguous 1% (2 draws)", &errors},
              {"log-normal + errors + ambiguity", &all}};
  for (const auto& row : rows) {
    const double ns = Best(*row.plan, kPuts);
    std::printf("  %-36s %8.0f ns  (+%.0f ns, x%.2f)\n", row.name, ns, ns - base, ns / base);
  }
  return 0;
}
