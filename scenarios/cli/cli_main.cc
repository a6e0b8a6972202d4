// The seedbed command's parsing and dispatch, as a library function so that a user's executable
// (their engine and scenarios linked with seedbed::seedbed) gets the whole command. Exit codes: 0
// clean, 1 an invariant failed, 2 bad usage or input, 3 nondeterminism detected.
#include "scenarios/cli/cli_main.h"

#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "CLI/CLI.hpp"
#include "fmt/format.h"
#include "scenarios/cli/commands.h"
#include "scenarios/harness/failure_file.h"
#include "sim/version.h"

namespace seedbed::cli {
namespace {

// argv[0] without its directory ("seedbed" if there is none).
std::string InvocationName(int argc, char** argv) {
  if (argc < 1 || argv[0] == nullptr || argv[0][0] == '\0') return "seedbed";
  std::string name = argv[0];
  if (size_t slash = name.find_last_of('/'); slash != std::string::npos) name = name.substr(slash + 1);
  return name.empty() ? "seedbed" : name;
}

// An old spelling of an option, kept working for existing scripts but left out of --help.
void Deprecated(CLI::Option* option) { option->group(""); }

}  // namespace

int DefaultJobs() {
  int n = 0;
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) == 0) n = CPU_COUNT(&set);
  if (n <= 0) n = static_cast<int>(std::thread::hardware_concurrency());
  return std::clamp(n, 1, 256);
}

int Main(int argc, char** argv) { return Main(argc, argv, MainOptions{}); }

