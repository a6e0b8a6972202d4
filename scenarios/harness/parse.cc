#include "scenarios/harness/parse.h"

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "fmt/format.h"
#include "scenarios/harness/scenario.h"

namespace seedbed {
namespace {

absl::StatusOr<uint64_t> ParseUnsigned(std::string_view text, std::string_view what) {
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size())
    return absl::InvalidArgumentError(
        fmt::format("malformed {} '{}': expected a non-negative integer", what, text));
  return value;
}

// A Slurm array --array=MIN-MAX[:STEP] runs task ids MIN, MIN+STEP, ..., COUNT of them: shard
// (id - MIN) / STEP of COUNT. A list (--array=1,4,9) has ids that are not such a progression:
// refused, naming the variables and the fix.
template <typename Env>
absl::StatusOr<std::pair<int, int>> ShardFromSlurm(const Env& env) {
  auto id = ParseUnsigned(env("SLURM_ARRAY_TASK_ID"), "SLURM_ARRAY_TASK_ID");
  auto count = ParseUnsigned(env("SLURM_ARRAY_TASK_COUNT"), "SLURM_ARRAY_TASK_COUNT");
  if (!id.ok()) return id.status();
  if (!count.ok()) return count.status();
  auto optional = [&](const char* name, uint64_t fallback) -> absl::StatusOr<uint64_t> {
    if (env(name).empty()) return fallback;
    return ParseUnsigned(env(name), name);
  };
  auto min = optional("SLURM_ARRAY_TASK_MIN", 0);
  auto step = optional("SLURM_ARRAY_TASK_STEP", 1);
  if (!min.ok()) return min.status();
  if (!step.ok()) return step.status();
  auto not_a_range = [&](std::string_view why) {
    return absl::InvalidArgumentError(fmt::format(
        "Slurm array task {} (SLURM_ARRAY_TASK_MIN {}, SLURM_ARRAY_TASK_STEP {}, SLURM_ARRAY_TASK_COUNT {}): {}; "
        "submit with --array=0-N (or MIN-MAX:STEP), or pass --shard K/N",
        *id, *min, *step, *count, why));
  };
  if (*step == 0) return not_a_range("a step of 0");
  if (*id < *min) return not_a_range("the task id is below SLURM_ARRAY_TASK_MIN");
  if ((*id - *min) % *step != 0) return not_a_range("the task id is not MIN plus a multiple of the step");
  uint64_t index = (*id - *min) / *step;
  if (index >= *count)
    return not_a_range(fmt::format("it would be shard {} of {}: the array is not one evenly stepped range "
                                   "(a list such as --array=1,4,9?)",
                                   index, *count));
  if (!env("SLURM_ARRAY_TASK_MAX").empty()) {
    auto max = ParseUnsigned(env("SLURM_ARRAY_TASK_MAX"), "SLURM_ARRAY_TASK_MAX");
    if (!max.ok()) return max.status();
    if (*max < *min || (*max - *min) / *step + 1 != *count)
      return not_a_range(fmt::format("MIN..MAX by the step holds {} tasks, not SLURM_ARRAY_TASK_COUNT: the "
                                     "array is not one evenly stepped range",
                                     *max < *min ? 0 : (*max - *min) / *step + 1));
  }
  return ParseShard(fmt::format("{}/{}", index, *count));
}

}  // namespace

absl::StatusOr<uint64_t> ParseSeed(std::string_view text) { return ParseUnsigned(text, "seed"); }

absl::StatusOr<std::pair<uint64_t, uint64_t>> ParseSeedRange(std::string_view text) {
  size_t dots = text.find("..");
  if (dots == std::string_view::npos) {
    auto seed = ParseUnsigned(text, "seed range");
    if (!seed.ok()) return seed.status();
    return std::pair{*seed, *seed};
  }
  auto first = ParseUnsigned(text.substr(0, dots), "seed range start");
  if (!first.ok()) return first.status();
  auto last = ParseUnsigned(text.substr(dots + 2), "seed range end");
  if (!last.ok()) return last.status();
  if (*last < *first)
    return absl::InvalidArgumentError(
        fmt::format("malformed seed range '{}': the end is below the start", text));
  return std::pair{*first, *last};
}

