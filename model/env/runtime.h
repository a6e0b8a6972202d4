// The runtime the storage code sees: clock, sleep, tasks, Mutex, CondVar, randomness, crash points
// and coverage probes. Implementations: sim/sim_runtime (fibers in one thread, simulated time) and
// model/env/posix (OS threads, steady clock). A Runtime is bound to one process.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace model {

class Mutex {
 public:
  virtual ~Mutex() = default;
  virtual void Lock() = 0;  // May yield.
  virtual void Unlock() = 0;
};

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
  virtual ~CondVar() = default;
  // May yield. REQUIRES: mu held; it is held again on return. Spurious wake-ups are allowed.
  virtual void Wait(Mutex& mu) = 0;
  // May yield. Returns false if timeout_ns elapsed without a notify.
  virtual bool WaitFor(Mutex& mu, int64_t timeout_ns) = 0;
  virtual void NotifyOne() = 0;
  virtual void NotifyAll() = 0;
};

// A spawned task. Destroying the handle detaches the task (it keeps running).
class TaskHandle {
 public:
  virtual ~TaskHandle() = default;
  virtual void Join() = 0;  // May yield. Returns at once if the task ended (or its process crashed).
};

class Runtime {
 public:
  virtual ~Runtime() = default;

  // Monotonic nanoseconds (simulated time in simulation).
  virtual int64_t NowNanos() = 0;
  // May yield.
  virtual void SleepFor(int64_t duration_ns) = 0;
  // May yield. Gives other tasks a chance to run.
  virtual void Yield() = 0;
  // Starts `fn` as a new task of this runtime's process.
  virtual std::unique_ptr<TaskHandle> Spawn(std::string name, std::function<void()> fn) = 0;
  // `name` appears in traces and deadlock reports.
  virtual std::unique_ptr<Mutex> NewMutex(std::string_view name) = 0;
  virtual std::unique_ptr<CondVar> NewCondVar(std::string_view name) = 0;
  // Uniform in [0, n); n > 0. In simulation a recorded decision of the run.
  virtual uint64_t Random(uint64_t n) = 0;

  // A named place where a crash is interesting (e.g. "wal.after_put"). Does nothing for real; in
  // simulation the process may crash here (the call then does not return: the task is unwound).
  // May yield.
  virtual void CrashPoint(std::string_view name) { (void)name; }
  // Records that a rare path was reached (FoundationDB's CODE_PROBE). Never changes the run.
  virtual void Probe(std::string_view name) { (void)name; }
  // Free-form annotation for traces ("wal: ack 3 writes of wal/7").
  virtual void Note(std::string_view text) { (void)text; }
  // Engine state for timelines: `key` ("raft g1") now is `value` ("leader term 3"). Drawn as a band
  // on the calling task's lane until the next value of the same key; never changes the run (in
  // simulation it stays out of the trace hash). Does nothing for real.
  virtual void State(std::string_view key, std::string_view value) { (void)key, (void)value; }
  // Something held over time, for timelines: a lease, a writer's epoch, a leader's term. From
  // HoldBegin(name) until HoldEnd(name) by any task of this process, or until the process crashes;
  // drawn as a span on the lane of the task that began it. A second HoldBegin of a held name, or
  // a HoldEnd of one not held, is ignored. Never changes the run (in simulation it stays out of
  // the trace hash). Does nothing for real.
  virtual void HoldBegin(std::string_view name) { (void)name; }
  virtual void HoldEnd(std::string_view name) { (void)name; }
};

}  // namespace model
