// CrashMode::kAbandon: a crash discards its tasks' stacks without running anything of them (no
// destructor of a frame, a kept object or an unrun task's captures), the process restarts and
// works, and tasks of other processes waiting on the same mutexes, condition variables, semaphores
// and channels are not disturbed: every lock, permit and notification the dead tasks held or were
// handed passes on.
#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "sim/kernel.h"
#include "sim/stack_pool.h"
#include "sim/sync.h"

namespace seedbed {
namespace {

KernelConfig AbandonConfig(uint64_t seed) {
  KernelConfig c;
  c.seed = seed;
  c.crash_mode = CrashMode::kAbandon;
  return c;
}

// Its destructor must never run in kAbandon mode.
struct Tripwire {
  std::vector<std::string>* log;
  std::string name;
  ~Tripwire() { log->push_back("destroyed " + name); }
};

TEST_CASE("kernel (abandon): a crash runs no destructor; restart works; other waiters go on",
          "[kernel][crash][abandon]") {
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    CAPTURE(seed);
    std::vector<std::string> log;
    std::unique_ptr<Mutex> shared_mu, cv_mu;
    std::unique_ptr<CondVar> cv;
    std::unique_ptr<Semaphore> sem;
    std::unique_ptr<Channel<int>> chan;
    auto pool = std::make_shared<StackPool>(KernelConfig{}.stack_bytes);
    KernelConfig config = AbandonConfig(seed);
    config.stack_pool = pool;
    Kernel kernel(config);
    shared_mu = std::make_unique<Mutex>(kernel, "shared");
    cv_mu = std::make_unique<Mutex>(kernel, "cv.mu");
    cv = std::make_unique<CondVar>(kernel, "cv");
    sem = std::make_unique<Semaphore>(kernel, "sem", 0);
    chan = std::make_unique<Channel<int>>(kernel, "chan", 1);
    bool cv_ready = false;
    int node_work_done = 0;
    Process& node = kernel.AddProcess("node", [&](Process& p) {
      p.Keep(std::make_unique<Tripwire>(&log, fmt::format("kept {}", p.incarnation())));
      if (p.incarnation() > 0) {  // the restarted process works
        MutexLock lock(*shared_mu);
        ++node_work_done;
        return;
      }
      kernel.Spawn(p, "holder", [&] {  // holds `shared` across the crash
        MutexLock lock(*shared_mu);
        Tripwire frame{&log, "holder frame"};
        kernel.SleepFor(1'000'000);
        log.push_back("holder woke");
      });
      kernel.Spawn(p, "cv-waiter", [&] {
        Tripwire frame{&log, "cv-waiter frame"};
        MutexLock lock(*cv_mu);
        while (!cv_ready) cv->Wait(*cv_mu);
        log.push_back("node cv-waiter woke");
      });
      kernel.Spawn(p, "sem-waiter", [&] {
        Tripwire frame{&log, "sem-waiter frame"};
        sem->Acquire();
        log.push_back("node sem-waiter acquired");
      });
      kernel.Spawn(p, "receiver", [&] {
        Tripwire frame{&log, "receiver frame"};
        chan->Receive();
        log.push_back("node receiver got a value");
      });
    });
    int peer_done = 0;
    kernel.AddProcess("peer", [&](Process& p) {
      kernel.Spawn(p, "locker", [&] {
        kernel.SleepFor(10);
        MutexLock lock(*shared_mu);  // waits on the holder until the crash releases it
        ++peer_done;
      });
      kernel.Spawn(p, "cv-waiter", [&] {
        MutexLock lock(*cv_mu);
        while (!cv_ready) cv->Wait(*cv_mu);
        ++peer_done;
      });
      kernel.Spawn(p, "sem-waiter", [&] {
        sem->Acquire();
        ++peer_done;
      });
      kernel.Spawn(p, "receiver", [&] {
        chan->Receive();
        ++peer_done;
      });
    });
    // At 100 every waiter waits; a task is spawned into node that never runs; node crashes at once.
    kernel.ScheduleAt(100, [&] {
      kernel.Spawn(node, "unrun", [t = std::shared_ptr<Tripwire>(new Tripwire{&log, "unrun capture"})] {});
      kernel.Crash(node);
      log.push_back("crashed");
    });
    kernel.ScheduleAt(200, [&] {
      CHECK(pool->in_use() == 3);  // peer's cv-waiter, sem-waiter and receiver; node's are gone
      CHECK(peer_done == 1);       // the locker got the lock the dead holder had
      cv_ready = true;
      cv->NotifyOne();  // only peer's waiter is left to take it
      sem->Release();
      chan->Send(7);
    });
    kernel.ScheduleAt(300, [&] { kernel.Restart(node); });
    const RunResult run = kernel.Run();
    CHECK(run.outcome == RunOutcome::kQuiescent);
    CHECK(log == std::vector<std::string>{"crashed"});  // nothing of node ran after the crash
    CHECK(peer_done == 4);
    CHECK(node_work_done == 1);
    CHECK(node.incarnation() == 1);
    CHECK(shared_mu->holder() == kNoTask);
  }
}

TEST_CASE("kernel (abandon): a lock, permit or notification handed to a dying task passes on",
          "[kernel][crash][abandon]") {
  // Two waiters, one of node and one of peer; the hand-off picks either (a decision), and node
  // crashes before its waiter can run. Over 20 seeds node's waiter is picked about half the time;
  // peer's waiter must get the hand-off every time.
  int node_picked = 0;
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    CAPTURE(seed);
    std::unique_ptr<Mutex> mu, cv_mu;
    std::unique_ptr<CondVar> cv;
    std::unique_ptr<Semaphore> sem;
    Kernel kernel(AbandonConfig(seed));
    mu = std::make_unique<Mutex>(kernel, "mu");
    cv_mu = std::make_unique<Mutex>(kernel, "cv.mu");
    cv = std::make_unique<CondVar>(kernel, "cv");
    sem = std::make_unique<Semaphore>(kernel, "sem", 0);
    int notified = 0;
    auto waiters = [&](Process& p) {
      kernel.Spawn(p, "locker", [&] {
        kernel.SleepFor(10);
        MutexLock lock(*mu);
      });
      kernel.Spawn(p, "cv-waiter", [&] {
        MutexLock lock(*cv_mu);
        const int seen = notified;
        while (notified == seen) cv->Wait(*cv_mu);
      });
      kernel.Spawn(p, "sem-waiter", [&] { sem->Acquire(); });
    };
    Process& node = kernel.AddProcess("node", waiters);
    Process& peer = kernel.AddProcess("peer", waiters);
    kernel.AddProcess("owner", [&](Process&) {
      mu->Lock();
      kernel.SleepFor(100);
      mu->Unlock();   // hands the lock to node's or peer's locker
      ++notified;
      cv->NotifyOne();  // wakes one waiter
      sem->Release();   // hands the permit to one waiter
      const TaskId holder = mu->holder();
      if (holder != kNoTask && kernel.task_process(holder) == node.id()) ++node_picked;
      kernel.Crash(node);  // before any of them runs
    });
    const RunResult run = kernel.Run();
    CHECK(run.outcome == RunOutcome::kQuiescent);
    for (const WaitingTask& w : run.waiting) UNSCOPED_INFO(w.process << "/" << w.task << " waits on " << w.waits_on);
    CHECK(node.crashed());
    CHECK(!peer.crashed());
    CHECK(mu->holder() == kNoTask);
  }
  CHECK(node_picked > 0);
  CHECK(node_picked < 20);
}

