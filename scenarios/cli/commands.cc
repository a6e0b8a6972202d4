#include "scenarios/cli/commands.h"

#include <algorithm>
#include <iostream>
#include <optional>
#include <set>
#include <sstream>
#include <tuple>
#include <map>
#include <string>
#include <vector>

#include "fmt/format.h"
#include "nlohmann/json.hpp"
#include "scenarios/campaign/campaign.h"
#include "scenarios/campaign/baseline.h"
#include "scenarios/campaign/campaign_report.h"
#include "scenarios/campaign/junit.h"
#include "scenarios/harness/parse.h"
#include "scenarios/harness/failure_file.h"
#include "scenarios/harness/file_io.h"
#include "scenarios/harness/runner.h"
#include "scenarios/harness/scenario.h"
#include "scenarios/harness/shrink.h"
#include "reports/reports.h"
#include "sim/version.h"

namespace seedbed::cli {
namespace {

int UsageError(const Args& args, const std::string& message) {
  std::cerr << args.program << ": " << message << "\n";
  return kExitUsage;
}

std::string Join(const std::vector<std::string>& items, std::string_view sep) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) out += (i ? std::string(sep) : "") + items[i];
  return out;
}

// Checks the scenario and variant names; fills the default variant.
absl::Status ResolveScenario(const std::string& scenario, std::string& variant) {
  std::unique_ptr<Scenario> s = Registry::Get().Make(scenario);
  if (s == nullptr) {
    std::vector<std::string> names;
    for (const ScenarioInfo& info : Registry::Get().List()) names.push_back(info.name);
    return absl::NotFoundError(fmt::format("unknown scenario '{}' (known: {})", scenario, Join(names, ", ")));
  }
  ScenarioInfo info = s->info();
  if (!info.unavailable.empty())
    return absl::FailedPreconditionError(
        fmt::format("scenario '{}' is not available yet: {}", scenario, info.unavailable));
  if (variant.empty()) variant = info.variants.front();
  if (std::find(info.variants.begin(), info.variants.end(), variant) == info.variants.end())
    return absl::InvalidArgumentError(fmt::format("scenario '{}' has no variant '{}' (variants: {})",
                                                  scenario, variant, Join(info.variants, ", ")));
  return absl::OkStatus();
}

void PrintTimeline(const RunReport& report, std::ostream& out) {
  if (!report.trace) return;
  for (const TraceEvent& e : report.trace->events()) {
    if (e.kind == EventKind::kStep) continue;  // resumes are implied by the events they cause
    std::string who = e.task < report.task_names.size() ? report.task_names[e.task] : "kernel";
    out << fmt::format("{:>12.6f}ms  {:<28} {:<11} {}\n", e.time_ns / 1e6, who,
                       EventKindName(e.kind), e.detail);
  }
}

void PrintRunSummary(const RunReport& report, std::ostream& out, const std::string& replay_command) {
  const RunConfig& c = report.config;
  out << fmt::format("{} [{}] seed {} ({}): {} events, {:.3f}s simulated, trace {:016x}, {} decisions\n",
                     c.scenario, c.variant, c.seed, StrategyName(c.strategy), report.events,
                     report.sim_time_ns / 1e9, report.trace_hash, report.decisions.size());
  if (!report.fault_plan.empty()) out << "faults: " << report.fault_plan << "\n";
  if (report.process_crashes + report.machine_crashes > 0)
    out << fmt::format("crashes: {} process (page cache kept), {} machine (power loss); crash mode {}\n",
                       report.process_crashes, report.machine_crashes, CrashModeName(report.crash_mode));
  if (!report.counters.empty()) {
    out << "counters:";
    for (const auto& [name, value] : report.counters) out << " " << name << " " << value;
    out << "\n";
  }
  for (const std::string& note : report.notes) out << "note: " << note << "\n";
  if (!report.failed) {
    out << "result: ok (every invariant held)\n";
    return;
  }
  // The first violation in full, then at most two more per invariant, then counts.
  const Violation* first = report.first_violation();
  std::map<std::string, int> shown;
  std::map<std::string, int> hidden;
  auto print = [&](const Violation& v) {
    out << fmt::format("VIOLATION {}{}: {}\n", v.invariant,
                       v.time_ns >= 0 ? fmt::format(" at {:.6f}ms", v.time_ns / 1e6) : "", v.message);
    for (const std::string& line : v.evidence) out << "    " << line << "\n";
  };
  print(*first);
  shown[first->invariant]++;
  for (const Violation& v : report.violations) {
    if (&v == first) continue;
    if (shown[v.invariant] >= 3) {
      hidden[v.invariant]++;
      continue;
    }
    shown[v.invariant]++;
    print(v);
  }
  for (const auto& [invariant, n] : hidden) out << fmt::format("... and {} more violations of {}\n", n, invariant);
  std::vector<std::string> broken{first->invariant};  // the one the failure is named after, first
  for (const Violation& v : report.violations)
    if (std::find(broken.begin(), broken.end(), v.invariant) == broken.end()) broken.push_back(v.invariant);
  out << fmt::format("result: FAILED ({} violation{} of {})\n", report.violations.size(),
                     report.violations.size() == 1 ? "" : "s", Join(broken, ", "));
  out << "replay: " << replay_command << "\n";
}

