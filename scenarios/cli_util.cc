#include "scenarios/cli_util.h"

#include <charconv>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "fmt/format.h"

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
  if (!env("SLURM_ARRAY_TASK_ID").empty()) {
    auto id = ParseUnsigned(env("SLURM_ARRAY_TASK_ID"), "SLURM_ARRAY_TASK_ID");
    auto count = ParseUnsigned(env("SLURM_ARRAY_TASK_COUNT"), "SLURM_ARRAY_TASK_COUNT");
    if (!id.ok()) return id.status();
    if (!count.ok()) return count.status();
    uint64_t min = 0;
    if (!env("SLURM_ARRAY_TASK_MIN").empty()) {
      auto m = ParseUnsigned(env("SLURM_ARRAY_TASK_MIN"), "SLURM_ARRAY_TASK_MIN");
      if (!m.ok()) return m.status();
      min = *m;
    }
    if (*id < min) return absl::InvalidArgumentError("SLURM_ARRAY_TASK_ID below SLURM_ARRAY_TASK_MIN");
    return ParseShard(fmt::format("{}/{}", *id - min, *count));
  }
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

}  // namespace seedbed
