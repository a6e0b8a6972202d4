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

}  // namespace

int main(int argc, char** argv) {
  seedbed_bench::CampaignFlags flags;
  flags.max_seeds = 20000;
  std::string baseline_path;
  for (int i = 1; i < argc; ++i) {
    if (seedbed_bench::ParseCampaignFlag(argc, argv, &i, &flags)) continue;
    if (std::strcmp(argv[i], "--baseline") == 0 && i + 1 < argc) {
      baseline_path = argv[++i];
    } else {
      std::fprintf(stderr, "usage: %s [--campaigns N] [--max-seeds N] [--max-seconds S] [--baseline TSV] [--only SCENARIO[:VARIANT]]\n", argv[0]);
      return 2;
    }
  }
  const int campaigns = flags.campaigns;
  std::vector<std::string> crashes;
  std::map<std::string, Baseline> baseline;
  if (!baseline_path.empty()) baseline = ReadBaseline(baseline_path);
  seedbed_bench::PrintCampaignsLine(flags);
  std::printf("%-28s %-10s %-6s %6s %9s %10s %10s %12s %11s %9s %6s %7s\n", "scenario", "variant", "strat",
              "found", "med seeds", "med cpu s", "med wall s", "worst cpu s", "baseline s", "ratio", "<=1s",
              "budget");
  for (const seedbed_bench::Cell& cell : seedbed_bench::AllCells(true)) {
    if (flags.Skips(cell)) continue;
    for (seedbed::Strategy strategy : {seedbed::Strategy::kRandom, seedbed::Strategy::kPct}) {
      seedbed::RunConfig config;
      config.scenario = cell.scenario;
      config.variant = cell.variant;
      config.strategy = strategy;
      std::vector<uint64_t> seeds;
      std::vector<double> cpu, wall;
      int found = 0;
      uint64_t budget_stops = 0;
      double worst = 0;
      for (int b = 1; b <= campaigns; ++b) {
        int sig = 0;
        const uint64_t first_seed = static_cast<uint64_t>(b) * 1000;
        const seedbed_bench::Campaign c = seedbed_bench::RunInChild<seedbed_bench::Campaign>(
            [&] { return seedbed_bench::RunToFirstFailure(config, first_seed, flags.max_seeds, flags.max_seconds); },
            &sig);
        if (sig != 0) {
          crashes.push_back(fmt::format("{} {} {} campaign base {}: the run crashed (signal {})",
                                        cell.scenario, cell.variant,
                                        strategy == seedbed::Strategy::kPct ? "pct" : "random",
                                        first_seed, sig));
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
