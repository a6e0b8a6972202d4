#include "scenarios/cli/campaign_history.h"

#include <algorithm>
#include <array>
#include <filesystem>
#include <iostream>

#include "fmt/format.h"
#include "scenarios/harness/parse.h"
#include "scenarios/cli/commands.h"
#include "scenarios/harness/file_io.h"
#include "scenarios/campaign/junit.h"

namespace seedbed {
namespace {

const CellResult* Find(const CampaignReport& r, const CampaignCell& cell) {
  for (const CellResult& c : r.result.cells)
    if (c.cell.scenario == cell.scenario && c.cell.variant == cell.variant) return &c;
  return nullptr;
}

// Groups by class: new, regressed, known, gone.
std::array<uint64_t, 4> Classes(const CellResult& c) {
  std::array<uint64_t, 4> n{};
  for (const FailureGroup& g : c.groups) {
    switch (g.failure_class) {
      case FailureClass::kNew: n[0]++; break;
      case FailureClass::kRegressed: n[1]++; break;
      case FailureClass::kKnown: n[2]++; break;
      case FailureClass::kGone: n[3]++; break;
    }
  }
  n[3] += c.gone.size();
  return n;
}

std::string NightLabel(const HistoryNight& n) {
  return n.report.label.empty() ? n.name : n.report.label;
}

constexpr std::array<const char*, 4> kClassNames = {"new", "regressed", "known", "gone"};
constexpr std::array<const char*, 4> kClassColours = {"#d62728", "#ff7f0e", "#7f7f7f", "#2ca02c"};

}  // namespace

std::vector<CampaignCell> HistoryCells(const std::vector<HistoryNight>& nights) {
  std::vector<CampaignCell> cells;
  for (const HistoryNight& n : nights)
    for (const CellResult& c : n.report.result.cells)
      if (std::none_of(cells.begin(), cells.end(), [&](const CampaignCell& x) {
            return x.scenario == c.cell.scenario && x.variant == c.cell.variant;
          }))
        cells.push_back(c.cell);
  return cells;
}

std::string FormatHistoryMarkdown(const std::vector<HistoryNight>& nights, const std::vector<std::string>& svg_names) {
  std::string out = fmt::format("# Seedbed history: {} campaigns\n", nights.size());
  std::vector<CampaignCell> cells = HistoryCells(nights);
  for (size_t i = 0; i < cells.size(); ++i) {
    out += fmt::format("\n## {} [{}]\n\n", cells[i].scenario, cells[i].variant);
    out += "| campaign | tested | date | seeds | failing seeds | new | regressed | known | gone | seeds/s | first failing seed |\n";
    out += "|---|---|---|--:|--:|--:|--:|--:|--:|--:|--:|\n";
    for (const HistoryNight& n : nights) {
      const CellResult* c = Find(n.report, cells[i]);
      if (c == nullptr) {
        out += fmt::format("| {} | {} | {} | - | - | - | - | - | - | - | - |\n", n.name, n.report.label,
                           n.report.date);
        continue;
      }
      std::array<uint64_t, 4> k = Classes(*c);
      const bool classified = n.report.result.classified;
      auto cls = [&](size_t j) { return classified || j == 0 ? std::to_string(k[j]) : std::string("-"); };
      out += fmt::format("| {} | {} | {} | {} | {} | {} | {} | {} | {} | {:.1f} | {} |\n", n.name, n.report.label,
                         n.report.date, c->seeds, c->failures, cls(0), cls(1), cls(2), cls(3), c->seeds_per_s(),
                         c->first_failing_seed ? std::to_string(*c->first_failing_seed) : "-");
    }
    if (i < svg_names.size()) out += fmt::format("\n![{} [{}] over campaigns]({})\n", cells[i].scenario, cells[i].variant, svg_names[i]);
  }
  return out;
}

std::string FormatHistorySvg(const std::vector<HistoryNight>& nights, const CampaignCell& cell) {
  constexpr int kWidth = 480, kHeight = 200, kLeft = 40, kRight = 40, kTop = 28, kBottom = 40;
  const int plot_w = kWidth - kLeft - kRight, plot_h = kHeight - kTop - kBottom;
  const size_t n = std::max<size_t>(nights.size(), 1);
  uint64_t max_groups = 1;
  double max_rate = 0;
  for (const HistoryNight& night : nights)
    if (const CellResult* c = Find(night.report, cell)) {
      std::array<uint64_t, 4> k = Classes(*c);
      max_groups = std::max(max_groups, k[0] + k[1] + k[2] + k[3]);
      max_rate = std::max(max_rate, c->seeds_per_s());
    }
  std::string out = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{1}\" viewBox=\"0 0 {0} {1}\" "
      "font-family=\"sans-serif\" font-size=\"10\">\n",
      kWidth, kHeight);
  out += fmt::format("<title>{}</title>\n", XmlEscape(fmt::format("{} [{}] over {} campaigns", cell.scenario, cell.variant, nights.size())));
  out += fmt::format("<rect x=\"0\" y=\"0\" width=\"{}\" height=\"{}\" fill=\"#ffffff\"/>\n", kWidth, kHeight);
  out += fmt::format("<text x=\"{}\" y=\"14\" font-size=\"12\">{}</text>\n", kLeft,
                     XmlEscape(fmt::format("{} [{}]: failure groups by class; line: seeds/s", cell.scenario, cell.variant)));
  out += fmt::format("<line x1=\"{0}\" y1=\"{1}\" x2=\"{2}\" y2=\"{1}\" stroke=\"#000000\"/>\n", kLeft, kTop + plot_h,
                     kLeft + plot_w);
  out += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>\n", kLeft - 4, kTop + 8, max_groups);
  out += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"end\">0</text>\n", kLeft - 4, kTop + plot_h);
  out += fmt::format("<text x=\"{}\" y=\"{}\">{:.0f}/s</text>\n", kLeft + plot_w + 4, kTop + 8, max_rate);
  const double slot = static_cast<double>(plot_w) / n;
  std::string line;
  for (size_t i = 0; i < nights.size(); ++i) {
    const double x = kLeft + slot * i;
    out += fmt::format("<text x=\"{:.1f}\" y=\"{}\" text-anchor=\"middle\">{}</text>\n", x + slot / 2,
                       kTop + plot_h + 14, XmlEscape(NightLabel(nights[i]).substr(0, 16)));
    const CellResult* c = Find(nights[i].report, cell);
    if (c == nullptr) continue;
    std::array<uint64_t, 4> k = Classes(*c);
    double y = kTop + plot_h;
    for (size_t j = 0; j < k.size(); ++j) {
      if (k[j] == 0) continue;
      const double h = static_cast<double>(plot_h) * k[j] / max_groups;
      y -= h;
      out += fmt::format(
          "<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" fill=\"{}\"><title>{} {}</title></rect>\n",
          x + slot * 0.2, y, slot * 0.6, h, kClassColours[j], k[j], kClassNames[j]);
    }
    const double ry = kTop + plot_h - (max_rate > 0 ? plot_h * c->seeds_per_s() / max_rate : 0);
    line += fmt::format("{}{:.1f},{:.1f}", line.empty() ? "" : " ", x + slot / 2, ry);
  }
  if (!line.empty())
    out += fmt::format("<polyline points=\"{}\" fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"1.5\"/>\n", line);
  for (size_t j = 0; j < kClassNames.size(); ++j) {
    const int lx = kLeft + static_cast<int>(j) * 80;
    out += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"8\" height=\"8\" fill=\"{}\"/>", lx, kHeight - 12, kClassColours[j]);
    out += fmt::format("<text x=\"{}\" y=\"{}\">{}</text>\n", lx + 11, kHeight - 4, kClassNames[j]);
  }
  out += "</svg>\n";
  return out;
}

