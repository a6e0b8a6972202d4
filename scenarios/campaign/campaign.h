// Fuzz campaigns: many seeds of many (scenario, variant) cells, run in --jobs worker processes
// (fork; each simulation stays single-threaded), optionally one shard of a larger campaign.
// Aggregates are ordered by cell and seed, so a seed-range campaign's report does not depend on
// which worker ran what. Call from the main thread; never yields.
#pragma once

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <map>
#include <memory>
#include <optional>
#include <string_view>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include <signal.h>

#include "absl/status/status.h"
#include "scenarios/harness/runner.h"

namespace seedbed {

struct CampaignCell {
  std::string scenario;
  std::string variant;
  bool expect_failure = false;  // a buggy variant: finding a violation is the expected outcome
  // The invariants a buggy variant is expected to break (ScenarioInfo::expected_invariants): any
  // other failure of it is unexpected (a passing variant's failures are judged by the baseline).
  std::vector<std::string> expected_invariants;
  bool Expected(std::string_view invariant) const {
    return expect_failure && std::find(expected_invariants.begin(), expected_invariants.end(), invariant) !=
                                 expected_invariants.end();
  }
};

// The most shards a campaign may be split into (--shard K/N, batch-system indices).
inline constexpr int64_t kMaxShards = 1'000'000;

struct CampaignOptions {
  std::vector<CampaignCell> cells;
  uint64_t seed_first = 1;
  uint64_t seed_last = 100;            // inclusive; ignored with time_limit_s
  std::optional<double> time_limit_s;  // --time: run seeds from seed_first until the limit
  int jobs = 1;
  int shard_index = 0;                 // this shard takes seeds with (seed - first) % count == index
  int shard_count = 1;
  RunConfig base;                      // strategy, pct depth, budgets (scenario/variant/seed set per run)
  // By cell: what calibration runs taught the strategy (scenarios/runner.h, EstimateHints). Filled
  // by RunCampaign when empty and the strategy needs it; inherited by the forked workers.
  std::vector<std::shared_ptr<const StrategyHints>> hints;
  bool check_determinism = false;      // run every seed twice and compare trace hashes
  // Redraw one progress line (a bar that fits the terminal: progress_columns, or 0 to ask the
  // terminal on stderr each time, then $COLUMNS, then 80) instead of periodic lines. Progress goes
  // only to the progress stream, never to a report.
  bool progress_tty = false;
  int progress_columns = 0;
  // The command name replay lines use ("my_seedbed run ..."); not part of a report's identity.
  std::string program = "seedbed";
  // A worker is replaced by a fresh process after this many runs, or once its peak RSS passes
  // recycle_rss_mb: crashed engine objects are abandoned (as a real crash abandons memory), so a
  // long-lived worker's memory would grow without bound. 0 disables either bound.
  uint64_t recycle_after_runs = 1000;
  uint64_t recycle_rss_mb = 2048;
};

// A set of seeds kept as disjoint, non-adjacent closed ranges: its memory grows with the number of
// runs of consecutive seeds, not with the seeds (a buggy cell failing on every seed of a long
// campaign is one range), so that neither a campaign nor a reader of a hostile report can be made
// to hold billions of numbers.
class SeedSet {
 public:
  SeedSet() = default;
  SeedSet(std::initializer_list<uint64_t> seeds) {
    for (uint64_t s : seeds) Insert(s);
  }
  void Insert(uint64_t seed) { InsertRange(seed, seed); }
  // REQUIRES: first <= last, and not the whole of uint64 (its size would not fit).
  void InsertRange(uint64_t first, uint64_t last);
  void Merge(const SeedSet& other);
  uint64_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  uint64_t first() const { return ranges_.empty() ? 0 : ranges_.begin()->first; }  // 0 when empty
  const std::map<uint64_t, uint64_t>& ranges() const { return ranges_; }  // first -> last, ascending
  std::vector<uint64_t> ToVector() const;  // every seed; for tests and small sets
  bool operator==(const SeedSet& other) const { return ranges_ == other.ranges_; }

 private:
  std::map<uint64_t, uint64_t> ranges_;
  uint64_t size_ = 0;
};

// A failure group against the known-failures file of the campaign (scenarios/campaign/baseline.h): new
// (not in it), known (in it as known or flaky), regressed (in it as fixed, and back), gone (in it
// as known or flaky, not seen this time). Without a baseline every group is new.
enum class FailureClass { kNew, kKnown, kRegressed, kGone };
std::string_view FailureClassName(FailureClass c);

// kInvalidArgument when the campaign's units (seeds of this shard x cells) do not fit in 64 bits:
// such a range can neither run to its end nor be counted.
absl::Status CheckCampaignSize(const CampaignOptions& options);

// Failures of one cell with one signature (scenarios/harness/signature.h: the invariant plus the shape of
// its message, e.g. which Raft group broke); baselines of known failures key on `signature` too.
struct FailureGroup {
  FailureGroup() = default;
  FailureGroup(std::string invariant_in, uint64_t count_in, uint64_t first_seed_in, std::string first_message_in,
               std::string signature_in = "", SeedSet seeds_in = {})
      : invariant(std::move(invariant_in)),
        count(count_in),
        first_seed(first_seed_in),
        first_message(std::move(first_message_in)),
        signature(std::move(signature_in)),
        seeds(std::move(seeds_in)) {}

