// `seedbed merge`: joins the campaign reports of a campaign's shards (each `fuzz --shard K/N --out`
// wrote one campaign.json) into one report, equal to the report of the unsharded campaign apart from
// its "shards" and "timing" fields. Never yields.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "scenarios/campaign/campaign_report.h"

namespace seedbed {

// kInvalidArgument, naming the inputs, when the reports are of different campaigns (build, run
// config, seed range, shard count or cells differ) or hold a shard twice. `names` label the inputs
// in messages (file paths); it may be empty.
absl::StatusOr<CampaignReport> MergeCampaignReports(const std::vector<CampaignReport>& reports,
                                                    const std::vector<std::string>& names = {});

}  // namespace seedbed
