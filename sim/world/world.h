// sim/world/world.h: a simulated world: the kernel, named processes each with its Env (runtime,
// a view of the ONE shared object store, its own disk, its transport), client processes that
// faults never touch, the fault plan and its schedule (random crashes with restarts, partitions),
// the heal, and the phases of a run (chaos, heal, liveness). Owns the Kernel; everything else in
// it outlives the kernel's tasks. Driven from kernel context (set-up, Run*); tasks of its
// processes call into it through their Env. Single-threaded.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/btree_map.h"
#include "faults/fault_plan.h"
#include "faults/swarm.h"
#include "sim/kernel.h"
#include "sim/world/core.h"
#include "sim/world/disk.h"
#include "sim/world/network.h"
#include "sim/world/object_store.h"
#include "sim/world/runtime.h"

namespace seedbed {

struct ProcessOptions {
  std::optional<SharingMode> sharing;  // unset: the fault plan's default_sharing at AddProcess
  bool disk = true;                    // give it a local disk (Env::fs)
  bool network = true;                 // give it a transport (Env::transport)
  bool client = false;                 // a client: never crashed, no injected faults
};

// What RunPhases saw.
struct PhaseResult {
  RunResult chaos;
  Nanos heal_ns = 0;
  RunResult liveness;
  bool liveness_done = false;  // every liveness client task ended within the liveness budget
  bool halted = false;         // World::Halt stopped the run; the later phases did not run
  bool halted_in_chaos = false;  // ... during the chaos phase (before the heal)
};

class World {
 public:
  explicit World(KernelConfig config);
  ~World();
  World(const World&) = delete;
  World& operator=(const World&) = delete;

  // --- set-up (kernel context) ---
  // A process booted now; `boot` runs at start and after every restart (recovery).
  Process& AddProcess(std::string name, BootFn boot, ProcessOptions options = {});
  // A process that only runs client tasks: faults exclude it; its boot does nothing.
  Process& AddClientProcess(std::string name);
  // Installs the plan now: scheduled partitions, random crash and partition chains.
  // REQUIRES: called once, before the run (processes may be added before or after).
  void SetFaults(FaultPlan plan);
  // Draws a swarm plan from `ranges` (kSwarm decisions) and installs it.
  const FaultPlan& SetSwarm(const SwarmRanges& ranges, FaultPlan base = {});
  const FaultPlan& faults() const { return core_.plan(); }

  // --- clients (kernel or task context) ---
  // A task of `process` (default: a client process "client", made on first use). RunPhases waits
  // for every client task to end before it leaves a phase early.
  TaskId SpawnClient(std::string name, std::function<void()> fn);
  TaskId SpawnClient(Process& process, std::string name, std::function<void()> fn);
  size_t clients_running() const { return clients_running_; }

  // --- crashes and the heal (kernel or task context) ---
  // Crashes now, with no automatic restart (a test's deliberate crash). A process crash keeps the
  // disk's page cache; a machine crash keeps what the plan's durability profile says survives.
  void Crash(Process& process, CrashKind kind = CrashKind::kMachine);
  void Restart(Process& process);
  // Faults stop, partitions heal, crashed non-client processes restart.
  void Heal();
  bool healed() const { return !core_.faults_active(); }

  // --- running ---
  // Chaos until phases.chaos_ns, the heal, then `start_liveness` (which may spawn client tasks)
  // and a liveness phase of phases.liveness_ns. Each phase ends early once every client task
  // ended; a phase that starts with none ends once every process's boot task, its recovery, has
  // ended (a scenario whose processes' own tasks are the workload spawns a client that sleeps for
  // as long as the chaos should last, as rqlite.snapshot_stream_lock's driver does).
  PhaseResult RunPhases(const PhasePlan& phases, const std::function<void()>& start_liveness = {});
  // Ends the run: the kernel stops after the current step or event, and RunPhases returns with
  // `halted` set without running the phases left. Callable from a task or a callback; never yields.
  void Halt() {
    halted_ = true;
    kernel_->Stop();
  }
  bool halted() const { return halted_; }

  // --- the parts ---
  Kernel& kernel() { return *kernel_; }
  const Kernel& kernel() const { return *kernel_; }
  SimObjectStore& store() { return store_; }
  const SimObjectStore& store() const { return store_; }
  SimNetwork& network() { return network_; }
  const SimNetwork& network() const { return network_; }
  SimDisk& disk(const Process& process);              // REQUIRES: it has a disk
  const SimDisk& disk(const Process& process) const;
  Process* FindProcess(std::string_view name);
  const Coverage& coverage() const { return coverage_; }
  uint64_t faults_injected() const { return core_.faults_injected(); }
  // Crashes so far of each kind (injected and deliberate).
  uint64_t crashes(CrashKind kind) const { return crashes_[static_cast<size_t>(kind)]; }
  WorldCore& core() { return core_; }

 private:
  struct Slot {
    Process* process = nullptr;
    ProcessOptions options;
    std::unique_ptr<SimRuntime> runtime;
    std::unique_ptr<ObjectStoreView> store;
    std::unique_ptr<SimDisk> disk;
    std::unique_ptr<SimFileSystem> fs;
    SimTransport* transport = nullptr;
    bool restart_pending = false;  // a fault crashed it: restart after the plan's delay
    CrashKind crash_kind = CrashKind::kMachine;  // of the crash under way (Kernel::Crash: machine)
    uint64_t restart_generation = 0;
  };
  Slot& slot(const Process& process);
  const Slot& slot(const Process& process) const;
  void Wire(Process& process, ProcessOptions options);
  void OnCrash(ProcessId id);
  // A fault crashes `process` (kernel context, or from its own task, then it does not return).
  void FaultCrash(Process& process);
  // Traces which kind of crash `process` is about to have and remembers it for OnCrash.
  void AnnounceCrash(Process& process, CrashKind kind, bool injected);
  void ScheduleRandomCrash();
  void ScheduleRandomPartition();
  void SchedulePartition(const PartitionEvent& event);
  std::vector<Process*> Crashable();  // non-client, not crashed, in id order
  void ClientEnded();
  bool Recovered() const;  // every live non-client process's boot task ended
  RunResult RunUntilRecovered(Nanos until_ns);
  RunResult RunPhase(Nanos until_ns);  // one phase (see RunPhases)

  // The kernel goes first in destruction (see ~World): its tasks' unwinding uses the rest.
  std::unique_ptr<Kernel> kernel_;
  WorldCore core_;
  SimObjectStore store_;
  SimNetwork network_;
  Coverage coverage_;
  absl::btree_map<ProcessId, Slot> slots_;
  Process* default_client_ = nullptr;
  size_t clients_running_ = 0;
  uint64_t crashes_[2] = {0, 0};  // by CrashKind
  bool stop_when_clients_done_ = false;
  bool halted_ = false;
  bool faults_set_ = false;
};

}  // namespace seedbed