absl::StatusOr<double> ParseDurationSeconds(std::string_view text) {
  double scale = 1;
  std::string_view number = text;
  if (!text.empty()) {
    switch (text.back()) {
      case 's': scale = 1; number.remove_suffix(1); break;
      case 'm': scale = 60; number.remove_suffix(1); break;
      case 'h': scale = 3600; number.remove_suffix(1); break;
      default: break;
    }
  }
  auto value = ParseUnsigned(number, "duration");
  if (!value.ok() || *value == 0)
    return absl::InvalidArgumentError(
        fmt::format("malformed duration '{}': expected e.g. 90s, 10m or 2h", text));
  return static_cast<double>(*value) * scale;
}

absl::StatusOr<std::pair<int, int>> ParseShard(std::string_view text) {
  size_t slash = text.find('/');
  auto bad = absl::InvalidArgumentError(
      fmt::format("malformed shard '{}': expected K/N with 0 <= K < N", text));
  if (slash == std::string_view::npos) return bad;
  auto k = ParseUnsigned(text.substr(0, slash), "shard index");
  auto n = ParseUnsigned(text.substr(slash + 1), "shard count");
  if (!k.ok() || !n.ok() || *n == 0 || *k >= *n || *n > 1'000'000) return bad;
  return std::pair{static_cast<int>(*k), static_cast<int>(*n)};
}

absl::StatusOr<std::pair<int, int>> ShardFromEnvironment() {
  auto env = [](const char* name) -> std::string_view {
    const char* v = std::getenv(name);
    return v ? std::string_view(v) : std::string_view();
  };
  if (!env("JOB_COMPLETION_INDEX").empty()) {
    if (env("SEEDBED_SHARDS").empty())
      return absl::InvalidArgumentError(
          "JOB_COMPLETION_INDEX is set but SEEDBED_SHARDS (the Job's completions) is not");
    return ParseShard(fmt::format("{}/{}", env("JOB_COMPLETION_INDEX"), env("SEEDBED_SHARDS")));
  }
  if (!env("SLURM_ARRAY_TASK_ID").empty()) return ShardFromSlurm(env);
  return std::pair{0, 1};
}

absl::Status EnsureWritableDir(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec)
    return absl::PermissionDeniedError(
        fmt::format("cannot create output directory '{}': {}", dir, ec.message()));
  std::string probe = dir + "/.seedbed-write-test";
  {
    std::ofstream out(probe);
    out << "x";
    if (!out) return absl::PermissionDeniedError(fmt::format("output directory '{}' is not writable", dir));
  }
  std::filesystem::remove(probe, ec);
  return absl::OkStatus();
}

absl::StatusOr<int> RemoveCampaignOutputs(const std::string& dir) {
  std::vector<std::string> prefixes;
  for (const ScenarioInfo& info : Registry::Get().List()) prefixes.push_back(info.name + ".");
  auto ends_with = [](std::string_view name, std::string_view suffix) {
    return name.size() >= suffix.size() && name.substr(name.size() - suffix.size()) == suffix;
  };
  auto ours = [&](const std::string& name) {
    if (name == "campaign.json" || name == "campaign.md") return true;
    if (name.size() > 1 && name[0] == '.' && name.find(".tmp.") != std::string::npos) return true;
    bool scenario_file = std::any_of(prefixes.begin(), prefixes.end(),
                                     [&](const std::string& p) { return name.rfind(p, 0) == 0; });
    return scenario_file && (ends_with(name, ".failure.json") || ends_with(name, ".trace.json") ||
                             ends_with(name, ".html") || ends_with(name, ".timeline.txt"));
  };
  std::error_code ec;
  std::vector<std::filesystem::path> doomed;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec))
    if (entry.is_regular_file(ec) && ours(entry.path().filename().string())) doomed.push_back(entry.path());
  if (ec) return absl::PermissionDeniedError(fmt::format("cannot list output directory '{}': {}", dir, ec.message()));
  int removed = 0;
  for (const auto& path : doomed) {
    if (!std::filesystem::remove(path, ec) || ec)
      return absl::PermissionDeniedError(
          fmt::format("cannot remove {} (a previous campaign's file): {}", path.string(), ec.message()));
    ++removed;
  }
  return removed;
}

}  // namespace seedbed
