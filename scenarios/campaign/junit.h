// JUnit XML for CI systems (Jenkins, GitLab, GitHub test reporters): one <testcase> per campaign
// cell (classname = scenario, name = variant); a cell that is not as expected (scenarios/campaign/campaign.h)
// is a <failure> whose text lists its new and regressed groups, each with its replay command.
// Known, flaky and gone groups appear in <system-out>. Never yields.
#pragma once

#include <string>

#include "absl/status/status.h"
#include "scenarios/campaign/campaign_report.h"

namespace seedbed {

std::string FormatJunitReport(const CampaignReport& report);
absl::Status WriteJunitReport(const CampaignReport& report, const std::string& path);

// Text escaped for XML content and attribute values (&, <, >, ", ' and control characters, which
// XML 1.0 forbids, as U+FFFD).
std::string XmlEscape(const std::string& text);

}  // namespace seedbed
