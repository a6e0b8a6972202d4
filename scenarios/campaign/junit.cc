#include "scenarios/campaign/junit.h"

#include "fmt/format.h"
#include "scenarios/harness/file_io.h"
#include "scenarios/harness/runner.h"

namespace seedbed {
namespace {

std::string Replay(const CampaignReport& r, const CellResult& c, const FailureGroup& g) {
  RunConfig config = r.options.base;
  config.scenario = c.cell.scenario;
  config.variant = c.cell.variant;
  config.seed = g.first_seed;
  return ReplayCommand(config, r.options.program);
}

std::string GroupLine(const CampaignReport& r, const CellResult& c, const FailureGroup& g) {
  return fmt::format("{} ({}): {} seeds ({}), first seed {}: {}\n  signature: {}\n  replay: {}\n", g.invariant,
                     FailureClassName(g.failure_class), g.count, FormatSeedRanges(g.seeds), g.first_seed,
                     g.first_message, g.key(), Replay(r, c, g));
}

std::string FailureText(const CampaignReport& r, const CellResult& c, std::string& message) {
  if (c.nondeterministic > 0) {
    message = fmt::format("nondeterministic: {} seeds", c.nondeterministic);
    SeedSet seeds;
    for (uint64_t s : c.nondeterministic_seeds) seeds.Insert(s);
    return fmt::format("seeds whose two runs differed: {}\n", FormatSeedRanges(seeds));
  }
  std::string text;
  uint64_t count = 0;
  for (const FailureGroup& g : c.groups)
    if (!c.accepted(g)) {
      text += GroupLine(r, c, g);
      ++count;
    }
  if (count > 0) {
    message = fmt::format("{} failure group(s) not accepted (new or regressed)", count);
  } else {
    message = "expected a failure (a buggy variant), none found";
    text = fmt::format("{} seeds ran and every invariant held\n", c.seeds);
  }
  return text;
}

}  // namespace

std::string XmlEscape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char ch : text) {
    switch (ch) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default:
        if (static_cast<unsigned char>(ch) < 0x20 && ch != '\n' && ch != '\t' && ch != '\r')
          out += "\xEF\xBF\xBD";
        else
          out += ch;
    }
  }
  return out;
}

std::string FormatJunitReport(const CampaignReport& r) {
  uint64_t failures = 0;
  for (const CellResult& c : r.result.cells) failures += !c.as_expected();
  double cpu_s = 0;
  for (const CellResult& c : r.result.cells) cpu_s += c.cpu_s;
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += fmt::format("<testsuites name=\"seedbed\" tests=\"{}\" failures=\"{}\" time=\"{:.3f}\">\n",
                     r.result.cells.size(), failures, cpu_s);
  out += fmt::format("  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\" time=\"{:.3f}\"{}>\n",
                     XmlEscape("seedbed campaign" + (r.label.empty() ? "" : " of " + r.label)), r.result.cells.size(),
                     failures, cpu_s, r.date.empty() ? "" : fmt::format(" timestamp=\"{}\"", XmlEscape(r.date)));
  for (const CellResult& c : r.result.cells) {
    out += fmt::format("    <testcase classname=\"{}\" name=\"{}\" time=\"{:.3f}\">\n", XmlEscape(c.cell.scenario),
                       XmlEscape(c.cell.variant), c.cpu_s);
    if (!c.as_expected()) {
      std::string message;
      std::string text = FailureText(r, c, message);
      out += fmt::format("      <failure message=\"{}\" type=\"seedbed\">{}</failure>\n", XmlEscape(message),
                         XmlEscape(text));
    }
    std::string log = fmt::format("{} seeds, {} failures, {:.1f} seeds/s\n", c.seeds, c.failures, c.seeds_per_s());
    for (const FailureGroup& g : c.groups) log += GroupLine(r, c, g);
    for (const FailureGroup& g : c.gone)
      log += fmt::format("{} (gone): in the baseline as {}, not seen\n  signature: {}\n", g.invariant, g.baseline_status,
                         g.key());
    out += fmt::format("      <system-out>{}</system-out>\n", XmlEscape(log));
    out += "    </testcase>\n";
  }
  // What a reader of the cells alone would miss: seeds that did not run, a shrink a signal cut short.
  std::string notes;
  if (!r.result.complete())
    notes += fmt::format("INCOMPLETE: not every seed ran{}\n",
                         r.result.stopped_by.empty() ? "" : fmt::format(" (stopped by {})", r.result.stopped_by));
  if (!r.result.shrinking_stopped_by.empty())
    notes += fmt::format("INTERRUPTED by {} while shrinking: every failure group has its failure file, some are "
                         "not shrunk\n",
                         r.result.shrinking_stopped_by);
  if (!notes.empty()) out += fmt::format("    <system-out>{}</system-out>\n", XmlEscape(notes));
  out += "  </testsuite>\n</testsuites>\n";
  return out;
}

absl::Status WriteJunitReport(const CampaignReport& report, const std::string& path) {
  return WriteFileAtomically(path, FormatJunitReport(report));
}

}  // namespace seedbed
