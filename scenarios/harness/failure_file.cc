#include "scenarios/harness/failure_file.h"

#include <charconv>

#include "fmt/format.h"
#include "model/env/status.h"
#include "nlohmann/json.hpp"
#include "scenarios/harness/file_io.h"
#include "scenarios/harness/json_fields.h"
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

// A story is optional; when present every count must be an unsigned integer (bad input otherwise).
absl::StatusOr<std::optional<RunStory>> StoryFromJson(const json& j, const char* name) {
  namespace jf = json_fields;
  auto it = j.find(name);
  if (it == j.end()) return std::optional<RunStory>();
  if (!it->is_object()) return absl::InvalidArgumentError(fmt::format("field '{}' is not an object", name));
  const std::string prefix = fmt::format("{}.", name);
  RunStory s;
  ASSIGN_OR_RETURN(s.decisions, jf::Uint(*it, prefix, "decisions"));
  ASSIGN_OR_RETURN(s.non_default, jf::Uint(*it, prefix, "non_default"));
  ASSIGN_OR_RETURN(s.faults, jf::Uint(*it, prefix, "faults"));
  ASSIGN_OR_RETURN(s.crashes, jf::Uint(*it, prefix, "crashes"));
  ASSIGN_OR_RETURN(s.context_switches, jf::Uint(*it, prefix, "context_switches"));
  ASSIGN_OR_RETURN(s.events, jf::Uint(*it, prefix, "events"));
  return std::optional<RunStory>(s);
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
              {"pct_steps", f.pct_steps},
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
  if (f.stalls) body["stalls"] = true;
  if (f.story) body["story"] = StoryJson(*f.story);
  if (f.shrunk_from) body["shrunk_from"] = StoryJson(*f.shrunk_from);
  return body;
}

// Every field is checked for presence, JSON type and range (json_fields.h): a hand-edited or
// fuzzed file is bad input (exit 2), never an exception, a float cast to an integer, or a config a
// run would reject later (pct_depth 0, event_budget 0: those would replay as nondeterminism).
absl::StatusOr<FailureFile> FromJson(const json& j, int version) {
  namespace jf = json_fields;
  FailureFile f;
  ASSIGN_OR_RETURN(f.seedbed_version, jf::String(j, "", "seedbed_version"));
  ASSIGN_OR_RETURN(f.scenario, jf::String(j, "", "scenario"));
  ASSIGN_OR_RETURN(f.variant, jf::String(j, "", "variant"));
  ASSIGN_OR_RETURN(f.seed, jf::Uint(j, "", "seed"));
  ASSIGN_OR_RETURN(std::string strategy, jf::String(j, "", "strategy"));
  ASSIGN_OR_RETURN(int64_t pct_depth, jf::Int(j, "", "pct_depth", 1, kMaxPctDepth));
  f.pct_depth = static_cast<int>(pct_depth);
  if (j.contains("pct_steps")) {  // absent before PCT's k was estimated: the old 10,000 steps
    ASSIGN_OR_RETURN(f.pct_steps, jf::Uint(j, "", "pct_steps"));
  }
  if (j.contains("stalls")) {  // written only when true
    ASSIGN_OR_RETURN(f.stalls, jf::Bool(j, "", "stalls"));
  }
  ASSIGN_OR_RETURN(f.event_budget, jf::Uint(j, "", "event_budget", 1));
  ASSIGN_OR_RETURN(f.time_budget_ns, jf::Int(j, "", "time_budget_ns", 1));
  ASSIGN_OR_RETURN(f.invariant, jf::String(j, "", "invariant"));
  ASSIGN_OR_RETURN(f.message, jf::String(j, "", "message"));
  ASSIGN_OR_RETURN(std::string hash, jf::String(j, "", "trace_hash"));
  ASSIGN_OR_RETURN(f.events, jf::Uint(j, "", "events"));
  ASSIGN_OR_RETURN(f.shrunk, jf::Bool(j, "", "shrunk"));
  if (version >= 2) {
    ASSIGN_OR_RETURN(f.keep_going, jf::Bool(j, "", "keep_going"));
  } else {
    f.keep_going = true;
  }
  ASSIGN_OR_RETURN(const json* kinds, jf::Array(j, "", "decision_kinds"));
  ASSIGN_OR_RETURN(const json* values, jf::Array(j, "", "decision_values"));
  const json* sites = nullptr;
  f.replay_match = ReplayMatch::kByPosition;  // versions 1 and 2 were recorded without sites
  if (version >= 3) {
    ASSIGN_OR_RETURN(sites, jf::Array(j, "", "decision_sites"));
    ASSIGN_OR_RETURN(std::string match, jf::String(j, "", "decision_match"));
    ASSIGN_OR_RETURN(f.signature, jf::String(j, "", "signature"));
    if (match != "site" && match != "position")
      return absl::InvalidArgumentError(fmt::format("unknown decision_match '{}' (site or position)", match));
    f.replay_match = match == "site" ? ReplayMatch::kBySite : ReplayMatch::kByPosition;
    ASSIGN_OR_RETURN(std::string tail, jf::String(j, "", "decision_tail"));
    if (tail != "seed" && tail != "default")
      return absl::InvalidArgumentError(fmt::format("unknown decision_tail '{}' (seed or default)", tail));
    f.replay_tail = tail == "default" ? ReplayTail::kDefault : ReplayTail::kSeed;
    if (sites->size() != values->size())
      return absl::InvalidArgumentError("decision_sites and decision_values differ in length");
    ASSIGN_OR_RETURN(f.story, StoryFromJson(j, "story"));
    ASSIGN_OR_RETURN(f.shrunk_from, StoryFromJson(j, "shrunk_from"));
  }
  auto parsed = ParseStrategy(strategy);
  if (!parsed.ok()) return parsed.status();
  f.strategy = *parsed;
  auto [end, ec] = std::from_chars(hash.data(), hash.data() + hash.size(), f.trace_hash, 16);
  if (hash.empty() || hash.size() > 16 || ec != std::errc() || end != hash.data() + hash.size() ||
      hash.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos)
    return absl::InvalidArgumentError(
        fmt::format("field 'trace_hash' is '{}': expected 1 to 16 hex digits", hash.substr(0, 40)));
  if (kinds->size() != values->size())
    return absl::InvalidArgumentError("decision_kinds and decision_values differ in length");
  f.decisions.reserve(kinds->size());
  for (size_t i = 0; i < kinds->size(); ++i) {
    auto kind = jf::UintValue((*kinds)[i], fmt::format("decision_kinds[{}]", i), 0,
                              static_cast<uint64_t>(DecisionKind::kUser));
    if (!kind.ok()) return kind.status();
    auto value = jf::UintValue((*values)[i], fmt::format("decision_values[{}]", i));
    if (!value.ok()) return value.status();
    uint32_t site = 0;
    if (sites != nullptr) {
      auto s = jf::UintValue((*sites)[i], fmt::format("decision_sites[{}]", i), 0,
                             std::numeric_limits<uint32_t>::max());
      if (!s.ok()) return s.status();
      site = static_cast<uint32_t>(*s);
    }
    f.decisions.push_back({*value, static_cast<DecisionKind>(*kind), site});
  }
  return f;
}

}  // namespace

