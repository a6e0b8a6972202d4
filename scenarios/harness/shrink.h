// The shrinker: turns a failing run's recorded decision list into a shorter story that still fails
// with the same signature (scenarios/harness/signature.h: the invariant and the shape of its evidence, e.g.
// the same Raft group). It edits the list (zero or lower values, drop faults and crashes, fewer
// context switches, zero or cut the tail, delete runs of decisions) and keeps an edit only if the
// run still fails with the same signature and is smaller. Every run it makes is deterministic;
// the wall-clock bound only decides how many edits are tried, and the result is the last kept edit.
// Call from kernel context (it calls RunOnce); never yields. Not thread-safe.
#pragma once

#include <signal.h>

#include <cstddef>
#include <cstdint>
#include <ostream>
#include <string>

#include "absl/status/statusor.h"
#include "scenarios/harness/failure_file.h"
#include "scenarios/harness/runner.h"

namespace seedbed {

struct ShrinkOptions {
  double time_limit_s = 60;   // wall time; only stops the search early (then the result depends on speed)
  int max_attempts = 5000;    // runs tried, the first (reproducing) run excluded
  bool verbose = false;       // print every kept edit (otherwise one line per pass and per 250 runs)
  // When set, checked before every run: nonzero (a signal handler's flag) stops the search at
  // once: stopped_by is "signal", attempts and kept say how far it got, and `file` and `report`
  // are left empty (nothing was shrunk: the caller keeps the input file).
  const volatile sig_atomic_t* stop = nullptr;
};

// How big a run's story is. Runs compare lexicographically on (faults_injected + nonzero_values,
// context_switches, decisions, events, value_sum); an edit is kept only if it makes this smaller
// AND is no larger in any of faults, crashes, non-default decisions, context switches and
// decisions (NoLargerThan), so a shrunk result never grows in any of them: a tuple of naturals that
// only falls also bounds the search. Decisions counts what a replay needs (the defaults ending each
// site's stream are implied); the run's choice points can be more than the input's (the all-default
// run has every latency 0, so more tasks are runnable at once), and are shown, not compared.
struct RunSize {
  // Decisions a replay needs: the recorded list without the defaults that end each site's stream
  // (CompactForDefaultTail; a shrunk file stores just these and defaults past them).
  size_t decisions = 0;
  size_t choice_points = 0;    // every decision the run drew (shown, not compared)
  uint64_t context_switches = 0;
  uint64_t faults_injected = 0;
  uint64_t crashes = 0;        // process crashes (from the kept trace)
  size_t nonzero_values = 0;   // decisions whose value is not the default (0)
  uint64_t value_sum = 0;      // saturating
  uint64_t events = 0;
  Nanos sim_time_ns = 0;       // shown, not compared

  static RunSize Of(const RunReport& report);
  bool SmallerThan(const RunSize& other) const;
  bool NoLargerThan(const RunSize& other) const;
  RunStory Story() const;
};

struct ShrinkResult {
  FailureFile file;        // shrunk = true; `seedbed replay` reproduces it exactly
  std::string signature;   // of the input's run, and of every kept edit's
  RunReport report;        // the shrunk run with every event kept (for reports)
  RunSize before;
  RunSize after;
  int attempts = 0;        // runs tried
  int kept = 0;            // edits kept
  double wall_s = 0;
  // "fixpoint", "all defaults" (every decision is 0: nothing left to shrink), "time limit",
  // "attempt limit" or "signal" (ShrinkOptions::stop).
  std::string stopped_by;
};

// The run a failure file describes; config.replay points into `file`, which must outlive it.
RunConfig ConfigFromFailureFile(const FailureFile& file);
// The failure file of a run: its recorded decisions, trace hash and first violation.
FailureFile FailureFileFromReport(const RunReport& report);

// kFailedPrecondition if the file does not reproduce its invariant (or names none); kInternal if
// the shrunk list does not replay to the run it was kept for (nondeterminism); a RunOnce error as is.
// Progress goes to `progress`: attempts, current decisions and context switches.
absl::StatusOr<ShrinkResult> Shrink(const FailureFile& file, const ShrinkOptions& options,
                                    std::ostream& progress);

// "D decisions (N non-default), F faults, C crashes, S context switches, E events".
std::string DescribeStory(const RunStory& story);
// DescribeStory, then choice points and simulated time.
std::string DescribeSize(const RunSize& size);
// The signature, then two lines, "before:" and "after:" (DescribeStory and simulated time), then
// runs tried, edits kept and what stopped the search (saying so when a time limit cut it).
std::string DescribeShrink(const ShrinkResult& result);

}  // namespace seedbed
