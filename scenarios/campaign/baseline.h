// Known failures, from one night to the next: a baseline file lists failure signatures (scenario,
// variant, signature) as known, fixed or flaky; `fuzz --baseline FILE` classifies every failure group
// of a campaign against it (new, known, regressed, gone: FailureClass in campaign.h), and `seedbed
// baseline` writes one from a campaign's campaign.json. Values only; never yields.
//
// The file, format "seedbed.baseline" version 1, is JSON meant to be read and edited by hand (mark
// an entry flaky, add a note), so it carries no checksum; instead a reader is strict and refuses
// (exit 2) any unknown or missing key, a wrong type, an unknown status, a duplicate entry:
//
//   format      "seedbed.baseline"
//   version     1
//   written_from {label, date, seedbed_version} of the campaign it was last written from
//   entries[]   sorted by (scenario, variant, signature), each (scenario, variant, signature) once:
//     scenario, variant, signature, invariant
//     status       "known" (fails today; a campaign accepts it), "fixed" (failed once, must not come
//                  back: if it does it is a regression), "flaky" (may or may not fail: accepted either
//                  way; reported gone when not seen, as a known one is)
//     first_seed   a seed that failed with it (replay it to see the failure)
//     label        the tested engine's label when it was last seen failing
//     note         free text ("" by default)
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"
#include "scenarios/campaign/campaign.h"

namespace seedbed {

inline constexpr const char kBaselineFormat[] = "seedbed.baseline";
inline constexpr int kBaselineFormatVersion = 1;

enum class BaselineStatus { kKnown, kFixed, kFlaky };
std::string_view BaselineStatusName(BaselineStatus status);

struct BaselineEntry {
  std::string scenario;
  std::string variant;
  std::string signature;
  std::string invariant;
  BaselineStatus status = BaselineStatus::kKnown;
  uint64_t first_seed = 0;
  std::string label;
  std::string note;
};

struct Baseline {
  std::string label;            // written_from
  std::string date;
  std::string seedbed_version;
  std::vector<BaselineEntry> entries;  // sorted by (scenario, variant, signature), unique

  const BaselineEntry* Find(const std::string& scenario, const std::string& variant,
                            const std::string& signature) const;
};

nlohmann::json BaselineToJson(const Baseline& baseline);
// kInvalidArgument naming the first offending field or entry.
absl::StatusOr<Baseline> BaselineFromJson(const nlohmann::json& json);
// kNotFound if unreadable, kInvalidArgument if not a valid baseline (the message names the file).
absl::StatusOr<Baseline> ReadBaseline(const std::string& path);
absl::Status WriteBaseline(const std::string& path, const Baseline& baseline);

// The baseline after a campaign's `result`: every group it saw is known (an entry marked flaky stays
// flaky, and keeps its note); an entry of `previous` for a cell the campaign ran but did not see
// becomes fixed when it was known (flaky and fixed entries stay) if the campaign is `complete` (all
// shards), and stays as it was otherwise; entries of cells the campaign did not run are kept.
// `label`, `date`, `seedbed_version` describe the campaign (written_from, and new entries' label).
Baseline BaselineFromCampaign(const CampaignResult& result, bool complete, const Baseline* previous,
                              const std::string& label, const std::string& date,
                              const std::string& seedbed_version);

// Classifies every group of the result's cells against `baseline` and fills each cell's gone list;
// with none, every group is new, nothing is gone, and result.classified is false.
void ApplyBaseline(CampaignResult& result, const Baseline* baseline);

}  // namespace seedbed
