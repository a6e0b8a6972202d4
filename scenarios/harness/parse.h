// Parsing of the command line's values (seeds, ranges, durations, shards) with messages that say
// what was wrong. Never yields.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "absl/status/statusor.h"

namespace seedbed {

absl::StatusOr<uint64_t> ParseSeed(std::string_view text);
// "A..B" (inclusive, A <= B) or a single seed "A".
absl::StatusOr<std::pair<uint64_t, uint64_t>> ParseSeedRange(std::string_view text);
// "90s", "10m", "2h", or plain seconds.
absl::StatusOr<double> ParseDurationSeconds(std::string_view text);
// "K/N" with 0 <= K < N, zero-based.
absl::StatusOr<std::pair<int, int>> ParseShard(std::string_view text);
// The shard from a batch system's environment when --shard is not given: a Kubernetes Indexed
// Job (JOB_COMPLETION_INDEX, with SEEDBED_SHARDS giving the total) or a Slurm array
// (SLURM_ARRAY_TASK_ID, SLURM_ARRAY_TASK_COUNT, SLURM_ARRAY_TASK_MIN). {0, 1} when neither.
absl::StatusOr<std::pair<int, int>> ShardFromEnvironment();
// Creates the directory (and parents) and checks a file can be written there.
absl::Status EnsureWritableDir(const std::string& dir);
// Removes from `dir` what an earlier `fuzz --out dir` wrote there: campaign.json and campaign.md,
// each failure's files (named after a registered scenario: <scenario>.<...>.failure.json, .html,
// .trace.json, .timeline.txt) and temporary files a killed write left (.<name>.tmp.<pid>). Other
// files are left alone. Returns how many it removed.
absl::StatusOr<int> RemoveCampaignOutputs(const std::string& dir);

}  // namespace seedbed