TEST_CASE("kernel (abandon): a mutex taken with LockFor passes on when its holder is abandoned",
          "[kernel][crash][abandon]") {
  // Before: LockFor set the holder without linking it, so the dead holder kept the lock for ever
  // and the live waiter deadlocked (a false failure), both when the lock was free and when it was
  // handed over after a wait.
  for (const bool contended : {false, true}) {
    CAPTURE(contended);
    Kernel kernel(AbandonConfig(1));
    Mutex mu(kernel, "mu");
    bool peer_locked = false;
    Process& node = kernel.AddProcess("node", [&](Process&) {
      if (contended) kernel.SleepFor(5);  // the owner holds it: LockFor waits for the hand-off
      REQUIRE(mu.LockFor(1'000));
      kernel.SleepFor(1'000'000);  // crashed while holding it
    });
    kernel.AddProcess("owner", [&](Process&) {
      if (!contended) return;
      mu.Lock();
      kernel.SleepFor(10);
      mu.Unlock();
    });
    kernel.AddProcess("peer", [&](Process&) {
      kernel.SleepFor(100);
      REQUIRE(mu.holder() != kNoTask);
      REQUIRE(kernel.task_process(mu.holder()) == node.id());
      kernel.Crash(node);
      MutexLock lock(mu);
      peer_locked = true;
    });
    const RunResult run = kernel.Run();
    CHECK(run.outcome == RunOutcome::kQuiescent);
    CHECK(peer_locked);
    CHECK(mu.holder() == kNoTask);
  }
}

TEST_CASE("kernel (abandon): a task crashing its own process never returns; nothing else runs",
          "[kernel][crash][abandon]") {
  std::vector<std::string> log;
  Kernel kernel(AbandonConfig(2));
  Process& node = kernel.AddProcess("node", [&](Process& p) {
    kernel.Spawn(p, "other", [&] {
      Tripwire frame{&log, "other frame"};
      kernel.SleepFor(1'000'000);
      log.push_back("other woke");
    });
    kernel.Spawn(p, "suicide", [&] {
      Tripwire frame{&log, "suicide frame"};
      kernel.SleepFor(10);
      kernel.Crash(kernel.current_process());
      log.push_back("returned from Crash");
    });
  });
  const RunResult run = kernel.Run();
  CHECK(run.outcome == RunOutcome::kQuiescent);
  CHECK(node.crashed());
  CHECK(log.empty());
  CHECK(run.end_time_ns == 10);
}

TEST_CASE("kernel (abandon): the kernel's destructor abandons live tasks and kept objects",
          "[kernel][crash][abandon]") {
  std::vector<std::string> log;
  auto pool = std::make_shared<StackPool>(KernelConfig{}.stack_bytes);
  {
    KernelConfig config = AbandonConfig(1);
    config.stack_pool = pool;
    Kernel kernel(config);
    kernel.AddProcess("node", [&](Process& p) {
      p.Keep(std::make_unique<Tripwire>(&log, "kept"));
      Tripwire frame{&log, "boot frame"};
      kernel.SleepFor(1'000'000);
    });
    kernel.RunUntil(10);
    CHECK(pool->in_use() == 1);
  }
  CHECK(log.empty());
  CHECK(pool->in_use() == 0);  // the stack went back to the pool (or, under ASan, out of use)
}

TEST_CASE("kernel: unwind stays the default crash mode", "[kernel][crash]") {
  CHECK(KernelConfig{}.crash_mode == CrashMode::kUnwind);
  CHECK(CrashModeName(CrashMode::kUnwind) == "unwind");
  CHECK(CrashModeName(CrashMode::kAbandon) == "abandon");
}

}  // namespace
}  // namespace seedbed
