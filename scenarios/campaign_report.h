// Campaign reports: `fuzz --out DIR` writes DIR/campaign.json (this file documents every field)
// and DIR/campaign.md; `seedbed merge` reads shard reports back and joins them (scenarios/merge.h).
// A report is a value: it owns copies of everything. Never yields.
//
// campaign.json, format "seedbed.campaign" version 1. Everything outside a field named "timing" is
// a function of (seedbed version, cells, seed range, run config, shards): two campaigns over the
// same seed range give byte-equal JSON apart from "timing", whichever worker ran which seed. Maps
// are JSON objects with sorted keys; lists are sorted as stated.
//
//   format            "seedbed.campaign"
//   version           1 (the format's version; a reader refuses others)
//   seedbed_version   the build that ran it ("0.1.0 d002841"); merge refuses mixed builds
//   config            what every run shared: strategy ("random" | "pct"), pct_depth, event_budget,
//                     time_budget_ns, chaos_ns, liveness_ns, check_determinism (bool)
//   seeds             {first, last} of the campaign's seed range (inclusive; last is null and
//                     time_limit_s is set for a `--time` campaign, whose seeds depend on speed)
//   shards            {count: N, indices: [k...]}: the campaign is split into N shards (seed s is
//                     in shard (s - first) % N) and this report holds the listed ones, sorted;
//                     complete: true when indices are 0..N-1
//   cells[]           one per (scenario, variant), in the order the campaign ran them:
//     scenario, variant
//     expect_failure       a buggy variant: finding a violation is the expected outcome
//     as_expected          buggy found a failure / fixed found none, and no nondeterminism
//     seeds                seeds run
//     failures             seeds whose run broke an invariant (or could not run: "harness-error")
//     first_failing_seed   lowest failing seed, or null
//     nondeterministic, nondeterministic_seeds[]   with --check-determinism: seeds whose two runs
//                          differed (sorted)
//     events, sim_ns       kernel events and simulated nanoseconds, summed over the runs
//     faults_injected      faults the plans injected, summed over the runs
//     groups[]             failures by signature (scenarios/signature.h: the invariant plus the
//                          shape of its message, e.g. which Raft group), sorted by first seed:
//                          {invariant, signature, count, first_seed, first_message, replay} where
//                          replay is the one command that replays first_seed
//     crash_points{name}   {runs_reached, reached, runs_armed, runs_fired, fired}: runs that reached
//                          the point, total reaches, runs in which it was armed, runs in which it
//                          fired, total fires
//     probes{name}         {runs_reached, reached}
//     never_reached[]      crash points and probes ("crash point X", "probe Y") that some cell of
//                          this report reached but this cell never did (sorted); a point no cell
//                          reached is unknown to the report
//     fault_kinds{kind}    runs whose swarm draw enabled this fault kind (faults/swarm.h names)
//     swarm                {runs: runs with a swarm-drawn plan, distinct: distinct plans,
//                          plans{"kind,kind": runs}} (a plan = its set of enabled kinds)
//     timing               {cpu_s: wall seconds summed over the runs, seeds_per_s}
//   totals            {seeds, failures, nondeterministic, cells_as_expected, cells}
//   timing            {wall_s: the campaign's elapsed seconds (merge: summed over shards),
//                     cpu_s: summed over every cell}
#pragma once

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"
#include "scenarios/campaign.h"

namespace seedbed {

inline constexpr const char kCampaignFormat[] = "seedbed.campaign";
inline constexpr int kCampaignFormatVersion = 1;

struct CampaignReport {
  // Cells, seed range or time limit, base run config, check_determinism, shard_count. The fields
  // that only steer a run (jobs, progress_tty, shard_index) are not part of a report.
  CampaignOptions options;
  std::vector<int> shard_indices;  // the shards of options.shard_count this report holds, sorted
  std::string seedbed_version;
  CampaignResult result;

  bool complete() const;  // every shard present
};

// The report of one (shard of a) campaign that just ran, stamped with this build's version.
CampaignReport MakeCampaignReport(const CampaignOptions& options, CampaignResult result);

nlohmann::json CampaignReportToJson(const CampaignReport& report);
// kInvalidArgument naming the first missing or ill-typed field, or a format/version mismatch.
absl::StatusOr<CampaignReport> CampaignReportFromJson(const nlohmann::json& json);

// The Markdown report: totals, one table of cells, then per cell its failure groups (with replay
// commands), crash points, probes and those never reached, fault kinds and swarm plans.
std::string FormatCampaignMarkdown(const CampaignReport& report);

// Writes DIR/campaign.json and DIR/campaign.md.
absl::Status WriteCampaignReport(const CampaignReport& report, const std::string& dir);
// Reads a campaign.json; kNotFound if unreadable, kInvalidArgument if corrupt (the message names
// the file).
absl::StatusOr<CampaignReport> ReadCampaignReport(const std::string& path);

}  // namespace seedbed
