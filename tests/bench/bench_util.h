// Helpers shared by the scenario benchmarks: the thread's CPU clock and the wall clock (benchmarks
// time themselves; no clock reaches a simulated run), medians, the failing cells of the registry,
// a campaign run to its first failing seed (any strategy, guided too), and a forked child that runs
// a piece of work so a crash of an engine under test is reported and the table goes on.
// Header-only; never yields.
#pragma once

#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "scenarios/campaign/guided.h"
#include "scenarios/harness/runner.h"
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

// Failures that are not a bug's own invariant (a livelock of the harness, its event budget, an
// error): a campaign notes them and goes on.
inline bool HarnessStop(const std::string& invariant) {
  return invariant == "event-budget" || invariant == "deadlock" || invariant == "harness-error";
}

// One campaign: seeds base, base+1, ... until the first failing seed. Trivially copyable (it
// crosses a pipe from RunInChild).
struct Campaign {
  bool found = false;
  uint64_t seeds = 0;         // run, up to and including the first failing one
  uint64_t budget_stops = 0;  // seeds that failed only on the event budget or a deadlock
  double cpu_s = 0;           // this thread's CPU time
  double wall_s = 0;
  char found_by[32] = {};     // StrategyLabel of the failing run ("pct-d3": a portfolio's member)
};

// Runs `prepared` (scenario, variant, strategy, hints: PrepareStrategy done) for seeds base,
// base+1, ... until one fails on a bug's invariant, max_seeds seeds, max_cpu_s CPU seconds or a
// RunOnce error. Under the guided strategy the campaign keeps one corpus, as a campaign worker
// does (scenarios/campaign/campaign.cc, RunUnit): a seed runs a corpus child's decisions by site,
// then the seed's own draws, and offers what it reached back to the corpus.
inline Campaign RunToFirstFailure(const seedbed::RunConfig& prepared, uint64_t base, uint64_t max_seeds,
                                  double max_cpu_s) {
  Campaign c;
  const bool guided = prepared.strategy == seedbed::Strategy::kGuided;
  seedbed::GuidedCorpus corpus;
  const double cpu0 = ThreadCpuSeconds();
  const double wall0 = WallSeconds();
  for (uint64_t i = 0; i < max_seeds && c.cpu_s < max_cpu_s; ++i) {
    seedbed::RunConfig config = prepared;
    config.seed = base + i;
    config.replay = nullptr;
    std::optional<seedbed::DecisionList> child;
    if (guided) child = corpus.Child(config.seed);
    if (child) {
      config.replay = &*child;
      config.replay_options = seedbed::ReplayOptions{seedbed::ReplayMatch::kBySite, seedbed::ReplayTail::kSeed};
    }
    absl::StatusOr<seedbed::RunReport> report = seedbed::RunOnce(config);
    ++c.seeds;
    c.cpu_s = ThreadCpuSeconds() - cpu0;
    c.wall_s = WallSeconds() - wall0;
    if (!report.ok()) break;
    if (guided) corpus.Offer(report->decisions, report->features, config.seed);
    if (report->failed && HarnessStop(report->invariant())) {
      ++c.budget_stops;
    } else if (report->failed) {
      c.found = true;
      std::snprintf(c.found_by, sizeof c.found_by, "%s", seedbed::StrategyLabel(report->config).c_str());
      break;
    }
  }
  return c;
}

// Runs `work` in a forked child and returns its result through a pipe: a crash of the engine under
// test (a signal) sets *signal_out and returns T{} instead of ending the benchmark. Without a pipe,
// runs it in this process.
template <typename T, typename Work>
T RunInChild(Work work, int* signal_out) {
  static_assert(std::is_trivially_copyable_v<T>, "the result crosses a pipe");
  *signal_out = 0;
  int fds[2];
  if (pipe(fds) != 0) return work();
  std::fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    T r = work();
    ssize_t n = write(fds[1], &r, sizeof r);
    _exit(n == static_cast<ssize_t>(sizeof r) ? 0 : 1);
  }
  close(fds[1]);
  T r{};
  ssize_t n = pid > 0 ? read(fds[0], &r, sizeof r) : -1;
  close(fds[0]);
  int status = 0;
  if (pid > 0) waitpid(pid, &status, 0);
  if (pid > 0 && WIFSIGNALED(status)) *signal_out = WTERMSIG(status);
  if (n != static_cast<ssize_t>(sizeof r)) r = T{};
  return r;
}

// The flags the time-to-failure benchmarks share; ParseCampaignFlag consumes argv[*i] (and its
// value) when it is one of them.
struct CampaignFlags {
  int campaigns = 20;
  uint64_t max_seeds = 5000;
  double max_seconds = 4;
  std::string only;  // SCENARIO or SCENARIO:VARIANT prefix
  bool Skips(const Cell& cell) const {
    return !only.empty() && (cell.scenario + ":" + cell.variant).rfind(only, 0) != 0;
  }
};
inline bool ParseCampaignFlag(int argc, char** argv, int* i, CampaignFlags* flags) {
  if (*i + 1 >= argc) return false;
  const char* flag = argv[*i];
  const char* value = argv[*i + 1];
  if (std::strcmp(flag, "--campaigns") == 0) {
    flags->campaigns = std::atoi(value);
  } else if (std::strcmp(flag, "--max-seeds") == 0) {
    flags->max_seeds = std::strtoull(value, nullptr, 10);
  } else if (std::strcmp(flag, "--max-seconds") == 0) {
    flags->max_seconds = std::atof(value);
  } else if (std::strcmp(flag, "--only") == 0) {
    flags->only = value;
  } else {
    return false;
  }
  ++*i;
  return true;
}
inline void PrintCampaignsLine(const CampaignFlags& flags, const char* bases = "1000, 2000, ...") {
  std::printf("%d campaigns per row (base seeds %s), each stopped at its first failing seed "
              "(at most %llu seeds or %.0f CPU s)\n\n",
              flags.campaigns, bases, static_cast<unsigned long long>(flags.max_seeds), flags.max_seconds);
}

}  // namespace seedbed_bench
