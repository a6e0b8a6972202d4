// Campaign reports: `fuzz --out DIR` writes DIR/campaign.json (this file documents every field)
// and DIR/campaign.md; `seedbed merge` reads shard reports back and joins them (scenarios/cli/merge.h).
// A report is a value: it owns copies of everything. Never yields.
//
// campaign.json, format "seedbed.campaign" version 2. Everything outside the fields "timing" and
// "date" is a function of (seedbed version, tested label, baseline, cells, seed range, run config,
// shards): two campaigns over the same seed range give byte-equal JSON apart from those two,
// whichever worker ran which seed. (A merged report also differs from the unsharded one in "shards"
// and in its artifacts' paths, which point into the shard folders.) Maps are JSON objects with
// sorted keys; lists are sorted as stated.
//
//   format            "seedbed.campaign"
//   version           2 (the format's version; a reader refuses others)
//   seedbed_version   the build that ran it ("0.1.0 d002841"); merge refuses mixed builds
//   tested            {label, from}: what was tested, the engine's version or commit: from "--label",
//                     or "git" (`git describe --always --dirty` of the directory the campaign ran
//                     in), or "" when neither; merge refuses shards of different labels
//   baseline          the known-failures file the groups were classified against (its whole JSON,
//                     scenarios/campaign/baseline.h), or null; merge refuses shards of different baselines
//   config            what every run shared: strategy ("random" | "pct"), pct_depth, event_budget,
//                     time_budget_ns, chaos_ns, liveness_ns, check_determinism (bool), keep_going
//                     (bool; absent in older reports: false)
//   seeds             {first, last} of the campaign's seed range (inclusive; last is null and
//                     time_limit_s is set for a `--time` campaign, whose seeds depend on speed)
//   shards            {count: N, indices: [k...]}: the campaign is split into N shards (seed s is
//                     in shard (s - first) % N) and this report holds the listed ones, sorted;
//                     complete: true when indices are 0..N-1
//   completion        {complete, stopped_by, shrinking_stopped_by, seeds_not_run, runs_killed}:
//                     complete is true when every seed of the shard ran: no signal stopped the
//                     campaign (stopped_by: "SIGINT", "SIGTERM" or null), no seed was left out, no
//                     worker was killed by SIGKILL. --expect never passes an incomplete campaign.
//                     shrinking_stopped_by: "SIGINT" / "SIGTERM" when a signal came after the runs,
//                     while the groups were shrinking (every seed ran, each group has its failure
//                     file; the groups' shrink says which were cut short), else null (absent in
//                     older reports). (completion is absent in older reports: complete.)
//   cells[]           one per (scenario, variant), in the order the campaign ran them:
//     scenario, variant
//     expect_failure       a buggy variant: finding a violation is the expected outcome
//     expected_invariants  the invariants a buggy variant is expected to break
//     unexpected           a buggy cell's failures of any other invariant
//     as_expected          buggy found a failure, only through its expected invariants / fixed has no
//                          new or regressed group, and no nondeterminism
//     seeds                seeds run
//     failures             seeds whose run broke an invariant (or could not run: "harness-error")
//     first_failing_seed   lowest failing seed, or null
//     nondeterministic, nondeterministic_seeds[]   with --check-determinism: seeds whose two runs
//                          differed (sorted)
//     events, sim_ns       kernel events and simulated nanoseconds, summed over the runs
//     faults_injected      faults the plans injected, summed over the runs
//     groups[]             failures by signature within the cell, sorted by first seed:
//                          {signature, invariant, count, seeds, first_seed, first_message, replay}:
//                          signature is the grouping key (scenarios/harness/signature.h); seeds lists
//                          every failing seed compactly ("3,7,10-14", FormatSeedRanges; count of
//                          them, the first is first_seed); replay is the one command that replays
//                          first_seed; class "new" | "known" | "regressed" against the baseline (all
//                          new without one) and baseline_status (its entry's status, or null);
//                          artifacts {failure_file, shrunk_file, report_html, report_trace,
//                          report_timeline}: paths relative to the report's folder (a merged
//                          report's point into the shard folders), null when not written;
//                          shrink {attempts, kept, stopped_by} when a shrink was due, else null
//                          (absent in older reports): runs tried, edits kept, and what ended it:
//                          "fixpoint", "all defaults", "attempt limit" (--shrink-attempts: the same
//                          on any machine), "time limit" (--shrink-time) or "shrink budget"
//                          (--shrink-budget; attempts 0: spent before it began), cut short by
//                          wall time, or "SIGINT" / "SIGTERM" (no shrunk file)
//     gone[]               baseline entries of this cell, known or flaky, that no seed hit:
//                          {signature, invariant, first_seed (the baseline's), baseline_status}
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
//     not_run              {seeds, ranges: [[first, last]...], ranges_truncated}: seeds of the
//                          range that never ran (a stopped campaign), as inclusive ranges in the
//                          shard's stride (every shards.count-th seed), sorted, at most 1000
//     killed               runs whose worker SIGKILL ended (also in the "crash" group)
//     timing               {cpu_s: CPU seconds of the runs, wall_s: their wall seconds,
//                          seeds_per_s: per CPU second} (older reports: cpu_s held wall seconds)
//   totals            {seeds, failures, nondeterministic, cells_as_expected, cells,
//                     classes{new, known, regressed, gone}: failure groups of each class}
//   date              the campaign's start, UTC ("2026-12-01T17:30:00Z"; merge: the earliest
//                     shard's): the one wall-clock value, outside determinism comparisons
//   timing            {wall_s: the campaign's elapsed seconds (merge: summed over shards),
//                     cpu_s: the runs' CPU seconds summed over every cell, runs_wall_s: their wall
//                     seconds, workers_cpu_s: CPU seconds of the worker processes (getrusage),
//                     worker_starts: worker processes started}
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"
#include "scenarios/campaign/baseline.h"
#include "scenarios/campaign/campaign.h"