// What `run --json` prints: the run's result as one JSON object (format "seedbed.run", version 1).
// `failure_file` and `report_html` are "" when not written.
nlohmann::ordered_json RunResultJson(const RunReport& report, const std::string& replay_command,
                             const std::string& failure_file, const std::string& report_html) {
  using json = nlohmann::ordered_json;
  const RunConfig& c = report.config;
  json violations = json::array();
  for (const Violation& v : report.violations)
    violations.push_back({{"invariant", v.invariant},
                          {"message", v.message},
                          {"time_ns", v.time_ns >= 0 ? json(v.time_ns) : json(nullptr)},
                          {"evidence", v.evidence}});
  json counters = json::object();
  for (const auto& [name, value] : report.counters) counters[name] = value;
  auto or_null = [](const std::string& s) { return s.empty() ? json(nullptr) : json(s); };
  json reports = nullptr;
  if (!report_html.empty()) {
    const std::string stem = report_html.substr(0, report_html.size() - 5);  // without ".html"
    reports = {{"html", report_html}, {"trace", stem + ".trace.json"}, {"timeline", stem + ".timeline.txt"}};
  }
  return {{"format", "seedbed.run"},
          {"format_version", 1},
          {"seedbed_version", kGitDescribe},
          {"scenario", c.scenario},
          {"variant", c.variant},
          {"seed", c.seed},
          {"strategy", StrategyName(c.strategy)},
          {"pct_depth", c.pct_depth},
          {"pct_steps", c.pct_steps},
          {"stalls", c.stalls || c.strategy == Strategy::kDelay},
          {"keep_going", c.keep_going},
          {"verdict", report.failed ? "failed" : "ok"},
          {"invariant", report.failed ? json(report.invariant()) : json(nullptr)},
          {"violations", violations},
          {"notes", report.notes},
          {"events", report.events},
          {"sim_time_ns", report.sim_time_ns},
          {"trace_hash", fmt::format("{:016x}", report.trace_hash)},
          {"decisions", report.decisions.size()},
          {"faults", or_null(report.fault_plan)},
          {"crashes", {{"process", report.process_crashes}, {"machine", report.machine_crashes}}},
          {"counters", counters},
          {"replay", replay_command},
          {"failure_file", or_null(failure_file)},
          {"reports", reports}};
}


// Runs the config a second time with every event kept and names the first divergent event.
int ReportNondeterminism(RunConfig config, std::ostream& out) {
  config.keep_events = true;
  auto a = RunOnce(config);
  auto b = RunOnce(config);
  out << fmt::format("NONDETERMINISM: {} [{}] seed {} gave two different event logs\n", config.scenario,
                     config.variant, config.seed);
  if (a.ok() && b.ok() && a->trace && b->trace) {
    auto at = Trace::FirstDivergence(*a->trace, *b->trace);
    if (at) {
      auto describe = [&](const RunReport& r) {
        return *at < r.trace->events().size() ? Trace::Describe(r.trace->events()[*at]) : "(log ended)";
      };
      out << fmt::format("first divergent event #{}:\n  run 1: {}\n  run 2: {}\n", *at, describe(*a),
                         describe(*b));
    }
  }
  return kExitNondeterminism;
}

absl::StatusOr<RunConfig> BaseConfig(const Args& args) {
  RunConfig config;
  auto strategy = ParseStrategy(args.strategy);
  if (!strategy.ok()) return strategy.status();
  config.strategy = *strategy;
  config.pct_depth = args.pct_depth;
  config.pct_steps = args.pct_steps;
  config.stalls = args.stalls;
  config.keep_going = args.keep_going;
  return config;
}

// Writes <dir>/<stem>.trace.json, .html and .timeline.txt and says where.
absl::Status WriteReports(const RunReport& report, const std::string& dir, const std::string& stem,
                          const std::string& replay_command, std::ostream& out, std::string_view indent = "") {
  absl::Status written = reports::WriteRunReports(report, dir, stem, replay_command);
  if (!written.ok()) return written;
  out << fmt::format("{}report: {}/{}.html  (Perfetto: {}/{}.trace.json; text: {}/{}.timeline.txt)\n", indent,
                     dir, stem, dir, stem, dir, stem);
  return absl::OkStatus();
}

