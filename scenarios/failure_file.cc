#include "scenarios/failure_file.h"

#include <fstream>
#include <sstream>

#include "fmt/format.h"
#include "nlohmann/json.hpp"
#include "sim/version.h"

namespace seedbed {
namespace {

using nlohmann::json;

uint64_t Fnv1a(std::string_view bytes) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  return h;
}

// Fields in a std::map-backed object: dump() is canonical (sorted keys), so the checksum is stable.
json StoryJson(const RunStory& s) {
  return json{{"decisions", s.decisions}, {"non_default", s.non_default}, {"faults", s.faults},
              {"crashes", s.crashes}, {"context_switches", s.context_switches}, {"events", s.events}};
}

std::optional<RunStory> StoryFromJson(const json& j, const char* name) {
  auto it = j.find(name);
  if (it == j.end() || !it->is_object()) return std::nullopt;
  RunStory s;
  s.decisions = it->value("decisions", uint64_t{0});
  s.non_default = it->value("non_default", uint64_t{0});
  s.faults = it->value("faults", uint64_t{0});
  s.crashes = it->value("crashes", uint64_t{0});
  s.context_switches = it->value("context_switches", uint64_t{0});
  s.events = it->value("events", uint64_t{0});
  return s;
}

json Body(const FailureFile& f) {
  json kinds = json::array();
  json values = json::array();
  json sites = json::array();
  for (const Decision& d : f.decisions) {
    kinds.push_back(static_cast<int>(d.kind));
    values.push_back(d.value);
    sites.push_back(d.site);
  }
  json body{{"format", "seedbed-failure"},
              {"format_version", kFailureFormatVersion},
              {"seedbed_version", f.seedbed_version.empty() ? kGitDescribe : f.seedbed_version},
              {"scenario", f.scenario},
              {"variant", f.variant},
              {"seed", f.seed},
              {"strategy", StrategyName(f.strategy)},
              {"pct_depth", f.pct_depth},
              {"event_budget", f.event_budget},
              {"time_budget_ns", f.time_budget_ns},
              {"invariant", f.invariant},
              {"message", f.message},
              {"trace_hash", fmt::format("{:016x}", f.trace_hash)},
              {"events", f.events},
              {"shrunk", f.shrunk},
              {"keep_going", f.keep_going},
              {"decision_kinds", std::move(kinds)},
              {"decision_values", std::move(values)},
              {"decision_sites", std::move(sites)},
              {"decision_match", f.replay_match == ReplayMatch::kBySite ? "site" : "position"},
              {"decision_tail", f.replay_tail == ReplayTail::kDefault ? "default" : "seed"},
              {"signature", f.signature}};
  if (f.story) body["story"] = StoryJson(*f.story);
  if (f.shrunk_from) body["shrunk_from"] = StoryJson(*f.shrunk_from);
  return body;
}

template <typename T>
absl::StatusOr<T> Field(const json& j, const char* name) {
  auto it = j.find(name);
  if (it == j.end()) return absl::InvalidArgumentError(fmt::format("missing field '{}'", name));
  try {
    return it->get<T>();
  } catch (const json::exception&) {
    return absl::InvalidArgumentError(fmt::format("field '{}' has the wrong type", name));
  }
}

#define FIELD_OR_RETURN(lhs, T, j, name)          \
  do {                                            \
    auto field_ = Field<T>(j, name);              \
    if (!field_.ok()) return field_.status();     \
    lhs = *std::move(field_);                     \
  } while (0)

absl::StatusOr<FailureFile> FromJson(const json& j, int version) {
  FailureFile f;
  std::string strategy, hash;
  std::vector<int> kinds;
  std::vector<uint64_t> values;
  FIELD_OR_RETURN(f.seedbed_version, std::string, j, "seedbed_version");
  FIELD_OR_RETURN(f.scenario, std::string, j, "scenario");
  FIELD_OR_RETURN(f.variant, std::string, j, "variant");
  FIELD_OR_RETURN(f.seed, uint64_t, j, "seed");
  FIELD_OR_RETURN(strategy, std::string, j, "strategy");
  FIELD_OR_RETURN(f.pct_depth, int, j, "pct_depth");
  FIELD_OR_RETURN(f.event_budget, uint64_t, j, "event_budget");
  FIELD_OR_RETURN(f.time_budget_ns, int64_t, j, "time_budget_ns");
  FIELD_OR_RETURN(f.invariant, std::string, j, "invariant");
  FIELD_OR_RETURN(f.message, std::string, j, "message");
  FIELD_OR_RETURN(hash, std::string, j, "trace_hash");
  FIELD_OR_RETURN(f.events, uint64_t, j, "events");
  FIELD_OR_RETURN(f.shrunk, bool, j, "shrunk");
  if (version >= 2) {
    FIELD_OR_RETURN(f.keep_going, bool, j, "keep_going");
  } else {
    f.keep_going = true;
  }
  FIELD_OR_RETURN(kinds, std::vector<int>, j, "decision_kinds");
  FIELD_OR_RETURN(values, std::vector<uint64_t>, j, "decision_values");
  std::vector<uint32_t> sites(values.size(), 0);
  f.replay_match = ReplayMatch::kByPosition;  // versions 1 and 2 were recorded without sites
  if (version >= 3) {
    std::string match;
    FIELD_OR_RETURN(sites, std::vector<uint32_t>, j, "decision_sites");
    FIELD_OR_RETURN(match, std::string, j, "decision_match");
    FIELD_OR_RETURN(f.signature, std::string, j, "signature");
    if (match != "site" && match != "position")
      return absl::InvalidArgumentError(fmt::format("unknown decision_match '{}' (site or position)", match));
    f.replay_match = match == "site" ? ReplayMatch::kBySite : ReplayMatch::kByPosition;
    std::string tail;
    FIELD_OR_RETURN(tail, std::string, j, "decision_tail");
    if (tail != "seed" && tail != "default")
      return absl::InvalidArgumentError(fmt::format("unknown decision_tail '{}' (seed or default)", tail));
    f.replay_tail = tail == "default" ? ReplayTail::kDefault : ReplayTail::kSeed;
    if (sites.size() != values.size())
      return absl::InvalidArgumentError("decision_sites and decision_values differ in length");
    f.story = StoryFromJson(j, "story");
    f.shrunk_from = StoryFromJson(j, "shrunk_from");
  }
  auto parsed = ParseStrategy(strategy);
  if (!parsed.ok()) return parsed.status();
  f.strategy = *parsed;
  f.trace_hash = std::stoull(hash, nullptr, 16);
  if (kinds.size() != values.size())
    return absl::InvalidArgumentError("decision_kinds and decision_values differ in length");
  f.decisions.reserve(kinds.size());
  for (size_t i = 0; i < kinds.size(); ++i) {
    if (kinds[i] < 0 || kinds[i] > static_cast<int>(DecisionKind::kUser))
      return absl::InvalidArgumentError(fmt::format("decision {} has unknown kind {}", i, kinds[i]));
    f.decisions.push_back({values[i], static_cast<DecisionKind>(kinds[i]), sites[i]});
  }
  return f;
}

}  // namespace

