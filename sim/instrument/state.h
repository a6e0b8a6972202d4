// Internal to sim/instrument/: the per-Kernel state behind the __tsan_* callbacks (a KernelExtension
// in Kernel::kInstrumentSlot): the policy, the counters and the shadow map of granules. Not
// thread-safe: one State per Kernel, used only on the OS thread that runs it. Access and Atomic may
// yield (Kernel::Preempt); nothing else here does.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "sim/instrument/instrument.h"
#include "sim/kernel.h"

namespace seedbed::instrument::internal {

// Granules (8 bytes of address space) seen in one run: who touched each first, whether a second
// live task did, whether anyone wrote it. Open addressing with linear probing; the table's layout
// depends on addresses, what Touch answers only on which task touched which granule.
class Shadow {
 public:
  Shadow();
  // Records an access of `task` to granule `granule`; true if the access is a point under kShared.
  // `kernel` tells whether the first toucher has ended (then `task` takes the granule over).
  bool Touch(uint64_t granule, TaskId task, bool write, const Kernel& kernel);
  uint64_t size() const { return used_; }
  uint64_t shared() const { return shared_; }

 private:
  static constexpr uint8_t kWritten = 1;
  static constexpr uint8_t kShared = 2;
  struct Slot {
    uint64_t key = 0;  // granule + 1; 0: empty
    TaskId owner = kNoTask;
    uint8_t flags = 0;
  };
  Slot& Find(uint64_t key);
  void Grow();
  std::vector<Slot> slots_;
  uint64_t mask_ = 0;
  int shift_ = 0;
  uint64_t used_ = 0;
  uint64_t shared_ = 0;
};

class State final : public KernelExtension {
 public:
  explicit State(Kernel& kernel);
  ~State() override;
  // The State of `kernel`, created on first use.
  static State& Of(Kernel& kernel);
  // The running Kernel's State if called from one of its tasks (that task in `task`), else null.
  // Inline in tsan_callbacks.cc; a thread-local cache makes it a few loads.
  static State* ForTask(TaskId& task);

  // A plain access of `size` bytes at `addr` (size 0: nothing). May yield.
  void Access(uintptr_t addr, size_t size, bool write, TaskId task);
  // Before an atomic operation or fence of `task`; `writes`: it may store (a store, an exchange, a
  // read-modify-write, a compare-exchange). May yield.
  void Atomic(TaskId task, bool writes);

  Policy policy() const { return policy_; }
  void set_policy(Policy policy) { policy_ = policy; }
  struct Counters counters() const;

  void OnTaskExit(TaskId) override {}
  void Counters(std::vector<std::pair<std::string, uint64_t>>& out) const override;

 private:
  void Point();
  // The after-point a write to shared memory or an atomic store leaves: the task's next
  // instrumented access is a point first, so other tasks may see what was written before the
  // writer goes on (the callbacks run before the access they announce).
  bool TakePending(TaskId task) {
    if (pending_ == kNoTask) return false;
    const bool mine = pending_ == task;
    pending_ = kNoTask;  // another task's access: the writer was switched out meanwhile
    return mine;
  }
  Kernel& kernel_;
  TaskId pending_ = kNoTask;
  Policy policy_ = Policy::kShared;
  uint64_t accesses_ = 0;
  uint64_t atomics_ = 0;
  uint64_t points_ = 0;
  Shadow shadow_;
};

// Drops the thread-local cache if it names `state` (its Kernel is going away).
void Forget(const State* state);

}  // namespace seedbed::instrument::internal