// The file name without its directory and without ".failure.json" (or ".json").
std::string StemOf(const std::string& path) {
  std::string name = path.substr(path.find_last_of('/') == std::string::npos ? 0 : path.find_last_of('/') + 1);
  for (std::string_view suffix : {".failure.json", ".json"})
    if (name.size() > suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0)
      return name.substr(0, name.size() - suffix.size());
  return name;
}

// `stem` names the report files; a run (not a replay) also writes its failure file there.
// With args.json the text goes nowhere and `out` gets the JSON object instead.
int FinishRun(const RunReport& report, const Args& args, std::ostream& out, const std::string& stem,
              const std::string& replay_command, bool write_failure_file) {
  std::ostringstream unused;
  std::ostream& text = args.json ? unused : out;
  if (args.trace) PrintTimeline(report, text);
  PrintRunSummary(report, text, replay_command);
  std::string failure_path, report_html;
  if (!args.report_dir.empty()) {
    if (write_failure_file && report.failed) {
      std::string path = fmt::format("{}/{}.failure.json", args.report_dir, stem);
      absl::Status written = WriteFailureFile(path, FailureFileFromReport(report));
      if (!written.ok()) return UsageError(args, std::string(written.message()));
      text << "failure file: " << path << "\n";
      failure_path = path;
    }
    if (absl::Status s = WriteReports(report, args.report_dir, stem, replay_command, text); !s.ok())
      return UsageError(args, std::string(s.message()));
    report_html = fmt::format("{}/{}.html", args.report_dir, stem);
  }
  if (args.json) out << RunResultJson(report, replay_command, failure_path, report_html).dump(2) << "\n";
  return report.failed ? kExitViolation : kExitClean;
}

}  // namespace

int List(const Args&) {
  for (const ScenarioInfo& info : Registry::Get().List()) {
    std::cout << fmt::format("{:<34} variants: {}{}\n", info.name, Join(info.variants, ", "),
                             info.unavailable.empty() ? "" : "  (NOT YET AVAILABLE: " + info.unavailable + ")");
    std::cout << "    " << info.description << "\n";
    for (const std::string& v : info.failing_variants) {
      std::vector<std::string> expected = info.ExpectedInvariants(v);
      std::cout << fmt::format("    {} is expected to break: {}\n", v,
                               expected.empty() ? "(none declared: every failure is UNEXPECTED)"
                                                : Join(expected, ", "));
    }
  }
  return kExitClean;
}

int Run(const Args& args) {
  auto config = BaseConfig(args);
  if (!config.ok()) return UsageError(args, std::string(config.status().message()));
  config->scenario = args.scenarios.front();
  config->variant = args.variant;
  if (auto s = ResolveScenario(config->scenario, config->variant); !s.ok())
    return UsageError(args, std::string(s.message()));
  auto seed = ParseSeed(args.seed);
  if (!seed.ok()) return UsageError(args, std::string(seed.status().message()));
  config->seed = *seed;
  // The same calibration runs as a campaign's (fixed seeds), then the portfolio's member for the seed.
  if (auto s = PrepareStrategy(*config); !s.ok()) return UsageError(args, std::string(s.message()));
  *config = ResolvePortfolio(*config);
  if (!args.report_dir.empty())
    if (auto s = EnsureWritableDir(args.report_dir); !s.ok()) return UsageError(args, std::string(s.message()));
  config->keep_events = args.trace || !args.report_dir.empty();
  auto report = RunOnce(*config);
  if (!report.ok()) return UsageError(args, std::string(report.status().message()));
  if (args.check_determinism) {
    auto again = RunOnce(*config);
    if (!again.ok() || again->trace_hash != report->trace_hash) {
      if (!args.json) return ReportNondeterminism(*config, std::cout);
      const int code = ReportNondeterminism(*config, std::cerr);
      nlohmann::ordered_json j = RunResultJson(*report, ReplayCommand(*config, args.program), "", "");
      j["verdict"] = "nondeterministic";
      std::cout << j.dump(2) << "\n";
      return code;
    }
    if (!args.json) std::cout << "determinism: two runs gave the same event log\n";
  }
  return FinishRun(*report, args, std::cout,
                   fmt::format("{}.{}.seed{}", config->scenario, config->variant, config->seed),
                   ReplayCommand(*config, args.program), /*write_failure_file=*/true);
}

