// Runs one scenario seed through its phases (build, chaos with the workload, heal, liveness, check)
// and reports what happened. Deterministic: the same RunConfig gives the same report, trace hash
// included. Call from kernel context (not from a task); never yields.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "scenarios/harness/failure_file.h"
#include "scenarios/harness/history.h"
#include "scenarios/harness/scenario.h"
#include "scenarios/harness/verdict.h"
#include "sim/decisions.h"
#include "sim/kernel.h"
#include "sim/trace.h"

namespace seedbed {

// An operation with a duration (an object-store op, a client op), for timelines.
struct Span {
  uint32_t task = 0;          // TaskId
  int64_t start_ns = 0;
  int64_t end_ns = 0;
  std::string name;           // "put", "get", "client put"
  std::string detail;         // "cluster/wal/00000000000000000003 create"
  std::string outcome;        // "ok v3", "AlreadyExists", "timeout (applied)"
  bool fault = false;         // an injected fault shaped the outcome
  int64_t op = -1;            // history op id for client ops
  uint64_t version = 0;       // object-store put: the version it produced; get / head: the version read
  int64_t applied_ns = -1;    // object-store op: when it took effect (-1: never)
};

struct RunReport {
  RunConfig config;                  // replay pointer cleared
  bool failed = false;
  std::vector<Violation> violations;
  std::vector<std::string> notes;
  RunOutcome outcome = RunOutcome::kQuiescent;
  uint64_t events = 0;
  uint64_t steps = 0;                 // scheduler steps (of events)
  // Steps that touched a shared resource, per Kernel::TaskKey (runs that track accesses only).
  std::vector<std::pair<uint32_t, uint64_t>> access_counts;
  std::vector<uint64_t> features;     // guided runs: what the run reached (GuidedFeatures in runner.cc)
  Nanos sim_time_ns = 0;
  uint64_t trace_hash = 0;
  DecisionList decisions;
  size_t replay_mismatches = 0;
  std::string fault_plan;             // the (swarm-drawn) fault plan, described
  uint64_t context_switches = 0;      // resumes of a task other than the one that ran last
  uint64_t faults_injected = 0;
  uint64_t process_crashes = 0;       // crashes that kept the page cache
  uint64_t machine_crashes = 0;       // crashes that kept only what the durability profile says
  CrashMode crash_mode = CrashMode::kUnwind;  // the scenario's (ScenarioInfo::crash_mode)
  std::vector<std::pair<std::string, std::string>> coverage;  // (crash point / probe, "reached 3, fired 1")
  // The same, as numbers, in name order (campaign reports aggregate these).
  struct CoveragePoint {
    std::string name;         // "wal.after_put"
    bool crash_point = false;  // false: a probe
    uint64_t reached = 0;
    bool armed = false;
    uint64_t fired = 0;
  };
  std::vector<CoveragePoint> coverage_points;
  // Per-run counters of the layers above the kernel, in their fixed order, e.g. ("foreign.locks",
  // 10234) from sim/foreign; empty when none ran.
  std::vector<std::pair<std::string, uint64_t>> counters;
  std::vector<std::string> swarm_enabled;  // fault kinds the swarm draw enabled; empty: hand-written plan
  std::shared_ptr<const Trace> trace;     // every event when config.keep_events
  std::shared_ptr<const History> history;
  std::vector<std::string> process_names;  // by ProcessId
  std::vector<std::string> task_names;     // by TaskId, "process/task"
  std::vector<uint32_t> task_process;      // by TaskId
  std::vector<Span> spans;                 // when config.keep_events

  // A run a shrink produced, or a replay of a shrunk failure file: the story of the run it was
  // shrunk from and of this one, which the reports show side by side. Unset otherwise.
  struct ShrunkStory {
    RunStory from;
    RunStory to;
    std::string search;  // "1500 runs, stopped by fixpoint"; empty on a replay of a shrunk file
  };
  std::optional<ShrunkStory> shrunk;

  const Violation* first_violation() const;
  std::string invariant() const;  // of the first violation, or ""
};

// The verdicts the harness itself reaches, whatever the scenario: "deadlock" (no task can run, or
// a wait-for cycle closed), "event-budget", "liveness" (the watchdog after the heal) and
// "lock-order-inversion" (sim/lock_graph.h). Each names the tasks, the mutexes or condition
// variables they wait on or hold ("task P/T", "mutex M", "condvar C") and the history ops in flight.
inline constexpr std::string_view kHarnessInvariants[] = {"deadlock", "event-budget", "liveness",
                                                          "lock-order-inversion"};
inline std::vector<std::string_view> HarnessInvariants() {
  return {std::begin(kHarnessInvariants), std::end(kHarnessInvariants)};
}

// kNotFound for an unknown scenario, kInvalidArgument for an unknown variant or an unavailable
// scenario.
absl::StatusOr<RunReport> RunOnce(const RunConfig& config);

// The one command line that replays a run, as `program` (the running command's name: a user's own
// executable built on seedbed::cli::Main prints its own name) would take it.
std::string ReplayCommand(const RunConfig& config, std::string_view program = "seedbed");

// --- strategies that learn from earlier runs, and the portfolio ---
// The calibration seeds: fixed, whatever the campaign's seeds, shard or jobs, so every process of a
// campaign (and `seedbed run` of one of its seeds) computes the same hints.
inline constexpr uint64_t kCalibrationSeeds[] = {1, 2, 3};
// Runs the calibration seeds of `base`'s scenario and variant under the random strategy, tracking
// accesses: steps = the median of their scheduler steps (PCT's k), accesses_by_task = the mean
// accesses per task, rounded up (SURW). Errors are RunOnce's.
absl::StatusOr<std::shared_ptr<const StrategyHints>> EstimateHints(const RunConfig& base);
// True when `strategy` (or a member of the portfolio) uses hints.
bool NeedsHints(Strategy strategy);
// Fills config.hints and, for PCT (a portfolio's PCT members too) with pct_steps 0, pct_steps.
absl::Status PrepareStrategy(RunConfig& config);
// The portfolio's members, in round-robin order: seed s runs member s % size. Every schedule
// strategy with stalls, and all but PCT d=2 without, alternating. Stalls (on operations that overlap
// another task's) make a bug whose operation must be overtaken several times as likely (slatedb
// #433) and a bug whose sequence must fit in an idle window a little rarer (slatedb #1622), so the
// portfolio runs them on 5 seeds of 9. PCT d=2 without stalls is left out: it was the weakest member
// on the rows where members differ (BENCHMARKS, "Strategies side by side").
struct PortfolioMember {
  Strategy strategy;
  int pct_depth;
  bool stalls;
};
inline constexpr PortfolioMember kPortfolio[] = {
    {Strategy::kDelay, 2, true}, {Strategy::kPct, 3, false},  {Strategy::kPct, 2, true},
    {Strategy::kRandom, 2, false}, {Strategy::kPos, 2, true},  {Strategy::kSurw, 2, false},
    {Strategy::kPct, 3, true},   {Strategy::kPos, 2, false},  {Strategy::kSurw, 2, true}};
// `config` with its strategy resolved for its seed, when it is a portfolio (else unchanged).
RunConfig ResolvePortfolio(const RunConfig& config);
// "random", "pct-d3", "pos": what a campaign credits a failure to.
std::string StrategyLabel(const RunConfig& config);

}  // namespace seedbed
