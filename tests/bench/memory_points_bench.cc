// What memory-access points cost (sim/instrument/instrument.h): per access, an instrumented loop
// timed outside a world, from a task under each policy with task-private memory (no point), at a
// point with no other task runnable (Preempt returns at once), and at points where the scheduler
// runs (kAll, two tasks); per run, the race kernels' seeds per CPU second with points on and off.
// Times are the thread's CPU time, taken outside the simulation (kernel context).
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "bench_util.h"
#include "scenarios/harness/runner.h"
#include "sim/instrument/instrument.h"
#include "sim/kernel.h"

void InstrumentedTouch(volatile int64_t* words, int64_t n);  // memory_points_loop.cc

namespace {

using seedbed::instrument::Policy;

[[gnu::noinline]] void PlainTouch(volatile int64_t* words, int64_t n) {
  for (int64_t i = 0; i < n; ++i) words[i & 7] = words[i & 7] + 1;
}

constexpr int64_t kIterations = 20'000'000;  // 2 accesses each

double NsPerAccess(double seconds, int64_t iterations) { return seconds * 1e9 / static_cast<double>(2 * iterations); }

// Runs `body` in one task of a fresh kernel under `policy`; the CPU seconds of the whole Run().
template <typename Body>
double InTask(Policy policy, Body body, seedbed::instrument::Counters* counters = nullptr) {
  seedbed::Kernel kernel(seedbed::KernelConfig{});
  seedbed::instrument::SetPolicy(kernel, policy);
  seedbed::Process& p = kernel.AddProcess("node", [](seedbed::Process&) {});
  kernel.Spawn(p, "main", [&] { body(kernel, p); });
  const double t0 = seedbed_bench::ThreadCpuSeconds();
  kernel.Run();
  const double t = seedbed_bench::ThreadCpuSeconds() - t0;
  if (counters != nullptr) *counters = seedbed::instrument::CountersOf(kernel);
  return t;
}

void PerAccess() {
  alignas(64) static volatile int64_t words[8];
  std::printf("per access (%lld iterations of a read and a write; CPU time)\n", static_cast<long long>(kIterations));
  double t0 = seedbed_bench::ThreadCpuSeconds();
  PlainTouch(words, kIterations);
  const double plain = NsPerAccess(seedbed_bench::ThreadCpuSeconds() - t0, kIterations);
  std::printf("  not instrumented:                               %6.2f ns/access\n", plain);
  t0 = seedbed_bench::ThreadCpuSeconds();
  InstrumentedTouch(words, kIterations);
  std::printf("  instrumented, outside a world:                  %6.2f ns/access\n",
              NsPerAccess(seedbed_bench::ThreadCpuSeconds() - t0, kIterations));
  for (Policy policy : {Policy::kOff, Policy::kShared}) {
    seedbed::instrument::Counters c;
    const double t = InTask(policy, [&](seedbed::Kernel&, seedbed::Process&) { InstrumentedTouch(words, kIterations); }, &c);
    std::printf("  from a task, %-6s, task-private (no point):     %6.2f ns/access (points %llu)\n",
                policy == Policy::kOff ? "kOff" : "kShared", NsPerAccess(t, kIterations),
                static_cast<unsigned long long>(c.points));
  }
  // Shared: a second task touched the words and waits to join; every access is a point, nobody
  // else is runnable, so Preempt returns at once.
  {
    seedbed::instrument::Counters c;
    const double t = InTask(Policy::kShared, [&](seedbed::Kernel& k, seedbed::Process& p) {
      for (int i = 0; i < 8; ++i) words[i] = words[i] + 1;  // not instrumented: touch through the loop
      InstrumentedTouch(words, 8);
      const seedbed::TaskId worker = k.Spawn(p, "worker", [&] { InstrumentedTouch(words, kIterations); });
      k.Join(worker);
    }, &c);
    std::printf("  from a task, kShared, shared words, no other task runnable (point, no switch):"
                " %6.2f ns/access (points %llu)\n", NsPerAccess(t, kIterations),
                static_cast<unsigned long long>(c.points));
  }
  // kAll with two tasks looping: every access is a point and the scheduler picks (random walk).
  {
    constexpr int64_t kSwitchIterations = 1'000'000;
    seedbed::instrument::Counters c;
    const double t = InTask(Policy::kAll, [&](seedbed::Kernel& k, seedbed::Process& p) {
      const seedbed::TaskId a = k.Spawn(p, "a", [&] { InstrumentedTouch(words, kSwitchIterations); });
      const seedbed::TaskId b = k.Spawn(p, "b", [&] { InstrumentedTouch(words, kSwitchIterations); });
      k.Join(a);
      k.Join(b);
    }, &c);
    std::printf("  from a task, kAll, two tasks runnable (every point a scheduler step):"
                " %6.2f ns/point (points %llu)\n", t * 1e9 / static_cast<double>(c.points),
                static_cast<unsigned long long>(c.points));
  }
}

void PerRun(double seconds) {
  std::printf("\nper run: seeds per CPU second of each race kernel (random strategy, %.1f s per cell)\n", seconds);
  std::printf("  %-26s %-18s %12s %10s %8s\n", "scenario", "variant", "seeds/s", "events", "points");
  for (const char* scenario : {"race.store_order", "race.lost_update", "race.treiber_stack", "race.double_checked_init",
                               "race.memtable_seq"}) {
    for (const char* variant : {"buggy-points-off", "buggy", "fixed"}) {
      uint64_t seeds = 0, events = 0, points = 0;
      const double t0 = seedbed_bench::ThreadCpuSeconds();
      double t = 0;
      while ((t = seedbed_bench::ThreadCpuSeconds() - t0) < seconds) {
        seedbed::RunConfig config;
        config.scenario = scenario;
        config.variant = variant;
        config.seed = ++seeds;
        auto report = seedbed::RunOnce(config);
        if (!report.ok()) {
          std::fprintf(stderr, "%s\n", std::string(report.status().message()).c_str());
          return;
        }
        events += report->events;
        for (const auto& [name, v] : report->counters)
          if (name == "instrument.points") points += v;
      }
      std::printf("  %-26s %-18s %12.0f %10.1f %8.1f\n", scenario, variant, static_cast<double>(seeds) / t,
                  static_cast<double>(events) / static_cast<double>(seeds),
                  static_cast<double>(points) / static_cast<double>(seeds));
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  double seconds = 2.0;
  for (int i = 1; i + 1 < argc; ++i)
    if (std::string(argv[i]) == "--seconds") seconds = std::stod(argv[i + 1]);
  PerAccess();
  PerRun(seconds);
  return 0;
}
