// Fiber-aware synchronisation for simulated tasks: Mutex, CondVar, Semaphore, Channel<T>,
// Promise/Future. Which waiter wakes is a recorded decision (DecisionKind::kWake), never FIFO by
// construction. Each object belongs to one Kernel and must outlive its waiters. Not thread-safe.
// Blocking calls yield; during a crash unwind they return at once (see Kernel::CurrentTaskDoomed).
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sim/kernel.h"

namespace seedbed {

// The waiters of one object, oldest first; Pick draws which one wakes (0 = the oldest).
class WaitList {
 public:
  void Add(TaskId task) { waiters_.push_back(task); }
  void Remove(TaskId task);  // no effect if absent
  bool Contains(TaskId task) const;
  bool empty() const { return waiters_.empty(); }
  size_t size() const { return waiters_.size(); }
  // Removes and returns one waiter chosen by a decision. REQUIRES: !empty().
  TaskId Pick(Kernel& kernel);
  const std::vector<TaskId>& tasks() const { return waiters_; }
  // Picks waiters until one is actually woken (Kernel::TryWake); false if none could be.
  bool WakeOne(Kernel& kernel);
  // Wakes every waiter, in an order drawn by decisions.
  void WakeAll(Kernel& kernel);

  // The current task's membership for one wait: added on construction, removed on scope exit
  // (also when a crash unwinds the wait, and, in CrashMode::kAbandon, when a crash discards the
  // task: the entry is a TaskLink). With pass_on, a task that was picked but dies before it runs
  // hands its wake-up to another waiter, so a crash never loses a notification.
  class Entry final : public TaskLink {
   public:
    Entry(WaitList& list, Kernel& kernel, bool pass_on);
    ~Entry();
    void Abandoned(TaskId task) override;

   private:
    void Leave(bool dying);

    WaitList& list_;
    Kernel& kernel_;
    TaskId task_;
    bool pass_on_;
  };

 private:
  std::vector<TaskId> waiters_;
};

// Hands the lock to the waiter a decision picks (no barging). During a crash unwind Lock may return
// without the lock when it would have to wait, and Unlock of a mutex not held is then ignored; a
// task unwound after the lock was handed to it passes the lock on. A task discarded by a
// CrashMode::kAbandon crash while it holds the lock (or was handed it) releases it to a live
// waiter, as a robust mutex does when its owner dies.
// Its holder is the owner of a waiter's wait-for edge (cycles are reported when they close), and
// every Lock is checked against the order in which tasks took mutexes before (sim/lock_graph.h).
class Mutex : private WaitTarget {
 public:
  Mutex(Kernel& kernel, std::string name);
  ~Mutex() { kernel_.Unlink(holder_link_); }
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;
  void Lock();    // May yield.
  // Lock, giving up after `timeout_ns` of simulated time (false: not acquired). May yield.
  bool LockFor(Nanos timeout_ns);
  bool TryLock();
  void Unlock();  // Hands the lock to a waiter chosen by a decision.
  TaskId holder() const { return holder_; }
  const std::string& name() const { return name_; }

 private:
  struct HolderLink final : TaskLink {
    explicit HolderLink(Mutex& mu) : mu(mu) {}
    void Abandoned(TaskId task) override;
    Mutex& mu;
  };
  void SetHolder(TaskId task);
  void HandOff();  // holder_ is kNoTask: gives the lock to a waiter a decision picks, if any
  // Waits (as a waiter) until Unlock hands the lock to `me`, or until deadline_ns if it is >= 0;
  // true if `me` holds it. A task unwound after the lock was handed to it passes it on. May yield.
  bool AwaitHandOff(TaskId me, Nanos deadline_ns);
  TaskId owner() const override { return holder_; }
  void CheckOrder();  // lock order, before a Lock may wait (sim/lock_graph.h)
  void Acquired();    // bookkeeping once the caller holds it

  Kernel& kernel_;
  std::string name_;
  LockId id_;
  TaskId holder_ = kNoTask;
  WaitList waiters_;
  HolderLink holder_link_{*this};
};

// Scoped Lock/Unlock of a Mutex. May yield (on construction).
class MutexLock {
 public:
  explicit MutexLock(Mutex& mu) : mu_(mu) { mu_.Lock(); }
  ~MutexLock() { mu_.Unlock(); }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

 private:
  Mutex& mu_;
};

class CondVar {
 public:
  CondVar(Kernel& kernel, std::string name);
  void Wait(Mutex& mu);                          // May yield. REQUIRES: mu held by the caller.
  bool WaitFor(Mutex& mu, Nanos timeout_ns);     // May yield. false on timeout.
  void NotifyOne();                              // wakes a waiter chosen by a decision
  void NotifyAll();

 private:
  Kernel& kernel_;
  std::string name_;
  WaitList waiters_;
  std::string what_;             // "condvar N (mutex M)", the Block text
  std::string what_mutex_name_;  // the M it was made for
};

// Release hands the permit to the waiter a decision picks; an unwound taker passes it on.
class Semaphore {
 public:
  Semaphore(Kernel& kernel, std::string name, int64_t permits);
  void Acquire();  // May yield.
  bool TryAcquire();
  void Release();

 private:
  Kernel& kernel_;
  std::string name_;
  int64_t permits_;
  WaitList waiters_;
};

// A bounded FIFO channel. Send blocks while full, Receive while empty. Close wakes everyone:
// Send then fails, Receive drains what is left and then returns nullopt. REQUIRES capacity >= 1.
// During a crash unwind a Send that would wait returns false and a Receive returns nullopt.
template <typename T>
class Channel {
 public:
  Channel(Kernel& kernel, std::string name, size_t capacity);
  bool Send(T value);             // May yield. false if closed.
  std::optional<T> Receive();     // May yield. nullopt once closed and drained.
  std::optional<T> TryReceive();
  void Close();
  size_t size() const { return items_.size(); }

 private:
  Kernel& kernel_;
  std::string name_;
  size_t capacity_;
  bool closed_ = false;
  std::deque<T> items_;
  WaitList senders_;
  WaitList receivers_;
};

// One-shot value hand-off. Many tasks may wait on the Future. Set may be called from kernel context
// (an event callback). Wait during a crash unwind (from a destructor) before Set is a programmer
// error and aborts; WaitFor then returns nullopt.
template <typename T>
class Promise {
 public:
  Promise(Kernel& kernel, std::string name);
  void Set(T value);            // REQUIRES: not yet set
  bool ready() const { return value_.has_value(); }
  const T& Wait();              // May yield.
  std::optional<T> WaitFor(Nanos timeout_ns);  // May yield.

 private:
  Kernel& kernel_;
  std::string name_;
  std::optional<T> value_;
  WaitList waiters_;
};

}  // namespace seedbed

#include "sim/sync_inl.h"  // template definitions
