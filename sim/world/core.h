// sim/world/core.h: what every part of the simulated world shares: the kernel, the fault plan and
// whether faults are on, client processes, fault counters, and the helpers that draw latencies and
// faults as recorded decisions and write kIo / kFault trace events. Owned by the World; the object
// store views, disks and network hold a reference. Single-threaded; never yields.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/btree_set.h"
#include "faults/fault_plan.h"
#include "sim/kernel.h"

namespace seedbed {

inline constexpr uint32_t kKernelId = ~uint32_t{0};  // trace process/task of kernel context

class WorldCore {
 public:
  explicit WorldCore(Kernel& kernel) : kernel_(kernel) {}

  Kernel& kernel() { return kernel_; }
  const FaultPlan& plan() const { return plan_; }
  void set_plan(FaultPlan plan) { plan_ = std::move(plan); }
  // Faults (errors, ambiguous outcomes, crashes, loss, partitions) are drawn only while active.
  // Latency is the world's physics and stays on after the heal.
  bool faults_active() const { return faults_active_; }
  void set_faults_active(bool on) { faults_active_ = on; }
  // Set by ~World before the kernel unwinds the remaining tasks: records stop, traces stop.
  bool shutting_down() const { return shutting_down_; }
  void set_shutting_down() { shutting_down_ = true; }

  void MarkClient(ProcessId id) { clients_.insert(id); }
  bool IsClient(ProcessId id) const { return clients_.contains(id); }

  // In a task: true if the calling task may not do I/O (its process crashed / it is unwinding).
  bool Doomed() const { return kernel_.current_task() != kNoTask && kernel_.CurrentTaskDoomed(); }
  bool InTask() const { return kernel_.current_task() != kNoTask; }
  // The process of the calling task (kKernelId in kernel context).
  uint32_t CurrentProcessId() const;
  uint32_t CurrentTaskId() const;

  // Draws (kLatency decisions; none for a fixed or absent model).
  Nanos DrawLatency(OpKind kind);
  // `tag` names the decision site (sim/decisions.h), so that a swarm-drawn parameter (a median, a
  // probability) edited by the shrinker does not re-key every draw made with it.
  Nanos DrawLatency(const LatencyModel& model, uint32_t tag = kLatencyTag);
  // kFault decisions; false (and not drawn) while faults are off or the caller is a client.
  bool DrawError(OpKind kind);
  bool DrawAmbiguous(OpKind kind);
  bool DrawFault(double probability, DecisionKind kind = DecisionKind::kFault, uint32_t tag = kFaultTag);  // same rules
  // Site tags (sim/decisions.h): one per draw purpose, the op kind added where there is one.
  static constexpr uint32_t kLatencyTag = 0x1000, kLatencyTailTag = 0x2000, kErrorTag = 0x3000,
                            kAmbiguousTag = 0x4000, kFaultTag = 0x5000;
  // Sleeps `ns` in the calling task (a plain Yield when ns <= 0, so every op is a scheduling point).
  void Wait(Nanos ns);

  // Trace helpers: attributed to the calling task, or to the kernel in kernel context.
  void TraceIo(std::string_view detail) { Add(EventKind::kIo, detail); }
  void TraceFault(std::string_view detail);
  void Add(EventKind kind, std::string_view detail);
  // A timeline mark (sim/trace.h's TraceMark): outside the trace hash.
  void Mark(MarkKind kind, uint64_t id, std::string_view key, std::string_view value = {});
  uint64_t faults_injected() const { return faults_injected_; }
  void CountFault() { ++faults_injected_; }

  // Store and disk ops in flight, per task: a stall may stretch only an op that overlaps an op of
  // another (non-client) task, the operations that can race (see DrawLatency).
  void BeginOp();
  void EndOp(uint32_t task);

 private:
  bool CallerExempt() const;
  bool Contended() const;

  Kernel& kernel_;
  FaultPlan plan_;
  bool faults_active_ = true;
  bool shutting_down_ = false;
  absl::btree_set<ProcessId> clients_;
  uint64_t faults_injected_ = 0;
  // The task of each store or disk op of a non-client task in flight (a task once per op): a few
  // entries, so a scan, and no allocation once the vector has grown.
  std::vector<uint32_t> in_flight_;
};

// 64-bit FNV-1a over bytes: the content hash kept in histories.
uint64_t ContentHash(std::string_view bytes);

}  // namespace seedbed