namespace cli {

int History(const Args& args) {
  auto usage = [](const std::string& message) {
    std::cerr << "seedbed: history: " << message << "\n";
    return kExitUsage;
  };
  if (args.reports.empty()) return usage("give one or more campaign directories (or campaign.json files), oldest first");
  std::vector<HistoryNight> nights;
  for (const std::string& arg : args.reports) {
    absl::StatusOr<CampaignReport> r = ReadCampaignReport(CampaignJsonPath(arg));
    if (!r.ok()) return usage(std::string(r.status().message()));
    nights.push_back({arg, *std::move(r)});
  }
  std::vector<CampaignCell> cells = HistoryCells(nights);
  std::vector<std::string> svg_names;
  if (!args.out_dir.empty()) {
    if (auto s = EnsureWritableDir(args.out_dir); !s.ok()) return usage(std::string(s.message()));
    for (const CampaignCell& cell : cells) {
      std::string name = fmt::format("history.{}.{}.svg", cell.scenario, cell.variant);
      if (absl::Status s = WriteFileAtomically(args.out_dir + "/" + name, FormatHistorySvg(nights, cell)); !s.ok())
        return usage(std::string(s.message()));
      svg_names.push_back(name);
    }
  }
  std::string markdown = FormatHistoryMarkdown(nights, svg_names);
  std::cout << markdown;
  if (!args.out_dir.empty()) {
    if (absl::Status s = WriteFileAtomically(args.out_dir + "/history.md", markdown); !s.ok())
      return usage(std::string(s.message()));
    std::cout << fmt::format("\nhistory: {}/history.md ({} charts)\n", args.out_dir, svg_names.size());
  }
  return kExitClean;
}

}  // namespace cli
}  // namespace seedbed