int Replay(const Args& args) {
  auto file = ReadFailureFile(args.file);
  if (!file.ok()) return UsageError(args, std::string(file.status().message()));
  RunConfig config = ConfigFromFailureFile(*file);
  if (auto s = ResolveScenario(config.scenario, config.variant); !s.ok())
    return UsageError(args, fmt::format("{}: {}", args.file, std::string(s.message())));
  config.keep_events = args.trace || !args.report_dir.empty();
  if (!args.report_dir.empty())
    if (auto s = EnsureWritableDir(args.report_dir); !s.ok()) return UsageError(args, std::string(s.message()));
  if (file->seedbed_version != kGitDescribe)
    std::cout << fmt::format("note: written by seedbed {}, replaying with {}\n", file->seedbed_version,
                             kGitDescribe);
  auto report = RunOnce(config);
  if (!report.ok()) return UsageError(args, std::string(report.status().message()));
  if (file->shrunk_from.has_value() && file->story.has_value())
    report->shrunk = RunReport::ShrunkStory{*file->shrunk_from, *file->story, ""};
  int code = FinishRun(*report, args, std::cout, StemOf(args.file), args.program + " replay " + args.file,
                       /*write_failure_file=*/false);
  if (report->trace_hash != file->trace_hash || report->invariant() != file->invariant) {
    std::cout << fmt::format(
        "REPLAY DIVERGED: the file expects invariant '{}' and trace {:016x}; this run gave '{}' "
        "and {:016x} ({} replayed decisions did not fit)\n",
        file->invariant, file->trace_hash, report->invariant(), report->trace_hash,
        report->replay_mismatches);
    return kExitNondeterminism;
  }
  std::cout << "replay: reproduced the recorded run exactly (same trace hash)\n";
  return code;
}

// What WriteFailureGroup wrote, by file name in the campaign's directory ("" if not written).
struct GroupArtifacts {
  std::string failure_file;
  std::string shrunk_file;
  std::string report_html;
  double shrink_s = 0;
  std::string shrink_stopped_by;  // the shrinker's ("signal" when ShrinkOptions::stop cut it), "" if not shrunk
  uint64_t shrink_attempts = 0;
  uint64_t shrink_kept = 0;
  bool write_failed = false;  // a file could not be written (a full disk): the command exits 2
};

// For one distinct failure of a campaign: its failure file, the shrunk failure file (when `shrink`
// is given), and the Perfetto trace, HTML report and timeline of the shrunk run (of the run itself
// when not shrunk, or when a signal stopped the shrink).
GroupArtifacts WriteFailureGroup(RunConfig config, const std::string& dir, const ShrinkOptions* shrink,
                                 const std::string& stem, const std::string& program, std::ostream& out) {
  GroupArtifacts written;
  config.keep_events = true;  // the reports show this run unless a shrink replaces it
  auto report = RunOnce(config);
  if (!report.ok()) {
    out << "    cannot rerun: " << std::string(report.status().message()) << "\n";
    return written;
  }
  FailureFile file = FailureFileFromReport(*report);
  std::string path = fmt::format("{}/{}.failure.json", dir, stem);
  if (absl::Status s = WriteFailureFile(path, file); !s.ok()) {
    out << "    " << std::string(s.message()) << "\n";
    written.write_failed = true;
    return written;
  }
  written.failure_file = stem + ".failure.json";
  out << "    failure file: " << path << "\n";
  auto write_unshrunk_reports = [&] {
    if (absl::Status s = WriteReports(*report, dir, stem, ReplayCommand(config, program), out, "    "); !s.ok()) {
      out << "    " << std::string(s.message()) << "\n";
      written.write_failed = true;
    } else {
      written.report_html = stem + ".html";
    }
  };
  if (shrink == nullptr) {
    write_unshrunk_reports();
    return written;
  }
  auto shrunk = ::seedbed::Shrink(file, *shrink, std::cerr);
  if (!shrunk.ok()) {
    out << "    shrink failed: " << std::string(shrunk.status().message()) << "\n";
    written.write_failed = true;
    return written;
  }
  written.shrink_s = shrunk->wall_s;
  written.shrink_stopped_by = shrunk->stopped_by;
  written.shrink_attempts = static_cast<uint64_t>(shrunk->attempts);
  written.shrink_kept = static_cast<uint64_t>(shrunk->kept);
  if (shrunk->stopped_by == "signal") {
    out << fmt::format("    shrink stopped by a signal after {} runs: the failure file stays unshrunk\n",
                       shrunk->attempts);
    write_unshrunk_reports();
    return written;
  }
  std::string shrunk_path = fmt::format("{}/{}.shrunk.failure.json", dir, stem);
  if (absl::Status s = WriteFailureFile(shrunk_path, shrunk->file); !s.ok()) {
    out << "    " << std::string(s.message()) << "\n";
    written.write_failed = true;
    return written;
  }
  written.shrunk_file = stem + ".shrunk.failure.json";
  out << fmt::format("    shrunk from: {}\n    shrunk to:   {}\n    ({} runs, {:.1f}s, stopped by {}{})\n",
                     DescribeStory(shrunk->before.Story()), DescribeStory(shrunk->after.Story()), shrunk->attempts,
                     shrunk->wall_s, shrunk->stopped_by,
                     shrunk->stopped_by == "time limit" ? ": cut short by wall time, the result depends on speed" : "");
  out << "    shrunk failure file: " << shrunk_path << "\n    replay shrunk: " << program << " replay " << shrunk_path
      << "\n";
  if (absl::Status s = WriteReports(shrunk->report, dir, stem + ".shrunk", program + " replay " + shrunk_path, out, "    ");
      !s.ok()) {
    out << "    " << std::string(s.message()) << "\n";
    written.write_failed = true;
  } else {
    written.report_html = stem + ".shrunk.html";
  }
  return written;
}

