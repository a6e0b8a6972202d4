// Memory benchmark (a plain binary, not a timed test): peak RSS with N live tasks (default 100,000),
// each blocked in SleepFor, and the stack bytes per task: mapped (KernelConfig::stack_bytes, plus a
// guard page for guarded stacks) versus touched (RSS growth / N). Target (issue 7): 100,000 live
// tasks in <= 2 GiB. Also prints the mappings: a guarded stack is two (guard page + stack), and
// vm.max_map_count caps them, so past StackPool::DefaultGuardedLimit() stacks come from slabs of
// StackPool::kSlabStacks in one mapping, protected by a canary instead of a guard page.
// Usage: memory_bench [--tasks N] [--stack-kib K]
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <new>
#include <string>

#include "sim/kernel.h"
#include "sim/stack_pool.h"

namespace {

// A field of /proc/self/status, in KiB ("VmRSS", "VmHWM").
long StatusKib(const char* field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  const size_t n = std::strlen(field);
  while (std::getline(in, line))
    if (line.compare(0, n, field) == 0 && line.size() > n && line[n] == ':') return std::atol(line.c_str() + n + 1);
  return -1;
}

long MapCount() {
  std::ifstream in("/proc/self/maps");
  std::string line;
  long n = 0;
  while (std::getline(in, line)) ++n;
  return n;
}

long MaxMapCount() {
  std::ifstream in("/proc/sys/vm/max_map_count");
  long n = -1;
  in >> n;
  return n;
}

}  // namespace

int main(int argc, char** argv) {
  int tasks = 100'000;
  size_t stack_kib = 64;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--tasks") == 0 && i + 1 < argc) {
      tasks = std::atoi(argv[++i]);
    } else if (std::strcmp(argv[i], "--stack-kib") == 0 && i + 1 < argc) {
      stack_kib = static_cast<size_t>(std::atol(argv[++i]));
    } else {
      std::fprintf(stderr, "usage: %s [--tasks N] [--stack-kib K]\n", argv[0]);
      return 2;
    }
  }
  const long rss_before_kib = StatusKib("VmRSS");
  const long maps_before = MapCount();
  seedbed::KernelConfig config;
  config.seed = 1;
  config.trace_details = false;
  config.event_budget = ~uint64_t{0};
  config.stack_bytes = stack_kib * 1024;
  auto pool = std::make_shared<seedbed::StackPool>(config.stack_bytes);
  config.stack_pool = pool;
  long rss_live_kib = -1, maps_live = -1;
  int started = 0;
  bool failed = false;
  std::string error;
  try {
    seedbed::Kernel kernel(config);
    kernel.AddProcess("bench", [&kernel, &started, tasks](seedbed::Process& p) {
      for (int t = 0; t < tasks; ++t) {
        kernel.Spawn(p, "sleeper", [&kernel, &started] {
          ++started;
          kernel.SleepFor(1'000'000'000);
        });
      }
    });
    // Every task runs to its sleep before t = 1 s; measure while all are live.
    kernel.RunUntil(500'000'000);
    rss_live_kib = StatusKib("VmRSS");
    maps_live = MapCount();
    const seedbed::RunResult end = kernel.Run();
    if (end.outcome != seedbed::RunOutcome::kQuiescent) error = "run did not end quiescent";
  } catch (const std::bad_alloc&) {
    failed = true;
    error = "std::bad_alloc while mapping stacks (mmap or mprotect failed)";
  }
  const long peak_kib = StatusKib("VmHWM");
  const size_t page = 4096;
  std::printf("live tasks: %d requested, %d reached their sleep%s\n", tasks, started,
              failed ? " (FAILED: " : "");
  if (failed) std::printf("  %s)\n", error.c_str());
  std::printf("stack per task: %zu KiB usable (+ a %zu KiB guard page if guarded), virtual\n",
              pool->stack_bytes() / 1024, page / 1024);
  std::printf("stacks mapped: %zu = %zu guarded (limit %zu) + %zu slabs of %zu (%.2f GiB of virtual memory)\n",
              pool->mapped(), pool->guarded(), seedbed::StackPool::DefaultGuardedLimit(), pool->slabs(),
              seedbed::StackPool::kSlabStacks,
              static_cast<double>(pool->mapped() * pool->stack_bytes() + pool->guarded() * page) / (1 << 30));
  if (rss_live_kib > 0 && started > 0) {
    std::printf("RSS before: %.1f MiB; with all tasks live: %.1f MiB; per task: %.0f bytes touched\n",
                rss_before_kib / 1024.0, rss_live_kib / 1024.0,
                static_cast<double>(rss_live_kib - rss_before_kib) * 1024 / started);
  }
  std::printf("peak RSS (VmHWM): %.1f MiB = %.3f GiB (target <= 2 GiB for 100,000 tasks)\n",
              peak_kib / 1024.0, peak_kib / 1024.0 / 1024.0);
  std::printf("memory mappings: %ld before, %ld with all tasks live; vm.max_map_count = %ld\n",
              maps_before, maps_live, MaxMapCount());
  if (!error.empty() && !failed) std::printf("note: %s\n", error.c_str());
  return failed ? 1 : 0;
}
