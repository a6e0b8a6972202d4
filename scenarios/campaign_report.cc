#include "scenarios/campaign_report.h"

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include "fmt/format.h"
#include "scenarios/failure_file.h"
#include "scenarios/runner.h"
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
  return ReplayCommand(config);
}

json CellToJson(const CampaignOptions& o, const CellResult& c, const std::set<std::string>& known) {
  json groups = json::array();
  for (const FailureGroup& g : c.groups)
    groups.push_back({{"invariant", g.invariant},
                      {"signature", g.key()},
                      {"count", g.count},
                      {"first_seed", g.first_seed},
                      {"first_message", g.first_message},
                      {"replay", GroupReplay(o, c, g)}});
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
          {"as_expected", c.as_expected()},
          {"seeds", c.seeds},
          {"failures", c.failures},
          {"first_failing_seed", c.first_failing_seed ? json(*c.first_failing_seed) : json(nullptr)},
          {"nondeterministic", c.nondeterministic},
          {"nondeterministic_seeds", c.nondeterministic_seeds},
          {"events", c.events},
          {"sim_ns", c.sim_ns},
          {"faults_injected", c.faults_injected},
          {"groups", std::move(groups)},
          {"crash_points", std::move(crash_points)},
          {"probes", std::move(probes)},
          {"never_reached", NeverReached(c, known)},
          {"fault_kinds", json(c.fault_kinds)},
          {"swarm", {{"runs", c.swarm_runs}, {"distinct", c.swarm_plans.size()}, {"plans", json(c.swarm_plans)}}},
          {"timing", {{"cpu_s", c.cpu_s}, {"seeds_per_s", c.seeds_per_s()}}}};
}

CellResult CellFromJson(const json& j) {
  CellResult c;
  c.cell.scenario = j.at("scenario").get<std::string>();
  c.cell.variant = j.at("variant").get<std::string>();
  c.cell.expect_failure = j.at("expect_failure").get<bool>();
  c.seeds = j.at("seeds").get<uint64_t>();
  c.failures = j.at("failures").get<uint64_t>();
  if (!j.at("first_failing_seed").is_null()) c.first_failing_seed = j.at("first_failing_seed").get<uint64_t>();
  c.nondeterministic = j.at("nondeterministic").get<uint64_t>();
  c.nondeterministic_seeds = j.at("nondeterministic_seeds").get<std::vector<uint64_t>>();
  c.events = j.at("events").get<uint64_t>();
  c.sim_ns = j.at("sim_ns").get<int64_t>();
  c.faults_injected = j.at("faults_injected").get<uint64_t>();
  for (const json& g : j.at("groups"))
    c.groups.push_back({g.at("invariant").get<std::string>(), g.at("count").get<uint64_t>(),
                        g.at("first_seed").get<uint64_t>(), g.at("first_message").get<std::string>(),
                        // Reports written before signatures grouped by invariant alone.
                        g.value("signature", g.at("invariant").get<std::string>())});
  for (const auto& [name, t] : j.at("crash_points").items())
    c.crash_points[name] = {t.at("runs_reached").get<uint64_t>(), t.at("reached").get<uint64_t>(),
                            t.at("runs_armed").get<uint64_t>(), t.at("runs_fired").get<uint64_t>(),
                            t.at("fired").get<uint64_t>()};
  for (const auto& [name, t] : j.at("probes").items())
    c.probes[name] = {t.at("runs_reached").get<uint64_t>(), t.at("reached").get<uint64_t>()};
  c.fault_kinds = j.at("fault_kinds").get<std::map<std::string, uint64_t>>();
  c.swarm_runs = j.at("swarm").at("runs").get<uint64_t>();
  c.swarm_plans = j.at("swarm").at("plans").get<std::map<std::string, uint64_t>>();
  c.cpu_s = j.at("timing").at("cpu_s").get<double>();
  return c;
}

std::string Percent(uint64_t part, uint64_t whole) {
  return whole ? fmt::format("{:.0f}%", 100.0 * part / whole) : "-";
}