int Shrink(const Args& args) {
  auto file = ReadFailureFile(args.file);
  if (!file.ok()) return UsageError(args, std::string(file.status().message()));
  std::string variant = file->variant;
  if (auto s = ResolveScenario(file->scenario, variant); !s.ok())
    return UsageError(args, fmt::format("{}: {}", args.file, std::string(s.message())));
  ShrinkOptions options;
  options.max_attempts = args.attempts;
  if (!args.time.empty()) {
    auto seconds = ParseDurationSeconds(args.time);
    if (!seconds.ok()) return UsageError(args, std::string(seconds.status().message()));
    options.time_limit_s = *seconds;
  }
  // --out DIR: the shrunk file and its reports go there. A value ending in .json is the old
  // `--out FILE` (the shrunk file itself), kept so that existing scripts work; --report DIR, the old
  // folder for the reports alone, too.
  std::string out_path;
  std::string report_dir = args.report_dir;
  const std::string& out = args.out_dir;
  if (out.size() > 5 && out.compare(out.size() - 5, 5, ".json") == 0) {
    out_path = out;
  } else if (!out.empty()) {
    if (auto s = EnsureWritableDir(out); !s.ok()) return UsageError(args, std::string(s.message()));
    out_path = out + "/" + StemOf(args.file) + ".shrunk.failure.json";
    if (report_dir.empty()) report_dir = out;
  } else {
    std::string dir = args.file.find('/') == std::string::npos ? "" : args.file.substr(0, args.file.find_last_of('/') + 1);
    out_path = dir + StemOf(args.file) + ".shrunk.failure.json";
  }
  if (!report_dir.empty())
    if (auto s = EnsureWritableDir(report_dir); !s.ok()) return UsageError(args, std::string(s.message()));
  auto result = ::seedbed::Shrink(*file, options, std::cerr);
  if (!result.ok()) {
    std::cerr << args.program << ": " << args.file << ": " << std::string(result.status().message()) << "\n";
    return result.status().code() == absl::StatusCode::kInternal ? kExitNondeterminism : kExitUsage;
  }
  std::cout << fmt::format("{} [{}] seed {}: {}\n", file->scenario, file->variant, file->seed, file->invariant)
            << DescribeShrink(*result);
  if (absl::Status s = WriteFailureFile(out_path, result->file); !s.ok()) return UsageError(args, std::string(s.message()));
  std::cout << "shrunk failure file: " << out_path << fmt::format(" (trace {:016x})\n", result->file.trace_hash)
            << "replay: " << args.program << " replay " << out_path << "\n";
  if (!report_dir.empty())
    if (absl::Status s = WriteReports(result->report, report_dir, StemOf(out_path), args.program + " replay " + out_path,
                                      std::cout);
        !s.ok())
      return UsageError(args, std::string(s.message()));
  return kExitClean;
}

absl::StatusOr<ShrinkBounds> ParseShrinkBounds(const Args& args, bool shrink, const volatile sig_atomic_t* stop) {
  ShrinkBounds bounds;
  bounds.shrink = shrink;
  bounds.stop = stop;
  if (args.shrink_attempts < 0)
    return absl::InvalidArgumentError(fmt::format("--shrink-attempts {}: give a number of runs, 1 or more",
                                                  args.shrink_attempts));
  if (args.shrink_attempts > 0) bounds.attempts = args.shrink_attempts;
  if (!args.shrink_time.empty()) {
    auto seconds = ParseDurationSeconds(args.shrink_time);
    if (!seconds.ok()) return absl::InvalidArgumentError(fmt::format("--shrink-time: {}", std::string(seconds.status().message())));
    bounds.time_s = *seconds;
  }
  if (args.shrink_budget == "none") {
    bounds.budget_s.reset();
  } else if (!args.shrink_budget.empty()) {
    auto seconds = ParseDurationSeconds(args.shrink_budget);
    if (!seconds.ok()) return absl::InvalidArgumentError(fmt::format("--shrink-budget: {}", std::string(seconds.status().message())));
    bounds.budget_s = *seconds;
  }
  return bounds;
}