  std::string invariant;
  uint64_t count = 0;
  uint64_t first_seed = 0;
  std::string first_message;
  std::string signature;        // empty only in hand-made groups: key() is then the invariant
  SeedSet seeds;                // every failing seed of the group (count == seeds.size())
  // The group's artifacts, relative to the report's directory ("" when not written): the failure
  // file of first_seed, its shrunk failure file, the HTML report of the shown run.
  std::string failure_file;
  std::string shrunk_file;
  std::string report_html;
  FailureClass failure_class = FailureClass::kNew;
  std::string baseline_status;  // its entry's status in the baseline ("known", "fixed", "flaky"), or ""
  // Its shrink, when one was due ("" when not: --no-shrink, a shard, a crash, no --out): runs tried,
  // edits kept, and what ended it (kShrinkStops): "fixpoint", "all defaults" or "attempt limit"
  // (--shrink-attempts) depend on nothing but the seed, so the same seeds shrink the same way on
  // any machine; "time limit" (the --shrink-time backstop) and "shrink budget" (--shrink-budget
  // spent; attempts 0: before it began) cut it short by wall time; "SIGINT" / "SIGTERM": a signal
  // stopped it (no shrunk file is written then).
  std::string shrink_stopped_by;
  uint64_t shrink_attempts = 0;
  uint64_t shrink_kept = 0;

  const std::string& key() const { return signature.empty() ? invariant : signature; }
};

// FailureGroup::shrink_stopped_by's values.
inline constexpr std::string_view kShrinkStops[] = {"fixpoint",      "all defaults", "attempt limit", "time limit",
                                                    "shrink budget", "SIGINT",       "SIGTERM"};

// The invariant a campaign names a run after when a signal killed it (a crash of the engine or
// the harness): the worker reports the seed and goes on with the next ones.
inline constexpr std::string_view kCrashInvariant = "crash";

struct CellResult {
  CampaignCell cell;
  uint64_t seeds = 0;
  uint64_t failures = 0;
  uint64_t unexpected = 0;            // buggy cells: failures of an invariant not expected to break
  uint64_t nondeterministic = 0;
  std::optional<uint64_t> first_failing_seed;
  std::vector<FailureGroup> groups;   // by signature, sorted by first seed
  // Baseline entries of this cell (known or flaky) that no seed hit: class kGone, count 0, the
  // baseline's first seed. Sorted by signature.
  std::vector<FailureGroup> gone;
  double cpu_s = 0;                   // CPU seconds of the runs of this cell (their worker's)
  double wall_s = 0;                  // wall seconds of the runs of this cell, summed
  uint64_t events = 0;
  int64_t sim_ns = 0;
  std::vector<uint64_t> nondeterministic_seeds;
  // Coverage and faults, summed over the cell's runs (ordered maps: deterministic reports).
  struct CrashPointTally {
    uint64_t runs_reached = 0, reached = 0, runs_armed = 0, runs_fired = 0, fired = 0;
  };
  struct ProbeTally {
    uint64_t runs_reached = 0, reached = 0;
  };
  std::map<std::string, CrashPointTally> crash_points;
  std::map<std::string, ProbeTally> probes;
  std::map<std::string, uint64_t> fault_kinds;   // swarm fault kind -> runs that enabled it
  std::map<std::string, uint64_t> swarm_plans;   // enabled kinds joined by ',' -> runs
  uint64_t swarm_runs = 0;                       // runs whose fault plan a swarm drew
  uint64_t faults_injected = 0;
  // Failing runs per strategy that found them ("pct-d3", "pos": StrategyLabel), for a portfolio.
  std::map<std::string, uint64_t> failures_by_strategy;
  std::shared_ptr<const StrategyHints> hints;  // the cell's (CampaignOptions::hints), for reruns
  // Guided campaigns: the decisions of failing runs (the smallest seeds), to write their failure
  // files from (a guided run is its decision list, not its seed). Not in campaign.json.
  std::map<uint64_t, DecisionList> guided_replays;
  // Seeds of this cell's range that never ran (the campaign was stopped early), as [first, last]
  // seed ranges in the shard's stride (seed_first + shard_index + k * shard_count), sorted; at most
  // kMaxNotRunRanges of them (not_run_ranges_truncated then says more are missing).
  uint64_t not_run = 0;
  std::vector<std::pair<uint64_t, uint64_t>> not_run_ranges;
  bool not_run_ranges_truncated = false;
  // Runs whose worker was killed by SIGKILL (the OOM killer, an operator): reported in the crash
  // group too, and they leave the campaign incomplete: SIGKILL says nothing about the seed.
  uint64_t killed = 0;