void AppendCellDetails(const CampaignReport& r, const CellResult& c, const std::set<std::string>& known,
                       std::string& out) {
  out += fmt::format("\n### {} [{}]\n\n", c.cell.scenario, c.cell.variant);
  out += fmt::format("{} seeds, {} failures, {} events, {:.1f}s simulated, {} faults injected.\n",
                     c.seeds, c.failures, c.events, c.sim_ns / 1e9, c.faults_injected);
  if (!c.groups.empty()) {
    out += "\nFailures by signature (the invariant and the shape of its message: scenarios/signature.h):\n\n";
    for (const FailureGroup& g : c.groups)
      out += fmt::format("- **{}**: {} seeds, first seed {}: {}\n  signature: `{}`\n  replay: `{}`\n", g.invariant,
                         g.count, g.first_seed, g.first_message, g.key(), GroupReplay(r.options, c, g));
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
  return r;
}

json CampaignReportToJson(const CampaignReport& r) {
  const CampaignOptions& o = r.options;
  std::set<std::string> known = KnownPoints(r.result);
  json cells = json::array();
  uint64_t as_expected = 0;
  double cpu_s = 0;
  for (const CellResult& c : r.result.cells) {
    cells.push_back(CellToJson(o, c, known));
    as_expected += c.as_expected();
    cpu_s += c.cpu_s;
  }
  json seeds = {{"first", o.seed_first}, {"last", o.time_limit_s ? json(nullptr) : json(o.seed_last)}};
  if (o.time_limit_s) seeds["time_limit_s"] = *o.time_limit_s;
  return {{"format", kCampaignFormat},
          {"version", kCampaignFormatVersion},
          {"seedbed_version", r.seedbed_version},
          {"config",
           {{"strategy", std::string(StrategyName(o.base.strategy))},
            {"pct_depth", o.base.pct_depth},
            {"event_budget", o.base.event_budget},
            {"time_budget_ns", o.base.time_budget_ns},
            {"chaos_ns", o.base.chaos_ns},
            {"liveness_ns", o.base.liveness_ns},
            {"check_determinism", o.check_determinism}}},
          {"seeds", std::move(seeds)},
          {"shards", {{"count", o.shard_count}, {"indices", r.shard_indices}, {"complete", r.complete()}}},
          {"cells", std::move(cells)},
          {"totals",
           {{"seeds", r.result.total_seeds()},
            {"failures", r.result.total_failures()},
            {"nondeterministic", r.result.total_nondeterministic()},
            {"cells_as_expected", as_expected},
            {"cells", r.result.cells.size()}}},
          {"timing", {{"wall_s", r.result.wall_s}, {"cpu_s", cpu_s}}}};
}

absl::StatusOr<CampaignReport> CampaignReportFromJson(const json& j) {
  try {
    if (!j.is_object() || !j.contains("format") || j.at("format") != kCampaignFormat)
      return absl::InvalidArgumentError(fmt::format("not a campaign report (format is not \"{}\")", kCampaignFormat));
    int version = j.at("version").get<int>();
    if (version != kCampaignFormatVersion)
      return absl::InvalidArgumentError(fmt::format("campaign report format version {} (this build reads {})",
                                                    version, kCampaignFormatVersion));
    CampaignReport r;
    r.seedbed_version = j.at("seedbed_version").get<std::string>();
    const json& config = j.at("config");
    auto strategy = ParseStrategy(config.at("strategy").get<std::string>());
    if (!strategy.ok()) return absl::InvalidArgumentError(std::string(strategy.status().message()));
    r.options.base.strategy = *strategy;
    r.options.base.pct_depth = config.at("pct_depth").get<int>();
    r.options.base.event_budget = config.at("event_budget").get<uint64_t>();
    r.options.base.time_budget_ns = config.at("time_budget_ns").get<Nanos>();
    r.options.base.chaos_ns = config.at("chaos_ns").get<Nanos>();
    r.options.base.liveness_ns = config.at("liveness_ns").get<Nanos>();
    r.options.check_determinism = config.at("check_determinism").get<bool>();
    const json& seeds = j.at("seeds");
    r.options.seed_first = seeds.at("first").get<uint64_t>();
    if (seeds.at("last").is_null()) {
      r.options.time_limit_s = seeds.at("time_limit_s").get<double>();
    } else {
      r.options.seed_last = seeds.at("last").get<uint64_t>();
    }
    r.options.shard_count = j.at("shards").at("count").get<int>();
    r.shard_indices = j.at("shards").at("indices").get<std::vector<int>>();
    if (r.options.shard_count < 1 || r.shard_indices.empty())
      return absl::InvalidArgumentError("shards: count must be >= 1 and indices non-empty");
    for (size_t i = 0; i < r.shard_indices.size(); ++i) {
      if (r.shard_indices[i] < 0 || r.shard_indices[i] >= r.options.shard_count)
        return absl::InvalidArgumentError(fmt::format("shards: index {} is not below count {}",
                                                      r.shard_indices[i], r.options.shard_count));
      if (i > 0 && r.shard_indices[i] <= r.shard_indices[i - 1])
        return absl::InvalidArgumentError("shards: indices are not sorted and distinct");
    }
    r.options.shard_index = r.shard_indices.front();
    for (const json& cell : j.at("cells")) {
      r.result.cells.push_back(CellFromJson(cell));
      r.options.cells.push_back(r.result.cells.back().cell);
    }
    r.result.wall_s = j.at("timing").at("wall_s").get<double>();
    return r;
  } catch (const json::exception& e) {
    return absl::InvalidArgumentError(fmt::format("malformed campaign report: {}", e.what()));
  }
}

std::string FormatCampaignMarkdown(const CampaignReport& r) {
  const CampaignOptions& o = r.options;
  std::set<std::string> known = KnownPoints(r.result);
  std::string shards;
  for (int k : r.shard_indices) shards += (shards.empty() ? "" : ", ") + std::to_string(k);
  std::string out = "# Seedbed campaign\n\n";
  out += fmt::format("- seedbed {}\n", r.seedbed_version);
  out += o.time_limit_s ? fmt::format("- seeds from {} for {:.0f}s\n", o.seed_first, *o.time_limit_s)
                        : fmt::format("- seeds {}..{}\n", o.seed_first, o.seed_last);
  out += fmt::format("- strategy {}{}{}\n", StrategyName(o.base.strategy),
                     o.base.strategy == Strategy::kPct ? fmt::format(" (depth {})", o.base.pct_depth) : "",
                     o.check_determinism ? ", determinism checked" : "");
  out += fmt::format("- shards {} of {}{}\n", shards, o.shard_count, r.complete() ? " (complete)" : " (partial)");
  out += fmt::format("- {} seeds, {} failures, {} nondeterministic; {:.1f}s elapsed\n\n", r.result.total_seeds(),
                     r.result.total_failures(), r.result.total_nondeterministic(), r.result.wall_s);
  out += "| scenario | variant | seeds | failures | first failing seed | seeds/s | as expected |\n";
  out += "|---|---|--:|--:|--:|--:|---|\n";
  for (const CellResult& c : r.result.cells)
    out += fmt::format("| {} | {} | {} | {} | {} | {:.1f} | {} |\n", c.cell.scenario, c.cell.variant, c.seeds,
                       c.failures, c.first_failing_seed ? std::to_string(*c.first_failing_seed) : "-",
                       c.seeds_per_s(),
                       c.as_expected() ? "yes" : (c.cell.expect_failure ? "NO: bug not found" : "NO"));
  out += "\n## Cells\n";
  for (const CellResult& c : r.result.cells) AppendCellDetails(r, c, known, out);
  return out;
}

absl::Status WriteCampaignReport(const CampaignReport& r, const std::string& dir) {
  const std::vector<std::pair<std::string, std::string>> files = {
      {"campaign.json", CampaignReportToJson(r).dump(2) + "\n"}, {"campaign.md", FormatCampaignMarkdown(r)}};
  for (const auto& [name, text] : files) {
    std::string path = dir + "/" + name;
    std::ofstream file(path, std::ios::trunc);
    file << text;
    file.close();
    if (!file) return absl::UnavailableError(fmt::format("cannot write {}", path));
  }
  return absl::OkStatus();
}

absl::StatusOr<CampaignReport> ReadCampaignReport(const std::string& path) {
  std::ifstream file(path);
  if (!file) return absl::NotFoundError(fmt::format("{}: cannot read", path));
  std::stringstream text;
  text << file.rdbuf();
  json j = json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return absl::InvalidArgumentError(fmt::format("{}: corrupt (not JSON)", path));
  absl::StatusOr<CampaignReport> r = CampaignReportFromJson(j);
  if (!r.ok()) return absl::InvalidArgumentError(fmt::format("{}: {}", path, std::string(r.status().message())));
  return r;
}

}  // namespace seedbed