int Fuzz(const Args& args) {
  auto base = BaseConfig(args);
  if (!base.ok()) return UsageError(args, std::string(base.status().message()));
  CampaignOptions options;
  options.base = *base;
  options.jobs = args.jobs;
  options.check_determinism = args.check_determinism;
  options.progress_tty = args.stderr_is_tty;
  options.program = args.program;
  if (args.all == !args.scenarios.empty())
    return UsageError(args, "fuzz: name scenarios or give --all (not both)");
  std::vector<std::string> names = args.scenarios;
  if (args.all)
    for (const ScenarioInfo& info : Registry::Get().List())
      if (info.unavailable.empty()) names.push_back(info.name);
  for (const std::string& name : names) {
    std::string variant = args.variant;
    if (auto s = ResolveScenario(name, variant); !s.ok()) {
      if (args.all && !args.variant.empty()) continue;  // --all --variant V: those that have V
      return UsageError(args, std::string(s.message()));
    }
    ScenarioInfo info = Registry::Get().Make(name)->info();
    for (const std::string& v : info.variants) {
      if (!args.variant.empty() && v != args.variant) continue;
      options.cells.push_back({name, v, info.failing(v), info.ExpectedInvariants(v)});
    }
  }
  if (options.cells.empty()) return UsageError(args, "fuzz: nothing to run");
  if (!args.seeds.empty() && !args.time.empty()) return UsageError(args, "fuzz: give --seeds or --time, not both");
  if (!args.time.empty()) {
    auto seconds = ParseDurationSeconds(args.time);
    if (!seconds.ok()) return UsageError(args, std::string(seconds.status().message()));
    options.time_limit_s = *seconds;
  } else {
    auto range = ParseSeedRange(args.seeds.empty() ? "1..100" : args.seeds);
    if (!range.ok()) return UsageError(args, std::string(range.status().message()));
    options.seed_first = range->first;
    options.seed_last = range->second;
  }
  auto shard = args.shard.empty() ? ShardFromEnvironment() : ParseShard(args.shard);
  if (!shard.ok()) return UsageError(args, std::string(shard.status().message()));
  options.shard_index = shard->first;
  options.shard_count = shard->second;
  options.recycle_after_runs = args.recycle_after;
  options.recycle_rss_mb = args.recycle_rss_mb;
  if (auto s = CheckCampaignSize(options); !s.ok()) return UsageError(args, std::string(s.message()));
  if (!args.out_dir.empty()) {
    if (auto s = EnsureWritableDir(args.out_dir); !s.ok()) return UsageError(args, std::string(s.message()));
    // A previous campaign's files would read as this one's: remove what seedbed wrote there.
    auto removed = RemoveCampaignOutputs(args.out_dir);
    if (!removed.ok()) return UsageError(args, std::string(removed.status().message()));
    if (*removed > 0)
      std::cerr << fmt::format("{}: removed {} files of the previous campaign\n", args.out_dir, *removed);
  }
  // Installed before the runs (RunCampaign puts its own in place while they run), so that a signal
  // while the failures shrink stops the shrink, not the process.
  StopSignalsAfterRuns stop_signals;
  auto bounds = ParseShrinkBounds(args, !args.no_shrink, stop_signals.flag());
  if (!bounds.ok()) return UsageError(args, std::string(bounds.status().message()));
  std::optional<Baseline> baseline;
  if (!args.baseline_file.empty()) {
    auto b = ReadBaseline(args.baseline_file);
    if (!b.ok()) return UsageError(args, fmt::format("fuzz: --baseline: {}", std::string(b.status().message())));
    baseline = *std::move(b);
  }
  const std::string date = UtcDateNow();
  const std::pair<std::string, std::string> label =
      args.label.empty() ? LabelFromGit() : std::pair<std::string, std::string>{args.label, "--label"};

  CampaignReport campaign = MakeCampaignReport(options, RunCampaign(options, std::cerr));
  campaign.date = date;
  std::tie(campaign.label, campaign.label_source) = label;
  campaign.baseline = std::move(baseline);
  ApplyBaseline(campaign.result, campaign.baseline ? &*campaign.baseline : nullptr);
  const CampaignResult& result = campaign.result;
  std::cout << FormatCampaignTable(result);
  std::cout << fmt::format("{} seeds in {:.1f}s with {} jobs{}\n", result.total_seeds(), result.wall_s,
                           options.jobs,
                           options.shard_count > 1
                               ? fmt::format(" (shard {}/{})", options.shard_index, options.shard_count)
                               : "");
  if (!result.complete()) {
    uint64_t not_run = 0, killed = 0;
    for (const CellResult& c : result.cells) {
      not_run += c.not_run;
      killed += c.killed;
    }
    std::string what = result.stopped_by.empty() ? "" : "stopped by " + result.stopped_by;
    if (not_run > 0) what += fmt::format("{}{} seeds did not run", what.empty() ? "" : "; ", not_run);
    if (killed > 0) what += fmt::format("{}{} runs were killed by SIGKILL", what.empty() ? "" : "; ", killed);
    std::cout << "INCOMPLETE: " << what << "\n";
  }
  bool write_failed = false;
  if (!args.out_dir.empty()) {  // campaign.json + campaign.md (scenarios/campaign/campaign_report.h)
    // Written before the failure files too, so that an interrupted shrink leaves a report.
    if (auto s = WriteCampaignReport(campaign, args.out_dir); !s.ok()) return UsageError(args, std::string(s.message()));
    std::cout << fmt::format("report: {}/campaign.md (JSON: {}/campaign.json)\n", args.out_dir, args.out_dir);
  }
  // A shard does not shrink: `merge --shrink` shrinks each group once for the whole campaign. A
  // stopped campaign does not either (the user asked it to stop), but each failure gets its files.
  bounds->shrink = !args.no_shrink && options.shard_count == 1 && result.stopped_by.empty();
  if (!args.no_shrink && options.shard_count > 1 && !args.out_dir.empty() && result.total_failures() > 0)
    std::cout << "note: a shard does not shrink its failures; `" << args.program
              << " merge --shrink --out DIR` shrinks each failure group once\n";
  write_failed = !WriteGroupArtifacts(campaign, args.out_dir, *bounds, std::cout);
  if (!result.shrinking_stopped_by.empty())
    std::cout << fmt::format("INTERRUPTED: {} while shrinking: every seed ran and each failure group has its failure "
                             "file, but shrinking was cut short (the report says which groups)\n",
                             result.shrinking_stopped_by);
  if (!args.out_dir.empty())
    if (auto s = WriteCampaignReport(campaign, args.out_dir); !s.ok()) return UsageError(args, std::string(s.message()));
  if (!args.junit_file.empty())
    if (auto s = WriteJunitReport(campaign, args.junit_file); !s.ok()) return UsageError(args, std::string(s.message()));
  // A signal during the runs, or after them (while shrinking or writing files).
  const int after = stop_signals.signal();
  if (result.stopped_by == "SIGINT" || (result.stopped_by.empty() && after == SIGINT)) return kExitInterrupted;
  if (result.stopped_by == "SIGTERM" || (result.stopped_by.empty() && after == SIGTERM)) return kExitTerminated;
  if (write_failed) return UsageError(args, fmt::format("could not write every file under {}", args.out_dir));
  return CampaignExitCode(result, args.expect);
}

