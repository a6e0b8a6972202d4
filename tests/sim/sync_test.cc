// Sync primitives: which waiter wakes is a recorded decision (replaying a flipped decision wakes the
// other one), channels block when full and when empty, timeouts, and crashes that hit a waiter
// after it was picked (the lock, permit or wake-up passes on).
#include <catch2/catch.hpp>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "sim/kernel.h"
#include "sim/sync.h"

namespace seedbed {
namespace {

struct Observed {
  std::string order;      // what the scenario logged
  std::string woken;      // task names in the order of kWake trace events
  DecisionList decisions;
  RunOutcome outcome = RunOutcome::kQuiescent;
};

using Scenario = std::function<void(Kernel&, std::string& order)>;

Observed Observe(const Scenario& scenario, const DecisionList* replay = nullptr) {
  KernelConfig c;
  c.seed = 1;
  c.replay = replay;
  Kernel kernel(c);
  Observed out;
  scenario(kernel, out.order);
  out.outcome = kernel.Run().outcome;
  for (const TraceEvent& e : kernel.trace().events()) {
    if (e.kind == EventKind::kWake) out.woken += kernel.task_name(e.task) + " ";
  }
  out.decisions = kernel.decisions().recorded();
  return out;
}

// Replays `original` with its first kWake decision (a choice between two waiters) flipped.
Observed ObserveFlipped(const Scenario& scenario, const Observed& original) {
  DecisionList flipped = original.decisions;
  for (Decision& d : flipped) {
    if (d.kind != DecisionKind::kWake) continue;
    d.value = 1 - d.value;
    return Observe(scenario, &flipped);
  }
  FAIL("no kWake decision was recorded");
  return {};
}

void CheckWakeIsADecision(const Scenario& scenario, bool compare_order) {
  const Observed original = Observe(scenario);
  CHECK(original.outcome == RunOutcome::kQuiescent);
  const Observed again = Observe(scenario, &original.decisions);
  CHECK(again.order == original.order);
  CHECK(again.woken == original.woken);
  const Observed flipped = ObserveFlipped(scenario, original);
  CHECK(flipped.outcome == RunOutcome::kQuiescent);
  CHECK(flipped.woken != original.woken);
  if (compare_order) CHECK(flipped.order != original.order);
  INFO(original.order << " | " << flipped.order);
}

// Two waiters a (from t=10) and b (from t=20) queue on something that `release` frees at t=100
// and again at t=200.
Scenario TwoWaiters(std::function<void(Kernel&, std::string&, const std::string&)> wait,
                    std::function<void(Kernel&)> release) {
  return [wait, release](Kernel& kernel, std::string& order) {
    kernel.AddProcess("p", [&kernel, &order, wait, release](Process& p) {
      for (const char* name : {"a", "b"}) {
        kernel.Spawn(p, name, [&kernel, &order, wait, name] {
          kernel.SleepFor(name[0] == 'a' ? 10 : 20);
          wait(kernel, order, name);
        });
      }
      kernel.SleepFor(100);
      release(kernel);
      kernel.SleepFor(100);
      release(kernel);
    });
  };
}

TEST_CASE("Mutex: which waiter gets the lock is a recorded decision", "[sync]") {
  auto mu = std::make_shared<std::unique_ptr<Mutex>>();
  const Scenario scenario = [mu](Kernel& kernel, std::string& order) {
    *mu = std::make_unique<Mutex>(kernel, "m");
    kernel.AddProcess("p", [&kernel, &order, mu](Process& p) {
      (*mu)->Lock();
      for (const char* name : {"a", "b"}) {
        kernel.Spawn(p, name, [&kernel, &order, mu, name] {
          kernel.SleepFor(name[0] == 'a' ? 10 : 20);
          MutexLock lock(**mu);
          order += name;
          kernel.SleepFor(5);
        });
      }
      kernel.SleepFor(100);
      (*mu)->Unlock();
    });
  };
  CheckWakeIsADecision(scenario, true);
  mu->reset();
}

TEST_CASE("Mutex: mutual exclusion holds under every schedule; TryLock", "[sync]") {
  for (uint64_t seed = 1; seed <= 30; ++seed) {
    std::unique_ptr<Mutex> mu;
    KernelConfig c;
    c.seed = seed;
    Kernel kernel(c);
    mu = std::make_unique<Mutex>(kernel, "counter");
    int64_t counter = 0;
    kernel.AddProcess("p", [&](Process& p) {
      for (int w = 0; w < 3; ++w) {
        kernel.Spawn(p, "w", [&] {
          for (int i = 0; i < 5; ++i) {
            MutexLock lock(*mu);
            const int64_t seen = counter;
            kernel.Yield();
            counter = seen + 1;
          }
        });
      }
    });
    kernel.AddProcess("q", [&](Process&) {
      kernel.Yield();
      if (mu->TryLock()) {
        CHECK(mu->holder() == kernel.current_task());
        CHECK(!mu->TryLock());
        mu->Unlock();
      }
    });
    CHECK(kernel.Run().outcome == RunOutcome::kQuiescent);
    CHECK(counter == 15);
    mu.reset();
  }
}

TEST_CASE("CondVar: which waiter NotifyOne wakes is a recorded decision", "[sync]") {
  auto objects = std::make_shared<std::pair<std::unique_ptr<Mutex>, std::unique_ptr<CondVar>>>();
  const Scenario base = TwoWaiters(
      [objects](Kernel&, std::string& order, const std::string& name) {
        MutexLock lock(*objects->first);
        objects->second->Wait(*objects->first);
        order += name;
      },
      [objects](Kernel&) { objects->second->NotifyOne(); });
  const Scenario scenario = [objects, base](Kernel& kernel, std::string& order) {
    objects->first = std::make_unique<Mutex>(kernel, "m");
    objects->second = std::make_unique<CondVar>(kernel, "cv");
    base(kernel, order);
  };
  CheckWakeIsADecision(scenario, true);
}

TEST_CASE("Semaphore: which waiter gets a released permit is a recorded decision", "[sync]") {
  auto sem = std::make_shared<std::unique_ptr<Semaphore>>();
  const Scenario base = TwoWaiters(
      [sem](Kernel&, std::string& order, const std::string& name) {
        (*sem)->Acquire();
        order += name;
      },
      [sem](Kernel&) { (*sem)->Release(); });
  const Scenario scenario = [sem, base](Kernel& kernel, std::string& order) {
    *sem = std::make_unique<Semaphore>(kernel, "s", 0);
    base(kernel, order);
  };
  CheckWakeIsADecision(scenario, true);
}

TEST_CASE("Channel: which receiver wakes is a recorded decision", "[sync]") {
  auto ch = std::make_shared<std::unique_ptr<Channel<int>>>();
  auto sent = std::make_shared<int>(0);
  const Scenario base = TwoWaiters(
      [ch](Kernel&, std::string& order, const std::string& name) {
        const std::optional<int> v = (*ch)->Receive();
        order += fmt::format("{}{} ", name, v.value_or(-1));
      },
      [ch, sent](Kernel&) { (*ch)->Send(++*sent); });
  const Scenario scenario = [ch, sent, base](Kernel& kernel, std::string& order) {
    *ch = std::make_unique<Channel<int>>(kernel, "c", 4);
    *sent = 0;
    base(kernel, order);
  };
  CheckWakeIsADecision(scenario, true);
}

TEST_CASE("Promise: the order Set wakes its waiters in is a recorded decision", "[sync]") {
  auto promise = std::make_shared<std::unique_ptr<Promise<int>>>();
  const Scenario scenario = [promise](Kernel& kernel, std::string& order) {
    *promise = std::make_unique<Promise<int>>(kernel, "done");
    kernel.AddProcess("p", [&kernel, &order, promise](Process& p) {
      for (const char* name : {"a", "b"}) {
        kernel.Spawn(p, name, [&order, promise, name] { order += fmt::format("{}{}", name, (*promise)->Wait()); });
      }
    });
    kernel.ScheduleAt(100, [promise] { (*promise)->Set(7); });  // from kernel context
  };
  CheckWakeIsADecision(scenario, false);
  const Observed run = Observe(scenario);
  CHECK((run.order == "a7b7" || run.order == "b7a7"));
}

TEST_CASE("Channel: blocks when full and when empty; FIFO; Close", "[sync]") {
  std::unique_ptr<Channel<int>> ch;
  Kernel kernel(KernelConfig{});
  ch = std::make_unique<Channel<int>>(kernel, "c", 1);
  std::vector<std::string> log;
  kernel.AddProcess("p", [&](Process& p) {
    kernel.Spawn(p, "sender", [&] {
      for (int i = 1; i <= 3; ++i) {
        CHECK(ch->Send(i));
        log.push_back(fmt::format("sent {} at {}", i, kernel.Now()));
      }
      kernel.SleepFor(1000);
      CHECK(ch->Send(4));
      ch->Close();
      CHECK(!ch->Send(5));
    });
    kernel.Spawn(p, "receiver", [&] {
      kernel.SleepFor(100);
      for (;;) {
        std::optional<int> v = ch->Receive();
        if (!v) break;
        log.push_back(fmt::format("got {} at {}", *v, kernel.Now()));
        kernel.SleepFor(50);
      }
      log.push_back(fmt::format("closed at {}", kernel.Now()));
    });
  });
  CHECK(kernel.Run().outcome == RunOutcome::kQuiescent);
  const std::vector<std::string> expected = {
      "sent 1 at 0",                     // room for one
      "got 1 at 100",   "sent 2 at 100",  // full until the receiver took 1
      "got 2 at 150",   "sent 3 at 150",  //
      "got 3 at 200",                     // then the receiver waits on an empty channel
      "got 4 at 1150",  "closed at 1200"};
  CHECK(log == expected);
  CHECK(ch->size() == 0);
  CHECK(!ch->TryReceive().has_value());
  ch.reset();
}

TEST_CASE("Channel: a sender blocked on a full channel fails when it closes", "[sync]") {
  std::unique_ptr<Channel<std::string>> ch;
  Kernel kernel(KernelConfig{});
  ch = std::make_unique<Channel<std::string>>(kernel, "c", 1);
  std::string result;
  kernel.AddProcess("p", [&](Process&) {
    CHECK(ch->Send("x"));
    result = ch->Send("y") ? "sent" : fmt::format("refused at {}", kernel.Now());
  });
  kernel.ScheduleAt(70, [&] { ch->Close(); });
  kernel.Run();
  CHECK(result == "refused at 70");
  CHECK(ch->Receive() == std::optional<std::string>("x"));  // closed: drains without blocking
  ch.reset();
}

TEST_CASE("Promise: Wait, WaitFor with and without a timeout", "[sync]") {
  std::unique_ptr<Promise<int>> early, late;
  Kernel kernel(KernelConfig{});
  early = std::make_unique<Promise<int>>(kernel, "early");
  late = std::make_unique<Promise<int>>(kernel, "late");
  std::vector<std::string> log;
  kernel.AddProcess("p", [&](Process& p) {
    kernel.Spawn(p, "w1", [&] {
      const int v = early->Wait();
      log.push_back(fmt::format("w1 {} at {}", v, kernel.Now()));
    });
    kernel.Spawn(p, "w2", [&] {
      const std::optional<int> v = early->WaitFor(1000);
      log.push_back(fmt::format("w2 {} at {}", v.value_or(-1), kernel.Now()));
      const std::optional<int> w = late->WaitFor(100);
      log.push_back(fmt::format("w2 late {} at {}", w.has_value(), kernel.Now()));
    });
  });
  kernel.ScheduleAt(50, [&] { early->Set(3); });
  kernel.Run();
  std::sort(log.begin(), log.end());
  CHECK(log == std::vector<std::string>{"w1 3 at 50", "w2 3 at 50", "w2 late false at 150"});
  CHECK(early->ready());
  CHECK(!late->ready());
}

TEST_CASE("Semaphore: at most `permits` holders; TryAcquire", "[sync]") {
  std::unique_ptr<Semaphore> sem;
  Kernel kernel(KernelConfig{});
  sem = std::make_unique<Semaphore>(kernel, "s", 2);
  int holders = 0, max_holders = 0;
  kernel.AddProcess("p", [&](Process& p) {
    for (int i = 0; i < 5; ++i) {
      kernel.Spawn(p, "t", [&] {
        sem->Acquire();
        max_holders = std::max(max_holders, ++holders);
        kernel.SleepFor(10);
        --holders;
        sem->Release();
      });
    }
    kernel.Yield();
    CHECK(!sem->TryAcquire());
  });
  const RunResult run = kernel.Run();
  CHECK(run.outcome == RunOutcome::kQuiescent);
  CHECK(max_holders == 2);
  CHECK(run.end_time_ns == 30);
  CHECK(sem->TryAcquire());
  sem.reset();
}

TEST_CASE("CondVar: WaitFor times out holding the mutex again; a notify beats the timeout",
          "[sync]") {
  std::unique_ptr<Mutex> mu;
  std::unique_ptr<CondVar> cv;
  Kernel kernel(KernelConfig{});
  mu = std::make_unique<Mutex>(kernel, "m");
  cv = std::make_unique<CondVar>(kernel, "cv");
  std::vector<std::string> log;
  kernel.AddProcess("p", [&](Process& p) {
    kernel.Spawn(p, "waiter", [&] {
      MutexLock lock(*mu);
      const bool first = cv->WaitFor(*mu, 100);
      log.push_back(fmt::format("{} at {} holding={}", first, kernel.Now(), mu->holder() == kernel.current_task()));
      const bool second = cv->WaitFor(*mu, 1000);
      log.push_back(fmt::format("{} at {}", second, kernel.Now()));
    });
    kernel.SleepFor(300);
    MutexLock lock(*mu);
    cv->NotifyAll();
  });
  kernel.Run();
  CHECK(log == std::vector<std::string>{"false at 100 holding=true", "true at 300"});
  cv.reset();
  mu.reset();
}

// Two waiters, in processes "doomed" (from t=10) and "survivor" (from t=20), on one primitive; at
// t=100 the driver releases it once and at once crashes "doomed". Whichever waiter the release
// picked, the survivor must end up with the lock / permit / item.
Scenario PickedThenCrashed(int kind) {
  return [kind](Kernel& kernel, std::string& order) {
    auto mu = std::make_shared<Mutex>(kernel, "m");
    auto sem = std::make_shared<Semaphore>(kernel, "s", 0);
    auto ch = std::make_shared<Channel<int>>(kernel, "c", 1);
    auto waiter = [&kernel, &order, kind, mu, sem, ch](const char* name, Nanos at) {
      return [&kernel, &order, kind, mu, sem, ch, name, at](Process& p) {
        p.Keep(std::make_unique<std::shared_ptr<Mutex>>(mu));  // outlive the waiters
        p.Keep(std::make_unique<std::shared_ptr<Semaphore>>(sem));
        p.Keep(std::make_unique<std::shared_ptr<Channel<int>>>(ch));
        kernel.SleepFor(at);
        if (kind == 0) {
          MutexLock lock(*mu);
          order += fmt::format("{} got the lock;", name);
        } else if (kind == 1) {
          sem->Acquire();
          order += fmt::format("{} got a permit;", name);
        } else {
          order += fmt::format("{} got item {};", name, ch->Receive().value_or(-1));
        }
      };
    };
    Process& doomed = kernel.AddProcess("doomed", waiter("doomed", 10));
    kernel.AddProcess("survivor", waiter("survivor", 20));
    kernel.AddProcess("driver", [&kernel, &doomed, kind, mu, sem, ch](Process&) {
      if (kind == 0) mu->Lock();
      kernel.SleepFor(100);
      if (kind == 0) mu->Unlock();
      if (kind == 1) sem->Release();
      if (kind == 2) ch->Send(42);
      kernel.Crash(doomed);
    });
  };
}

TEST_CASE("sync: a waiter picked and then crashed passes the lock, permit or wake-up on",
          "[sync][crash]") {
  const char* expected[] = {"survivor got the lock;", "survivor got a permit;",
                            "survivor got item 42;"};
  for (int kind = 0; kind < 3; ++kind) {
    INFO("kind " << kind);
    const Scenario scenario = PickedThenCrashed(kind);
    const Observed original = Observe(scenario);
    CHECK(original.outcome == RunOutcome::kQuiescent);
    CHECK(original.order == expected[kind]);
    const Observed flipped = ObserveFlipped(scenario, original);  // the other waiter was picked
    CHECK(flipped.outcome == RunOutcome::kQuiescent);
    CHECK(flipped.order == expected[kind]);
    CHECK(flipped.woken != original.woken);
  }
}

}  // namespace
}  // namespace seedbed
