#include "scenarios/campaign/baseline.h"

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <tuple>

#include "fmt/format.h"
#include "scenarios/harness/file_io.h"

namespace seedbed {
namespace {

using nlohmann::json;

// Reads are bounded: a baseline is a few entries per cell, never megabytes.
constexpr std::streamsize kMaxBaselineBytes = 16 << 20;

auto Key(const BaselineEntry& e) { return std::tie(e.scenario, e.variant, e.signature); }

std::optional<BaselineStatus> ParseStatus(const std::string& name) {
  if (name == "known") return BaselineStatus::kKnown;
  if (name == "fixed") return BaselineStatus::kFixed;
  if (name == "flaky") return BaselineStatus::kFlaky;
  return std::nullopt;
}

// The object has exactly these keys (all required).
absl::Status ExactKeys(const json& j, std::initializer_list<const char*> keys, const std::string& where) {
  if (!j.is_object()) return absl::InvalidArgumentError(fmt::format("{}: not an object", where));
  for (const char* k : keys)
    if (!j.contains(k)) return absl::InvalidArgumentError(fmt::format("{}: missing \"{}\"", where, k));
  for (const auto& item : j.items()) {  // not a structured binding: clang 14 cannot capture one
    const std::string& k = item.key();
    if (std::find_if(keys.begin(), keys.end(), [&](const char* x) { return k == x; }) == keys.end())
      return absl::InvalidArgumentError(fmt::format("{}: unknown key \"{}\"", where, k));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> String(const json& j, const char* key, const std::string& where) {
  if (!j.at(key).is_string())
    return absl::InvalidArgumentError(fmt::format("{}: \"{}\" is not a string", where, key));
  return j.at(key).get<std::string>();
}

absl::StatusOr<BaselineEntry> EntryFromJson(const json& j, const std::string& where) {
  if (absl::Status s = ExactKeys(j, {"scenario", "variant", "signature", "invariant", "status", "first_seed",
                                     "label", "note"},
                                 where);
      !s.ok())
    return s;
  BaselineEntry e;
  std::pair<const char*, std::string*> strings[] = {{"scenario", &e.scenario},   {"variant", &e.variant},
                                                    {"signature", &e.signature}, {"invariant", &e.invariant},
                                                    {"label", &e.label},         {"note", &e.note}};
  for (auto& [key, into] : strings) {
    absl::StatusOr<std::string> v = String(j, key, where);
    if (!v.ok()) return v.status();
    *into = *std::move(v);
  }
  if (e.scenario.empty() || e.variant.empty() || e.signature.empty())
    return absl::InvalidArgumentError(fmt::format("{}: scenario, variant and signature must not be empty", where));
  absl::StatusOr<std::string> status = String(j, "status", where);
  if (!status.ok()) return status.status();
  std::optional<BaselineStatus> parsed = ParseStatus(*status);
  if (!parsed)
    return absl::InvalidArgumentError(
        fmt::format("{}: status \"{}\" is not known, fixed or flaky", where, *status));
  e.status = *parsed;
  if (!j.at("first_seed").is_number_unsigned())
    return absl::InvalidArgumentError(fmt::format("{}: \"first_seed\" is not a non-negative integer", where));
  e.first_seed = j.at("first_seed").get<uint64_t>();
  return e;
}

}  // namespace

std::string_view BaselineStatusName(BaselineStatus status) {
  switch (status) {
    case BaselineStatus::kKnown: return "known";
    case BaselineStatus::kFixed: return "fixed";
    case BaselineStatus::kFlaky: return "flaky";
  }
  return "known";
}

const BaselineEntry* Baseline::Find(const std::string& scenario, const std::string& variant,
                                    const std::string& signature) const {
  BaselineEntry probe;
  probe.scenario = scenario;
  probe.variant = variant;
  probe.signature = signature;
  auto it = std::lower_bound(entries.begin(), entries.end(), probe,
                             [](const BaselineEntry& a, const BaselineEntry& b) { return Key(a) < Key(b); });
  return it != entries.end() && Key(*it) == Key(probe) ? &*it : nullptr;
}

json BaselineToJson(const Baseline& b) {
  json entries = json::array();
  for (const BaselineEntry& e : b.entries)
    entries.push_back({{"scenario", e.scenario},
                       {"variant", e.variant},
                       {"signature", e.signature},
                       {"invariant", e.invariant},
                       {"status", std::string(BaselineStatusName(e.status))},
                       {"first_seed", e.first_seed},
                       {"label", e.label},
                       {"note", e.note}});
  return {{"format", kBaselineFormat},
          {"version", kBaselineFormatVersion},
          {"written_from", {{"label", b.label}, {"date", b.date}, {"seedbed_version", b.seedbed_version}}},
          {"entries", std::move(entries)}};
}

absl::StatusOr<Baseline> BaselineFromJson(const json& j) {
  if (absl::Status s = ExactKeys(j, {"format", "version", "written_from", "entries"}, "baseline"); !s.ok())
    return s;
  if (j.at("format") != kBaselineFormat)
    return absl::InvalidArgumentError(fmt::format("not a baseline (format is not \"{}\")", kBaselineFormat));
  if (!j.at("version").is_number_integer() || j.at("version").get<int64_t>() != kBaselineFormatVersion)
    return absl::InvalidArgumentError(
        fmt::format("baseline format version {} (this build reads {})", j.at("version").dump(), kBaselineFormatVersion));
  Baseline b;
  const json& from = j.at("written_from");
  if (absl::Status s = ExactKeys(from, {"label", "date", "seedbed_version"}, "written_from"); !s.ok()) return s;
  std::pair<const char*, std::string*> strings[] = {
      {"label", &b.label}, {"date", &b.date}, {"seedbed_version", &b.seedbed_version}};
  for (auto& [key, into] : strings) {
    absl::StatusOr<std::string> v = String(from, key, "written_from");
    if (!v.ok()) return v.status();
    *into = *std::move(v);
  }
  if (!j.at("entries").is_array()) return absl::InvalidArgumentError("entries: not an array");
  for (size_t i = 0; i < j.at("entries").size(); ++i) {
    absl::StatusOr<BaselineEntry> e = EntryFromJson(j.at("entries").at(i), fmt::format("entries[{}]", i));
    if (!e.ok()) return e.status();
    b.entries.push_back(*std::move(e));
  }
  // Hand edits may reorder entries; duplicates are refused (which status would hold?).
  std::sort(b.entries.begin(), b.entries.end(),
            [](const BaselineEntry& x, const BaselineEntry& y) { return Key(x) < Key(y); });
  for (size_t i = 1; i < b.entries.size(); ++i)
    if (Key(b.entries[i - 1]) == Key(b.entries[i]))
      return absl::InvalidArgumentError(fmt::format("entries: {} [{}] {} is listed twice", b.entries[i].scenario,
                                                    b.entries[i].variant, b.entries[i].signature));
  return b;
}

absl::StatusOr<Baseline> ReadBaseline(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return absl::NotFoundError(fmt::format("{}: cannot read", path));
  std::string text(static_cast<size_t>(kMaxBaselineBytes) + 1, '\0');
  file.read(text.data(), kMaxBaselineBytes + 1);
  text.resize(static_cast<size_t>(file.gcount()));
  if (static_cast<std::streamsize>(text.size()) > kMaxBaselineBytes)
    return absl::InvalidArgumentError(fmt::format("{}: larger than {} bytes: not a baseline", path, kMaxBaselineBytes));
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return absl::InvalidArgumentError(fmt::format("{}: corrupt (not JSON)", path));
  absl::StatusOr<Baseline> b = BaselineFromJson(j);
  if (!b.ok()) return absl::InvalidArgumentError(fmt::format("{}: {}", path, std::string(b.status().message())));
  return b;
}

absl::Status WriteBaseline(const std::string& path, const Baseline& baseline) {
  return WriteFileAtomically(path, BaselineToJson(baseline).dump(2) + "\n");
}

Baseline BaselineFromCampaign(const CampaignResult& result, bool complete, const Baseline* previous,
                              const std::string& label, const std::string& date,
                              const std::string& seedbed_version) {
  Baseline b;
  b.label = label;
  b.date = date;
  b.seedbed_version = seedbed_version;
  std::set<std::pair<std::string, std::string>> ran;
  for (const CellResult& c : result.cells) {
    ran.insert({c.cell.scenario, c.cell.variant});
    for (const FailureGroup& g : c.groups) {
      BaselineEntry e;
      e.scenario = c.cell.scenario;
      e.variant = c.cell.variant;
      e.signature = g.key();
      e.invariant = g.invariant;
      e.first_seed = g.first_seed;
      e.label = label;
      if (const BaselineEntry* old = previous ? previous->Find(e.scenario, e.variant, e.signature) : nullptr) {
        e.note = old->note;
        if (old->status == BaselineStatus::kFlaky) e.status = BaselineStatus::kFlaky;
      }
      b.entries.push_back(std::move(e));
    }
  }
  auto seen = [&](const BaselineEntry& old) {
    return std::any_of(b.entries.begin(), b.entries.end(), [&](const BaselineEntry& e) { return Key(e) == Key(old); });
  };
  if (previous != nullptr)
    for (const BaselineEntry& old : previous->entries) {
      if (seen(old)) continue;
      BaselineEntry e = old;
      if (complete && ran.count({old.scenario, old.variant}) && old.status == BaselineStatus::kKnown)
        e.status = BaselineStatus::kFixed;
      b.entries.push_back(std::move(e));
    }
  std::sort(b.entries.begin(), b.entries.end(),
            [](const BaselineEntry& x, const BaselineEntry& y) { return Key(x) < Key(y); });
  return b;
}

void ApplyBaseline(CampaignResult& result, const Baseline* baseline) {
  result.classified = baseline != nullptr;
  for (CellResult& c : result.cells) {
    c.gone.clear();
    for (FailureGroup& g : c.groups) {
      g.failure_class = FailureClass::kNew;
      g.baseline_status.clear();
      const BaselineEntry* e = baseline ? baseline->Find(c.cell.scenario, c.cell.variant, g.key()) : nullptr;
      if (e == nullptr) continue;
      g.baseline_status = std::string(BaselineStatusName(e->status));
      g.failure_class = e->status == BaselineStatus::kFixed ? FailureClass::kRegressed : FailureClass::kKnown;
    }
    if (baseline == nullptr) continue;
    for (const BaselineEntry& e : baseline->entries) {
      if (e.scenario != c.cell.scenario || e.variant != c.cell.variant || e.status == BaselineStatus::kFixed)
        continue;
      bool hit = std::any_of(c.groups.begin(), c.groups.end(), [&](const FailureGroup& g) { return g.key() == e.signature; });
      if (hit) continue;
      FailureGroup gone{e.invariant, 0, e.first_seed, ""};
      gone.signature = e.signature;
      gone.failure_class = FailureClass::kGone;
      gone.baseline_status = std::string(BaselineStatusName(e.status));
      c.gone.push_back(std::move(gone));
    }
  }
}

}  // namespace seedbed