// False when a file could not be written.
bool WriteGroupArtifacts(CampaignReport& campaign, const std::string& dir, const ShrinkBounds& bounds,
                         std::ostream& out) {
  bool all_written = true;
  bool cut_by_signal = false;  // a shrink of this call cut short or skipped by a signal
  double shrink_spent_s = 0;
  auto stop_signal = [&] { return bounds.stop != nullptr ? static_cast<int>(*bounds.stop) : 0; };
  for (CellResult& c : campaign.result.cells) {
    for (FailureGroup& g : c.groups) {
      RunConfig config = campaign.options.base;
      config.scenario = c.cell.scenario;
      config.variant = c.cell.variant;
      config.seed = g.first_seed;
      config.hints = c.hints;
      if (config.hints == nullptr) {
        (void)PrepareStrategy(config);  // a merged report: the same calibration runs again
      } else if (config.pct_steps == 0) {
        config.pct_steps = config.hints->steps;
      }
      config = ResolvePortfolio(config);
      out << fmt::format("  {} [{}] {}{}: {} seeds, first {}: {}\n    replay: {}\n", c.cell.scenario, c.cell.variant,
                         g.invariant,
                         campaign.result.classified ? fmt::format(" ({})", FailureClassName(g.failure_class)) : "",
                         g.count, g.first_seed, g.first_message, ReplayCommand(config, campaign.options.program));
      if (dir.empty() || !g.failure_file.empty()) continue;  // nowhere to write, or written already
      if (config.strategy == Strategy::kGuided) {
        auto kept = c.guided_replays.find(g.first_seed);
        if (kept == c.guided_replays.end()) {
          out << "    no failure file: the guided run's decisions are not in this report (a merged report, or "
                 "past the kept seeds)\n";
          continue;
        }
        config.replay = &kept->second;
        config.replay_options = ReplayOptions{ReplayMatch::kBySite, ReplayTail::kSeed};
      }
      if (g.invariant == kCrashInvariant) {
        // Rerunning it here would kill this process too.
        out << "    no failure file for a crash: the run does not finish; run the replay command under gdb\n";
        continue;
      }
      const std::string stem = fmt::format("{}.{}.{}.seed{}", c.cell.scenario, c.cell.variant, g.invariant, g.first_seed);
      std::optional<ShrinkOptions> shrink;
      g.shrink_stopped_by.clear();
      g.shrink_attempts = g.shrink_kept = 0;
      bool budget_bound = false;  // the budget left, not --shrink-time, bounds this shrink
      if (bounds.shrink) {
        double time_s = bounds.time_s;
        if (bounds.budget_s && *bounds.budget_s - shrink_spent_s < time_s) {
          time_s = *bounds.budget_s - shrink_spent_s;
          budget_bound = true;
        }
        if (int sig = stop_signal(); sig != 0) {
          g.shrink_stopped_by = StopSignalsAfterRuns::Name(sig);
          out << fmt::format("    not shrunk: {} came\n", g.shrink_stopped_by);
        } else if (time_s <= 0) {
          g.shrink_stopped_by = "shrink budget";
          out << fmt::format("    not shrunk: the shrink budget ({:.0f}s) is spent\n", *bounds.budget_s);
        } else {
          shrink.emplace();
          shrink->max_attempts = bounds.attempts;
          shrink->time_limit_s = time_s;
          shrink->stop = bounds.stop;
        }
      }
      GroupArtifacts written = WriteFailureGroup(config, dir, shrink ? &*shrink : nullptr, stem, campaign.options.program, out);
      shrink_spent_s += written.shrink_s;
      g.failure_file = written.failure_file;
      g.shrunk_file = written.shrunk_file;
      g.report_html = written.report_html;
      if (!written.shrink_stopped_by.empty()) {
        g.shrink_attempts = written.shrink_attempts;
        g.shrink_kept = written.shrink_kept;
        g.shrink_stopped_by = written.shrink_stopped_by;
        if (g.shrink_stopped_by == "signal") g.shrink_stopped_by = StopSignalsAfterRuns::Name(stop_signal());
        if (g.shrink_stopped_by == "time limit" && budget_bound) g.shrink_stopped_by = "shrink budget";
      }
      cut_by_signal = cut_by_signal || g.shrink_stopped_by == "SIGINT" || g.shrink_stopped_by == "SIGTERM";
      all_written = all_written && !written.write_failed;
    }
    for (const FailureGroup& g : c.gone)
      out << fmt::format("  {} [{}] {} (gone): in the baseline as {}, not seen\n", c.cell.scenario, c.cell.variant,
                         g.invariant, g.baseline_status);
  }
  // Marked only when the signal cut a shrink short or left a group unshrunk (one that came after
  // the last shrink changed nothing, though the command still exits 130 / 143).
  if (cut_by_signal) campaign.result.shrinking_stopped_by = StopSignalsAfterRuns::Name(stop_signal());
  return all_written;
}