namespace seedbed {

inline constexpr const char kCampaignFormat[] = "seedbed.campaign";
// 2: groups carry every failing seed, their artifacts and class; the report says what was tested,
// when, and against which baseline (a version 1 report has none of these).
inline constexpr int kCampaignFormatVersion = 2;

struct CampaignReport {
  // Cells, seed range or time limit, base run config, check_determinism, shard_count. The fields
  // that only steer a run (jobs, progress_tty, shard_index) are not part of a report.
  CampaignOptions options;
  std::vector<int> shard_indices;  // the shards of options.shard_count this report holds, sorted
  std::string seedbed_version;
  // What was tested: the engine's version or commit (--label, else `git describe` of the directory
  // the campaign ran in), and where the label came from ("--label", "git", or "" when unknown).
  std::string label;
  std::string label_source;
  // The campaign's start, UTC, "2026-12-01T17:30:00Z": the one wall-clock value of a report, kept
  // beside "timing" and, like it, outside determinism comparisons and merge equality.
  std::string date;
  std::optional<Baseline> baseline;  // the known-failures file the groups were classified against
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

// Seed sets, compactly: "3,7,10-14" (runs of three or more consecutive seeds as A-B). Parse is
// strict: ascending and distinct, no spaces, not every uint64;
// kInvalidArgument otherwise. Its memory is bounded by the text's length.
std::string FormatSeedRanges(const SeedSet& seeds);
absl::StatusOr<SeedSet> ParseSeedRanges(std::string_view text);

// The label of what a campaign run in the current directory tests: {`git describe --always
// --dirty`, "git"} inside a git work tree, else {"", ""}.
std::pair<std::string, std::string> LabelFromGit();
// Now, UTC, as "2026-12-01T17:30:00Z".
std::string UtcDateNow();

// Writes DIR/campaign.json and DIR/campaign.md.
absl::Status WriteCampaignReport(const CampaignReport& report, const std::string& dir);
// Parses campaign.json text (bounded nesting, every field checked); never throws.
absl::StatusOr<CampaignReport> DecodeCampaignReport(std::string_view text);
// Reads a campaign.json (at most kMaxInputFileBytes); kNotFound if unreadable, kInvalidArgument if corrupt (the message names
// the file).
absl::StatusOr<CampaignReport> ReadCampaignReport(const std::string& path);

}  // namespace seedbed
