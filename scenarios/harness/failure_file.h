// The failure file: everything needed to replay one failing run bit for bit (scenario, variant,
// config, seed, the recorded decision list) plus what failed, guarded by a format version and a
// checksum. JSON, so a person can read it. Never yields.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "sim/decisions.h"
#include "sim/kernel.h"

namespace seedbed {

// 2 added keep_going; a version 1 file (written before runs stopped at their first violation) reads
// as keep_going = true, which is how it ran. 3 added decision_sites and decision_match (version 1
// and 2 files replay by position, as they were recorded), signature, story and shrunk_from.
inline constexpr int kFailureFormatVersion = 3;

// The size of a run's story, as the shrinker reports it (scenarios/harness/shrink.h).
struct RunStory {
  uint64_t decisions = 0;
  uint64_t non_default = 0;
  uint64_t faults = 0;
  uint64_t crashes = 0;
  uint64_t context_switches = 0;
  uint64_t events = 0;
  friend bool operator==(const RunStory&, const RunStory&) = default;
};
// The deepest PCT a file may ask for (the command's --pct-depth allows 1..64).
inline constexpr int kMaxPctDepth = 64;

struct FailureFile {
  std::string seedbed_version;   // git describe of the build that wrote it
  std::string scenario;
  std::string variant;
  uint64_t seed = 0;
  Strategy strategy = Strategy::kRandom;
  int pct_depth = 2;
  uint64_t pct_steps = 0;        // RunConfig::pct_steps (0: the old default, absent in older files)
  bool stalls = false;           // RunConfig::stalls (written only when true)
  uint64_t event_budget = 0;
  int64_t time_budget_ns = 0;
  std::string invariant;         // the violation it is named after
  std::string message;
  uint64_t trace_hash = 0;       // of the failing run: replay must reproduce it
  uint64_t events = 0;
  DecisionList decisions;
  bool shrunk = false;
  bool keep_going = false;       // RunConfig::keep_going of the failing run
  ReplayMatch replay_match = ReplayMatch::kBySite;  // kByPosition for files before version 3
  ReplayTail replay_tail = ReplayTail::kSeed;       // kDefault: a shrunk list, compacted
  std::string signature;         // scenarios/harness/signature.h, of the failing run ("" before version 3)
  std::optional<RunStory> story;        // of this run, when known
  std::optional<RunStory> shrunk_from;  // a shrunk file: the story of the run it was shrunk from
};

// Every strategy the command takes (--strategy), in the order its help, error messages and the
// benchmarks (tests/bench/strategy_bench, fixed_sweep.sh) list them. The one list: ParseStrategy
// accepts exactly these StrategyName()s, so a strategy added here is taken by the command and
// measured by the benchmarks with no other edit.
inline constexpr Strategy kStrategies[] = {Strategy::kRandom,    Strategy::kPct,    Strategy::kPos,
                                           Strategy::kSurw,      Strategy::kDelay,  Strategy::kPortfolio,
                                           Strategy::kGuided};
std::string_view StrategyName(Strategy strategy);
// "random, pct, pos, surw, portfolio or guided": kStrategies' names, for help and errors.
std::string StrategyNames();
absl::StatusOr<Strategy> ParseStrategy(std::string_view name);

// Serialises with a checksum over every other field.
std::string EncodeFailureFile(const FailureFile& file);
// kInvalidArgument with a message saying which: not JSON (corrupt or truncated, or nested too
// deep), a missing, mistyped or out-of-range field, a checksum mismatch, an unknown format version.
// Never throws or aborts, whatever the bytes.
absl::StatusOr<FailureFile> DecodeFailureFile(std::string_view text);

// Atomic (temporary name, fsync, rename: scenarios/harness/file_io.h); kUnavailable naming the path.
absl::Status WriteFailureFile(const std::string& path, const FailureFile& file);
// Reads at most kMaxInputFileBytes; kNotFound, or kInvalidArgument naming the path and the defect.
absl::StatusOr<FailureFile> ReadFailureFile(const std::string& path);

}  // namespace seedbed
