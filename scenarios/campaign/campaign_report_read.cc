// Reading campaign.json back (merge, fuzzing): every field is checked for presence, JSON type and
// range (scenarios/harness/json_fields.h), so a corrupt, hand-edited or fuzzed report is refused with a
// message naming the field, never an exception or undefined behaviour. Kept apart from the writer
// so that the decoder's fuzz target (tests/fuzz/) links this file, baseline.cc and the
// failure-file decoder alone.
#include <algorithm>
#include <charconv>
#include <iterator>
#include <limits>
#include <optional>

#include "fmt/format.h"
#include "model/env/status.h"
#include "scenarios/campaign/baseline.h"
#include "scenarios/campaign/campaign_report.h"
#include "scenarios/harness/failure_file.h"
#include "scenarios/harness/file_io.h"
#include "scenarios/harness/json_fields.h"

namespace seedbed {
namespace {

namespace jf = json_fields;
using nlohmann::json;

constexpr int64_t kInt64Max = std::numeric_limits<int64_t>::max();
constexpr double kSecondsMax = 1e12;  // ~31,700 years: any real campaign's seconds

// A {name: count} object of non-negative integers.
absl::Status ReadCounts(const json& object, const std::string& prefix, std::map<std::string, uint64_t>& out) {
  for (const auto& [name, value] : object.items()) {
    ASSIGN_OR_RETURN(out[name], jf::UintValue(value, fmt::format("{}.{}", prefix, name)));
  }
  return absl::OkStatus();
}

// "" for null, else the string.
absl::StatusOr<std::string> StringOrNull(const json& object, const std::string& prefix, std::string_view key) {
  ASSIGN_OR_RETURN(const json* value, jf::Member(object, prefix, key));
  if (value->is_null()) return std::string();
  return jf::StringValue(*value, fmt::format("{}{}", prefix, key));
}

absl::StatusOr<FailureGroup> GroupFromJson(const json& g, const std::string& q) {
  FailureGroup group;
  ASSIGN_OR_RETURN(group.invariant, jf::String(g, q, "invariant"));
  ASSIGN_OR_RETURN(group.count, jf::Uint(g, q, "count", 1));
  ASSIGN_OR_RETURN(group.first_seed, jf::Uint(g, q, "first_seed"));
  ASSIGN_OR_RETURN(group.first_message, jf::String(g, q, "first_message"));
  ASSIGN_OR_RETURN(group.signature, jf::String(g, q, "signature"));
  ASSIGN_OR_RETURN(const json* artifacts, jf::Object(g, q, "artifacts"));
  const std::string a = q + "artifacts.";
  ASSIGN_OR_RETURN(group.failure_file, StringOrNull(*artifacts, a, "failure_file"));
  ASSIGN_OR_RETURN(group.shrunk_file, StringOrNull(*artifacts, a, "shrunk_file"));
  ASSIGN_OR_RETURN(group.report_html, StringOrNull(*artifacts, a, "report_html"));
  if (g.contains("shrink")) {  // absent in older reports
    ASSIGN_OR_RETURN(const json* shrink, jf::Member(g, q, "shrink"));
    if (!shrink->is_null()) {
      const std::string s = q + "shrink.";
      if (!shrink->is_object()) return absl::InvalidArgumentError(fmt::format("field '{}shrink' is not an object", q));
      ASSIGN_OR_RETURN(group.shrink_attempts, jf::Uint(*shrink, s, "attempts"));
      ASSIGN_OR_RETURN(group.shrink_kept, jf::Uint(*shrink, s, "kept", 0, group.shrink_attempts));
      ASSIGN_OR_RETURN(group.shrink_stopped_by, jf::String(*shrink, s, "stopped_by"));
      if (std::find(std::begin(kShrinkStops), std::end(kShrinkStops), group.shrink_stopped_by) == std::end(kShrinkStops))
        return absl::InvalidArgumentError(
            fmt::format("field '{}stopped_by' is '{}': not a way a shrink ends", s, group.shrink_stopped_by.substr(0, 40)));
    }
  }
  ASSIGN_OR_RETURN(std::string seeds_text, jf::String(g, q, "seeds"));
  auto seeds = ParseSeedRanges(seeds_text);  // ranges: memory bounded by the text
  if (!seeds.ok())
    return absl::InvalidArgumentError(fmt::format("field '{}seeds': {}", q, std::string(seeds.status().message())));
  group.seeds = *std::move(seeds);
  if (group.seeds.size() != group.count || group.seeds.empty() || group.seeds.first() != group.first_seed)
    return absl::InvalidArgumentError(fmt::format("field '{}seeds' (\"{}\") disagrees with count {} and first_seed {}", q,
                                                  seeds_text.substr(0, 60), group.count, group.first_seed));
  return group;
}

absl::Status ReadGroups(const json& cell, const std::string& p, CellResult& c) {
  ASSIGN_OR_RETURN(const json* groups, jf::Array(cell, p, "groups"));
  for (size_t i = 0; i < groups->size(); ++i) {
    ASSIGN_OR_RETURN(FailureGroup group, GroupFromJson((*groups)[i], fmt::format("{}groups[{}].", p, i)));
    c.groups.push_back(std::move(group));
  }
  return absl::OkStatus();
}

absl::Status ReadCoverage(const json& cell, const std::string& p, CellResult& c) {
  ASSIGN_OR_RETURN(const json* crash_points, jf::Object(cell, p, "crash_points"));
  for (const auto& [name, t] : crash_points->items()) {
    std::string q = fmt::format("{}crash_points.{}.", p, name);
    CellResult::CrashPointTally& tally = c.crash_points[name];
    ASSIGN_OR_RETURN(tally.runs_reached, jf::Uint(t, q, "runs_reached"));
    ASSIGN_OR_RETURN(tally.reached, jf::Uint(t, q, "reached"));
    ASSIGN_OR_RETURN(tally.runs_armed, jf::Uint(t, q, "runs_armed"));
    ASSIGN_OR_RETURN(tally.runs_fired, jf::Uint(t, q, "runs_fired"));
    ASSIGN_OR_RETURN(tally.fired, jf::Uint(t, q, "fired"));
  }
  ASSIGN_OR_RETURN(const json* probes, jf::Object(cell, p, "probes"));
  for (const auto& [name, t] : probes->items()) {
    std::string q = fmt::format("{}probes.{}.", p, name);
    CellResult::ProbeTally& tally = c.probes[name];
    ASSIGN_OR_RETURN(tally.runs_reached, jf::Uint(t, q, "runs_reached"));
    ASSIGN_OR_RETURN(tally.reached, jf::Uint(t, q, "reached"));
  }
  ASSIGN_OR_RETURN(const json* kinds, jf::Object(cell, p, "fault_kinds"));
  RETURN_IF_ERROR(ReadCounts(*kinds, p + "fault_kinds", c.fault_kinds));
  ASSIGN_OR_RETURN(const json* swarm, jf::Object(cell, p, "swarm"));
  ASSIGN_OR_RETURN(c.swarm_runs, jf::Uint(*swarm, p + "swarm.", "runs"));
  ASSIGN_OR_RETURN(const json* plans, jf::Object(*swarm, p + "swarm.", "plans"));
  return ReadCounts(*plans, p + "swarm.plans", c.swarm_plans);
}

// Fields added after version 1 was first written are optional: an older report reads as a
// complete campaign whose runs' wall and CPU seconds were not told apart.
absl::Status ReadCompletionAndTiming(const json& cell, const std::string& p, CellResult& c) {
  if (cell.contains("not_run")) {
    ASSIGN_OR_RETURN(const json* not_run, jf::Object(cell, p, "not_run"));
    std::string q = p + "not_run.";
    ASSIGN_OR_RETURN(c.not_run, jf::Uint(*not_run, q, "seeds"));
    ASSIGN_OR_RETURN(const json* ranges, jf::Array(*not_run, q, "ranges"));
    for (size_t i = 0; i < ranges->size(); ++i) {
      const json& r = (*ranges)[i];
      std::string name = fmt::format("{}ranges[{}]", q, i);
      if (!r.is_array() || r.size() != 2)
        return absl::InvalidArgumentError(fmt::format("field '{}' is not a [first, last] pair", name));
      ASSIGN_OR_RETURN(uint64_t first, jf::UintValue(r[0], name + "[0]"));
      ASSIGN_OR_RETURN(uint64_t last, jf::UintValue(r[1], name + "[1]", first));
      c.not_run_ranges.emplace_back(first, last);
    }
    ASSIGN_OR_RETURN(c.not_run_ranges_truncated, jf::Bool(*not_run, q, "ranges_truncated"));
  }
  if (cell.contains("killed")) {
    ASSIGN_OR_RETURN(c.killed, jf::Uint(cell, p, "killed"));
  }
  ASSIGN_OR_RETURN(const json* timing, jf::Object(cell, p, "timing"));
  ASSIGN_OR_RETURN(c.cpu_s, jf::Double(*timing, p + "timing.", "cpu_s", 0, kSecondsMax));
  c.wall_s = c.cpu_s;
  if (timing->contains("wall_s")) {
    ASSIGN_OR_RETURN(c.wall_s, jf::Double(*timing, p + "timing.", "wall_s", 0, kSecondsMax));
  }
  return absl::OkStatus();
}

absl::StatusOr<CellResult> CellFromJson(const json& j, size_t index) {
  const std::string p = fmt::format("cells[{}].", index);
  CellResult c;
  ASSIGN_OR_RETURN(c.cell.scenario, jf::String(j, p, "scenario"));
  ASSIGN_OR_RETURN(c.cell.variant, jf::String(j, p, "variant"));
  ASSIGN_OR_RETURN(c.cell.expect_failure, jf::Bool(j, p, "expect_failure"));
  ASSIGN_OR_RETURN(c.seeds, jf::Uint(j, p, "seeds"));
  ASSIGN_OR_RETURN(c.failures, jf::Uint(j, p, "failures", 0, c.seeds));
  // Reports written before these two fields: no invariant was expected, none counted unexpected.
  if (j.contains("expected_invariants")) {
    ASSIGN_OR_RETURN(const json* expected, jf::Array(j, p, "expected_invariants"));
    for (size_t i = 0; i < expected->size(); ++i) {
      ASSIGN_OR_RETURN(std::string invariant,
                       jf::StringValue((*expected)[i], fmt::format("{}expected_invariants[{}]", p, i)));
      c.cell.expected_invariants.push_back(std::move(invariant));
    }
  }
  if (j.contains("unexpected")) {
    ASSIGN_OR_RETURN(c.unexpected, jf::Uint(j, p, "unexpected", 0, c.failures));
  }
  ASSIGN_OR_RETURN(const json* first_failing, jf::Member(j, p, "first_failing_seed"));
  if (!first_failing->is_null()) {
    ASSIGN_OR_RETURN(c.first_failing_seed, jf::UintValue(*first_failing, p + "first_failing_seed"));
  }
  ASSIGN_OR_RETURN(c.nondeterministic, jf::Uint(j, p, "nondeterministic", 0, c.seeds));
  ASSIGN_OR_RETURN(const json* nondet_seeds, jf::Array(j, p, "nondeterministic_seeds"));
  for (size_t i = 0; i < nondet_seeds->size(); ++i) {
    ASSIGN_OR_RETURN(uint64_t seed,
                     jf::UintValue((*nondet_seeds)[i], fmt::format("{}nondeterministic_seeds[{}]", p, i)));
    c.nondeterministic_seeds.push_back(seed);
  }
  ASSIGN_OR_RETURN(c.events, jf::Uint(j, p, "events"));
  ASSIGN_OR_RETURN(c.sim_ns, jf::Int(j, p, "sim_ns", 0, kInt64Max));
  ASSIGN_OR_RETURN(c.faults_injected, jf::Uint(j, p, "faults_injected"));
  if (j.contains("found_by")) {  // absent in reports written before strategies were credited
    ASSIGN_OR_RETURN(const json* found_by, jf::Object(j, p, "found_by"));
    RETURN_IF_ERROR(ReadCounts(*found_by, p + "found_by", c.failures_by_strategy));
  }
  RETURN_IF_ERROR(ReadGroups(j, p, c));
  RETURN_IF_ERROR(ReadCoverage(j, p, c));
  RETURN_IF_ERROR(ReadCompletionAndTiming(j, p, c));
  return c;
}

absl::Status ReadConfig(const json& j, CampaignReport& r) {
  ASSIGN_OR_RETURN(const json* config, jf::Object(j, "", "config"));
  const std::string p = "config.";
  ASSIGN_OR_RETURN(std::string strategy_name, jf::String(*config, p, "strategy"));
  auto strategy = ParseStrategy(strategy_name);
  if (!strategy.ok()) return absl::InvalidArgumentError(std::string(strategy.status().message()));
  r.options.base.strategy = *strategy;
  ASSIGN_OR_RETURN(int64_t depth, jf::Int(*config, p, "pct_depth", 1, kMaxPctDepth));
  r.options.base.pct_depth = static_cast<int>(depth);
  if (config->contains("pct_steps")) {  // absent in reports written before PCT's k was estimated
    ASSIGN_OR_RETURN(r.options.base.pct_steps, jf::Uint(*config, p, "pct_steps"));
  }
  if (config->contains("stalls")) {  // absent in reports written before stalls
    ASSIGN_OR_RETURN(r.options.base.stalls, jf::Bool(*config, p, "stalls"));
  }
  ASSIGN_OR_RETURN(r.options.base.event_budget, jf::Uint(*config, p, "event_budget", 1));
  ASSIGN_OR_RETURN(r.options.base.time_budget_ns, jf::Int(*config, p, "time_budget_ns", 1, kInt64Max));
  ASSIGN_OR_RETURN(r.options.base.chaos_ns, jf::Int(*config, p, "chaos_ns", 0, kInt64Max));
  ASSIGN_OR_RETURN(r.options.base.liveness_ns, jf::Int(*config, p, "liveness_ns", 0, kInt64Max));
  ASSIGN_OR_RETURN(r.options.check_determinism, jf::Bool(*config, p, "check_determinism"));
  r.options.base.keep_going = false;  // reports written before it was recorded ran without it
  if (config->contains("keep_going")) {
    ASSIGN_OR_RETURN(r.options.base.keep_going, jf::Bool(*config, p, "keep_going"));
  }
  return absl::OkStatus();
}

absl::Status ReadSeedsAndShards(const json& j, CampaignReport& r) {
  ASSIGN_OR_RETURN(const json* seeds, jf::Object(j, "", "seeds"));
  ASSIGN_OR_RETURN(r.options.seed_first, jf::Uint(*seeds, "seeds.", "first"));
  ASSIGN_OR_RETURN(const json* last, jf::Member(*seeds, "seeds.", "last"));
  if (last->is_null()) {
    ASSIGN_OR_RETURN(r.options.time_limit_s, jf::Double(*seeds, "seeds.", "time_limit_s", 0, kSecondsMax));
  } else {
    ASSIGN_OR_RETURN(r.options.seed_last, jf::UintValue(*last, "seeds.last", r.options.seed_first));
  }
  ASSIGN_OR_RETURN(const json* shards, jf::Object(j, "", "shards"));
  ASSIGN_OR_RETURN(int64_t count, jf::Int(*shards, "shards.", "count", 1, kMaxShards));
  r.options.shard_count = static_cast<int>(count);
  ASSIGN_OR_RETURN(const json* indices, jf::Array(*shards, "shards.", "indices"));
  if (indices->empty()) return absl::InvalidArgumentError("field 'shards.indices' is empty");
  for (size_t i = 0; i < indices->size(); ++i) {
    ASSIGN_OR_RETURN(int64_t k, jf::IntValue((*indices)[i], fmt::format("shards.indices[{}]", i), 0, count - 1));
    if (i > 0 && k <= r.shard_indices.back())
      return absl::InvalidArgumentError("field 'shards.indices' is not sorted and distinct");
    r.shard_indices.push_back(static_cast<int>(k));
  }
  r.options.shard_index = r.shard_indices.front();
  return absl::OkStatus();
}

absl::Status ReadRun(const json& j, CampaignReport& r) {
  if (j.contains("completion")) {
    ASSIGN_OR_RETURN(const json* completion, jf::Object(j, "", "completion"));
    ASSIGN_OR_RETURN(const json* stopped_by, jf::Member(*completion, "completion.", "stopped_by"));
    if (!stopped_by->is_null()) {
      ASSIGN_OR_RETURN(r.result.stopped_by, jf::StringValue(*stopped_by, "completion.stopped_by"));
      if (r.result.stopped_by.empty())
        return absl::InvalidArgumentError("field 'completion.stopped_by' is empty (null when the campaign ran out)");
    }
    if (completion->contains("shrinking_stopped_by")) {  // absent in older reports
      ASSIGN_OR_RETURN(const json* shrinking, jf::Member(*completion, "completion.", "shrinking_stopped_by"));
      if (!shrinking->is_null()) {
        ASSIGN_OR_RETURN(r.result.shrinking_stopped_by,
                         jf::StringValue(*shrinking, "completion.shrinking_stopped_by"));
        if (r.result.shrinking_stopped_by.empty())
          return absl::InvalidArgumentError(
              "field 'completion.shrinking_stopped_by' is empty (null when shrinking was not interrupted)");
      }
    }
  }
  ASSIGN_OR_RETURN(const json* timing, jf::Object(j, "", "timing"));
  ASSIGN_OR_RETURN(r.result.wall_s, jf::Double(*timing, "timing.", "wall_s", 0, kSecondsMax));
  if (timing->contains("workers_cpu_s")) {
    ASSIGN_OR_RETURN(r.result.workers_cpu_s, jf::Double(*timing, "timing.", "workers_cpu_s", 0, kSecondsMax));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<CampaignReport> CampaignReportFromJson(const json& j) {
  if (!j.is_object() || !j.contains("format") || j.at("format") != kCampaignFormat)
    return absl::InvalidArgumentError(fmt::format("not a campaign report (format is not \"{}\")", kCampaignFormat));
  ASSIGN_OR_RETURN(int64_t version, jf::Int(j, "", "version"));
  if (version != kCampaignFormatVersion)
    return absl::InvalidArgumentError(
        fmt::format("campaign report format version {} (this build reads {})", version, kCampaignFormatVersion));
  CampaignReport r;
  ASSIGN_OR_RETURN(r.seedbed_version, jf::String(j, "", "seedbed_version"));
  ASSIGN_OR_RETURN(const json* tested, jf::Object(j, "", "tested"));
  ASSIGN_OR_RETURN(r.label, jf::String(*tested, "tested.", "label"));
  ASSIGN_OR_RETURN(r.label_source, jf::String(*tested, "tested.", "from"));
  ASSIGN_OR_RETURN(r.date, jf::String(j, "", "date"));
  ASSIGN_OR_RETURN(const json* baseline, jf::Member(j, "", "baseline"));
  if (!baseline->is_null()) {
    absl::StatusOr<Baseline> b = BaselineFromJson(*baseline);
    if (!b.ok()) return absl::InvalidArgumentError(fmt::format("baseline: {}", std::string(b.status().message())));
    r.baseline = *std::move(b);
  }
  RETURN_IF_ERROR(ReadConfig(j, r));
  RETURN_IF_ERROR(ReadSeedsAndShards(j, r));
  ASSIGN_OR_RETURN(const json* cells, jf::Array(j, "", "cells"));
  for (size_t i = 0; i < cells->size(); ++i) {
    ASSIGN_OR_RETURN(CellResult c, CellFromJson((*cells)[i], i));
    r.options.cells.push_back(c.cell);
    r.result.cells.push_back(std::move(c));
  }
  RETURN_IF_ERROR(ReadRun(j, r));
  ApplyBaseline(r.result, r.baseline ? &*r.baseline : nullptr);
  return r;
}

absl::StatusOr<SeedSet> ParseSeedRanges(std::string_view text) {
  SeedSet seeds;
  auto bad = [&](std::string_view why) {
    std::string shown(text.substr(0, 60));
    if (text.size() > 60) shown += "...";
    return absl::InvalidArgumentError(fmt::format("malformed seed list '{}': {}", shown, why));
  };
  auto number = [](std::string_view t, uint64_t& value) {
    auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), value);
    return !t.empty() && ec == std::errc() && end == t.data() + t.size();
  };
  std::optional<uint64_t> last_seen;
  size_t start = 0;
  while (start < text.size()) {
    size_t comma = text.find(',', start);
    std::string_view item = text.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    size_t dash = item.find('-');
    uint64_t a = 0, b = 0;
    if (dash == std::string_view::npos) {
      if (!number(item, a)) return bad("expected a seed or A-B");
      b = a;
    } else if (!number(item.substr(0, dash), a) || !number(item.substr(dash + 1), b) || b < a) {
      return bad("expected A-B with A <= B");
    }
    if (last_seen && a <= *last_seen) return bad("seeds are not ascending and distinct");
    if (a == 0 && b == UINT64_MAX) return bad("every seed there is");
    seeds.InsertRange(a, b);
    last_seen = b;
    if (comma == std::string_view::npos) break;
    start = comma + 1;
    if (start == text.size()) return bad("trailing comma");
  }
  return seeds;
}

absl::StatusOr<CampaignReport> DecodeCampaignReport(std::string_view text) {
  ASSIGN_OR_RETURN(json j, jf::Parse(text));
  absl::StatusOr<CampaignReport> r = CampaignReportFromJson(j);
  if (!r.ok()) return absl::InvalidArgumentError(fmt::format("malformed campaign report: {}", std::string(r.status().message())));
  return r;
}

absl::StatusOr<CampaignReport> ReadCampaignReport(const std::string& path) {
  absl::StatusOr<std::string> text = ReadFileBounded(path);
  if (!text.ok()) return text.status();
  absl::StatusOr<CampaignReport> r = DecodeCampaignReport(*text);
  if (!r.ok()) return absl::InvalidArgumentError(fmt::format("{}: {}", path, std::string(r.status().message())));
  return r;
}

}  // namespace seedbed
