#include "sim/world/world.h"

#include <algorithm>
#include <cassert>
#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"

namespace seedbed {

World::World(KernelConfig config)
    : kernel_(std::make_unique<Kernel>(std::move(config))),
      core_(*kernel_),
      network_(core_) {}

World::~World() {
  // The kernel unwinds every live task; their destructors may touch the store, disks and network,
  // which must still exist, but must not record or trace any more.
  core_.set_shutting_down();
  kernel_.reset();
}

World::Slot& World::slot(const Process& process) {
  auto it = slots_.find(process.id());
  assert(it != slots_.end());
  return it->second;
}

const World::Slot& World::slot(const Process& process) const {
  auto it = slots_.find(process.id());
  assert(it != slots_.end());
  return it->second;
}

Process& World::AddProcess(std::string name, BootFn boot, ProcessOptions options) {
  Process& p = kernel_->AddProcess(std::move(name), std::move(boot));
  Wire(p, options);
  return p;
}

Process& World::AddClientProcess(std::string name) {
  ProcessOptions options;
  options.client = true;
  options.disk = false;
  return AddProcess(std::move(name), [](Process&) {}, options);
}

void World::Wire(Process& p, ProcessOptions options) {
  Slot& s = slots_[p.id()];
  s.process = &p;
  s.options = options;
  s.runtime = std::make_unique<SimRuntime>(core_, coverage_, p,
                                           [this](Process& q) { FaultCrash(q); });
  s.store = std::make_unique<ObjectStoreView>(core_, store_);
  if (options.disk) {
    const FaultPlan& plan = core_.plan();
    s.disk = std::make_unique<SimDisk>(p.name(), options.sharing.value_or(plan.default_sharing),
                                       plan.disk_block_bytes);
    s.fs = std::make_unique<SimFileSystem>(core_, *s.disk);
  }
  if (options.network) s.transport = &network_.AddEndpoint(p);
  if (options.client) core_.MarkClient(p.id());
  model::Env env;
  env.runtime = s.runtime.get();
  env.store = s.store.get();
  env.fs = s.fs.get();
  env.transport = s.transport;
  p.set_env(env);
  const ProcessId id = p.id();
  p.OnCrash([this, id] { OnCrash(id); });
}

SimDisk& World::disk(const Process& process) {
  Slot& s = slot(process);
  assert(s.disk != nullptr);
  return *s.disk;
}

const SimDisk& World::disk(const Process& process) const {
  const Slot& s = slot(process);
  assert(s.disk != nullptr);
  return *s.disk;
}

Process* World::FindProcess(std::string_view name) {
  for (auto& [id, s] : slots_)
    if (s.process->name() == name) return s.process;
  return nullptr;
}

// --- faults ---

void World::SetFaults(FaultPlan plan) {
  assert(!faults_set_);
  faults_set_ = true;
  core_.set_plan(std::move(plan));
  const FaultPlan& p = core_.plan();
  // Every per-disk setting of the plan reaches the disks of processes added before it too.
  for (auto& [id, s] : slots_) {
    if (s.disk == nullptr) continue;
    if (!s.options.sharing.has_value()) s.disk->set_sharing(p.default_sharing);
    s.disk->set_block_bytes(p.disk_block_bytes);
  }
  if (p.any()) {
    std::string line;
    for (const auto& [key, value] : p.KeyValues())
      absl::StrAppend(&line, line.empty() ? "" : "; ", key, "=", value);
    core_.Add(EventKind::kNote, absl::StrCat("fault plan: ", line));
  }
  for (const PartitionEvent& e : p.partitions) SchedulePartition(e);
  ScheduleRandomCrash();
  ScheduleRandomPartition();
}

const FaultPlan& World::SetSwarm(const SwarmRanges& ranges, FaultPlan base) {
  SetFaults(DrawSwarmPlan(kernel_->decisions(), ranges, std::move(base)));
  return core_.plan();
}

std::vector<Process*> World::Crashable() {
  std::vector<Process*> out;
  for (auto& [id, s] : slots_)
    if (!s.options.client && !s.process->crashed()) out.push_back(s.process);
  return out;
}

void World::ScheduleRandomCrash() {
  const FaultPlan& plan = core_.plan();
  if (plan.crash_interval_ns_mean <= 0 || !core_.faults_active()) return;
  const Nanos gap = kernel_->decisions().Exponential(static_cast<double>(plan.crash_interval_ns_mean),
                                                     DecisionKind::kCrash, WorldCore::kFaultTag + 6);
  // A gap of 0 ends the chain: 0 means "no fault", as for every decision, so a shrunk or hand-made
  // schedule of zeros has no more random crashes instead of crashing again at the same instant
  // until the event budget runs out.
  if (gap <= 0) return;
  kernel_->ScheduleAt(kernel_->Now() + gap, [this] {
    if (!core_.faults_active()) return;
    std::vector<Process*> candidates = Crashable();
    if (!candidates.empty()) {
      Process* victim = candidates[kernel_->decisions().Uniform(candidates.size(), DecisionKind::kCrash)];
      FaultCrash(*victim);
    }
    ScheduleRandomCrash();
  });
}

void World::ScheduleRandomPartition() {
  const FaultPlan& plan = core_.plan();
  if (plan.partition_interval_ns_mean <= 0 || !core_.faults_active()) return;
  Decisions& d = kernel_->decisions();
  const Nanos gap = d.Exponential(static_cast<double>(plan.partition_interval_ns_mean),
                                  DecisionKind::kNetwork, WorldCore::kFaultTag + 7);
  if (gap <= 0) return;  // as for crashes: 0 = no more random partitions
  kernel_->ScheduleAt(kernel_->Now() + gap, [this] {
    if (!core_.faults_active()) return;
    const FaultPlan& plan = core_.plan();
    Decisions& d = kernel_->decisions();
    std::vector<std::string> names;
    for (auto& [id, s] : slots_)
      if (!s.options.client && s.transport != nullptr) names.push_back(s.process->name());
    if (!names.empty()) {
      const std::string victim = names[d.Uniform(names.size(), DecisionKind::kNetwork)];
      const bool one_way = d.Bernoulli(plan.partition_one_way_probability, DecisionKind::kNetwork);
      const Nanos duration = d.Between(plan.partition_duration_ns_min,
                                       plan.partition_duration_ns_max, DecisionKind::kNetwork);
      const uint64_t id = network_.Partition({victim}, {}, one_way);
      kernel_->ScheduleAt(kernel_->Now() + duration, [this, id] { network_.HealPartition(id); });
    }
    ScheduleRandomPartition();
  });
}

void World::SchedulePartition(const PartitionEvent& event) {
  const Nanos at = std::max(event.at_ns, kernel_->Now());
  kernel_->ScheduleAt(at, [this, event] {
    if (!core_.faults_active()) return;
    const uint64_t id = network_.Partition(event.side_a, event.side_b, event.one_way);
    kernel_->ScheduleAt(kernel_->Now() + event.duration_ns,
                        [this, id] { network_.HealPartition(id); });
  });
}

void World::FaultCrash(Process& process) {
  Slot& s = slot(process);
  if (s.options.client || process.crashed()) return;
  s.restart_pending = true;
  const bool machine = kernel_->decisions().Bernoulli(core_.plan().machine_crash_probability,
                                                      DecisionKind::kCrash);
  AnnounceCrash(process, machine ? CrashKind::kMachine : CrashKind::kProcess, true);
  kernel_->Crash(process);  // from the process's own task: does not return
}

void World::AnnounceCrash(Process& process, CrashKind kind, bool injected) {
  Slot& s = slot(process);
  s.crash_kind = kind;
  std::string line =
      kind == CrashKind::kProcess
          ? absl::StrCat("crash ", process.name(), ": process crash (the page cache survives)")
          : absl::StrCat("crash ", process.name(), ": machine crash (power loss; the disk keeps what ",
                         DurabilityName(core_.plan().durability), " makes durable)");
  if (injected) {
    core_.TraceFault(line);
  } else {
    core_.Add(EventKind::kNote, line);
  }
}

void World::OnCrash(ProcessId id) {
  Slot& s = slots_.at(id);
  Process& p = *s.process;
  const CrashKind kind = std::exchange(s.crash_kind, CrashKind::kMachine);
  ++crashes_[static_cast<size_t>(kind)];
  if (s.disk != nullptr && kind == CrashKind::kProcess) s.disk->CrashProcess();
  if (s.disk != nullptr && kind == CrashKind::kMachine) {
    std::vector<std::string> losses = s.disk->Crash(core_.plan().durability, kernel_->decisions());
    for (const std::string& loss : losses) {
      core_.CountFault();
      if (!core_.shutting_down())
        kernel_->trace().Add(kernel_->Now(), id, kKernelId, EventKind::kFault,
                             absl::StrCat("disk ", p.name(), ": ", loss));
    }
  }
  network_.OnCrash(p);
  if (!s.restart_pending) return;
  s.restart_pending = false;
  const FaultPlan& plan = core_.plan();
  const Nanos delay = kernel_->decisions().Between(plan.restart_delay_ns_min,
                                                   plan.restart_delay_ns_max, DecisionKind::kCrash);
  const uint64_t generation = ++s.restart_generation;
  kernel_->ScheduleAt(kernel_->Now() + delay, [this, id, generation] {
    Slot& s = slots_.at(id);
    if (s.restart_generation == generation && s.process->crashed()) kernel_->Restart(*s.process);
  });
}

void World::Crash(Process& process, CrashKind kind) {
  if (process.crashed()) return;
  AnnounceCrash(process, kind, false);
  kernel_->Crash(process);
}

void World::Restart(Process& process) {
  if (!process.crashed()) return;
  ++slot(process).restart_generation;
  kernel_->Restart(process);
}

void World::Heal() {
  core_.set_faults_active(false);
  network_.HealAll();
  core_.Add(EventKind::kNote, "heal: faults off, partitions healed, crashed processes restart");
  for (auto& [id, s] : slots_) {
    s.restart_pending = false;
    if (!s.options.client && s.process->crashed()) Restart(*s.process);
  }
}

// --- clients and phases ---

TaskId World::SpawnClient(std::string name, std::function<void()> fn) {
  if (default_client_ == nullptr) default_client_ = &AddClientProcess("client");
  return SpawnClient(*default_client_, std::move(name), std::move(fn));
}

void World::ClientEnded() {
  --clients_running_;
  if (clients_running_ == 0 && stop_when_clients_done_ && !core_.shutting_down()) kernel_->Stop();
}

TaskId World::SpawnClient(Process& process, std::string name, std::function<void()> fn) {
  ++clients_running_;
  // The count drops when the task's function object dies, not when its body returns: a client
  // born into a crashed process, or unwound by a crash before its first step, never runs its body
  // but its function object still dies (at Spawn, or in the crash's unwind). The guard is shared
  // because std::function copies its target; only the last copy's death counts. In
  // CrashMode::kAbandon a crash leaks the function object (run or not) instead of destroying it,
  // so the guard is also a TaskLink: the kernel calls Abandoned on it when it discards the task.
  class Ended final : public TaskLink {
   public:
    Ended(World* world, Kernel* kernel) : world_(world), kernel_(kernel) {}
    ~Ended() {
      if (linked()) kernel_->Unlink(*this);
      Count();
    }
    void Abandoned(TaskId) override { Count(); }

   private:
    void Count() {
      if (counted_) return;
      counted_ = true;
      world_->ClientEnded();
    }
    World* world_;
    Kernel* kernel_;  // not world_->kernel_: that pointer is already null while ~Kernel runs
    bool counted_ = false;
  };
  auto ended = std::make_shared<Ended>(this, kernel_.get());
  const TaskId id = kernel_->Spawn(process, std::move(name), [ended, fn = std::move(fn)] { fn(); });
  kernel_->Link(id, *ended);  // no effect in kUnwind mode or for a task born dead
  kernel_->SetMustFinish(id);
  ended.reset();  // the task's function object holds the last reference (none if born dead)
  return id;
}

bool World::Recovered() const {
  for (const auto& [id, s] : slots_) {
    if (s.options.client || s.process->crashed()) continue;
    const TaskId boot = s.process->boot_task();
    if (boot != kNoTask && !kernel_->TaskDone(boot)) return false;
  }
  return true;
}

RunResult World::RunUntilRecovered(Nanos until_ns) {
  // Nothing must finish but recovery: run in slices until every boot task ended, so that a
  // background timer (a heartbeat) does not keep an idle world running for the whole budget.
  // Slicing changes nothing a task sees: no task runs between two slices. A client task a boot
  // task spawned meanwhile must end too.
  constexpr Nanos kSliceNs = 10'000'000;
  RunResult r;
  r.outcome = RunOutcome::kUntilReached;
  r.end_time_ns = kernel_->Now();
  r.events = kernel_->events();
  auto idle = [this] { return clients_running_ == 0 && Recovered(); };
  if (idle()) return r;
  for (;;) {  // bounded: every pass advances the clock by a slice, up to until_ns
    r = kernel_->RunUntil(std::min(until_ns, kernel_->Now() + kSliceNs));
    if (r.outcome != RunOutcome::kUntilReached || idle() || kernel_->Now() >= until_ns) return r;
  }
}

RunResult World::RunPhase(Nanos until_ns) {
  // With client tasks the phase is theirs: it ends when the last one does. Without, nothing must
  // finish but recovery: a background timer (a heartbeat) must not keep it running to until_ns.
  if (clients_running_ == 0) return RunUntilRecovered(until_ns);
  stop_when_clients_done_ = true;
  RunResult r = kernel_->RunUntil(until_ns);
  stop_when_clients_done_ = false;
  return r;
}

PhaseResult World::RunPhases(const PhasePlan& phases, const std::function<void()>& start_liveness) {
  PhaseResult result;
  result.chaos = RunPhase(phases.chaos_ns);
  if (halted_) {
    result.halted = true;
    result.halted_in_chaos = true;
    result.heal_ns = kernel_->Now();
    return result;
  }
  Heal();
  result.heal_ns = kernel_->Now();
  if (start_liveness) start_liveness();
  result.liveness = RunPhase(result.heal_ns + phases.liveness_ns);
  result.halted = halted_;
  result.liveness_done = clients_running_ == 0;
  return result;
}

}  // namespace seedbed
