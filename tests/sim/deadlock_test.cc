// Deadlocks and lock order (issue 17): a wait-for cycle is reported the moment it closes, even
// while a heartbeat keeps the world busy; a lock-order inversion is reported on a seed where the
// deadlock did not happen; a background task idle on a condition variable is not a deadlock, a
// task that must finish blocked at quiescence is; Unfinished() names what each such task waits on.
#include <catch2/catch.hpp>

#include <memory>
#include <string>

#include "sim/kernel.h"
#include "sim/sync.h"

namespace seedbed {
namespace {

KernelConfig Config(uint64_t seed, bool lock_order = true) {
  KernelConfig c;
  c.seed = seed;
  c.lock_order_checks = lock_order;
  return c;
}

// A periodic task that never ends: before the wait-for graph, a deadlock next to it was never
// reported (the world was never quiescent).
void Heartbeat(Kernel& kernel, Process& p) {
  kernel.Spawn(p, "heartbeat", [&kernel] {
    for (int i = 0; i < 1'000'000; ++i) kernel.SleepFor(1'000'000);  // every 1 ms
  });
}

TEST_CASE("deadlock: a mutex cycle is reported when it closes, with a heartbeat running", "[kernel][deadlock]") {
  std::unique_ptr<Mutex> a_, b_;  // declared first: they outlive the tasks the kernel unwinds
  Kernel kernel(Config(1));
  a_ = std::make_unique<Mutex>(kernel, "a");
  b_ = std::make_unique<Mutex>(kernel, "b");
  Mutex& a = *a_;
  Mutex& b = *b_;
  kernel.AddProcess("node", [&](Process& p) {
    Heartbeat(kernel, p);
    kernel.Spawn(p, "left", [&] {
      a.Lock();
      kernel.SleepFor(10);
      b.Lock();
    });
    kernel.Spawn(p, "right", [&] {
      b.Lock();
      kernel.SleepFor(10);
      a.Lock();
    });
  });
  Nanos closed_ns = -1;
  kernel.OnViolation([&](const KernelViolation& v) {
    if (v.invariant == "deadlock") closed_ns = kernel.Now();
  });
  kernel.RunUntil(50'000'000);
  const auto& found = kernel.violations();
  // The cycle closes when the second task blocks, at 10 ns; the order check saw the inversion first.
  REQUIRE(found.size() == 2);
  CHECK(found[0].invariant == "lock-order-inversion");
  CHECK(found[1].invariant == "deadlock");
  CHECK(closed_ns == 10);
  CHECK(found[1].message.find("wait-for cycle of 2 tasks") != std::string::npos);
  REQUIRE(found[1].evidence.size() == 2);
  const std::string all = found[1].evidence[0] + "\n" + found[1].evidence[1];
  CHECK(all.find("node/left holds mutex a and waits on mutex b held by node/right") != std::string::npos);
  CHECK(all.find("node/right holds mutex b and waits on mutex a held by node/left") != std::string::npos);
}

TEST_CASE("deadlock: two tasks joining each other form a cycle", "[kernel][deadlock]") {
  Kernel kernel(Config(1));
  TaskId left = kNoTask, right = kNoTask;
  kernel.AddProcess("node", [&](Process& p) {
    Heartbeat(kernel, p);
    left = kernel.Spawn(p, "left", [&] {
      kernel.SleepFor(5);
      kernel.Join(right);
    });
    right = kernel.Spawn(p, "right", [&] {
      kernel.SleepFor(7);
      kernel.Join(left);
    });
  });
  kernel.RunUntil(10'000'000);
  REQUIRE(kernel.violations().size() == 1);
  CHECK(kernel.violations()[0].invariant == "deadlock");
  CHECK(kernel.violations()[0].time_ns == 7);
  CHECK(kernel.violations()[0].message.find("node/right -> node/left -> node/right") != std::string::npos);
}

TEST_CASE("lock order: opposite orders are reported even when the run did not deadlock", "[kernel][lockorder]") {
  for (bool checks : {true, false}) {
    std::unique_ptr<Mutex> a_, b_;
    Kernel kernel(Config(1, checks));
    a_ = std::make_unique<Mutex>(kernel, "a");
    b_ = std::make_unique<Mutex>(kernel, "b");
    Mutex& a = *a_;
    Mutex& b = *b_;
    kernel.AddProcess("node", [&](Process& p) {
      kernel.Spawn(p, "first", [&] {
        MutexLock la(a);
        MutexLock lb(b);
      });
      kernel.Spawn(p, "second", [&] {
        kernel.SleepFor(100);  // long after "first" released both: no deadlock is possible here
        MutexLock lb(b);
        MutexLock la(a);
      });
    });
    const RunResult run = kernel.Run();
    CHECK(run.outcome == RunOutcome::kQuiescent);
    if (!checks) {
      CHECK(kernel.violations().empty());
      continue;
    }
    REQUIRE(kernel.violations().size() == 1);
    const KernelViolation& v = kernel.violations()[0];
    CHECK(v.invariant == "lock-order-inversion");
    CHECK(v.time_ns == 100);
    CHECK(v.message.find("node/second takes mutex a while holding b") != std::string::npos);
    REQUIRE(v.evidence.size() == 2);
    CHECK(v.evidence[1].find("node/first held a and took b") != std::string::npos);
  }
}

TEST_CASE("lock order: one consistent order, try-locks and condvar waits report nothing", "[kernel][lockorder]") {
  std::unique_ptr<Mutex> a_, b_;
  std::unique_ptr<CondVar> cv_;
  Kernel kernel(Config(3));
  a_ = std::make_unique<Mutex>(kernel, "a");
  b_ = std::make_unique<Mutex>(kernel, "b");
  cv_ = std::make_unique<CondVar>(kernel, "cv");
  Mutex& a = *a_;
  Mutex& b = *b_;
  CondVar& cv = *cv_;
  bool ready = false;
  kernel.AddProcess("node", [&](Process& p) {
    for (int t = 0; t < 3; ++t)
      kernel.Spawn(p, "worker", [&] {
        for (int i = 0; i < 20; ++i) {
          MutexLock la(a);
          MutexLock lb(b);
          kernel.Yield();
        }
      });
    kernel.Spawn(p, "trier", [&] {
      MutexLock lb(b);
      if (a.TryLock()) a.Unlock();  // b then a, but a try never waits
    });
    kernel.Spawn(p, "waiter", [&] {
      MutexLock la(a);
      while (!ready) cv.Wait(a);
    });
    kernel.Spawn(p, "notifier", [&] {
      kernel.SleepFor(50);
      MutexLock la(a);
      ready = true;
      cv.NotifyAll();
    });
  });
  CHECK(kernel.Run().outcome == RunOutcome::kQuiescent);
  CHECK(kernel.violations().empty());
}

TEST_CASE("deadlock: a background task idle on a condvar is not a deadlock; a task that must finish is",
          "[kernel][deadlock]") {
  for (bool must_finish : {false, true}) {
    std::unique_ptr<Mutex> mu_;
    std::unique_ptr<CondVar> cv_;
    Kernel kernel(Config(1));
    mu_ = std::make_unique<Mutex>(kernel, "work");
    cv_ = std::make_unique<CondVar>(kernel, "has-work");
    Mutex& mu = *mu_;
    CondVar& cv = *cv_;
    kernel.AddProcess("node", [&](Process& p) {
      const TaskId flusher = kernel.Spawn(p, "flusher", [&] {
        MutexLock l(mu);
        for (;;) cv.Wait(mu);  // waits for work that never comes
      });
      if (must_finish) kernel.SetMustFinish(flusher);
    });
    const RunResult run = kernel.Run();
    if (!must_finish) {
      CHECK(run.outcome == RunOutcome::kQuiescent);  // before the fix: kDeadlock on every seed
      CHECK(run.waiting.empty());
    } else {
      REQUIRE(run.outcome == RunOutcome::kDeadlock);
      REQUIRE(run.waiting.size() == 1);
      CHECK(run.waiting[0].must_finish);
      CHECK(run.waiting[0].waits_on == "condvar has-work (mutex work)");
    }
  }
}

TEST_CASE("deadlock: a background task joined by a blocked task must finish", "[kernel][deadlock]") {
  std::unique_ptr<Mutex> mu_;
  std::unique_ptr<CondVar> cv_;
  Kernel kernel(Config(1));
  mu_ = std::make_unique<Mutex>(kernel, "work");
  cv_ = std::make_unique<CondVar>(kernel, "has-work");
  Mutex& mu = *mu_;
  CondVar& cv = *cv_;
  kernel.AddProcess("node", [&](Process& p) {
    const TaskId flusher = kernel.Spawn(p, "flusher", [&] {
      MutexLock l(mu);
      cv.Wait(mu);
    });
    kernel.Spawn(p, "closer", [&kernel, flusher] { kernel.Join(flusher); });
  });
  const RunResult run = kernel.Run();
  REQUIRE(run.outcome == RunOutcome::kDeadlock);
  REQUIRE(run.waiting.size() == 2);
  CHECK(run.waiting[0].task == "flusher");
  CHECK(run.waiting[0].must_finish);  // "closer" waits to join it
  CHECK(run.waiting[1].waits_on == "join node/flusher");
}

TEST_CASE("watchdog: Unfinished names what each task that must finish waits on", "[kernel][deadlock]") {
  std::unique_ptr<Mutex> mu_;
  std::unique_ptr<CondVar> cv_;
  Kernel kernel(Config(1));
  mu_ = std::make_unique<Mutex>(kernel, "m");
  cv_ = std::make_unique<CondVar>(kernel, "cv");
  Mutex& mu = *mu_;
  CondVar& cv = *cv_;
  kernel.AddProcess("node", [&](Process& p) {
    kernel.SetMustFinish(kernel.Spawn(p, "sleeper", [&] { kernel.SleepFor(5'000'000'000); }));
    kernel.SetMustFinish(kernel.Spawn(p, "waiter", [&] {
      MutexLock l(mu);
      cv.WaitFor(mu, 9'000'000'000);
    }));
    kernel.Spawn(p, "background", [&] { kernel.SleepFor(1'000'000'000'000); });
  });
  kernel.RunUntil(1'000'000'000);
  const std::vector<WaitingTask> unfinished = kernel.Unfinished();
  REQUIRE(unfinished.size() == 2);
  CHECK(unfinished[0].task == "sleeper");
  CHECK(unfinished[0].waits_on == "sleep until 5.000000s; last ran at 0.000000s");
  CHECK(unfinished[1].task == "waiter");
  CHECK(unfinished[1].waits_on == "condvar cv (mutex m) (times out at 9.000000s); last ran at 0.000000s");
}

}  // namespace
}  // namespace seedbed
