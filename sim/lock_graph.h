// Lock bookkeeping for one Kernel, in the spirit of Linux lockdep and TSan's lock-order-inversion
// check: which task holds which mutex (for deadlock reports), and the order in which tasks take
// mutexes. Taking B while holding A records the edge A -> B; an edge that closes a cycle in that
// order graph is a potential deadlock even when the run did not deadlock. Mutexes are tracked per
// object (each gets a fresh id), so two engine instances using the same lock names never mix.
// Owned by the Kernel (Kernel::locks()); called by sim/sync.cc. Never yields. Not thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/btree_map.h"
#include "absl/container/btree_set.h"
#include "absl/functional/function_ref.h"

namespace seedbed {

using LockId = uint32_t;

// A potential deadlock: the order graph's cycle, as readable lines.
struct LockOrderInversion {
  std::string message;
  std::vector<std::string> evidence;
};

class LockGraph {
 public:
  LockId NewLock(std::string_view name);
  const std::string& name(LockId lock) const { return locks_[lock].name; }

  // `task` (labelled `who`, e.g. "node-a/flush") is about to wait for `lock` (a Lock, not a
  // TryLock: a try never waits, so it cannot deadlock). With order checks on, records the order
  // edges from every lock the task holds and returns the first inversion this reveals (each pair
  // of locks is reported once). Checked before the wait, as lockdep does, so the inversion is
  // found even when this very acquisition deadlocks.
  // `who` is called only when a new order edge is recorded (formatting a label per lock is costly).
  std::optional<LockOrderInversion> Acquiring(uint32_t task, LockId lock, absl::FunctionRef<std::string()> who,
                                              int64_t now_ns);
  void Acquired(uint32_t task, LockId lock);  // `task` now holds `lock`
  void Released(uint32_t task, LockId lock);  // no effect if not held
  void TaskEnded(uint32_t task);              // forgets what the task held
  // The names of the locks `task` holds, oldest first.
  std::vector<std::string> Held(uint32_t task) const;

  void set_order_checks(bool on) { order_checks_ = on; }
  bool order_checks() const { return order_checks_; }

 private:
  struct Lock {
    std::string name;
  };
  // The first acquisition that recorded an edge, for the report.
  struct Witness {
    std::string who;
    int64_t at_ns = 0;
  };
  bool Reaches(LockId from, LockId to, std::vector<LockId>& path) const;

  std::vector<Lock> locks_;
  std::vector<std::vector<LockId>> held_;  // by task, oldest first
  absl::btree_map<LockId, std::vector<LockId>> after_;  // order edges, in insertion order
  absl::btree_map<std::pair<LockId, LockId>, Witness> witnesses_;
  absl::btree_set<std::pair<LockId, LockId>> reported_;
  bool order_checks_ = true;
};

}  // namespace seedbed
