// `seedbed baseline REPORT --out FILE [--from BASELINE]`: the known-failures file after a campaign
// (scenarios/campaign/baseline.h says how entries carry over from the previous one).
#include <filesystem>
#include <iostream>
#include <map>

#include "fmt/format.h"
#include "scenarios/campaign/baseline.h"
#include "scenarios/campaign/campaign_report.h"
#include "scenarios/cli/commands.h"

namespace seedbed::cli {

// A campaign.json, or a directory holding one.
std::string CampaignJsonPath(const std::string& path) {
  std::error_code ec;
  return std::filesystem::is_directory(path, ec) ? path + "/campaign.json" : path;
}

int MakeBaseline(const Args& args) {
  if (args.reports.size() != 1) {
    std::cerr << "seedbed: baseline: give one campaign.json (or its directory)\n";
    return kExitUsage;
  }
  if (args.out_file.empty()) {
    std::cerr << "seedbed: baseline: give --out FILE\n";
    return kExitUsage;
  }
  absl::StatusOr<CampaignReport> report = ReadCampaignReport(CampaignJsonPath(args.reports.front()));
  if (!report.ok()) {
    std::cerr << "seedbed: baseline: " << std::string(report.status().message()) << "\n";
    return kExitUsage;
  }
  std::optional<Baseline> previous;
  if (!args.from_file.empty()) {
    absl::StatusOr<Baseline> b = ReadBaseline(args.from_file);
    if (!b.ok()) {
      std::cerr << "seedbed: baseline: --from: " << std::string(b.status().message()) << "\n";
      return kExitUsage;
    }
    previous = *std::move(b);
  }
  Baseline baseline = BaselineFromCampaign(report->result, report->complete() && report->result.complete(), previous ? &*previous : nullptr,
                                           report->label, report->date, report->seedbed_version);
  if (absl::Status s = WriteBaseline(args.out_file, baseline); !s.ok()) {
    std::cerr << "seedbed: baseline: " << s.message() << "\n";
    return kExitUsage;
  }
  std::map<std::string, int> counts;
  for (const BaselineEntry& e : baseline.entries) counts[std::string(BaselineStatusName(e.status))]++;
  std::cout << fmt::format("baseline: {} ({} entries: {} known, {} fixed, {} flaky)\n", args.out_file,
                           baseline.entries.size(), counts["known"], counts["fixed"], counts["flaky"]);
  if (!report->complete() && previous)
    std::cout << "note: the campaign is incomplete (shards missing): entries it did not see were left as they were\n";
  return kExitClean;
}

}  // namespace seedbed::cli
