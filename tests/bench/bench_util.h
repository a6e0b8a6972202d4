// Helpers shared by the scenario benchmarks: the thread's CPU clock and the wall clock (benchmarks
// time themselves; no clock reaches a simulated run), medians, and the failing cells of the
// registry. Header-only; never yields.
#pragma once

#include <time.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include "scenarios/harness/scenario.h"

namespace seedbed_bench {

inline double ThreadCpuSeconds() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

inline double WallSeconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

template <typename T>
T Median(std::vector<T> v) {
  if (v.empty()) return T{};
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

struct Cell {
  std::string scenario;
  std::string variant;
  bool failing = false;
};

// Every runnable (scenario, variant) of the registry, sorted by scenario then variant order.
inline std::vector<Cell> AllCells(bool failing_only) {
  std::vector<Cell> cells;
  for (const seedbed::ScenarioInfo& info : seedbed::Registry::Get().List()) {
    if (!info.unavailable.empty()) continue;
    for (const std::string& v : info.variants) {
      const bool failing = std::find(info.failing_variants.begin(), info.failing_variants.end(), v) !=
                           info.failing_variants.end();
      if (failing_only && !failing) continue;
      cells.push_back({info.name, v, failing});
    }
  }
  return cells;
}

}  // namespace seedbed_bench
