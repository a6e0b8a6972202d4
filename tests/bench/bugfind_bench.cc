// Time to find each seed bug (a plain binary, not a timed test): for every failing (scenario,
// variant) and for the random and PCT strategies, 20 campaigns with distinct base seeds (campaign b
// runs seeds b*1000, b*1000+1, ... in this thread) each stop at their first failing seed; prints the
// median seeds and the median time to it, beside the real-thread baseline's time to first failure
// (stress_baseline --tsv output, if given) and the ratio. Targets (issue 7): each bug found in <= 1 s
// median, and >= 100x sooner than the baseline (or the baseline finds nothing in its limit).
// Times: the thread's CPU time (the figure reported and compared) and wall time (shown; the machine
// is shared, so wall time includes time spent descheduled).
// A seed that fails only on the event budget or a deadlock (a livelock of the harness, not the
// bug's invariant) does not end a campaign; the "budget" column counts them.
// Usage: bugfind_bench [--campaigns N] [--max-seeds N] [--max-seconds S] [--baseline TSV]
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "fmt/format.h"
#include "scenarios/harness/runner.h"
#include "tests/bench/bench_util.h"

namespace {

struct Baseline {
  double limit_s = 0;
  std::optional<double> found_s;  // nullopt: not found within limit_s
};

// Lines "scenario<TAB>variant<TAB>iterations<TAB>seconds-or-'-'<TAB>limit_s".
std::map<std::string, Baseline> ReadBaseline(const std::string& path) {
  std::map<std::string, Baseline> out;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string scenario, variant, iterations, found, limit;
    if (!std::getline(fields, scenario, '\t') || !std::getline(fields, variant, '\t') ||
        !std::getline(fields, iterations, '\t') || !std::getline(fields, found, '\t') ||
        !std::getline(fields, limit, '\t'))
      continue;
    Baseline b;
    b.limit_s = std::atof(limit.c_str());
    if (found != "-") b.found_s = std::atof(found.c_str());
    out[scenario + ":" + variant] = b;
  }
  return out;
}

// Failures that are not a bug's own invariant: a campaign notes them and goes on.
bool HarnessStop(const std::string& invariant) {
  return invariant == "event-budget" || invariant == "deadlock" || invariant == "harness-error";
}

struct Campaign {
  bool found = false;
  uint64_t budget_stops = 0;  // seeds that failed only on the event budget or a deadlock
  uint64_t seeds = 0;  // run up to and including the first failing one
  double cpu_s = 0;
  double wall_s = 0;
};

Campaign RunCampaign(const seedbed_bench::Cell& cell, seedbed::Strategy strategy, uint64_t base,
                     uint64_t max_seeds, double max_seconds) {
  Campaign c;
  const double cpu0 = seedbed_bench::ThreadCpuSeconds();
  const double wall0 = seedbed_bench::WallSeconds();
  for (uint64_t i = 0; i < max_seeds && c.cpu_s < max_seconds; ++i) {
    seedbed::RunConfig config;
    config.scenario = cell.scenario;
    config.variant = cell.variant;
    config.seed = base + i;
    config.strategy = strategy;
    absl::StatusOr<seedbed::RunReport> report = seedbed::RunOnce(config);
    ++c.seeds;
    c.cpu_s = seedbed_bench::ThreadCpuSeconds() - cpu0;
    c.wall_s = seedbed_bench::WallSeconds() - wall0;
    if (!report.ok()) break;
    if (report->failed && HarnessStop(report->invariant())) {
      ++c.budget_stops;
    } else if (report->failed) {
      c.found = true;
      break;
    }
  }
  return c;
}

// The campaign in a forked child, so a crash of the engine under test (a signal) is reported as
// such and the table goes on. The child sends the Campaign back through a pipe.
Campaign RunIsolated(const seedbed_bench::Cell& cell, seedbed::Strategy strategy, uint64_t base,
                     uint64_t max_seeds, double max_seconds, int* signal_out) {
  *signal_out = 0;
  int fds[2];
  if (pipe(fds) != 0) return RunCampaign(cell, strategy, base, max_seeds, max_seconds);
  std::fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    Campaign c = RunCampaign(cell, strategy, base, max_seeds, max_seconds);
    ssize_t n = write(fds[1], &c, sizeof c);
    _exit(n == static_cast<ssize_t>(sizeof c) ? 0 : 1);
  }
  close(fds[1]);
  Campaign c;
  ssize_t n = pid > 0 ? read(fds[0], &c, sizeof c) : -1;
  close(fds[0]);
  int status = 0;
  if (pid > 0) waitpid(pid, &status, 0);
  if (pid > 0 && WIFSIGNALED(status)) *signal_out = WTERMSIG(status);
  if (n != static_cast<ssize_t>(sizeof c)) c = Campaign{};
  return c;
}

}  // namespace