std::string_view StrategyName(Strategy strategy) {
  return strategy == Strategy::kPct ? "pct" : "random";
}

absl::StatusOr<Strategy> ParseStrategy(std::string_view name) {
  if (name == "random") return Strategy::kRandom;
  if (name == "pct") return Strategy::kPct;
  return absl::InvalidArgumentError(fmt::format("unknown strategy '{}' (random or pct)", name));
}

std::string EncodeFailureFile(const FailureFile& file) {
  json body = Body(file);
  body["checksum"] = fmt::format("{:016x}", Fnv1a(body.dump()));
  return body.dump(1) + "\n";
}

absl::StatusOr<FailureFile> DecodeFailureFile(std::string_view text) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded())
    return absl::InvalidArgumentError("not a failure file: corrupt or truncated JSON");
  if (!j.is_object() || j.value("format", "") != "seedbed-failure")
    return absl::InvalidArgumentError("not a failure file: no \"format\": \"seedbed-failure\"");
  int version = j.value("format_version", -1);
  if (version < 1 || version > kFailureFormatVersion)
    return absl::InvalidArgumentError(fmt::format(
        "incompatible failure file: format version {} (this seedbed, {}, reads versions 1 to {})",
        version, kGitDescribe, kFailureFormatVersion));
  auto checksum = Field<std::string>(j, "checksum");
  if (!checksum.ok()) return checksum.status();
  json body = j;
  body.erase("checksum");
  std::string expected = fmt::format("{:016x}", Fnv1a(body.dump()));
  if (*checksum != expected)
    return absl::InvalidArgumentError(fmt::format(
        "corrupt failure file: checksum {} does not match its contents ({})", *checksum, expected));
  return FromJson(body, version);
}

absl::Status WriteFailureFile(const std::string& path, const FailureFile& file) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return absl::PermissionDeniedError(fmt::format("cannot write {}", path));
  out << EncodeFailureFile(file);
  out.close();
  if (!out) return absl::DataLossError(fmt::format("short write to {}", path));
  return absl::OkStatus();
}

absl::StatusOr<FailureFile> ReadFailureFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(fmt::format("cannot open {}", path));
  std::stringstream buffer;
  buffer << in.rdbuf();
  auto decoded = DecodeFailureFile(buffer.str());
  if (!decoded.ok())
    return absl::InvalidArgumentError(fmt::format("{}: {}", path, std::string(decoded.status().message())));
  return decoded;
}

}  // namespace seedbed
