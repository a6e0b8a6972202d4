#include "scenarios/campaign/campaign_report.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <map>
#include <optional>
#include <charconv>
#include <set>

#include "fmt/format.h"
#include "model/env/status.h"
#include "scenarios/harness/failure_file.h"
#include "scenarios/harness/file_io.h"
#include "scenarios/harness/runner.h"
#include "sim/version.h"

namespace seedbed {
namespace {

using nlohmann::json;

// Names that some cell reached: the universe against which "never reached" is judged.
std::set<std::string> KnownPoints(const CampaignResult& result) {
  std::set<std::string> known;
  for (const CellResult& c : result.cells) {
    for (const auto& [name, t] : c.crash_points) known.insert("crash point " + name);
    for (const auto& [name, t] : c.probes) known.insert("probe " + name);
  }
  return known;
}

std::vector<std::string> NeverReached(const CellResult& c, const std::set<std::string>& known) {
  std::vector<std::string> out;
  for (const std::string& name : known) {
    bool crash = name.rfind("crash point ", 0) == 0;
    std::string bare = name.substr(crash ? 12 : 6);
    bool reached = crash ? (c.crash_points.count(bare) && c.crash_points.at(bare).runs_reached > 0)
                         : (c.probes.count(bare) && c.probes.at(bare).runs_reached > 0);
    if (!reached) out.push_back(name);
  }
  return out;
}

std::string GroupReplay(const CampaignOptions& o, const CellResult& c, const FailureGroup& g) {
  RunConfig config = o.base;
  config.scenario = c.cell.scenario;
  config.variant = c.cell.variant;
  config.seed = g.first_seed;
  return ReplayCommand(config, o.program);
}

// The Perfetto trace or text timeline written beside an HTML report (reports/reports.h).
std::string ReportSibling(const std::string& html, std::string_view suffix) {
  if (html.size() < 5 || html.compare(html.size() - 5, 5, ".html") != 0) return "";
  return html.substr(0, html.size() - 5) + std::string(suffix);
}

json OrNull(const std::string& s) { return s.empty() ? json(nullptr) : json(s); }

json GroupToJson(const CampaignOptions& o, const CellResult& c, const FailureGroup& g) {
  return {{"signature", g.key()},
          {"invariant", g.invariant},
          {"count", g.count},
          {"seeds", FormatSeedRanges(g.seeds)},
          {"first_seed", g.first_seed},
          {"first_message", g.first_message},
          {"replay", GroupReplay(o, c, g)},
          {"artifacts", {{"failure_file", OrNull(g.failure_file)},
                         {"shrunk_file", OrNull(g.shrunk_file)},
                         {"report_html", OrNull(g.report_html)},
                         {"report_trace", OrNull(ReportSibling(g.report_html, ".trace.json"))},
                         {"report_timeline", OrNull(ReportSibling(g.report_html, ".timeline.txt"))}}},
          {"shrink", g.shrink_stopped_by.empty() ? json(nullptr)
                                                 : json{{"attempts", g.shrink_attempts},
                                                        {"kept", g.shrink_kept},
                                                        {"stopped_by", g.shrink_stopped_by}}},
          {"class", std::string(FailureClassName(g.failure_class))},
          {"baseline_status", g.baseline_status.empty() ? json(nullptr) : json(g.baseline_status)}};
}

json GoneToJson(const FailureGroup& g) {
  return {{"signature", g.key()},
          {"invariant", g.invariant},
          {"first_seed", g.first_seed},
          {"baseline_status", g.baseline_status}};
}

json CellToJson(const CampaignOptions& o, const CellResult& c, const std::set<std::string>& known) {
  json groups = json::array();
  for (const FailureGroup& g : c.groups) groups.push_back(GroupToJson(o, c, g));
  json gone = json::array();
  for (const FailureGroup& g : c.gone) gone.push_back(GoneToJson(g));
  json crash_points = json::object();
  for (const auto& [name, t] : c.crash_points)
    crash_points[name] = {{"runs_reached", t.runs_reached}, {"reached", t.reached},
                          {"runs_armed", t.runs_armed},     {"runs_fired", t.runs_fired},
                          {"fired", t.fired}};
  json probes = json::object();
  for (const auto& [name, t] : c.probes)
    probes[name] = {{"runs_reached", t.runs_reached}, {"reached", t.reached}};
  return {{"scenario", c.cell.scenario},
          {"variant", c.cell.variant},
          {"expect_failure", c.cell.expect_failure},
          {"expected_invariants", c.cell.expected_invariants},
          {"as_expected", c.as_expected()},
          {"seeds", c.seeds},
          {"failures", c.failures},
          {"unexpected", c.unexpected},
          {"first_failing_seed", c.first_failing_seed ? json(*c.first_failing_seed) : json(nullptr)},
          {"nondeterministic", c.nondeterministic},
          {"nondeterministic_seeds", c.nondeterministic_seeds},
          {"events", c.events},
          {"sim_ns", c.sim_ns},
          {"faults_injected", c.faults_injected},
          {"found_by", c.failures_by_strategy},
          {"groups", std::move(groups)},
          {"gone", std::move(gone)},
          {"crash_points", std::move(crash_points)},
          {"probes", std::move(probes)},
          {"never_reached", NeverReached(c, known)},
          {"fault_kinds", json(c.fault_kinds)},
          {"swarm", {{"runs", c.swarm_runs}, {"distinct", c.swarm_plans.size()}, {"plans", json(c.swarm_plans)}}},
          {"not_run", {{"seeds", c.not_run}, {"ranges", c.not_run_ranges}, {"ranges_truncated", c.not_run_ranges_truncated}}},
          {"killed", c.killed},
          {"timing", {{"cpu_s", c.cpu_s}, {"wall_s", c.wall_s}, {"seeds_per_s", c.seeds_per_s()}}}};
}

// At most ~200 characters of a seed list in Markdown; campaign.json has them all.
std::string ShortSeedList(const SeedSet& seeds) {
  constexpr size_t kMaxChars = 200;
  std::string all = FormatSeedRanges(seeds);
  if (all.size() <= kMaxChars) return all;
  size_t cut = all.rfind(',', kMaxChars);
  return all.substr(0, cut == std::string::npos ? kMaxChars : cut) + ", ... (all in campaign.json)";
}

// "new", "known", "known, flaky", "REGRESSED (was fixed)".
std::string ClassText(const FailureGroup& g) {
  switch (g.failure_class) {
    case FailureClass::kNew: return "NEW";
    case FailureClass::kKnown: return g.baseline_status == "flaky" ? "known, flaky" : "known";
    case FailureClass::kRegressed: return "REGRESSED: was fixed";
    case FailureClass::kGone: return "gone";
  }
  return "";
}

// "2 new, 1 known, 1 gone" for a cell, or "-" when it has no group and nothing gone.
std::string ClassCounts(const CellResult& c) {
  std::map<FailureClass, uint64_t> n;
  for (const FailureGroup& g : c.groups) n[g.failure_class]++;
  n[FailureClass::kGone] += c.gone.size();
  std::string out;
  for (const auto& [klass, count] : n)
    if (count > 0) out += fmt::format("{}{} {}", out.empty() ? "" : ", ", count, FailureClassName(klass));
  return out.empty() ? "-" : out;
}

std::string Percent(uint64_t part, uint64_t whole) {
  return whole ? fmt::format("{:.0f}%", 100.0 * part / whole) : "-";
}

// How a group's shrink ended, in words.
std::string ShrinkText(const FailureGroup& g) {
  const std::string runs = fmt::format("{} runs, {} edits kept", g.shrink_attempts, g.shrink_kept);
  if (g.shrink_stopped_by == "time limit")
    return runs + ", **cut short by time** (--shrink-time): the result depends on the machine's speed";
  if (g.shrink_stopped_by == "shrink budget")
    return g.shrink_attempts == 0 ? "**not shrunk**: the campaign's --shrink-budget was spent"
                                  : runs + ", **cut short by time** (--shrink-budget spent): the result depends on "
                                           "the machine's speed";
  if (g.shrink_stopped_by == "SIGINT" || g.shrink_stopped_by == "SIGTERM")
    return g.shrink_attempts == 0
               ? fmt::format("**not shrunk**: {} stopped shrinking (the failure file is unshrunk)", g.shrink_stopped_by)
               : runs + fmt::format(", **interrupted** by {}: no shrunk file (the failure file is unshrunk)",
                                    g.shrink_stopped_by);
  return runs + ", stopped by " + g.shrink_stopped_by;
}

void AppendCellDetails(const CampaignReport& r, const CellResult& c, const std::set<std::string>& known,
                       std::string& out) {
  out += fmt::format("\n### {} [{}]\n\n", c.cell.scenario, c.cell.variant);
  out += fmt::format("{} seeds, {} failures, {} events, {:.1f}s simulated, {} faults injected.\n",
                     c.seeds, c.failures, c.events, c.sim_ns / 1e9, c.faults_injected);
  if (!c.groups.empty()) {
    out += "\nFailures by signature (the invariant and the shape of its message: scenarios/harness/signature.h):\n\n";
    for (const FailureGroup& g : c.groups) {
      out += fmt::format("- **{}**{}: {} seeds, first seed {}: {}\n  signature: `{}`\n  replay: `{}`\n", g.invariant,
                         r.result.classified ? fmt::format(" ({})", ClassText(g)) : "", g.count, g.first_seed,
                         g.first_message, g.key(), GroupReplay(r.options, c, g));
      out += fmt::format("  failing seeds: {}\n", ShortSeedList(g.seeds));
      std::string links;
      for (const auto& [name, path] : {std::pair{"failure file", &g.failure_file}, std::pair{"shrunk", &g.shrunk_file},
                                       std::pair{"report", &g.report_html}})
        if (!path->empty()) links += fmt::format("{}[{}]({})", links.empty() ? "" : ", ", name, *path);
      if (!g.report_html.empty())
        links += fmt::format(", [Perfetto trace]({}), [timeline]({})", ReportSibling(g.report_html, ".trace.json"),
                             ReportSibling(g.report_html, ".timeline.txt"));
      if (!links.empty()) out += fmt::format("  artifacts: {}\n", links);
      if (!g.shrink_stopped_by.empty()) out += fmt::format("  shrink: {}\n", ShrinkText(g));
    }
  }
  if (!c.gone.empty()) {
    out += "\nGone (in the baseline as known or flaky, not seen in this campaign):\n\n";
    for (const FailureGroup& g : c.gone)
      out += fmt::format("- **{}** (gone; was {}): the baseline's seed {}\n  signature: `{}`\n", g.invariant,
                         g.baseline_status, g.first_seed, g.key());
  }
  if (c.not_run > 0) {
    std::string ranges;
    for (const auto& [first, last] : c.not_run_ranges)
      ranges += (ranges.empty() ? "" : ", ") + (first == last ? std::to_string(first) : fmt::format("{}..{}", first, last));
    out += fmt::format("\n**Seeds not run: {}** ({}{}{})\n", c.not_run, ranges, c.not_run_ranges_truncated ? ", ..." : "",
                       r.options.shard_count > 1 ? fmt::format("; every {}th seed", r.options.shard_count) : "");
  }
  if (!c.nondeterministic_seeds.empty()) {
    std::string seeds;
    for (uint64_t s : c.nondeterministic_seeds) seeds += (seeds.empty() ? "" : ", ") + std::to_string(s);
    out += fmt::format("\nNondeterministic seeds: {}\n", seeds);
  }
  if (!c.crash_points.empty()) {
    out += "\n| crash point | runs reached | reaches | runs armed | runs fired | fires |\n|---|--:|--:|--:|--:|--:|\n";
    for (const auto& [name, t] : c.crash_points)
      out += fmt::format("| {} | {} | {} | {} | {} | {} |\n", name, t.runs_reached, t.reached, t.runs_armed,
                         t.runs_fired, t.fired);
  }
  if (!c.probes.empty()) {
    out += "\n| probe | runs reached | reaches |\n|---|--:|--:|\n";
    for (const auto& [name, t] : c.probes)
      out += fmt::format("| {} | {} | {} |\n", name, t.runs_reached, t.reached);
  }
  std::vector<std::string> never = NeverReached(c, known);
  std::string never_text;
  for (const std::string& n : never) never_text += (never_text.empty() ? "" : ", ") + n;
  out += fmt::format("\nNever reached (of the points other cells reached): {}\n",
                     never.empty() ? "none" : never_text);
  if (!c.fault_kinds.empty()) {
    std::string kinds;
    for (const auto& [kind, runs] : c.fault_kinds)
      kinds += fmt::format("{}{} ({})", kinds.empty() ? "" : ", ", kind, Percent(runs, c.seeds));
    out += fmt::format("\nFault kinds exercised (share of runs): {}\n", kinds);
  }
  out += fmt::format("\nSwarm plans: {} runs drew a swarm plan, {} distinct plans.\n", c.swarm_runs,
                     c.swarm_plans.size());
}

}  // namespace

bool CampaignReport::complete() const {
  if (static_cast<int>(shard_indices.size()) != options.shard_count) return false;
  for (int i = 0; i < options.shard_count; ++i)
    if (shard_indices[i] != i) return false;
  return true;
}

CampaignReport MakeCampaignReport(const CampaignOptions& options, CampaignResult result) {
  CampaignReport r;
  r.options = options;
  r.shard_indices = {options.shard_index};
  r.seedbed_version = fmt::format("{} {}", kVersion, kGitDescribe);
  r.result = std::move(result);
  ApplyBaseline(r.result, nullptr);
  return r;
}

json CampaignReportToJson(const CampaignReport& r) {
  const CampaignOptions& o = r.options;
  std::set<std::string> known = KnownPoints(r.result);
  json cells = json::array();
  uint64_t as_expected = 0;
  double cpu_s = 0, runs_wall_s = 0;
  uint64_t not_run = 0, killed = 0;
  for (const CellResult& c : r.result.cells) {
    cells.push_back(CellToJson(o, c, known));
    as_expected += c.as_expected();
    cpu_s += c.cpu_s;
    runs_wall_s += c.wall_s;
    not_run += c.not_run;
    killed += c.killed;
  }
  std::map<std::string, uint64_t> classes = {{"new", 0}, {"known", 0}, {"regressed", 0}, {"gone", 0}};
  for (const CellResult& c : r.result.cells) {
    for (const FailureGroup& g : c.groups) classes[std::string(FailureClassName(g.failure_class))]++;
    classes["gone"] += c.gone.size();
  }
  json seeds = {{"first", o.seed_first}, {"last", o.time_limit_s ? json(nullptr) : json(o.seed_last)}};
  if (o.time_limit_s) seeds["time_limit_s"] = *o.time_limit_s;
  return {{"format", kCampaignFormat},
          {"version", kCampaignFormatVersion},
          {"seedbed_version", r.seedbed_version},
          {"tested", {{"label", r.label}, {"from", r.label_source}}},
          {"baseline", r.baseline ? BaselineToJson(*r.baseline) : json(nullptr)},
          {"config",
           {{"strategy", std::string(StrategyName(o.base.strategy))},
            {"pct_depth", o.base.pct_depth},
            {"pct_steps", o.base.pct_steps},
            {"stalls", o.base.stalls},
            {"event_budget", o.base.event_budget},
            {"time_budget_ns", o.base.time_budget_ns},
            {"chaos_ns", o.base.chaos_ns},
            {"liveness_ns", o.base.liveness_ns},
            {"check_determinism", o.check_determinism},
            {"keep_going", o.base.keep_going}}},
          {"seeds", std::move(seeds)},
          {"shards", {{"count", o.shard_count}, {"indices", r.shard_indices}, {"complete", r.complete()}}},
          {"completion",
           {{"complete", r.result.complete()},
            {"stopped_by", r.result.stopped_by.empty() ? json(nullptr) : json(r.result.stopped_by)},
            {"shrinking_stopped_by",
             r.result.shrinking_stopped_by.empty() ? json(nullptr) : json(r.result.shrinking_stopped_by)},
            {"seeds_not_run", not_run},
            {"runs_killed", killed}}},
          {"cells", std::move(cells)},
          {"totals",
           {{"seeds", r.result.total_seeds()},
            {"failures", r.result.total_failures()},
            {"nondeterministic", r.result.total_nondeterministic()},
            {"cells_as_expected", as_expected},
            {"cells", r.result.cells.size()},
            {"classes", json(classes)}}},
          {"date", r.date},
          {"timing",
           {{"wall_s", r.result.wall_s},
            {"cpu_s", cpu_s},
            {"runs_wall_s", runs_wall_s},
            {"workers_cpu_s", r.result.workers_cpu_s},
            {"worker_starts", r.result.worker_starts}}}};
}

std::string FormatCampaignMarkdown(const CampaignReport& r) {
  const CampaignOptions& o = r.options;
  std::set<std::string> known = KnownPoints(r.result);
  std::string shards;
  for (int k : r.shard_indices) shards += (shards.empty() ? "" : ", ") + std::to_string(k);
  std::string out = "# Seedbed campaign\n\n";
  if (!r.result.complete()) {
    uint64_t not_run = 0, killed = 0;
    for (const CellResult& c : r.result.cells) {
      not_run += c.not_run;
      killed += c.killed;
    }
    out += fmt::format("**INCOMPLETE**: {}{} seeds did not run{}.\n\n",
                       r.result.stopped_by.empty() ? "" : fmt::format("stopped by {}; ", r.result.stopped_by),
                       not_run, killed ? fmt::format(", {} runs were killed by SIGKILL", killed) : "");
  }
  if (!r.result.shrinking_stopped_by.empty()) {
    uint64_t groups = 0, cut = 0;
    for (const CellResult& c : r.result.cells)
      for (const FailureGroup& g : c.groups) {
        groups += !g.shrink_stopped_by.empty();
        cut += g.shrink_stopped_by == "SIGINT" || g.shrink_stopped_by == "SIGTERM";
      }
    out += fmt::format("**INTERRUPTED** by {} while shrinking: every seed below ran and each failure group has its "
                       "failure file, but shrinking was cut short: {} of the {} groups due a shrink were not shrunk "
                       "(see each group's shrink line).\n\n",
                       r.result.shrinking_stopped_by, cut, groups);
  }
  out += fmt::format("- seedbed {}\n", r.seedbed_version);
  out += o.time_limit_s ? fmt::format("- seeds from {} for {:.0f}s\n", o.seed_first, *o.time_limit_s)
                        : fmt::format("- seeds {}..{}\n", o.seed_first, o.seed_last);
  out += fmt::format("- strategy {}{}{}{}\n", StrategyName(o.base.strategy),
                     o.base.strategy == Strategy::kPct ? fmt::format(" (depth {})", o.base.pct_depth) : "",
                     o.base.stalls && o.base.strategy != Strategy::kDelay ? " with stalls" : "",
                     o.check_determinism ? ", determinism checked" : "");
  out += fmt::format("- shards {} of {}{}\n", shards, o.shard_count, r.complete() ? " (complete)" : " (partial)");
  out += fmt::format("- tested: {}\n", r.label.empty() ? "(no label: give --label, or run inside the engine's git work tree)"
                                                   : fmt::format("{} (from {})", r.label, r.label_source));
  out += fmt::format("- date: {}\n", r.date.empty() ? "-" : r.date);
  if (r.baseline)
    out += fmt::format("- baseline: {} entries, written from {} ({})\n", r.baseline->entries.size(),
                       r.baseline->label.empty() ? "an unlabelled campaign" : r.baseline->label, r.baseline->date);
  out += fmt::format("- {} seeds, {} failures, {} nondeterministic; {:.1f}s elapsed\n\n", r.result.total_seeds(),
                     r.result.total_failures(), r.result.total_nondeterministic(), r.result.wall_s);
  const bool classes = r.result.classified;
  out += fmt::format("| scenario | variant | seeds | failures | first failing seed | seeds/s |{} as expected |\n",
                     classes ? " classes |" : "");
  out += fmt::format("|---|---|--:|--:|--:|--:|{}---|\n", classes ? "---|" : "");
  for (const CellResult& c : r.result.cells)
    out += fmt::format("| {} | {} | {} | {} | {} | {:.1f} |{} {} |\n", c.cell.scenario, c.cell.variant, c.seeds,
                       c.failures, c.first_failing_seed ? std::to_string(*c.first_failing_seed) : "-",
                       c.seeds_per_s(), classes ? fmt::format(" {} |", ClassCounts(c)) : "",
                       c.as_expected()                      ? "yes"
                       : c.unexpected > 0                   ? fmt::format("NO: {} unexpected", c.unexpected)
                       : c.cell.expect_failure              ? "NO: bug not found"
                                                            : "NO");
  out += "\n## Cells\n";
  for (const CellResult& c : r.result.cells) AppendCellDetails(r, c, known, out);
  return out;
}

std::pair<std::string, std::string> LabelFromGit() {
  FILE* pipe = popen("git describe --always --dirty 2>/dev/null", "r");
  if (pipe == nullptr) return {"", ""};
  char buffer[256];
  std::string out;
  size_t n;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0 && out.size() < 4096) out.append(buffer, n);
  if (pclose(pipe) != 0) return {"", ""};
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  if (out.empty() || out.find('\n') != std::string::npos) return {"", ""};
  return {out, "git"};
}

std::string UtcDateNow() {
  // The report's date only: nothing that reaches a run reads it.
  std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

std::string FormatSeedRanges(const SeedSet& seeds) {
  std::string out;
  for (const auto& [first, last] : seeds.ranges()) {
    if (!out.empty()) out += ',';
    if (last - first >= 2) {
      out += fmt::format("{}-{}", first, last);
    } else {
      out += std::to_string(first);
      if (last != first) out += "," + std::to_string(last);
    }
  }
  return out;
}

absl::Status WriteCampaignReport(const CampaignReport& r, const std::string& dir) {
  const std::vector<std::pair<std::string, std::string>> files = {
      {"campaign.json", CampaignReportToJson(r).dump(2, ' ', false, json::error_handler_t::replace) + "\n"},
      {"campaign.md", FormatCampaignMarkdown(r)}};
  for (const auto& [name, text] : files) RETURN_IF_ERROR(WriteFileAtomically(dir + "/" + name, text));
  return absl::OkStatus();
}

}  // namespace seedbed