int Main(int argc, char** argv, const MainOptions& options) {
  using seedbed::cli::Args;
  Args args;
  args.program = options.program_name.empty() ? InvocationName(argc, argv) : options.program_name;
  args.jobs = DefaultJobs();
  const std::string& program = args.program;
  CLI::App app{"Seedbed: deterministic simulation of storage engines on object storage and disks", program};
  app.require_subcommand(1);
  app.set_help_all_flag("--help-all", "Show help for every command");
  app.set_version_flag("--version", fmt::format("{} {} ({})", program, kVersion, kGitDescribe),
                       "Print the version and exit");

  app.add_subcommand("list", "List the scenarios and their variants");

  auto add_run_options = [&](CLI::App* cmd) {
    cmd->add_option("--strategy", args.strategy,
                    fmt::format("Scheduling strategy: {} (README: Strategies)", StrategyNames()))
        ->default_val("random");
    cmd->add_option("--pct-depth", args.pct_depth, "PCT depth d (d-1 priority change points)")
        ->default_val(2)->check(CLI::Range(1, 64));
    cmd->add_option("--pct-steps", args.pct_steps,
                    "PCT's k: change points fall in steps 1..k (default: the median steps of calibration runs)")
        ->check(CLI::Range(uint64_t{1}, uint64_t{1} << 40));
    cmd->add_flag("--stalls", args.stalls,
                  "Stall some store, disk and network operations of the chaos phase (on top of the strategy; "
                  "`--strategy delay` is random with stalls)");
    cmd->add_flag("--check-determinism", args.check_determinism,
                  "Run each seed twice and compare the full event log (exit 3 on a mismatch)");
  };

  CLI::App* run = app.add_subcommand("run", "Run one seed of a scenario");
  run->add_option("scenario", args.scenarios, "Scenario name (see `seedbed list`)")->required()->expected(1);
  run->add_option("--variant", args.variant, "Variant (default: the scenario's first)");
  run->add_option("-s,--seed", args.seed, "Seed (a non-negative integer)")->required();
  run->add_flag("--trace", args.trace, "Print the run's timeline");
  run->add_option("-o,--out", args.out_dir,
                  "Write the failure file (if it fails), Perfetto trace, HTML report and text timeline in this folder");
  Deprecated(run->add_option("--report", args.report_dir, "Old spelling of --out"));
  run->add_flag("--json", args.json,
                "Print the result as one JSON object on stdout (verdict, violations, figures, replay command)");
  add_run_options(run);
  run->add_flag("--keep-going", args.keep_going,
                "Do not stop at the first violation: run the heal, liveness phase and end-of-run checks too");

  CLI::App* fuzz = app.add_subcommand("fuzz", "Run a campaign over many seeds");
  fuzz->add_option("scenario", args.scenarios, "Scenario names");
  fuzz->add_flag("--all", args.all, "Every available scenario, every variant");
  fuzz->add_option("--variant", args.variant, "Only this variant");
  fuzz->add_option("-s,--seeds", args.seeds, "Seed range A..B (inclusive; default 1..100)");
  fuzz->add_option("--time", args.time, "Run for this long instead of a seed range (90s, 10m, 2h)");
  fuzz->add_option("-j,--jobs", args.jobs, "Worker processes (default: the number of CPUs this process may use)")
      ->check(CLI::Range(1, 256));
  fuzz->add_option("--shard", args.shard,
                   "K/N: run shard K (from 0) of N (default: from JOB_COMPLETION_INDEX/SEEDBED_SHARDS "
                   "or SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_COUNT)");
  fuzz->add_option("-o,--out", args.out_dir,
                   "Write campaign.json and campaign.md in this folder and, for each distinct failure: its failure file, the shrunk failure file, and "
                   "the shrunk run's Perfetto trace (.trace.json), HTML report and text timeline");
  fuzz->add_flag("--no-shrink", args.no_shrink, "With --out: do not shrink (reports show the unshrunk run)");
  fuzz->add_option("--shrink-attempts", args.shrink_attempts,
                   "With --out: runs per shrink (default 2000): the same seeds shrink the same way on any machine")
      ->check(CLI::Range(1, 100000000));
  fuzz->add_option("--shrink-time", args.shrink_time,
                   "With --out: wall-time backstop per shrink (default 5m); a shrink it cuts short says so");
  fuzz->add_option("--shrink-budget", args.shrink_budget,
                   "With --out: total shrink time of the campaign (default 10m; \"none\": unbounded); groups "
                   "past it keep their unshrunk failure file");
  fuzz->add_option("--baseline", args.baseline_file,
                   "Known-failures file (from `seedbed baseline`): classify each failure group as new, known, "
                   "regressed or gone; --expect then fails only on new or regressed failures");
  fuzz->add_option("--label", args.label,
                   "What is tested, e.g. the engine's version or commit (default: `git describe` when run in a git "
                   "work tree)");
  fuzz->add_option("--junit", args.junit_file, "Also write JUnit XML here (one test case per cell)");
  fuzz->add_flag("--expect", args.expect,
                 "Exit 0 when buggy variants fail and fixed ones have no new or regressed failure (the bundled "
                 "campaign; without --baseline every failure is new)");
  add_run_options(fuzz);
  fuzz->add_option("--recycle-after", args.recycle_after,
                   "Replace each worker process after this many runs (0: never); crashed engine objects are "
                   "abandoned, so a worker's memory grows")
      ->default_val(1000);
  fuzz->add_option("--recycle-rss", args.recycle_rss_mb,
                   "Replace a worker once its peak RSS reaches this many MiB (0: never)")
      ->default_val(2048);
  fuzz->add_flag("--keep-going", args.keep_going,
                 "Do not stop a run at its first violation (slower; every phase and check runs)");

  CLI::App* replay = app.add_subcommand("replay", "Replay a failure file");
  replay->add_option("file", args.file, "Failure file")->required();
  replay->add_flag("--trace", args.trace, "Print the run's timeline");
  replay->add_option("-o,--out", args.out_dir, "Write the Perfetto trace, HTML report and text timeline in this folder");
  Deprecated(replay->add_option("--report", args.report_dir, "Old spelling of --out"));

  CLI::App* shrink = app.add_subcommand(
      "shrink",
      "Shrink a failure file: edit its decisions (delete runs, zero or lower values, drop faults, fewer "
      "context switches, cut the tail), keeping an edit only if the run still fails with the same invariant. "
      "Each run is deterministic; the time bound only limits how many edits are tried, so the result is the "
      "last edit kept when it ran out. Exit 0 when shrunk, 2 on bad input, 3 if the file does not replay");
  shrink->add_option("file", args.file, "Failure file")->required();
  shrink->add_option("-o,--out", args.out_dir,
                     "Write the shrunk failure file and the shrunk run's Perfetto trace, HTML report and timeline in "
                     "this folder (default: the shrunk file beside FILE, with .shrunk before .failure.json; no reports). "
                     "A value ending in .json is the old meaning: the shrunk failure file itself");
  shrink->add_option("--time", args.time, "Wall-time bound (90s, 10m; default 60s)");
  shrink->add_option("--attempts", args.attempts, "At most this many runs")->default_val(5000)
      ->check(CLI::Range(0, 100000000));
  Deprecated(shrink->add_option("--report", args.report_dir, "Old option: the folder for the reports only"));

  CLI::App* merge = app.add_subcommand(
      "merge", "Join the campaign.json reports of a campaign's shards into one report (JSON, Markdown, table)");
  merge->add_option("reports", args.reports, "campaign.json files, one per shard")->required();
  merge->add_option("-o,--out", args.out_dir, "Write the merged campaign.json and campaign.md in this folder");
  merge->add_flag("--expect", args.expect,
                  "Exit 0 when buggy variants failed and fixed ones have no new or regressed failure");
  merge->add_flag("--shrink", args.shrink,
                  "With --out: shrink each failure group once for the whole campaign (shards do not shrink)");
  merge->add_option("--shrink-attempts", args.shrink_attempts, "With --shrink: runs per shrink (default 2000)")
      ->check(CLI::Range(1, 100000000));
  merge->add_option("--shrink-time", args.shrink_time,
                    "With --shrink: wall-time backstop per shrink (default 5m); a shrink it cuts short says so");
  merge->add_option("--shrink-budget", args.shrink_budget,
                    "With --shrink: total shrink time (default 10m; \"none\": unbounded)");
  merge->add_option("--baseline", args.baseline_file,
                    "Classify against this known-failures file instead of the one the shards ran with");
  merge->add_option("--junit", args.junit_file, "Also write JUnit XML here (one test case per cell)");

  CLI::App* baseline = app.add_subcommand(
      "baseline",
      "Write the known-failures file after a campaign: each group it saw is known (flaky entries stay flaky); "
      "with --from, an entry the campaign no longer saw becomes fixed, so its return is a regression");
  baseline->add_option("report", args.reports, "The campaign's campaign.json (or its directory)")->required()->expected(1);
  baseline->add_option("-o,--out", args.out_file, "The baseline file to write")->required();
  baseline->add_option("--from", args.from_file, "The previous baseline (keeps fixed and flaky entries, notes)");

  CLI::App* history = app.add_subcommand(
      "history", "Cells over campaigns (nights): a table per cell of seeds, failures by class, seeds/s, first "
                 "failing seed; with --out, history.md and one SVG chart per cell");
  history->add_option("reports", args.reports, "Campaign directories or campaign.json files, oldest first")->required();
  history->add_option("-o,--out", args.out_dir, "Write history.md and the charts in this folder");

  CLI::App* demo = app.add_subcommand("demo", "The kernel's toy: a check-then-act race on a counter");
  demo->add_option("-s,--seed", args.seed, "Seed")->required();
  add_run_options(demo);

  CLI::App* world_demo = app.add_subcommand(
      "world-demo", "The simulated world: a duplicate-writer overwrite and a Windows rename failure");
  world_demo->add_option("-s,--seed", args.seed, "Seed")->default_val("1");

  // A first word that is no option and no subcommand: name it (CLI11 would only say that a
  // subcommand is required).
  std::vector<std::string> names;
  for (const CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) names.push_back(sub->get_name());
  if (argc >= 2 && argv[1][0] != '-' && std::find(names.begin(), names.end(), argv[1]) == names.end()) {
    std::cerr << fmt::format("{}: unknown subcommand '{}' (subcommands: {})\n(see `{} --help`)\n", program, argv[1],
                             fmt::join(names, ", "), program);
    return kExitUsage;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help, --version
    std::cerr << program << ": " << e.what() << "\n(see `" << program << " " <<
        (app.get_subcommands().empty() ? std::string("--help") : app.get_subcommands()[0]->get_name() + " --help")
              << "`)\n";
    return kExitUsage;
  }
  args.stdout_is_tty = isatty(STDOUT_FILENO) != 0;
  args.stderr_is_tty = isatty(STDERR_FILENO) != 0;
  CLI::App* cmd = app.get_subcommands().front();
  const std::string& name = cmd->get_name();
  if (name == "run" || name == "replay") {
    // --out is the folder; --report, its old spelling, still works.
    if (!args.out_dir.empty() && !args.report_dir.empty() && args.out_dir != args.report_dir) {
      std::cerr << fmt::format("{}: {}: give --out or its old spelling --report, not both\n", program, name);
      return kExitUsage;
    }
    if (args.report_dir.empty()) args.report_dir = args.out_dir;
  }
  if (name == "run" && args.json && args.trace) {
    std::cerr << fmt::format("{}: run: give --json or --trace, not both (--out DIR writes the timeline)\n", program);
    return kExitUsage;
  }
  if (name == "list") return seedbed::cli::List(args);
  if (name == "run") return seedbed::cli::Run(args);
  if (name == "fuzz") return seedbed::cli::Fuzz(args);
  if (name == "replay") return seedbed::cli::Replay(args);
  if (name == "merge") return seedbed::cli::Merge(args);
  if (name == "baseline") return seedbed::cli::MakeBaseline(args);
  if (name == "history") return seedbed::cli::History(args);
  if (name == "shrink") return seedbed::cli::Shrink(args);
  if (name == "demo") return seedbed::cli::Demo(args);
  if (name == "world-demo") return seedbed::cli::WorldDemo(args);
  std::cerr << program << ": unknown subcommand " << name << "\n";
  return kExitUsage;
}

}  // namespace seedbed::cli
