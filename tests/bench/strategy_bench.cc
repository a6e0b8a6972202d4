// The exploration strategies side by side (issue 18): for every failing (scenario, variant) of the
// seedbed command (it links what the command links: the bundled scenarios, SQLite and, when built,
// LevelDB) and each strategy the command takes (seedbed::kStrategies; PCT as d=2 and d=3), N
// campaigns with distinct base seeds (campaign b runs seeds b*1000+b-1, b*1000+b, ...), each stopped at
// its first failing seed; prints the median seeds and median CPU seconds to the first failure and
// the share of seeds that fail (the maximum-likelihood rate of a geometric trial: failures found /
// seeds run). A campaign that finds nothing within its limits counts as its whole cost (a lower
// bound). PCT's k and SURW's estimates come from the calibration runs a campaign makes
// (scenarios/harness/runner.h, PrepareStrategy), made once per row and not counted in its time;
// guided keeps one corpus per campaign, as a campaign worker does. A seed that fails only on the
// event budget or a deadlock does not end a campaign ("budget" column). Each campaign runs in a
// forked child, so a crash of an engine under test is reported and the table goes on, and a
// LevelDB campaign's abandoned instances do not pile up in one process.
// Usage: strategy_bench [--campaigns N] [--max-seeds N] [--max-seconds S] [--only SCENARIO[:VARIANT]]
//                       [--strategies LIST] [--list-strategies]
#include <cstdio>
#include <cstring>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "fmt/format.h"
#include "scenarios/harness/failure_file.h"
#include "scenarios/harness/runner.h"
#include "tests/bench/bench_util.h"

