// The seedbed command's subcommands, as functions returning the process exit code:
// 0 clean, 1 an invariant failed, 2 bad usage or input, 3 nondeterminism detected.
#pragma once

#include <signal.h>

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace seedbed {
struct CampaignReport;
struct CampaignResult;
}  // namespace seedbed

namespace seedbed::cli {

inline constexpr int kExitClean = 0;
inline constexpr int kExitViolation = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitNondeterminism = 3;
// fuzz stopped by a signal (128 + the signal, as a shell reports it): the report says what ran.
inline constexpr int kExitInterrupted = 130;  // SIGINT
inline constexpr int kExitTerminated = 143;   // SIGTERM

struct Args {
  // The command's name in replay and rerun lines and messages (MainOptions::program_name, else
  // argv[0] without its directory).
  std::string program = "seedbed";
  std::vector<std::string> scenarios;
  std::string variant;
  std::string seed;
  std::string seeds;
  std::string time;
  std::string strategy = "random";
  int pct_depth = 2;
  bool stalls = false;     // --stalls
  uint64_t pct_steps = 0;  // 0: estimated from calibration runs
  int jobs = 1;                // fuzz --jobs / -j (the command's default: DefaultJobs())
  std::string shard;
  std::string out_dir;         // --out / -o: every subcommand's output folder
  std::string report_dir;      // run/replay/shrink: the folder reports go to (--out, or the old --report)
  std::string file;
  std::vector<std::string> reports;  // merge REPORT...
  std::string out_file;        // shrink --out
  int attempts = 5000;         // shrink --attempts
  std::string shrink_time;     // fuzz/merge --shrink-time: wall-clock backstop per shrink
  int shrink_attempts = 0;     // fuzz/merge --shrink-attempts (0: kDefaultShrinkAttempts)
  bool no_shrink = false;      // fuzz --no-shrink
  std::string shrink_budget;   // fuzz/merge --shrink-budget: total shrink time ("none": unbounded)
  bool shrink = false;         // merge --shrink
  std::string baseline_file;   // fuzz/merge --baseline
  std::string from_file;       // baseline --from
  std::string label;           // fuzz --label
  std::string junit_file;      // fuzz/merge --junit
  bool all = false;
  bool trace = false;
  bool expect = false;
  bool check_determinism = false;
  bool keep_going = false;     // run/fuzz --keep-going
  bool json = false;           // run --json: one JSON object on stdout instead of the text summary
  uint64_t recycle_after = 1000;  // fuzz --recycle-after: runs per worker process
  uint64_t recycle_rss_mb = 2048; // fuzz --recycle-rss: peak RSS (MiB) that retires a worker
  bool stdout_is_tty = false;
  bool stderr_is_tty = false;
};

int List(const Args& args);
int Run(const Args& args);
int Fuzz(const Args& args);
int Replay(const Args& args);
int Merge(const Args& args);  // scenarios/cli/merge.cc
int MakeBaseline(const Args& args);  // `seedbed baseline`, scenarios/cli/baseline_command.cc
int History(const Args& args);       // scenarios/cli/campaign_history.cc
int Shrink(const Args& args);
int Demo(const Args& args);
int WorldDemo(const Args& args);

// --- shared by fuzz, merge, baseline and history ---

// A campaign.json, or a directory holding one (scenarios/cli/baseline_command.cc).
std::string CampaignJsonPath(const std::string& path);

// How a campaign shrinks each failure group (issue 17): by a number of runs, so that the same
// seeds shrink to the same files on any machine; the wall-clock limits are backstops, and a group
// they cut short says so ("time limit", "shrink budget": FailureGroup::shrink_stopped_by).
inline constexpr int kDefaultShrinkAttempts = 2000;  // runs per group (5000 reaches most fixpoints)
inline constexpr double kDefaultShrinkTimeS = 300;   // per group
// A campaign's total shrink time unless --shrink-budget says otherwise: shrinking took 97% of a
// nightly campaign when each of its groups could take the 60 s per-shrink bound.
inline constexpr double kDefaultShrinkBudgetS = 600;
struct ShrinkBounds {
  bool shrink = false;            // false: failure files and reports only
  int attempts = kDefaultShrinkAttempts;
  double time_s = kDefaultShrinkTimeS;
  std::optional<double> budget_s = kDefaultShrinkBudgetS;  // nullopt: unbounded
  // A signal handler's flag (StopSignalsAfterRuns::flag()): once set, no group is shrunk further
  // and the report's shrinking_stopped_by names the signal. nullptr: not watched.
  const volatile sig_atomic_t* stop = nullptr;
};
// --shrink-attempts, --shrink-time and --shrink-budget (the default, a duration, or "none"), with
// `shrink` and `stop` as given. kInvalidArgument naming the option if bad.
absl::StatusOr<ShrinkBounds> ParseShrinkBounds(const Args& args, bool shrink, const volatile sig_atomic_t* stop);

// Prints every failure group of the report (with its class when classified, and its replay
// command) and, with a `dir`, writes the artifacts of each group that has none yet: its failure
// file, shrunk file (bounds.shrink: at most bounds.attempts runs and bounds.time_s each, all of
// them within bounds.budget_s) and reports, recording their paths and how each shrink ended in
// the group. Once bounds.stop is set, the groups left get their failure files unshrunk and the
// result's shrinking_stopped_by names the signal. Gone groups are listed last per cell. False
// when a file could not be written (a full disk: the command then exits 2).
bool WriteGroupArtifacts(CampaignReport& campaign, const std::string& dir, const ShrinkBounds& bounds,
                         std::ostream& out);

// 3 on nondeterminism; with `expect`, 1 when the campaign is incomplete (CampaignResult::complete),
// else 0 when every cell is as expected (scenarios/campaign/campaign.h: buggy cells fail, fixed ones have no
// new or regressed failure); else 1 on any failure.
int CampaignExitCode(const CampaignResult& result, bool expect);

}  // namespace seedbed::cli
