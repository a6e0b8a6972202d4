#include "scenarios/harness/runner.h"

#include <malloc.h>

#include <algorithm>
#include <map>

#include "fmt/format.h"
#include "model/env/status.h"
#include "sim/stack_pool.h"
#include "sim/world/status_names.h"
#include "sim/world/world.h"

namespace seedbed {
namespace {

// One pool per stack size per program (each forked campaign worker gets its own copies): stacks
// are mapped once and reused by every later run with that stack size. Runs are single-threaded
// and a program's runs are sequential, so no lock.
std::shared_ptr<StackPool> SharedStackPool(size_t stack_bytes) {
  static std::vector<std::shared_ptr<StackPool>> pools;  // few sizes: a linear search
  for (const std::shared_ptr<StackPool>& pool : pools)
    if (pool->requested_bytes() == stack_bytes) return pool;
  pools.push_back(std::make_shared<StackPool>(stack_bytes));
  return pools.back();
}

KernelConfig ToKernelConfig(const RunConfig& c, const ScenarioInfo& info) {
  KernelConfig k;
  if (info.stack_bytes > 0) k.stack_bytes = info.stack_bytes;
  k.crash_mode = info.crash_mode;
  k.seed = c.seed;
  // A guided run is a random walk over a replayed (mutated) decision list.
  k.strategy = c.strategy == Strategy::kGuided ? Strategy::kRandom : c.strategy;
  k.pct_depth = c.pct_depth;
  k.stalls = c.stalls;
  if (c.pct_steps > 0) {
    k.pct_steps_estimate = c.pct_steps;
  } else if (info.pct_steps_estimate > 0) {
    k.pct_steps_estimate = info.pct_steps_estimate;
  }
  k.hints = c.hints;
  k.track_accesses = c.track_accesses;
  k.event_budget = c.event_budget;
  k.time_budget_ns = c.time_budget_ns;
  k.replay = c.replay;
  k.replay_options = c.replay_options;
  k.trace_details = c.keep_events;
  k.stack_pool = SharedStackPool(k.stack_bytes);
  return k;
}

std::string DescribeWait(const WaitingTask& w) {
  std::string holds;
  for (const std::string& h : w.holds) holds += (holds.empty() ? "" : ", ") + h;
  return fmt::format("{}/{}{} waits on {}{}", w.process, w.task, w.must_finish ? " (must finish)" : "",
                     w.waits_on, holds.empty() ? "" : "; holds mutex " + holds);
}

// What a harness verdict is about, for the reports to outline (reports/html.cc): "task P/T" for a
// task (its lane), "mutex M" and "condvar C" for what it waits on or holds (the mutex's hold strips,
// the block events), and the history ops the named tasks had in flight.
void NameObject(Violation& v, std::string object) {
  if (object.empty() || std::find(v.objects.begin(), v.objects.end(), object) != v.objects.end()) return;
  v.objects.push_back(std::move(object));
}

// "mutex wal.buffer held by node-a/flush (times out at 1.5s)" -> "mutex wal.buffer"; "condvar
// wal.cv (mutex wal.buffer)" -> "condvar wal.cv" and "mutex wal.buffer"; "join P/T" -> "task P/T".
void NameWaitTarget(Violation& v, std::string_view waits_on) {
  auto word_after = [&](std::string_view prefix) -> std::string {
    const size_t at = waits_on.find(prefix);
    if (at == std::string_view::npos) return "";
    std::string_view rest = waits_on.substr(at + prefix.size());
    return std::string(rest.substr(0, rest.find_first_of(" )")));
  };
  if (waits_on.rfind("mutex ", 0) == 0) NameObject(v, "mutex " + word_after("mutex "));
  if (waits_on.rfind("condvar ", 0) == 0) {
    NameObject(v, "condvar " + word_after("condvar "));
    if (std::string mu = word_after("(mutex "); !mu.empty()) NameObject(v, "mutex " + mu);
  }
  if (waits_on.rfind("semaphore ", 0) == 0) NameObject(v, "semaphore " + word_after("semaphore "));
  if (waits_on.rfind("join ", 0) == 0) NameObject(v, "task " + word_after("join "));
}

void NameWaiting(const WaitingTask& w, Violation& v) {
  NameObject(v, fmt::format("task {}/{}", w.process, w.task));
  for (const std::string& h : w.holds) NameObject(v, "mutex " + h);
  NameWaitTarget(v, w.waits_on);
}

// The history ops still in flight on the tasks the violation names ("task P/T"); with `or_all`, if
// none of them has one, every op in flight (a liveness or budget verdict is about what never
// completed; a deadlock only about its own tasks).
void NameOpsInFlight(const History& history, const Kernel& kernel, Violation& v, bool or_all) {
  std::vector<uint64_t> any, mine;
  for (const Op& op : history.ops()) {
    if (op.completed() || op.task == ~0u) continue;
    any.push_back(op.id);
    const std::string task = "task " + kernel.TaskLabel(op.task);
    if (std::find(v.objects.begin(), v.objects.end(), task) != v.objects.end()) mine.push_back(op.id);
  }
  for (uint64_t id : mine.empty() && or_all ? any : mine)
    if (std::find(v.ops.begin(), v.ops.end(), id) == v.ops.end()) v.ops.push_back(id);
}

// A kernel verdict (sim/kernel.h) carries evidence lines only: a wait-for cycle's "P/T holds mutex
// A, B and waits on W", a lock-order inversion's "<t>s P/T holds A and takes B" ("held ... took").
void NameKernelEvidence(Violation& v) {
  for (std::string_view line : v.evidence) {
    if (size_t t = line.find("s "); t != std::string_view::npos && t > 0 && line[0] >= '0' && line[0] <= '9')
      line = line.substr(t + 2);
    size_t holds = line.find(" holds ");
    const size_t held = line.find(" held ");
    if (holds == std::string_view::npos) holds = held;
    if (holds == std::string_view::npos) continue;
    NameObject(v, "task " + std::string(line.substr(0, holds)));
    std::string_view rest = line.substr(holds + (line.compare(holds, 7, " holds ") == 0 ? 7 : 6));
    if (size_t waits = rest.find(" and waits on "); waits != std::string_view::npos) {
      std::string_view mutexes = rest.substr(0, waits);
      if (mutexes.rfind("mutex ", 0) == 0) {
        mutexes.remove_prefix(6);
        for (size_t at = 0; at <= mutexes.size();) {
          const size_t comma = std::min(mutexes.find(", ", at), mutexes.size());
          NameObject(v, "mutex " + std::string(mutexes.substr(at, comma - at)));
          at = comma + 2;
        }
      }
      NameWaitTarget(v, rest.substr(waits + 14));
      continue;
    }
    size_t takes = rest.find(" and takes ");
    size_t skip = 11;
    if (takes == std::string_view::npos) {
      takes = rest.find(" and took ");
      skip = 10;
    }
    if (takes == std::string_view::npos) continue;
    NameObject(v, "mutex " + std::string(rest.substr(0, takes)));
    NameObject(v, "mutex " + std::string(rest.substr(takes + skip)));
  }
}

// An event budget spent with at least this many consecutive spin yields is called a spin loop.
constexpr uint64_t kSpinStepsMin = 1000;

void ReportStuck(const RunResult& result, std::string_view phase, const Kernel& kernel, const History& history,
                 Verdict& verdict) {
  if (result.outcome == RunOutcome::kDeadlock) {
    // Tasks of a deadlock reported before (a cycle when it closed, the chaos phase) are not
    // reported again: one bug, one report.
    size_t must = 0;
    for (const WaitingTask& w : result.waiting) must += w.must_finish && !w.reported;
    if (must == 0) return;
    Violation& v = verdict.Fail("deadlock", fmt::format("{} phase: no task can run and nothing is "
                                                        "scheduled, but {} task(s) that must finish wait",
                                                        phase, must),
                                result.end_time_ns);
    for (const WaitingTask& w : result.waiting)
      if (!w.reported) {
        v.evidence.push_back(DescribeWait(w));
        NameWaiting(w, v);
      }
    NameOpsInFlight(history, kernel, v, false);
  } else if (result.outcome == RunOutcome::kEventBudget && kernel.spin_steps() >= kSpinStepsMin) {
    // Not the engine's bug without more: a task spinning (yield after yield) on what no step of
    // another task provides. Under a strategy that starves the task it waits for, the harness made
    // this; under PCT a yielding task is demoted, so it should not (sim/kernel.h, YieldSpin).
    std::string tasks;
    for (const std::string& t : kernel.spinning_tasks()) tasks += (tasks.empty() ? "" : ", ") + t;
    Violation& v = verdict.Fail("event-budget",
                 fmt::format("{} phase: the event budget ran out ({} events) in a spin loop: the last {} "
                             "scheduler steps each ended in a yield the code under test asked for "
                             "(sched_yield, Runtime::Yield), by {}; a livelock of the code or of this "
                             "schedule, not necessarily a bug of the engine",
                             phase, result.events, kernel.spin_steps(), tasks),
                 result.end_time_ns);
    for (const std::string& t : kernel.spinning_tasks()) NameObject(v, "task " + t);
    NameOpsInFlight(history, kernel, v, true);
  } else if (result.outcome == RunOutcome::kEventBudget) {
    Violation& v = verdict.Fail("event-budget", fmt::format("{} phase: the event budget ran out ({} events): a "
                                                            "livelock, or raise the budget",
                                                            phase, result.events),
                                result.end_time_ns);
    // What had not finished: the tasks that must, and the ops in flight.
    for (const WaitingTask& w : kernel.Unfinished()) NameWaiting(w, v);
    NameOpsInFlight(history, kernel, v, true);
  }
}

std::string StoreDetail(const StoreOpRecord& op) {
  if (op.type == StoreOpType::kPut) {
    return op.mode == model::PutMode::kUpdate
               ? fmt::format("{} update(v{}) {}B", op.path, op.expected_version, op.size)
               : fmt::format("{} {} {}B", op.path, PutModeName(op.mode), op.size);
  }
  if (op.type == StoreOpType::kList) return fmt::format("{}* ({} listed)", op.path, op.listed);
  return op.path;
}

void CollectSpans(const World& world, const History& history, RunReport& report) {
  for (const StoreOpRecord& op : world.store().history()) {
    if (op.task == kKernelId) continue;
    Span s;
    s.task = op.task;
    s.start_ns = op.start_ns;
    s.end_ns = op.end_ns >= 0 ? op.end_ns : report.sim_time_ns;
    s.name = StoreOpName(op.type);
    s.detail = StoreDetail(op);
    s.outcome = op.aborted ? "aborted (crash)" : CodeName(op.code);
    if (op.ambiguous) s.outcome += " (but applied)";
    if (op.applied && op.type == StoreOpType::kPut) s.outcome += fmt::format(" v{}", op.version);
    s.fault = op.injected_error || op.ambiguous;
    // The version written or read (a put's only if it was applied, a read's only if it found one).
    const bool read = op.type == StoreOpType::kGet || op.type == StoreOpType::kHead;
    if (op.applied_ns >= 0 && (op.type == StoreOpType::kPut ? op.applied : read && op.effect_code == absl::StatusCode::kOk)) {
      s.version = op.version;
      s.applied_ns = op.applied_ns;
    }
    report.spans.push_back(std::move(s));
  }
  for (const Op& op : history.ops()) {
    if (op.task == ~0u) continue;
    Span s;
    s.task = op.task;
    s.start_ns = op.invoke_ns;
    s.end_ns = op.complete_ns >= 0 ? op.complete_ns : report.sim_time_ns;
    s.name = fmt::format("client {}", OpTypeName(op.type));
    s.detail = op.type == OpType::kPut ? fmt::format("{}={}", op.key, op.value) : op.key;
    if (op.type == OpType::kGet && op.status == OpStatus::kOk)
      s.detail += fmt::format(" -> {}", op.read ? *op.read : "(absent)");
    s.outcome = std::string(OpStatusName(op.status));
    if (!op.error.empty()) s.outcome += ": " + op.error;
    s.op = static_cast<int64_t>(op.id);
    report.spans.push_back(std::move(s));
  }
}

// Names of processes and tasks, and the context-switch count, from a kept trace.
void CollectNames(World& world, RunReport& report) {
  Kernel& kernel = world.kernel();
  for (ProcessId p = 0; p < kernel.process_count(); ++p)
    report.process_names.push_back(kernel.process(p).name());
  if (!report.trace) return;
  uint32_t last = ~0u;
  for (const TraceEvent& e : report.trace->events()) {
    if (e.kind == EventKind::kSpawn) {
      if (report.task_names.size() <= e.task) {
        report.task_names.resize(e.task + 1);
        report.task_process.resize(e.task + 1, ~0u);
      }
      std::string process = e.process < report.process_names.size() ? report.process_names[e.process] : "?";
      report.task_names[e.task] = fmt::format("{}/{}", process, e.detail);
      report.task_process[e.task] = e.process;
    } else if (e.kind == EventKind::kStep) {
      if (last != ~0u && e.task != last) ++report.context_switches;
      last = e.task;
    }
  }
}

// The liveness watchdog: when the liveness phase ended with tasks that must finish still running,
// names each of them, what it waits on and when it last ran. Tasks of a deadlock already reported
// are left out (one bug, one report).
void ReportUnfinished(const World& world, const PhaseResult& phases, const RunConfig& config,
                      const History& history, Verdict& verdict) {
  if (phases.liveness_done || phases.liveness.outcome == RunOutcome::kDeadlock ||
      phases.liveness.outcome == RunOutcome::kEventBudget)
    return;
  std::vector<WaitingTask> unfinished = world.kernel().Unfinished();
  if (unfinished.empty()) return;
  const Nanos end_ns = phases.liveness.end_time_ns;
  std::string why;
  switch (phases.liveness.outcome) {
    case RunOutcome::kUntilReached: why = fmt::format("its {:.0f}s budget ran out", config.liveness_ns / 1e9); break;
    case RunOutcome::kTimeBudget: why = fmt::format("the run's {:.0f}s time budget ran out", config.time_budget_ns / 1e9); break;
    default: why = fmt::format("the run stopped ({})", RunOutcomeName(phases.liveness.outcome)); break;
  }
  Violation& v = verdict.Fail(
      "liveness",
      fmt::format("after the heal at {:.3f}s, {} task(s) that must finish had not finished when the liveness "
                  "phase ended at {:.3f}s ({})",
                  phases.heal_ns / 1e9, unfinished.size(), end_ns / 1e9, why),
      end_ns);
  for (const WaitingTask& w : unfinished) {
    v.evidence.push_back(DescribeWait(w));
    NameWaiting(w, v);
  }
  NameOpsInFlight(history, world.kernel(), v, true);
}

}  // namespace

const Violation* RunReport::first_violation() const {
  if (violations.empty()) return nullptr;
  // Same rule as Verdict::first: the earliest timed violation, else the first reported.
  const Violation* best = &violations.front();
  for (const Violation& x : violations)
    if (x.time_ns >= 0 && (best->time_ns < 0 || x.time_ns < best->time_ns)) best = &x;
  return best;
}

std::string RunReport::invariant() const {
  const Violation* v = first_violation();
  return v ? v->invariant : "";
}

std::string ReplayCommand(const RunConfig& c, std::string_view program) {
  std::string command = fmt::format("{} run {} --variant {} --seed {}", program, c.scenario, c.variant, c.seed);
  if (c.strategy == Strategy::kPct) {
    command += fmt::format(" --strategy pct --pct-depth {}", c.pct_depth);
    if (c.pct_steps > 0) command += fmt::format(" --pct-steps {}", c.pct_steps);
  } else if (c.strategy == Strategy::kGuided) {
    return fmt::format("seedbed replay FAILURE_FILE (a guided run of {} {} seed {} replays from the campaign's "
                       "failure file: its decisions came from the campaign's corpus, not from the seed alone)",
                       c.scenario, c.variant, c.seed);
  } else if (c.strategy != Strategy::kRandom) {
    command += fmt::format(" --strategy {}", StrategyName(c.strategy));
  }
  if (c.stalls && c.strategy != Strategy::kDelay) command += " --stalls";
  if (c.keep_going) command += " --keep-going";
  return command;
}

namespace {

// glibc gives a freed block above its trim or mmap threshold back to the OS, so every run
// faulted in again the pages of the simulated disk's file contents (SQLite's WAL: ~15% of
// sqlite.crash_recovery's CPU, page faults and zeroing). Keep freed memory for the next run
// instead: a program runs run after run, and campaign workers are recycled by RSS anyway. Only
// speed changes (allocation addresses never reach a trace or a report). Once per program.
void KeepFreedMemoryForLaterRuns() {
  static const bool done = [] {
    (void)mallopt(M_TRIM_THRESHOLD, 512 << 20);
    (void)mallopt(M_MMAP_THRESHOLD, 64 << 20);
    return true;
  }();
  (void)done;
}

}  // namespace

// What a guided campaign counts as reaching something new (scenarios/campaign/guided.h): each
// coverage point reached and each fired, each reads-from pair of the object store (the writer's
// process of the version a get or head read, the reader's process, the path with its digits
// folded: "node-a -> node-b cluster/wal/#"), and the run's fault combination (injected faults and
// crashes of each kind, in powers of two). Sorted, distinct.
static std::vector<uint64_t> GuidedFeatures(const World& world, const RunReport& report) {
  std::vector<uint64_t> out;
  auto add = [&out](std::string_view kind, std::string_view name) { out.push_back(Kernel::ResourceKey(kind, name)); };
  for (const RunReport::CoveragePoint& p : report.coverage_points) {
    if (p.reached > 0) add("reached", p.name);
    if (p.fired > 0) add("fired", p.name);
  }
  auto fold = [](std::string_view path) {
    std::string s;
    for (char ch : path) {
      const bool digit = ch >= '0' && ch <= '9';
      if (!digit || s.empty() || s.back() != '#') s += digit ? '#' : ch;
    }
    return s;
  };
  std::map<std::pair<std::string, uint64_t>, std::string> writers;  // (path, version) -> process
  for (const StoreOpRecord& op : world.store().history()) {
    if (op.type == StoreOpType::kPut && op.applied) writers[{op.path, op.version}] = op.process_name;
    if ((op.type == StoreOpType::kGet || op.type == StoreOpType::kHead) && op.code == absl::StatusCode::kOk) {
      auto it = writers.find({op.path, op.version});
      if (it != writers.end()) add("reads-from", fmt::format("{} -> {} {}", it->second, op.process_name, fold(op.path)));
    }
  }
  auto bucket = [](uint64_t n) {
    int b = 0;
    while (n > 0) {
      n >>= 1;
      ++b;
    }
    return b;
  };
  add("faults", fmt::format("{} {} {}", bucket(report.faults_injected), bucket(report.process_crashes),
                            bucket(report.machine_crashes)));
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

absl::StatusOr<RunReport> RunOnce(const RunConfig& portfolio_config) {
  KeepFreedMemoryForLaterRuns();
  const RunConfig config = ResolvePortfolio(portfolio_config);
  std::unique_ptr<Scenario> scenario = Registry::Get().Make(config.scenario);
  if (scenario == nullptr) return absl::NotFoundError(fmt::format("unknown scenario '{}'", config.scenario));
  ScenarioInfo info = scenario->info();
  if (!info.unavailable.empty())
    return absl::InvalidArgumentError(fmt::format("scenario '{}' is not available: {}", info.name, info.unavailable));
  if (std::find(info.variants.begin(), info.variants.end(), config.variant) == info.variants.end())
    return absl::InvalidArgumentError(fmt::format("scenario '{}' has no variant '{}'", info.name, config.variant));

  RunReport report;
  report.config = config;
  report.config.replay = nullptr;
  auto history = std::make_shared<History>();
  Verdict verdict;
  {
    World world(ToKernelConfig(config, info));
    scenario->Bind(&verdict);
    scenario->Build(world, config);
    report.fault_plan = world.faults().Describe();
    report.swarm_enabled = world.faults().swarm_enabled;
    scenario->Workload(world, *history);
    // Deadlock cycles and lock-order inversions are found by the kernel while the run goes on.
    world.kernel().OnViolation([&verdict, &world, &history](const KernelViolation& k) {
      Violation& v = verdict.Fail(k.invariant, k.message, k.time_ns);
      v.evidence = k.evidence;
      NameKernelEvidence(v);
      NameOpsInFlight(*history, world.kernel(), v, false);
    });
    if (!config.keep_going) verdict.OnFail([&world] { world.Halt(); });
    PhaseResult phases = world.RunPhases(PhasePlan{config.chaos_ns, config.liveness_ns},
                                         [&] { scenario->Liveness(world, *history); });
    verdict.OnFail(nullptr);
    world.kernel().OnViolation(nullptr);
    if (phases.halted) {
      // The history is cut short (no heal, no final reads): end-of-run checks would misread it.
      verdict.Note(fmt::format("stopped at the first violation, at {:.3f}s ({} phase); {} and the "
                               "end-of-run checks did not run (--keep-going runs them)",
                               world.kernel().Now() / 1e9, phases.halted_in_chaos ? "chaos" : "liveness",
                               phases.halted_in_chaos ? "the heal, the liveness phase"
                                                      : "the rest of the liveness phase"));
    } else {
      ReportStuck(phases.chaos, "chaos", world.kernel(), *history, verdict);
      ReportStuck(phases.liveness, "liveness", world.kernel(), *history, verdict);
      ReportUnfinished(world, phases, config, *history, verdict);
      scenario->Check(world, *history, verdict);
    }

    Kernel& kernel = world.kernel();
    report.events = kernel.events();
    report.steps = kernel.steps();
    if (config.track_accesses || kernel.tracks_accesses()) report.access_counts = kernel.AccessCounts();
    report.sim_time_ns = kernel.Now();
    report.trace_hash = kernel.trace().hash();
    report.decisions = kernel.decisions().recorded();
    report.replay_mismatches = kernel.decisions().replay_mismatches();
    report.faults_injected = world.faults_injected();
    report.process_crashes = world.crashes(CrashKind::kProcess);
    report.machine_crashes = world.crashes(CrashKind::kMachine);
    report.crash_mode = info.crash_mode;
    for (size_t slot = 0; slot < Kernel::kExtensionSlots; ++slot)
      if (const KernelExtension* extension = kernel.extension(slot)) extension->Counters(report.counters);
    report.coverage = world.coverage().Summary();
    for (const auto& [name, r] : world.coverage().crash_points())
      report.coverage_points.push_back({name, true, r.reached, r.armed, r.fired});
    for (const auto& [name, n] : world.coverage().probes())
      report.coverage_points.push_back({name, false, n, false, 0});
    if (config.strategy == Strategy::kGuided) report.features = GuidedFeatures(world, report);
    if (config.keep_events) {
      report.trace = std::make_shared<Trace>(kernel.trace());
      CollectNames(world, report);
      CollectSpans(world, *history, report);
    } else {
      for (ProcessId p = 0; p < kernel.process_count(); ++p) report.process_names.push_back(kernel.process(p).name());
    }
  }
  report.history = history;
  report.violations = verdict.violations();
  for (Violation& v : report.violations) SortEvidenceByTime(v.evidence);
  report.notes = verdict.notes();
  report.failed = !verdict.ok();
  return report;
}

}  // namespace seedbed

namespace seedbed {

bool NeedsHints(Strategy strategy) {
  return strategy == Strategy::kPct || strategy == Strategy::kSurw || strategy == Strategy::kPortfolio;
}

absl::StatusOr<std::shared_ptr<const StrategyHints>> EstimateHints(const RunConfig& base) {
  std::vector<uint64_t> steps;
  std::map<uint32_t, uint64_t> accesses;  // ordered: the hints' sorted vector comes straight out
  for (uint64_t seed : kCalibrationSeeds) {
    RunConfig c = base;
    c.seed = seed;
    c.strategy = Strategy::kRandom;
    c.replay = nullptr;
    c.hints = nullptr;
    c.keep_events = false;
    c.track_accesses = true;
    absl::StatusOr<RunReport> report = RunOnce(c);
    if (!report.ok()) return report.status();
    steps.push_back(report->steps);
    for (const auto& [key, n] : report->access_counts) accesses[key] += n;
  }
  std::sort(steps.begin(), steps.end());
  auto hints = std::make_shared<StrategyHints>();
  hints->steps = std::max<uint64_t>(steps[steps.size() / 2], 1);
  // A scenario that declares its k (ScenarioInfo::pct_steps_estimate) keeps it.
  if (std::unique_ptr<Scenario> scenario = Registry::Get().Make(base.scenario)) {
    const uint64_t declared = scenario->info().pct_steps_estimate;
    if (declared > 0) hints->steps = declared;
  }
  const uint64_t runs = std::size(kCalibrationSeeds);
  for (const auto& [key, n] : accesses)
    hints->accesses_by_task.emplace_back(key, static_cast<uint32_t>(std::min<uint64_t>((n + runs - 1) / runs, ~0u)));
  return std::shared_ptr<const StrategyHints>(std::move(hints));
}

absl::Status PrepareStrategy(RunConfig& config) {
  if (!NeedsHints(config.strategy) || config.hints != nullptr) return absl::OkStatus();
  ASSIGN_OR_RETURN(config.hints, EstimateHints(config));
  if (config.pct_steps == 0) config.pct_steps = config.hints->steps;
  return absl::OkStatus();
}

RunConfig ResolvePortfolio(const RunConfig& config) {
  if (config.strategy != Strategy::kPortfolio) return config;
  RunConfig c = config;
  const PortfolioMember& m = kPortfolio[config.seed % std::size(kPortfolio)];
  c.strategy = m.strategy;
  c.pct_depth = m.pct_depth;
  c.stalls = m.stalls;
  return c;
}

std::string StrategyLabel(const RunConfig& config) {
  std::string label = config.strategy == Strategy::kPct ? fmt::format("pct-d{}", config.pct_depth)
                                                          : std::string(StrategyName(config.strategy));
  if (config.stalls && config.strategy != Strategy::kDelay) label += "+stalls";
  return label;
}

}  // namespace seedbed