int main(int argc, char** argv) {
  int campaigns = 20;
  uint64_t max_seeds = 20000;
  double max_seconds = 4;
  std::string baseline_path, only;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--campaigns") == 0 && i + 1 < argc) {
      campaigns = std::atoi(argv[++i]);
    } else if (std::strcmp(argv[i], "--max-seeds") == 0 && i + 1 < argc) {
      max_seeds = std::strtoull(argv[++i], nullptr, 10);
    } else if (std::strcmp(argv[i], "--max-seconds") == 0 && i + 1 < argc) {
      max_seconds = std::atof(argv[++i]);
    } else if (std::strcmp(argv[i], "--baseline") == 0 && i + 1 < argc) {
      baseline_path = argv[++i];
    } else if (std::strcmp(argv[i], "--only") == 0 && i + 1 < argc) {
      only = argv[++i];  // SCENARIO or SCENARIO:VARIANT prefix
    } else {
      std::fprintf(stderr, "usage: %s [--campaigns N] [--max-seeds N] [--max-seconds S] [--baseline TSV] [--only SCENARIO[:VARIANT]]\n", argv[0]);
      return 2;
    }
  }
  std::vector<std::string> crashes;
  std::map<std::string, Baseline> baseline;
  if (!baseline_path.empty()) baseline = ReadBaseline(baseline_path);
  std::printf("%d campaigns per row (base seeds 1000, 2000, ...), each stopped at its first failing seed "
              "(at most %llu seeds or %.0f CPU s)\n\n",
              campaigns, static_cast<unsigned long long>(max_seeds), max_seconds);
  std::printf("%-28s %-10s %-6s %6s %9s %10s %10s %12s %11s %9s %6s %7s\n", "scenario", "variant", "strat",
              "found", "med seeds", "med cpu s", "med wall s", "worst cpu s", "baseline s", "ratio", "<=1s",
              "budget");
  for (const seedbed_bench::Cell& cell : seedbed_bench::AllCells(true)) {
    if (!only.empty() && (cell.scenario + ":" + cell.variant).rfind(only, 0) != 0) continue;
    for (seedbed::Strategy strategy : {seedbed::Strategy::kRandom, seedbed::Strategy::kPct}) {
      std::vector<uint64_t> seeds;
      std::vector<double> cpu, wall;
      int found = 0;
      uint64_t budget_stops = 0;
      double worst = 0;
      for (int b = 1; b <= campaigns; ++b) {
        int sig = 0;
        Campaign c = RunIsolated(cell, strategy, static_cast<uint64_t>(b) * 1000, max_seeds, max_seconds, &sig);
        if (sig != 0) {
          crashes.push_back(fmt::format("{} {} {} campaign base {}: the run crashed (signal {})",
                                        cell.scenario, cell.variant,
                                        strategy == seedbed::Strategy::kPct ? "pct" : "random",
                                        static_cast<uint64_t>(b) * 1000, sig));
          continue;
        }
        found += c.found ? 1 : 0;
        budget_stops += c.budget_stops;
        // A campaign that found nothing counts as its whole cost (a lower bound on the true figure).
        seeds.push_back(c.seeds);
        cpu.push_back(c.cpu_s);
        wall.push_back(c.wall_s);
        worst = std::max(worst, c.cpu_s);
      }
      const double med_cpu = seedbed_bench::Median(cpu);
      std::string base = "-", ratio = "-";
      auto it = baseline.find(cell.scenario + ":" + cell.variant);
      if (it != baseline.end()) {
        if (it->second.found_s) {
          base = fmt::format("{:.2f}", *it->second.found_s);
          ratio = med_cpu > 0 ? fmt::format("{:.0f}x", *it->second.found_s / med_cpu) : "-";
        } else {
          base = fmt::format(">{:.0f}", it->second.limit_s);
          ratio = med_cpu > 0 ? fmt::format(">{:.0f}x", it->second.limit_s / med_cpu) : "-";
        }
      }
      std::printf("%-28s %-10s %-6s %3d/%-2d %9llu %10.4f %10.4f %12.4f %11s %9s %6s %7llu\n",
                  cell.scenario.c_str(), cell.variant.c_str(),
                  strategy == seedbed::Strategy::kPct ? "pct" : "random", found, campaigns,
                  static_cast<unsigned long long>(seedbed_bench::Median(seeds)), med_cpu,
                  seedbed_bench::Median(wall), worst, base.c_str(), ratio.c_str(),
                  found * 2 > campaigns && med_cpu <= 1.0 ? "met" : "MISSED",
                  static_cast<unsigned long long>(budget_stops));
      std::fflush(stdout);
    }
  }
  for (const std::string& line : crashes) std::printf("CRASH: %s\n", line.c_str());
  return 0;
}