  double seeds_per_s() const { return cpu_s > 0 ? seeds / cpu_s : 0; }  // per CPU second
  // A failure group --expect lets pass: one the baseline knows (known or flaky), or a failure of a
  // buggy cell through one of its expected invariants (the failure it exists to show). A new or
  // regressed group of a fixed cell is not, nor an UNEXPECTED invariant of a buggy one.
  bool accepted(const FailureGroup& g) const {
    return g.failure_class == FailureClass::kKnown || cell.Expected(g.invariant);
  }
  // No nondeterminism, every group accepted, and a buggy cell found a failure. Without a baseline
  // every group is new: a fixed cell must then not fail at all.
  bool as_expected() const {
    if (nondeterministic != 0) return false;
    if (!std::all_of(groups.begin(), groups.end(), [this](const FailureGroup& g) { return accepted(g); }))
      return false;
    return !cell.expect_failure || failures > 0;
  }
};

inline constexpr size_t kMaxNotRunRanges = 1000;

struct CampaignResult {
  std::vector<CellResult> cells;
  double wall_s = 0;
  bool classified = false;  // groups were classified against a baseline (the table shows classes)
  double workers_cpu_s = 0;   // CPU seconds of every worker process (getrusage of the reaped children)
  uint64_t worker_starts = 0; // worker processes started (jobs, plus replacements after crashes and recycling)
  std::string stopped_by;     // "SIGINT" / "SIGTERM" when a signal stopped the campaign early, else ""
  // "SIGINT" / "SIGTERM" when a signal came after the runs, while the failure groups were being
  // shrunk: every seed ran, and each group has its failure file, but shrinking was cut short.
  std::string shrinking_stopped_by;
  // Every seed of the range ran (none stopped, none killed): only then may --expect pass.
  bool complete() const;
  uint64_t total_seeds() const;
  uint64_t total_failures() const;
  uint64_t total_nondeterministic() const;
};

// SIGINT and SIGTERM stop the campaign cleanly while it runs: the workers finish the run in flight
// and report it, no new seed starts, and the result says what did not run (stopped_by, each
// cell's not_run); a second signal abandons the runs in flight. A worker killed by another signal
// is reported as a crash of the seed it ran and a fresh worker takes the seeds after it.
CampaignResult RunCampaign(const CampaignOptions& options, std::ostream& progress);

// For the work after a campaign's runs (shrinking its failures, writing their files), which stops
// cleanly between runs: while one lives, the first SIGINT or SIGTERM is only remembered (signal(),
// and flag() for ShrinkOptions::stop); a second ends the process as the signal would. RunCampaign
// installs its own handler while it runs and restores this one. One at a time; main thread only.
class StopSignalsAfterRuns {
 public:
  StopSignalsAfterRuns();
  ~StopSignalsAfterRuns();
  StopSignalsAfterRuns(const StopSignalsAfterRuns&) = delete;
  StopSignalsAfterRuns& operator=(const StopSignalsAfterRuns&) = delete;
  int signal() const;                       // 0 until a signal came
  const volatile sig_atomic_t* flag() const;  // nonzero once a signal came
  static std::string Name(int sig);         // "SIGINT", "SIGTERM"

 private:
  struct sigaction saved_[2];
};

// What a campaign's progress line shows (stderr only: never a report, never stdout).
struct CampaignProgress {
  uint64_t done = 0;
  uint64_t total = 0;      // 0: a --time campaign
  double fraction = 0;     // of the seeds, or of the time limit
  double rate = 0;         // seeds per second
  uint64_t expected_failures = 0;    // of a buggy cell, through an invariant it is expected to break
  uint64_t unexpected_failures = 0;  // every other failure
  uint64_t nondeterministic = 0;
  std::optional<double> left_s;
  std::string cell;        // "scenario variant" of the latest result; "" on the final line
};
// One line of at most `columns` - 1 characters (at least 19): a bar when there is room, the
// figures, then the current cell; cut with "..." when the terminal is narrower still.
std::string FormatProgressBar(const CampaignProgress& progress, int columns);
// The width of the terminal on stderr, else $COLUMNS, else 80.
int TerminalColumns();

// The summary table: scenario, variant, seeds, failures, first failing seed, seeds/s, verdict.
// Every line fits kTableColumns: a scenario on a line of its own, each variant below it (cut in the
// middle beyond kTableVariantColumnsMax), a verdict too long for its column on the next line, cut
// with "..." if longer than that line.
inline constexpr size_t kTableColumns = 100;
inline constexpr size_t kTableVariantColumnsMax = 28;
std::string FormatCampaignTable(const CampaignResult& result);

}  // namespace seedbed
