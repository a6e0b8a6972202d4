#include "scenarios/cli/merge.h"

#include <algorithm>
#include <iostream>
#include <iterator>
#include <filesystem>
#include <limits>
#include <map>
#include <optional>

#include "fmt/format.h"
#include "scenarios/harness/parse.h"
#include "scenarios/cli/commands.h"
#include "scenarios/harness/failure_file.h"
#include "scenarios/campaign/junit.h"
#include "scenarios/harness/shrink.h"

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
  if (x.base.keep_going != y.base.keep_going) return "--keep-going differs";
  if (x.seed_first != y.seed_first || x.time_limit_s.has_value() != y.time_limit_s.has_value() ||
      (!x.time_limit_s && x.seed_last != y.seed_last) || (x.time_limit_s && *x.time_limit_s != *y.time_limit_s))
    return "seed range differs";
  if (a.label != b.label) return fmt::format("tested label '{}' vs '{}'", a.label, b.label);
  if (a.baseline.has_value() != b.baseline.has_value() ||
      (a.baseline && BaselineToJson(*a.baseline) != BaselineToJson(*b.baseline)))
    return "--baseline differs";
  if (x.shard_count != y.shard_count) return fmt::format("shard count {} vs {}", x.shard_count, y.shard_count);
  if (x.cells.size() != y.cells.size()) return "scenarios or variants differ";
  for (size_t i = 0; i < x.cells.size(); ++i)
    if (x.cells[i].scenario != y.cells[i].scenario || x.cells[i].variant != y.cells[i].variant ||
        x.cells[i].expect_failure != y.cells[i].expect_failure ||
        x.cells[i].expected_invariants != y.cells[i].expected_invariants)
      return fmt::format("cell {} is {} [{}] vs {} [{}]", i + 1, x.cells[i].scenario, x.cells[i].variant,
                         y.cells[i].scenario, y.cells[i].variant);
  return "";
}

void MergeGroups(const std::vector<FailureGroup>& from, std::vector<FailureGroup>& into) {
  for (const FailureGroup& g : from) {
    auto it = std::find_if(into.begin(), into.end(), [&](const FailureGroup& h) { return h.key() == g.key(); });
    if (it == into.end()) {
      into.push_back(g);
      continue;
    }
    it->count += g.count;
    it->seeds.Merge(g.seeds);
    if (g.first_seed < it->first_seed) {  // the group's artifacts are those of its first seed
      it->first_seed = g.first_seed;
      it->first_message = g.first_message;
      it->failure_file = g.failure_file;
      it->shrunk_file = g.shrunk_file;
      it->report_html = g.report_html;
      it->shrink_stopped_by = g.shrink_stopped_by;
      it->shrink_attempts = g.shrink_attempts;
      it->shrink_kept = g.shrink_kept;
    }
  }
  std::sort(into.begin(), into.end(),
            [](const FailureGroup& a, const FailureGroup& b) { return a.first_seed < b.first_seed; });
}

void MergeCell(const CellResult& from, CellResult& into) {
  into.seeds += from.seeds;
  into.failures += from.failures;
  into.unexpected += from.unexpected;
  if (from.first_failing_seed && (!into.first_failing_seed || *from.first_failing_seed < *into.first_failing_seed))
    into.first_failing_seed = from.first_failing_seed;
  into.nondeterministic += from.nondeterministic;
  into.nondeterministic_seeds.insert(into.nondeterministic_seeds.end(), from.nondeterministic_seeds.begin(),
                                     from.nondeterministic_seeds.end());
  std::sort(into.nondeterministic_seeds.begin(), into.nondeterministic_seeds.end());
  into.cpu_s += from.cpu_s;
  into.wall_s += from.wall_s;
  into.not_run += from.not_run;
  into.killed += from.killed;
  into.not_run_ranges.insert(into.not_run_ranges.end(), from.not_run_ranges.begin(), from.not_run_ranges.end());
  std::sort(into.not_run_ranges.begin(), into.not_run_ranges.end());
  into.not_run_ranges_truncated = into.not_run_ranges_truncated || from.not_run_ranges_truncated;
  if (into.not_run_ranges.size() > kMaxNotRunRanges) {
    into.not_run_ranges.resize(kMaxNotRunRanges);
    into.not_run_ranges_truncated = true;
  }
  into.events += from.events;
  // Each shard's sim_ns is at most INT64_MAX (the decoder checks): saturate rather than overflow.
  into.sim_ns = from.sim_ns > std::numeric_limits<int64_t>::max() - into.sim_ns ? std::numeric_limits<int64_t>::max()
                                                                                  : into.sim_ns + from.sim_ns;
  into.faults_injected += from.faults_injected;
  for (const auto& [label, n] : from.failures_by_strategy) into.failures_by_strategy[label] += n;
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
    if (!reports[i].date.empty() && (merged.date.empty() || reports[i].date < merged.date))
      merged.date = reports[i].date;  // the campaign began when its first shard did
    merged.result.workers_cpu_s += reports[i].result.workers_cpu_s;
    merged.result.worker_starts += reports[i].result.worker_starts;
    const std::string& stopped = reports[i].result.stopped_by;
    if (!stopped.empty() && merged.result.stopped_by.find(stopped) == std::string::npos)
      merged.result.stopped_by += (merged.result.stopped_by.empty() ? "" : ", ") + stopped;
    const std::string& shrinking = reports[i].result.shrinking_stopped_by;
    if (!shrinking.empty() && merged.result.shrinking_stopped_by.find(shrinking) == std::string::npos)
      merged.result.shrinking_stopped_by += (merged.result.shrinking_stopped_by.empty() ? "" : ", ") + shrinking;
  }
  ApplyBaseline(merged.result, merged.baseline ? &*merged.baseline : nullptr);
  return merged;
}

