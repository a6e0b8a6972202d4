#include "scenarios/merge.h"

#include <algorithm>
#include <iostream>
#include <map>

#include "fmt/format.h"
#include "scenarios/cli_util.h"
#include "scenarios/commands.h"
#include "scenarios/failure_file.h"

namespace seedbed {
namespace {

std::string Name(const std::vector<std::string>& names, size_t i) {
  return i < names.size() ? names[i] : fmt::format("report {}", i + 1);
}

// Empty when `b` is a shard of the same campaign as `a`; otherwise what differs.
std::string Difference(const CampaignReport& a, const CampaignReport& b) {
  const CampaignOptions& x = a.options;
  const CampaignOptions& y = b.options;
  if (a.seedbed_version != b.seedbed_version)
    return fmt::format("seedbed version '{}' vs '{}'", a.seedbed_version, b.seedbed_version);
  if (x.base.strategy != y.base.strategy || x.base.pct_depth != y.base.pct_depth) return "strategy differs";
  if (x.base.event_budget != y.base.event_budget || x.base.time_budget_ns != y.base.time_budget_ns ||
      x.base.chaos_ns != y.base.chaos_ns || x.base.liveness_ns != y.base.liveness_ns)
    return "run budgets differ";
  if (x.check_determinism != y.check_determinism) return "--check-determinism differs";
  if (x.seed_first != y.seed_first || x.time_limit_s.has_value() != y.time_limit_s.has_value() ||
      (!x.time_limit_s && x.seed_last != y.seed_last) || (x.time_limit_s && *x.time_limit_s != *y.time_limit_s))
    return "seed range differs";
  if (x.shard_count != y.shard_count) return fmt::format("shard count {} vs {}", x.shard_count, y.shard_count);
  if (x.cells.size() != y.cells.size()) return "scenarios or variants differ";
  for (size_t i = 0; i < x.cells.size(); ++i)
    if (x.cells[i].scenario != y.cells[i].scenario || x.cells[i].variant != y.cells[i].variant ||
        x.cells[i].expect_failure != y.cells[i].expect_failure)
      return fmt::format("cell {} is {} [{}] vs {} [{}]", i + 1, x.cells[i].scenario, x.cells[i].variant,
                         y.cells[i].scenario, y.cells[i].variant);
  return "";
}

void MergeGroups(const std::vector<FailureGroup>& from, std::vector<FailureGroup>& into) {
  for (const FailureGroup& g : from) {
    auto it = std::find_if(into.begin(), into.end(),
                           [&](const FailureGroup& h) { return h.key() == g.key(); });
    if (it == into.end()) {
      into.push_back(g);
      continue;
    }
    it->count += g.count;
    if (g.first_seed < it->first_seed) {
      it->first_seed = g.first_seed;
      it->first_message = g.first_message;
    }
  }
  std::sort(into.begin(), into.end(),
            [](const FailureGroup& a, const FailureGroup& b) { return a.first_seed < b.first_seed; });
}

void MergeCell(const CellResult& from, CellResult& into) {
  into.seeds += from.seeds;
  into.failures += from.failures;
  if (from.first_failing_seed && (!into.first_failing_seed || *from.first_failing_seed < *into.first_failing_seed))
    into.first_failing_seed = from.first_failing_seed;
  into.nondeterministic += from.nondeterministic;
  into.nondeterministic_seeds.insert(into.nondeterministic_seeds.end(), from.nondeterministic_seeds.begin(),
                                     from.nondeterministic_seeds.end());
  std::sort(into.nondeterministic_seeds.begin(), into.nondeterministic_seeds.end());
  into.cpu_s += from.cpu_s;
  into.events += from.events;
  into.sim_ns += from.sim_ns;
  into.faults_injected += from.faults_injected;
  MergeGroups(from.groups, into.groups);
  for (const auto& [name, t] : from.crash_points) {
    CellResult::CrashPointTally& u = into.crash_points[name];
    u.runs_reached += t.runs_reached;
    u.reached += t.reached;
    u.runs_armed += t.runs_armed;
    u.runs_fired += t.runs_fired;
    u.fired += t.fired;
  }
  for (const auto& [name, t] : from.probes) {
    into.probes[name].runs_reached += t.runs_reached;
    into.probes[name].reached += t.reached;
  }
  for (const auto& [kind, runs] : from.fault_kinds) into.fault_kinds[kind] += runs;
  for (const auto& [plan, runs] : from.swarm_plans) into.swarm_plans[plan] += runs;
  into.swarm_runs += from.swarm_runs;
}

}  // namespace

absl::StatusOr<CampaignReport> MergeCampaignReports(const std::vector<CampaignReport>& reports,
                                                    const std::vector<std::string>& names) {
  if (reports.empty()) return absl::InvalidArgumentError("merge: no reports given");
  std::map<int, size_t> owner;  // shard index -> input holding it
  for (size_t i = 0; i < reports.size(); ++i) {
    if (std::string d = Difference(reports[0], reports[i]); !d.empty())
      return absl::InvalidArgumentError(fmt::format("{} and {} are not shards of one campaign: {}",
                                                    Name(names, 0), Name(names, i), d));
    for (int k : reports[i].shard_indices) {
      auto [it, fresh] = owner.emplace(k, i);
      if (!fresh)
        return absl::InvalidArgumentError(fmt::format("shard {}/{} is in both {} and {}", k,
                                                      reports[0].options.shard_count,
                                                      Name(names, it->second), Name(names, i)));
    }
  }
  CampaignReport merged = reports[0];
  merged.shard_indices.clear();
  for (const auto& [k, i] : owner) merged.shard_indices.push_back(k);
  merged.options.shard_index = merged.shard_indices.front();
  for (size_t i = 1; i < reports.size(); ++i) {
    for (size_t c = 0; c < merged.result.cells.size(); ++c)
      MergeCell(reports[i].result.cells[c], merged.result.cells[c]);
    merged.result.wall_s += reports[i].result.wall_s;
  }
  return merged;
}

namespace cli {

int Merge(const Args& args) {
  if (args.reports.empty()) {
    std::cerr << "seedbed: merge: give one or more campaign.json files\n";
    return kExitUsage;
  }
  std::vector<CampaignReport> reports;
  for (const std::string& path : args.reports) {
    absl::StatusOr<CampaignReport> r = ReadCampaignReport(path);
    if (!r.ok()) {
      std::cerr << "seedbed: merge: " << std::string(r.status().message()) << "\n";
      return kExitUsage;
    }
    reports.push_back(*std::move(r));
  }
  absl::StatusOr<CampaignReport> merged = MergeCampaignReports(reports, args.reports);
  if (!merged.ok()) {
    std::cerr << "seedbed: merge: " << std::string(merged.status().message()) << "\n";
    return kExitUsage;
  }
  if (!args.out_dir.empty()) {
    if (auto s = EnsureWritableDir(args.out_dir); !s.ok()) {
      std::cerr << "seedbed: merge: " << std::string(s.message()) << "\n";
      return kExitUsage;
    }
    if (auto s = WriteCampaignReport(*merged, args.out_dir); !s.ok()) {
      std::cerr << "seedbed: merge: " << std::string(s.message()) << "\n";
      return kExitUsage;
    }
  }
  const CampaignResult& result = merged->result;
  std::cout << FormatCampaignTable(result);
  std::cout << fmt::format("{} seeds from {} report(s), shards {} of {}{}\n", result.total_seeds(),
                           reports.size(), merged->shard_indices.size(), merged->options.shard_count,
                           merged->complete() ? "" : " (INCOMPLETE: some shards missing)");
  if (!args.out_dir.empty())
    std::cout << fmt::format("report: {}/campaign.md (JSON: {}/campaign.json)\n", args.out_dir, args.out_dir);
  for (const CellResult& c : result.cells)
    for (const FailureGroup& g : c.groups) {
      RunConfig config = merged->options.base;
      config.scenario = c.cell.scenario;
      config.variant = c.cell.variant;
      config.seed = g.first_seed;
      std::cout << fmt::format("  {} [{}] {}: {} seeds, first {}: {}\n    replay: {}\n", c.cell.scenario,
                               c.cell.variant, g.invariant, g.count, g.first_seed, g.first_message,
                               ReplayCommand(config));
    }
  if (result.total_nondeterministic() > 0) return kExitNondeterminism;
  if (args.expect)
    return std::all_of(result.cells.begin(), result.cells.end(), [](const CellResult& c) { return c.as_expected(); })
               ? kExitClean
               : kExitViolation;
  return result.total_failures() > 0 ? kExitViolation : kExitClean;
}

}  // namespace cli
}  // namespace seedbed
