// The per-Kernel state of memory-access points (state.h) and the public calls of instrument.h.
#include <cstdio>
#include <cstdlib>
#include <memory>

#include "sim/instrument/instrument.h"
#include "sim/instrument/state.h"

namespace seedbed::instrument {
namespace internal {

namespace {
constexpr int kInitialBits = 10;
constexpr uint64_t kGolden = 0x9E3779B97F4A7C15ull;
}  // namespace

Shadow::Shadow() : slots_(size_t{1} << kInitialBits), mask_((uint64_t{1} << kInitialBits) - 1),
                   shift_(64 - kInitialBits) {}

Shadow::Slot& Shadow::Find(uint64_t key) {
  // Bounded: the table is at most half full, so a probe meets an empty slot within its size.
  for (uint64_t i = (key * kGolden) >> shift_;; i = (i + 1) & mask_) {
    Slot& s = slots_[i];
    if (s.key == key) return s;
    if (s.key == 0) {
      if (2 * (used_ + 1) > slots_.size()) {
        Grow();
        return Find(key);
      }
      s.key = key;
      ++used_;
      return s;
    }
  }
}

void Shadow::Grow() {
  std::vector<Slot> old = std::move(slots_);
  slots_.assign(old.size() * 2, Slot{});
  mask_ = slots_.size() - 1;
  --shift_;
  for (const Slot& s : old) {
    if (s.key == 0) continue;
    for (uint64_t i = (s.key * kGolden) >> shift_;; i = (i + 1) & mask_) {
      if (slots_[i].key == 0) {
        slots_[i] = s;
        break;
      }
    }
  }
}

bool Shadow::Touch(uint64_t granule, TaskId task, bool write, const Kernel& kernel) {
  Slot& s = Find(granule + 1);
  const uint8_t w = write ? kWritten : 0;
  if (s.flags & kShared) {
    s.flags |= w;
    return (s.flags & kWritten) != 0;
  }
  if (s.owner == task) {
    s.flags |= w;
    return false;
  }
  if (s.owner == kNoTask || kernel.TaskDone(s.owner)) {
    // New, or its owner ended: an access now cannot race with that owner's (it never runs again).
    s.owner = task;
    s.flags = w;
    return false;
  }
  s.flags |= kShared | w;
  ++shared_;
  return (s.flags & kWritten) != 0;
}

State::State(Kernel& kernel) : kernel_(kernel) {}
State::~State() { Forget(this); }

State& State::Of(Kernel& kernel) {
  KernelExtension* e = kernel.extension(Kernel::kInstrumentSlot);
  if (e == nullptr) {
    kernel.set_extension(Kernel::kInstrumentSlot, std::make_unique<State>(kernel));
    e = kernel.extension(Kernel::kInstrumentSlot);
  }
  return static_cast<State&>(*e);
}

void State::Point() {
  ++points_;
  kernel_.Preempt();
}

void State::Access(uintptr_t addr, size_t size, bool write, TaskId task) {
  if (size == 0) return;
  ++accesses_;
  switch (policy_) {
    case Policy::kOff: return;
    case Policy::kAll: Point(); return;
    case Policy::kShared: break;
  }
  bool point = TakePending(task);
  bool shared = false;
  const uint64_t last = (addr + (size - 1)) >> 3;
  for (uint64_t g = addr >> 3; g <= last; ++g) shared |= shadow_.Touch(g, task, write, kernel_);
  if (point || shared) Point();
  if (shared && write) pending_ = task;
}

void State::Atomic(TaskId task, bool writes) {
  ++atomics_;
  if (policy_ == Policy::kOff) return;
  TakePending(task);  // this point serves as the pending one too
  Point();
  if (writes && policy_ == Policy::kShared) pending_ = task;
}

struct Counters State::counters() const {
  struct Counters c;
  c.accesses = accesses_;
  c.atomics = atomics_;
  c.points = points_;
  c.granules = shadow_.size();
  c.shared_granules = shadow_.shared();
  return c;
}

void State::Counters(std::vector<std::pair<std::string, uint64_t>>& out) const {
  const struct Counters c = counters();
  out.emplace_back("instrument.accesses", c.accesses);
  out.emplace_back("instrument.atomics", c.atomics);
  out.emplace_back("instrument.points", c.points);
  out.emplace_back("instrument.granules", c.granules);
  out.emplace_back("instrument.shared_granules", c.shared_granules);
}

}  // namespace internal

void SetPolicy(Kernel& kernel, Policy policy) { internal::State::Of(kernel).set_policy(policy); }

Policy PolicyOf(const Kernel& kernel) {
  const KernelExtension* e = kernel.extension(Kernel::kInstrumentSlot);
  return e == nullptr ? Policy::kShared : static_cast<const internal::State*>(e)->policy();
}

Counters CountersOf(const Kernel& kernel) {
  const KernelExtension* e = kernel.extension(Kernel::kInstrumentSlot);
  return e == nullptr ? Counters{} : static_cast<const internal::State*>(e)->counters();
}

}  // namespace seedbed::instrument
