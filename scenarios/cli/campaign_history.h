// `seedbed history DIR...`: cells over nights. Reads each night's campaign.json (in the order given)
// and shows, per (scenario, variant) cell, one table (seeds, failing seeds, failure groups by class,
// seeds/s, first failing seed, per night) and one small self-contained SVG chart (failure groups by
// class as stacked bars, seeds/s as a line). Never yields.
#pragma once

#include <string>
#include <vector>

#include "scenarios/campaign/campaign_report.h"

namespace seedbed {

struct HistoryNight {
  std::string name;  // the directory it was read from
  CampaignReport report;
};

// Cells in order of first appearance; a night that did not run a cell shows "-" for it.
std::vector<CampaignCell> HistoryCells(const std::vector<HistoryNight>& nights);
// The Markdown: a table per cell, each followed by a link to `svg_names[i]` when given.
std::string FormatHistoryMarkdown(const std::vector<HistoryNight>& nights, const std::vector<std::string>& svg_names);
// One cell's chart: an <svg> document of fixed size, no scripts, no external references.
std::string FormatHistorySvg(const std::vector<HistoryNight>& nights, const CampaignCell& cell);

}  // namespace seedbed