std::string_view StrategyName(Strategy strategy) {
  switch (strategy) {
    case Strategy::kRandom: return "random";
    case Strategy::kPct: return "pct";
    case Strategy::kPos: return "pos";
    case Strategy::kSurw: return "surw";
    case Strategy::kPortfolio: return "portfolio";
    case Strategy::kGuided: return "guided";
    case Strategy::kDelay: return "delay";
  }
  return "random";
}

std::string StrategyNames() {
  std::string out;
  const size_t n = std::size(kStrategies);
  for (size_t i = 0; i < n; ++i)
    out += fmt::format("{}{}", i == 0 ? "" : i + 1 == n ? " or " : ", ", StrategyName(kStrategies[i]));
  return out;
}

absl::StatusOr<Strategy> ParseStrategy(std::string_view name) {
  for (Strategy s : kStrategies)
    if (StrategyName(s) == name) return s;
  return absl::InvalidArgumentError(fmt::format("unknown strategy '{}' ({})", name, StrategyNames()));
}

std::string EncodeFailureFile(const FailureFile& file) {
  json body = Body(file);
  // Invalid UTF-8 in a message (an engine's bytes) becomes U+FFFD rather than an exception; the
  // decoder's re-dump of the parsed text gives the same bytes, so the checksum holds.
  body["checksum"] = fmt::format("{:016x}", Fnv1a(body.dump(-1, ' ', false, json::error_handler_t::replace)));
  return body.dump(1, ' ', false, json::error_handler_t::replace) + "\n";
}

absl::StatusOr<FailureFile> DecodeFailureFile(std::string_view text) {
  namespace jf = json_fields;
  auto parsed = jf::Parse(text);
  if (!parsed.ok())
    return absl::InvalidArgumentError(fmt::format("not a failure file: {}", std::string(parsed.status().message())));
  const json& j = *parsed;
  if (!j.is_object() || !j.contains("format") || j.at("format") != "seedbed-failure")
    return absl::InvalidArgumentError("not a failure file: no \"format\": \"seedbed-failure\"");
  // Checked before the checksum, so an unknown version says "incompatible" rather than "corrupt".
  auto version = jf::Int(j, "", "format_version");
  if (!version.ok()) return absl::InvalidArgumentError(fmt::format("not a failure file: {}", std::string(version.status().message())));
  if (*version < 1 || *version > kFailureFormatVersion)
    return absl::InvalidArgumentError(fmt::format(
        "incompatible failure file: format version {} (this seedbed, {}, reads versions 1 to {})",
        *version, kGitDescribe, kFailureFormatVersion));
  auto checksum = jf::String(j, "", "checksum");
  if (!checksum.ok()) return checksum.status();
  json body = j;
  body.erase("checksum");
  std::string expected = fmt::format("{:016x}", Fnv1a(body.dump(-1, ' ', false, json::error_handler_t::replace)));
  if (*checksum != expected)
    return absl::InvalidArgumentError(fmt::format(
        "corrupt failure file: checksum {} does not match its contents ({})", checksum->substr(0, 40), expected));
  return FromJson(body, static_cast<int>(*version));
}

absl::Status WriteFailureFile(const std::string& path, const FailureFile& file) {
  return WriteFileAtomically(path, EncodeFailureFile(file));
}

absl::StatusOr<FailureFile> ReadFailureFile(const std::string& path) {
  auto text = ReadFileBounded(path);
  if (!text.ok()) return text.status();
  auto decoded = DecodeFailureFile(*text);
  if (!decoded.ok())
    return absl::InvalidArgumentError(fmt::format("{}: {}", path, std::string(decoded.status().message())));
  return decoded;
}

}  // namespace seedbed
