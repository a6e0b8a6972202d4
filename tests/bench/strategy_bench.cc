// The scheduling strategies side by side (issue 18): for every failing (scenario, variant) and each
// strategy (random, PCT d=2, PCT d=3, POS, SURW, portfolio), N campaigns with distinct base seeds
// (campaign b runs seeds b*1000, b*1000+1, ...), each stopped at its first failing seed; prints the
// median seeds and median CPU seconds to the first failure and the share of seeds that fail (the
// maximum-likelihood rate of a geometric trial: failures found / seeds run). A campaign that finds
// nothing within its limits counts as its whole cost (a lower bound). PCT's k and SURW's estimates
// come from the calibration runs a campaign makes (scenarios/harness/runner.h, PrepareStrategy),
// made once per row and not counted in its time. A seed that fails only on the event budget or a
// deadlock does not end a campaign ("budget" column). Each row runs in a forked child, so a crash of
// an engine under test is reported and the table goes on.
// Usage: strategy_bench [--campaigns N] [--max-seeds N] [--max-seconds S] [--only SCENARIO[:VARIANT]]
//                       [--strategies random,pct2,pct3,pos,surw,portfolio]
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "fmt/format.h"
#include "scenarios/harness/runner.h"
#include "tests/bench/bench_util.h"

namespace {

struct StrategyRow {
  std::string label;
  seedbed::Strategy strategy;
  int depth;
};

const StrategyRow kRows[] = {
    {"random", seedbed::Strategy::kRandom, 2}, {"pct2", seedbed::Strategy::kPct, 2},
    {"pct3", seedbed::Strategy::kPct, 3},      {"pos", seedbed::Strategy::kPos, 2},
    {"surw", seedbed::Strategy::kSurw, 2},     {"portfolio", seedbed::Strategy::kPortfolio, 2},
};

bool HarnessStop(const std::string& invariant) {
  return invariant == "event-budget" || invariant == "deadlock" || invariant == "harness-error";
}

struct Campaign {
  bool found = false;
  uint64_t seeds = 0;
  uint64_t budget_stops = 0;
  double cpu_s = 0;
};

struct Row {
  int found = 0;
  int campaigns = 0;
  uint64_t seeds_total = 0;
  uint64_t budget_stops = 0;
  double median_seeds = 0;
  double median_cpu_s = 0;
  char credit[256] = {};  // portfolio: which member found each campaign's failure
};

Campaign RunCampaign(const seedbed::RunConfig& prepared, uint64_t base, uint64_t max_seeds, double max_seconds,
                     std::map<std::string, int>& credit) {
  Campaign c;
  const double cpu0 = seedbed_bench::ThreadCpuSeconds();
  for (uint64_t i = 0; i < max_seeds && c.cpu_s < max_seconds; ++i) {
    seedbed::RunConfig config = prepared;
    config.seed = base + i;
    absl::StatusOr<seedbed::RunReport> report = seedbed::RunOnce(config);
    ++c.seeds;
    c.cpu_s = seedbed_bench::ThreadCpuSeconds() - cpu0;
    if (!report.ok()) break;
    if (report->failed && HarnessStop(report->invariant())) {
      ++c.budget_stops;
    } else if (report->failed) {
      c.found = true;
      credit[seedbed::StrategyLabel(report->config)]++;
      break;
    }
  }
  return c;
}

// One row (cell x strategy), in this process.
Row RunRow(const seedbed_bench::Cell& cell, const StrategyRow& s, int campaigns, uint64_t max_seeds,
           double max_seconds) {
  Row row;
  seedbed::RunConfig config;
  config.scenario = cell.scenario;
  config.variant = cell.variant;
  config.strategy = s.strategy;
  config.pct_depth = s.depth;
  if (!seedbed::PrepareStrategy(config).ok()) return row;
  std::vector<double> seeds, cpu;
  std::map<std::string, int> credit;
  for (int b = 1; b <= campaigns; ++b) {
    Campaign c = RunCampaign(config, static_cast<uint64_t>(b) * 1000, max_seeds, max_seconds, credit);
    row.found += c.found ? 1 : 0;
    row.seeds_total += c.seeds;
    row.budget_stops += c.budget_stops;
    seeds.push_back(static_cast<double>(c.seeds));
    cpu.push_back(c.cpu_s);
  }
  row.campaigns = campaigns;
  row.median_seeds = seedbed_bench::Median(seeds);
  row.median_cpu_s = seedbed_bench::Median(cpu);
  std::string text;
  for (const auto& [label, n] : credit) text += fmt::format("{}{}:{}", text.empty() ? "" : ",", label, n);
  std::snprintf(row.credit, sizeof row.credit, "%s", text.c_str());
  return row;
}

Row RunIsolated(const seedbed_bench::Cell& cell, const StrategyRow& s, int campaigns, uint64_t max_seeds,
                double max_seconds, int* signal_out) {
  *signal_out = 0;
  int fds[2];
  if (pipe(fds) != 0) return RunRow(cell, s, campaigns, max_seeds, max_seconds);
  std::fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    Row r = RunRow(cell, s, campaigns, max_seeds, max_seconds);
    ssize_t n = write(fds[1], &r, sizeof r);
    _exit(n == static_cast<ssize_t>(sizeof r) ? 0 : 1);
  }
  close(fds[1]);
  Row r;
  ssize_t n = pid > 0 ? read(fds[0], &r, sizeof r) : -1;
  close(fds[0]);
  int status = 0;
  if (pid > 0) waitpid(pid, &status, 0);
  if (pid > 0 && WIFSIGNALED(status)) *signal_out = WTERMSIG(status);
  if (n != static_cast<ssize_t>(sizeof r)) r = Row{};
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  int campaigns = 20;
  uint64_t max_seeds = 5000;
  double max_seconds = 4;
  std::string only, strategies = "random,pct2,pct3,pos,surw,portfolio";
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--campaigns") == 0 && i + 1 < argc) {
      campaigns = std::atoi(argv[++i]);
    } else if (std::strcmp(argv[i], "--max-seeds") == 0 && i + 1 < argc) {
      max_seeds = std::strtoull(argv[++i], nullptr, 10);
    } else if (std::strcmp(argv[i], "--max-seconds") == 0 && i + 1 < argc) {
      max_seconds = std::atof(argv[++i]);
    } else if (std::strcmp(argv[i], "--only") == 0 && i + 1 < argc) {
      only = argv[++i];
    } else if (std::strcmp(argv[i], "--strategies") == 0 && i + 1 < argc) {
      strategies = argv[++i];
    } else {
      std::fprintf(stderr,
                   "usage: %s [--campaigns N] [--max-seeds N] [--max-seconds S] [--only SCENARIO[:VARIANT]] "
                   "[--strategies random,pct2,pct3,pos,surw,portfolio]\n",
                   argv[0]);
      return 2;
    }
  }
  if (campaigns < 1) {
    std::fprintf(stderr, "--campaigns must be at least 1\n");
    return 2;
  }
  std::vector<StrategyRow> rows;
  std::stringstream list(strategies);
  for (std::string name; std::getline(list, name, ',');) {
    bool known = false;
    for (const StrategyRow& r : kRows) {
      if (r.label == name) {
        rows.push_back(r);
        known = true;
      }
    }
    if (!known) {
      std::fprintf(stderr, "unknown strategy '%s'\n", name.c_str());
      return 2;
    }
  }
  std::printf("%d campaigns per row (base seeds 1000, 2000, ...), each stopped at its first failing seed "
              "(at most %llu seeds or %.0f CPU s)\n\n",
              campaigns, static_cast<unsigned long long>(max_seeds), max_seconds);
  std::printf("%-28s %-26s %-9s %6s %9s %10s %9s %8s %7s  %s\n", "scenario", "variant", "strategy", "found",
              "med seeds", "med cpu s", "fail %", "vs rnd", "budget", "found by");
  std::vector<std::string> crashes;
  for (const seedbed_bench::Cell& cell : seedbed_bench::AllCells(true)) {
    if (!only.empty() && (cell.scenario + ":" + cell.variant).rfind(only, 0) != 0) continue;
    double random_seeds = 0;
    for (const StrategyRow& s : rows) {
      int sig = 0;
      const Row r = RunIsolated(cell, s, campaigns, max_seeds, max_seconds, &sig);
      if (sig != 0) {
        crashes.push_back(fmt::format("{} {} {}: the run crashed (signal {})", cell.scenario, cell.variant, s.label, sig));
        continue;
      }
      if (s.strategy == seedbed::Strategy::kRandom) random_seeds = r.median_seeds;
      const double share = r.seeds_total > 0 ? 100.0 * r.found / static_cast<double>(r.seeds_total) : 0;
      const std::string vs = random_seeds > 0 && r.median_seeds > 0 ? fmt::format("{:.2f}x", random_seeds / r.median_seeds) : "-";
      std::printf("%-28s %-26s %-9s %3d/%-2d %9.1f %10.4f %8.2f%% %8s %7llu  %s\n", cell.scenario.c_str(),
                  cell.variant.c_str(), s.label.c_str(), r.found, r.campaigns, r.median_seeds, r.median_cpu_s, share,
                  vs.c_str(), static_cast<unsigned long long>(r.budget_stops),
                  s.strategy == seedbed::Strategy::kPortfolio ? r.credit : "");
      std::fflush(stdout);
    }
  }
  for (const std::string& line : crashes) std::printf("CRASH: %s\n", line.c_str());
  return 0;
}