int CampaignExitCode(const CampaignResult& result, bool expect) {
  if (result.total_nondeterministic() > 0) return kExitNondeterminism;
  if (expect && !result.complete()) {
    std::cout << "--expect: the campaign is incomplete (seeds did not run or were killed): it cannot pass\n";
    return kExitViolation;
  }
  if (expect)
    return std::all_of(result.cells.begin(), result.cells.end(), [](const CellResult& c) { return c.as_expected(); })
               ? kExitClean
               : kExitViolation;
  return result.total_failures() > 0 ? kExitViolation : kExitClean;
}

}  // namespace seedbed::cli

// --- the kernel and world demos ---
#include "sim/demo.h"
#include "sim/world/demo.h"

namespace seedbed::cli {

int Demo(const Args& args) {
  auto seed = ParseSeed(args.seed);
  if (!seed.ok()) return UsageError(args, std::string(seed.status().message()));
  auto strategy = ParseStrategy(args.strategy);
  if (!strategy.ok()) return UsageError(args, std::string(strategy.status().message()));
  KernelConfig config;
  config.seed = *seed;
  config.strategy = *strategy;
  config.pct_depth = args.pct_depth;
  DemoResult r = RunDemo(config);
  std::cout << fmt::format(
      "demo seed {} ({}): {} events, {:.6f}s simulated, trace {:016x}, counter {} of {}\n", r.seed,
      StrategyName(config.strategy), r.events, r.sim_time_ns / 1e9, r.trace_hash, r.counter,
      kDemoWorkers * kDemoIncrements);
  std::cout << (r.race_fired ? "race: FIRED: " + r.message : std::string("race: did not fire")) << "\n";
  if (args.check_determinism) {
    DeterminismReport d = CheckDemoDeterminism(config);
    std::cout << "determinism: " << d.Summary() << "\n";
    if (!d.deterministic) return kExitNondeterminism;
  }
  if (r.race_fired)
    std::cout << fmt::format("replay: {} demo --seed {}{}\n", args.program, r.seed,
                             config.strategy == Strategy::kPct ? fmt::format(" --strategy pct --pct-depth {}", config.pct_depth) : "");
  return r.race_fired ? kExitViolation : kExitClean;
}

int WorldDemo(const Args& args) {
  auto seed = ParseSeed(args.seed);
  if (!seed.ok()) return UsageError(args, std::string(seed.status().message()));
  return RunWorldDemo(*seed, std::cout);
}

}  // namespace seedbed::cli