namespace {

struct StrategyRow {
  std::string label;
  seedbed::Strategy strategy;
  int depth;
};

// One row per strategy the command takes, in its order; PCT twice (d=2, d=3).
std::vector<StrategyRow> AllRows() {
  std::vector<StrategyRow> rows;
  for (seedbed::Strategy s : seedbed::kStrategies) {
    if (s == seedbed::Strategy::kPct) {
      rows.push_back({"pct2", s, 2});
      rows.push_back({"pct3", s, 3});
    } else {
      rows.push_back({std::string(seedbed::StrategyName(s)), s, 2});
    }
  }
  return rows;
}

std::string RowNames(const std::vector<StrategyRow>& rows) {
  std::string out;
  for (const StrategyRow& r : rows) out += (out.empty() ? "" : ",") + r.label;
  return out;
}

struct Row {
  bool prepared = false;
  int found = 0;
  uint64_t seeds_total = 0;
  uint64_t budget_stops = 0;
  double median_seeds = 0;
  double median_cpu_s = 0;
  std::string found_by;  // portfolio: which member found each campaign's failure
  std::vector<std::string> crashes;
};

Row RunRow(const seedbed_bench::Cell& cell, const StrategyRow& s, const seedbed_bench::CampaignFlags& flags) {
  Row row;
  seedbed::RunConfig config;
  config.scenario = cell.scenario;
  config.variant = cell.variant;
  config.strategy = s.strategy;
  config.pct_depth = s.depth;
  if (!seedbed::PrepareStrategy(config).ok()) return row;
  row.prepared = true;
  std::vector<double> seeds, cpu;
  std::map<std::string, int> found_by;
  for (int b = 1; b <= flags.campaigns; ++b) {
    // b * 1000 + b - 1: the campaigns start at different members of the portfolio's round-robin
    // (with b * 1000 every one started at member 0, and the medians of rows whose bug fails on most
    // seeds were that member's).
    const uint64_t base = static_cast<uint64_t>(b) * 1000 + static_cast<uint64_t>(b) - 1;
    int sig = 0;
    const seedbed_bench::Campaign c = seedbed_bench::RunInChild<seedbed_bench::Campaign>(
        [&] { return seedbed_bench::RunToFirstFailure(config, base, flags.max_seeds, flags.max_seconds); }, &sig);
    if (sig != 0) {
      row.crashes.push_back(fmt::format("{} {} {} campaign base {}: the run crashed (signal {})", cell.scenario,
                                        cell.variant, s.label, base, sig));
      continue;
    }
    row.found += c.found ? 1 : 0;
    row.seeds_total += c.seeds;
    row.budget_stops += c.budget_stops;
    if (c.found) found_by[c.found_by]++;
    seeds.push_back(static_cast<double>(c.seeds));
    cpu.push_back(c.cpu_s);
  }
  row.median_seeds = seedbed_bench::Median(seeds);
  row.median_cpu_s = seedbed_bench::Median(cpu);
  for (const auto& [label, n] : found_by)
    row.found_by += fmt::format("{}{}:{}", row.found_by.empty() ? "" : ",", label, n);
  return row;
}

int Usage(const char* program, const std::vector<StrategyRow>& all) {
  std::fprintf(stderr,
               "usage: %s [--campaigns N] [--max-seeds N] [--max-seconds S] [--only SCENARIO[:VARIANT]] "
               "[--strategies %s] [--list-strategies]\n",
               program, RowNames(all).c_str());
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  seedbed_bench::CampaignFlags flags;
  const std::vector<StrategyRow> all = AllRows();
  std::string strategies = RowNames(all);
  for (int i = 1; i < argc; ++i) {
    if (seedbed_bench::ParseCampaignFlag(argc, argv, &i, &flags)) continue;
    if (std::strcmp(argv[i], "--strategies") == 0 && i + 1 < argc) {
      strategies = argv[++i];
    } else if (std::strcmp(argv[i], "--list-strategies") == 0) {
      std::printf("%s\n", RowNames(all).c_str());
      return 0;
    } else {
      return Usage(argv[0], all);
    }
  }
  if (flags.campaigns < 1) {
    std::fprintf(stderr, "--campaigns must be at least 1\n");
    return 2;
  }
  std::vector<StrategyRow> rows;
  std::stringstream list(strategies);
  for (std::string name; std::getline(list, name, ',');) {
    auto it = std::find_if(all.begin(), all.end(), [&](const StrategyRow& r) { return r.label == name; });
    if (it == all.end()) {
      std::fprintf(stderr, "unknown strategy '%s' (%s)\n", name.c_str(), RowNames(all).c_str());
      return 2;
    }
    rows.push_back(*it);
  }
  seedbed_bench::PrintCampaignsLine(flags, "1000, 2001, 3002, ...");
  std::printf("%-28s %-26s %-9s %6s %9s %10s %9s %8s %7s  %s\n", "scenario", "variant", "strategy", "found",
              "med seeds", "med cpu s", "fail %", "vs rnd", "budget", "found by");
  std::vector<std::string> crashes;
  for (const seedbed_bench::Cell& cell : seedbed_bench::AllCells(true)) {
    if (flags.Skips(cell)) continue;
    double random_seeds = 0;
    for (const StrategyRow& s : rows) {
      const Row r = RunRow(cell, s, flags);
      crashes.insert(crashes.end(), r.crashes.begin(), r.crashes.end());
      if (!r.prepared) {
        crashes.push_back(fmt::format("{} {} {}: the calibration runs failed", cell.scenario, cell.variant, s.label));
        continue;
      }
      if (s.strategy == seedbed::Strategy::kRandom) random_seeds = r.median_seeds;
      const double share = r.seeds_total > 0 ? 100.0 * r.found / static_cast<double>(r.seeds_total) : 0;
      const std::string vs =
          random_seeds > 0 && r.median_seeds > 0 ? fmt::format("{:.2f}x", random_seeds / r.median_seeds) : "-";
      std::printf("%-28s %-26s %-9s %3d/%-2d %9.1f %10.4f %8.2f%% %8s %7llu  %s\n", cell.scenario.c_str(),
                  cell.variant.c_str(), s.label.c_str(), r.found, flags.campaigns, r.median_seeds, r.median_cpu_s,
                  share, vs.c_str(), static_cast<unsigned long long>(r.budget_stops),
                  s.strategy == seedbed::Strategy::kPortfolio ? r.found_by.c_str() : "");
      std::fflush(stdout);
    }
  }
  for (const std::string& line : crashes) std::printf("CRASH: %s\n", line.c_str());
  return 0;
}
