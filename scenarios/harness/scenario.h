// The scenario API: what a user writes to test an engine. A scenario builds a world (processes,
// prefixes, disks, a fault plan), starts a workload that records a client history, may run tasks
// after the heal that must finish (liveness), and checks invariants. A fresh instance serves each
// run, so a scenario may keep per-run state in members (e.g. a pointer to a node's Db).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "scenarios/harness/history.h"
#include "scenarios/harness/verdict.h"
#include "sim/decisions.h"
#include "sim/kernel.h"

namespace seedbed {

class World;

struct ScenarioInfo {
  std::string name;         // "influxdb3.duplicate_writer"
  std::string description;  // one paragraph with its upstream references
  std::vector<std::string> variants;          // the first is the default
  std::vector<std::string> failing_variants;  // variants expected to break an invariant
  std::string unavailable;  // non-empty: listed, but not runnable yet (says why)
  // For each failing variant, the invariant(s) its bug breaks. A failure of any other invariant
  // (a harness verdict such as deadlock, liveness or event-budget, or another check) is
  // UNEXPECTED: `seedbed fuzz` shows it in its table and `--expect` exits 1. A failing variant
  // missing here declares no invariant, so every failure of it is unexpected.
  std::map<std::string, std::vector<std::string>> expected_invariants = {};

  bool failing(const std::string& variant) const;
  // The invariants `variant` is expected to break (empty for a passing variant).
  std::vector<std::string> ExpectedInvariants(const std::string& variant) const;
  // How a crash ends the tasks of a process (sim/kernel.h): kUnwind runs their destructors (a
  // forced unwind); kAbandon runs nothing of them and leaks the process's kept objects, for engines
  // built with exceptions or whose destructors must not run after a crash.
  CrashMode crash_mode = CrashMode::kUnwind;
  size_t stack_bytes = 0;  // per task; 0: KernelConfig's default (64 KiB)
  // PCT's k, about how many scheduling steps a run takes (change points are drawn in [1, k]);
  // 0: KernelConfig's default (10,000). A scenario of a few hundred steps sets it near that.
  uint64_t pct_steps_estimate = 0;
};

// One run: (scenario, variant, config, seed), or equally its decision list.
struct RunConfig {
  std::string scenario;
  std::string variant;
  uint64_t seed = 1;
  Strategy strategy = Strategy::kRandom;
  int pct_depth = 2;
  // PCT's k, the range change points are drawn from: 0 = KernelConfig's old default (10,000
  // steps). `seedbed run` and campaigns set it from calibration runs (EstimateHints) unless
  // --pct-steps gives it; a failure file keeps it.
  uint64_t pct_steps = 0;
  // Stalls on top of the strategy (KernelConfig::stalls; `--strategy delay` is random with stalls,
  // `--stalls` adds them to any other). A failure file keeps it.
  bool stalls = false;
  std::shared_ptr<const StrategyHints> hints;  // SURW's estimates (null: uniform weights)
  bool track_accesses = false;              // keep WillAccess calls (calibration runs)
  uint64_t event_budget = 2'000'000;
  Nanos time_budget_ns = 600'000'000'000;   // 10 simulated minutes in all
  Nanos chaos_ns = 60'000'000'000;          // the chaos phase ends here at the latest
  Nanos liveness_ns = 120'000'000'000;      // after the heal, liveness tasks must end within this
  const DecisionList* replay = nullptr;
  ReplayOptions replay_options;             // how `replay` is matched (sim/decisions.h)
  bool keep_events = false;                 // keep every trace event (reports, divergence)
  // false: the run stops at its first in-run violation (the story ends where the bug shows; the
  // heal, liveness phase and end-of-run checks are skipped). true: every phase and check runs.
  bool keep_going = false;
};

class Scenario {
 public:
  virtual ~Scenario() = default;
  virtual ScenarioInfo info() const = 0;
  // Processes, prefixes, disks, faults. Runs in kernel context before time starts.
  virtual void Build(World& world, const RunConfig& run) = 0;
  // Starts client tasks (World::SpawnClient); the chaos phase lasts until they all end.
  virtual void Workload(World& world, History& history) = 0;
  // After the heal (faults off, every crashed process restarted): starts client tasks that must
  // end within the liveness budget, e.g. final reads (History::MarkFinalRead), a write, a snapshot.
  virtual void Liveness(World& world, History& history) {
    (void)world;
    (void)history;
  }
  // After the run: invariants over the history and the world's state.
  virtual void Check(const World& world, const History& history, Verdict& verdict) = 0;

  // For checks made during the run (e.g. at every manifest write). Set by the harness.
  Verdict& verdict() { return *verdict_; }
  void Bind(Verdict* verdict) { verdict_ = verdict; }

 private:
  Verdict* verdict_ = nullptr;
};

using ScenarioFactory = std::function<std::unique_ptr<Scenario>()>;

// The scenarios this program knows, by name (sorted). Registration happens at static-init time.
class Registry {
 public:
  static Registry& Get();
  void Add(ScenarioFactory factory);
  std::vector<ScenarioInfo> List() const;             // sorted by name
  std::unique_ptr<Scenario> Make(const std::string& name) const;  // null if unknown
  bool Has(const std::string& name) const;

 private:
  std::vector<std::pair<std::string, ScenarioFactory>> entries_;  // kept sorted by name
};

struct ScenarioRegistration {
  explicit ScenarioRegistration(ScenarioFactory factory) { Registry::Get().Add(std::move(factory)); }
};

}  // namespace seedbed

// Registers a scenario class (default-constructible) with the registry. Use at namespace scope in
// a .cc file linked into the program.
#define SEEDBED_SCENARIO(Class)                                                        \
  static ::seedbed::ScenarioRegistration SEEDBED_CONCAT_(seedbed_scenario_, __LINE__){ \
      [] { return std::unique_ptr<::seedbed::Scenario>(new Class()); }}
#ifndef SEEDBED_CONCAT_
#define SEEDBED_CONCAT_INNER_(a, b) a##b
#define SEEDBED_CONCAT_(a, b) SEEDBED_CONCAT_INNER_(a, b)
#endif