namespace cli {

namespace fs = std::filesystem;

// The report's artifact paths (relative to `from_dir`) made relative to `to_dir`, so that a merged
// report points into the shard folders.
void Rebase(CampaignReport& report, const fs::path& from_dir, const fs::path& to_dir) {
  auto rebase = [&](std::string& path) {
    if (path.empty()) return;
    std::error_code ec;
    fs::path moved = fs::relative(fs::absolute(from_dir / path, ec), fs::absolute(to_dir, ec), ec);
    if (!ec && !moved.empty()) path = moved.generic_string();
  };
  for (CellResult& c : report.result.cells)
    for (FailureGroup& g : c.groups) {
      rebase(g.failure_file);
      rebase(g.shrunk_file);
      rebase(g.report_html);
    }
}

int Merge(const Args& args) {
  auto usage = [](const std::string& message) {
    std::cerr << "seedbed: merge: " << message << "\n";
    return kExitUsage;
  };
  if (args.reports.empty()) return usage("give one or more campaign.json files");
  if (args.shrink && args.out_dir.empty()) return usage("--shrink writes the shrunk files: give --out DIR");
  // A signal while the groups shrink stops the shrink, not the process (exit 130 / 143).
  StopSignalsAfterRuns stop_signals;
  auto bounds = ParseShrinkBounds(args, args.shrink, stop_signals.flag());
  if (!bounds.ok()) return usage(std::string(bounds.status().message()));
  std::optional<Baseline> baseline;
  if (!args.baseline_file.empty()) {
    auto b = ReadBaseline(args.baseline_file);
    if (!b.ok()) return usage(fmt::format("--baseline: {}", std::string(b.status().message())));
    baseline = *std::move(b);
  }
  const fs::path to_dir = args.out_dir.empty() ? fs::path(".") : fs::path(args.out_dir);
  std::vector<CampaignReport> reports;
  std::vector<std::string> paths;
  for (const std::string& arg : args.reports) {
    std::string path = CampaignJsonPath(arg);
    absl::StatusOr<CampaignReport> r = ReadCampaignReport(path);
    if (!r.ok()) return usage(std::string(r.status().message()));
    Rebase(*r, fs::path(path).parent_path(), to_dir);
    reports.push_back(*std::move(r));
    paths.push_back(path);
  }
  absl::StatusOr<CampaignReport> merged = MergeCampaignReports(reports, paths);
  if (!merged.ok()) return usage(std::string(merged.status().message()));
  merged->options.program = args.program;  // replay lines name this command
  if (baseline) {  // classify against this baseline instead of the shards' own
    merged->baseline = std::move(baseline);
    ApplyBaseline(merged->result, &*merged->baseline);
  }
  if (!args.out_dir.empty())
    if (auto s = EnsureWritableDir(args.out_dir); !s.ok()) return usage(std::string(s.message()));
  const CampaignResult& result = merged->result;
  std::cout << FormatCampaignTable(result);
  std::cout << fmt::format("{} seeds from {} report(s), shards {} of {}{}\n", result.total_seeds(),
                           reports.size(), merged->shard_indices.size(), merged->options.shard_count,
                           merged->complete() ? "" : " (INCOMPLETE: some shards missing)");
  if (!result.complete())
    std::cout << fmt::format("INCOMPLETE: some shards did not run every seed{}\n",
                             result.stopped_by.empty() ? "" : fmt::format(" (stopped by {})", result.stopped_by));
  if (args.shrink) {
    // Once per group of the whole campaign: groups a shard did not shrink get a failure file, a
    // shrunk file and reports in the merged folder.
    for (CellResult& c : merged->result.cells)
      for (FailureGroup& g : c.groups)
        if (g.shrunk_file.empty()) g.failure_file = g.report_html = "";
    merged->result.shrinking_stopped_by.clear();  // this merge shrinks what is left
  }
  const bool written = WriteGroupArtifacts(*merged, args.shrink ? args.out_dir : "", *bounds, std::cout);
  if (!merged->result.shrinking_stopped_by.empty())
    std::cout << fmt::format("INTERRUPTED: {} while shrinking: each failure group has its failure file, but "
                             "shrinking was cut short (the report says which groups)\n",
                             merged->result.shrinking_stopped_by);
  if (!args.out_dir.empty()) {
    if (auto s = WriteCampaignReport(*merged, args.out_dir); !s.ok()) return usage(std::string(s.message()));
    std::cout << fmt::format("report: {}/campaign.md (JSON: {}/campaign.json)\n", args.out_dir, args.out_dir);
  }
  if (!args.junit_file.empty())
    if (auto s = WriteJunitReport(*merged, args.junit_file); !s.ok()) return usage(std::string(s.message()));
  if (stop_signals.signal() == SIGINT) return kExitInterrupted;
  if (stop_signals.signal() == SIGTERM) return kExitTerminated;
  if (!written) return usage(fmt::format("could not write every file under {}", args.out_dir));
  if (args.expect && !merged->complete()) {
    std::cout << "--expect: the campaign is incomplete (shards missing): it cannot pass\n";
    return kExitViolation;
  }
  return CampaignExitCode(result, args.expect);
}

}  // namespace cli
}  // namespace seedbed
