// sim/foreign/: plain std::mutex, std::condition_variable, std::thread, sleeps and clocks (and the
// pthread calls under them) run as Seedbed primitives from a task, and reach glibc anywhere else.
#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/lsan_interface.h>
#endif
#include <catch2/catch.hpp>

#include <pthread.h>
#include <sched.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <functional>
#include <mutex>
#include <new>
#include <set>
#include <shared_mutex>
#include <string>
#include <thread>
#include <vector>

#include "sim/foreign/foreign.h"
#include "sim/kernel.h"
#include "tests/sim/foreign/shlib/locks.h"

namespace seedbed {
namespace {

using namespace std::chrono_literals;
constexpr Nanos kMs = 1'000'000;

struct Ran {
  RunResult result;
  uint64_t hash = 0;
  std::vector<TraceEvent> events;
  foreign::Counters counters;
  DecisionList decisions;
  Nanos end_ns = 0;
};

// Runs `body` as the boot task of process "p" in a fresh Kernel.
Ran RunInWorld(uint64_t seed, const std::function<void(Kernel&)>& body, const DecisionList* replay = nullptr) {
  KernelConfig c;
  c.seed = seed;
  c.replay = replay;
  c.time_budget_ns = 100 * 3600'000 * kMs;  // the tests sleep for simulated hours
  Kernel kernel(c);
  kernel.AddProcess("p", [&](Process&) { body(kernel); });
  Ran ran;
  ran.result = kernel.Run();
  ran.hash = kernel.trace().hash();
  ran.events = kernel.trace().events();
  ran.counters = foreign::CountersOf(kernel);
  ran.decisions = kernel.decisions().recorded();
  ran.end_ns = kernel.Now();
  return ran;
}

size_t CountEvents(const Ran& ran, EventKind kind, const std::string& detail_part) {
  size_t n = 0;
  for (const TraceEvent& e : ran.events) {
    if (e.kind == kind && e.detail.find(detail_part) != std::string::npos) ++n;
  }
  return n;
}

std::string SpawnName(const Ran& ran, uint32_t task) {
  for (const TraceEvent& e : ran.events) {
    if (e.kind == EventKind::kSpawn && e.task == task) return e.detail;
  }
  return "";
}

TEST_CASE("the test binary's pthread calls are the layer's", "[foreign]") {
  REQUIRE(foreign::Interposed());
}

// --- mutexes ---

// A holder takes a std::mutex and sleeps; two tasks then ask for it.
void ContendedMutex(Kernel& kernel) {
  static std::mutex mu;  // static: the marker an earlier Kernel left must not matter
  Process& p = kernel.current_process();
  kernel.Spawn(p, "holder", [] {
    std::lock_guard<std::mutex> lock(mu);
    std::this_thread::sleep_for(10ms);
  });
  for (const char* name : {"w1", "w2"}) {
    kernel.Spawn(p, name, [] {
      std::this_thread::sleep_for(1ms);
      std::lock_guard<std::mutex> lock(mu);
    });
  }
}

// Task names in the order of kWake trace events.
std::string Wakes(const Ran& ran) {
  std::string out;
  for (const TraceEvent& e : ran.events) {
    if (e.kind == EventKind::kWake) out += SpawnName(ran, e.task) + " ";
  }
  return out;
}

TEST_CASE("a contended std::mutex yields and which waiter wins is a decision", "[foreign]") {
  Ran a = RunInWorld(1, ContendedMutex);
  REQUIRE(a.result.outcome == RunOutcome::kQuiescent);
  CHECK(a.counters.contended_locks == 2);
  CHECK(a.counters.locks == 3);
  CHECK(CountEvents(a, EventKind::kBlock, "mutex pthread-mutex-0 held by p/holder") == 2);
  CHECK(a.end_ns == 10 * kMs);  // the waiters waited without spending time of their own

  // The first kWake decision picks the waiter the holder hands the lock to: flipped, the other wins.
  DecisionList flipped = a.decisions;
  bool found = false;
  for (Decision& d : flipped) {
    if (d.kind != DecisionKind::kWake) continue;
    d.value = 1 - d.value;
    found = true;
    break;
  }
  REQUIRE(found);
  Ran b = RunInWorld(1, ContendedMutex, &flipped);
  REQUIRE(b.result.outcome == RunOutcome::kQuiescent);
  const std::string wakes_a = Wakes(a);
  const std::string wakes_b = Wakes(b);
  CHECK((wakes_a == "w1 w2 " || wakes_a == "w2 w1 "));
  CHECK((wakes_b == "w1 w2 " || wakes_b == "w2 w1 "));
  CHECK(wakes_a != wakes_b);
  // Replaying the recorded decisions unflipped gives the same run.
  Ran again = RunInWorld(1, ContendedMutex, &a.decisions);
  CHECK(again.hash == a.hash);
  CHECK(Wakes(again) == wakes_a);
}

TEST_CASE("recursive, error-checking and timed pthread mutexes keep their semantics in a task", "[foreign]") {
  Ran ran = RunInWorld(3, [](Kernel& k) {
    std::recursive_mutex rec;
    rec.lock();
    CHECK(rec.try_lock());
    rec.unlock();
    rec.unlock();
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_ERRORCHECK);
    pthread_mutex_t ec;
    pthread_mutex_init(&ec, &attr);
    CHECK(pthread_mutex_lock(&ec) == 0);
    CHECK(pthread_mutex_lock(&ec) == EDEADLK);
    CHECK(pthread_mutex_unlock(&ec) == 0);
    CHECK(pthread_mutex_unlock(&ec) == EPERM);
    CHECK(pthread_mutex_destroy(&ec) == 0);
    // A timed lock of a mutex held elsewhere gives up at its deadline, in simulated time.
    static std::timed_mutex tm;
    k.Spawn(k.current_process(), "holder", [] {
      std::lock_guard<std::timed_mutex> lock(tm);
      std::this_thread::sleep_for(100ms);
    });
    std::this_thread::sleep_for(1ms);
    const Nanos before = k.Now();
    CHECK_FALSE(tm.try_lock_for(30ms));
    CHECK(k.Now() - before == 30 * kMs);
    CHECK(tm.try_lock_for(200ms));  // handed over when the holder lets go at 100 ms
    CHECK(k.Now() == 100 * kMs);
    tm.unlock();
  });
  CHECK(ran.result.outcome == RunOutcome::kQuiescent);
  CHECK(ran.counters.timeouts == 1);
}

// --- condition variables ---

TEST_CASE("condition-variable timed waits expire in simulated time", "[foreign]") {
  const auto wall_start = std::chrono::steady_clock::now();
  Ran ran = RunInWorld(5, [](Kernel& k) {
    std::mutex mu;
    std::condition_variable cv;
    std::unique_lock<std::mutex> lock(mu);
    const auto t0 = std::chrono::steady_clock::now();
    CHECK(cv.wait_for(lock, 50ms) == std::cv_status::timeout);
    CHECK(std::chrono::steady_clock::now() - t0 == 50ms);
    CHECK(k.Now() == 50 * kMs);
    // An hour of waiting costs no wall time.
    CHECK(cv.wait_for(lock, 1h) == std::cv_status::timeout);
    CHECK(k.Now() == 50 * kMs + 3600'000 * kMs);
    // system_clock deadlines go through pthread_cond_timedwait (CLOCK_REALTIME).
    CHECK(cv.wait_until(lock, std::chrono::system_clock::now() + 7ms) == std::cv_status::timeout);
    CHECK(k.Now() == 57 * kMs + 3600'000 * kMs);
  });
  CHECK(ran.result.outcome == RunOutcome::kQuiescent);
  CHECK(ran.counters.timed_waits == 3);
  CHECK(ran.counters.timeouts == 3);
  CHECK(std::chrono::steady_clock::now() - wall_start < 30s);
}

TEST_CASE("a notify before the deadline ends a timed wait early", "[foreign]") {
  Ran ran = RunInWorld(6, [](Kernel& k) {
    static std::mutex mu;
    static std::condition_variable cv;
    static bool ready;
    ready = false;
    k.Spawn(k.current_process(), "notifier", [] {
      std::this_thread::sleep_for(20ms);
      std::lock_guard<std::mutex> lock(mu);
      ready = true;
      cv.notify_one();
    });
    std::unique_lock<std::mutex> lock(mu);
    CHECK(cv.wait_for(lock, 50ms, [] { return ready; }));
    CHECK(k.Now() == 20 * kMs);
    // A raw pthread_cond_timedwait with an absolute CLOCK_REALTIME deadline.
    timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_nsec += 5'000'000;
    pthread_cond_t raw = PTHREAD_COND_INITIALIZER;
    CHECK(pthread_cond_timedwait(&raw, lock.mutex()->native_handle(), &deadline) == ETIMEDOUT);
    CHECK(k.Now() == 25 * kMs);
    CHECK(pthread_cond_destroy(&raw) == 0);
  });
  CHECK(ran.result.outcome == RunOutcome::kQuiescent);
  CHECK(ran.counters.waits >= 2);
}

TEST_CASE("an untimed wait that is never notified is a deadlock naming the condvar", "[foreign]") {
  Ran ran = RunInWorld(7, [](Kernel& k) {
    // A task that must finish (as a client is): blocked forever at quiescence, it is a deadlock; an
    // idle background waiter would not be (sim/kernel.h, RunOutcome).
    k.SetMustFinish(k.current_task());
    std::mutex mu;
    std::condition_variable cv;
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock);
  });
  REQUIRE(ran.result.outcome == RunOutcome::kDeadlock);
  REQUIRE(ran.result.waiting.size() == 1);
  CHECK(ran.result.waiting[0].waits_on == "condvar pthread-cond-0 (mutex pthread-mutex-0)");
}

// --- threads ---

TEST_CASE("std::thread and pthread_create from a task become tasks of its process and join", "[foreign]") {
  Ran ran = RunInWorld(9, [](Kernel& k) {
    const pthread_t me = pthread_self();
    CHECK(pthread_equal(me, pthread_self()));
    const TaskId boot = k.current_task();
    pthread_t child_self = 0;
    TaskId child_task = kNoTask;
    bool done = false;
    std::thread t([&] {
      child_self = pthread_self();
      child_task = k.current_task();
      std::this_thread::sleep_for(5ms);
      done = true;
    });
    const pthread_t handle = t.native_handle();
    CHECK(t.get_id() != std::this_thread::get_id());
    t.join();
    CHECK(done);
    CHECK(k.Now() == 5 * kMs);
    CHECK(child_task != boot);
    CHECK(child_task != kNoTask);
    CHECK(k.task_process(child_task) == k.task_process(boot));
    CHECK(pthread_equal(child_self, handle));
    CHECK_FALSE(pthread_equal(child_self, me));
    // pthread_create / pthread_join with a result, pthread_exit, detach.
    pthread_t raw;
    REQUIRE(pthread_create(&raw, nullptr, [](void* arg) -> void* { return static_cast<char*>(arg) + 1; },
                           reinterpret_cast<void*>(41)) == 0);
    void* result = nullptr;
    CHECK(pthread_join(raw, &result) == 0);
    CHECK(reinterpret_cast<intptr_t>(result) == 42);
    CHECK(pthread_join(raw, &result) == EINVAL);  // joined already
    REQUIRE(pthread_create(&raw, nullptr, [](void*) -> void* {
      pthread_exit(reinterpret_cast<void*>(7));
    }, nullptr) == 0);
    CHECK(pthread_join(raw, &result) == 0);
    CHECK(reinterpret_cast<intptr_t>(result) == 7);
    static bool detached_ran;
    detached_ran = false;
    std::thread([] {
      std::this_thread::sleep_for(1ms);
      detached_ran = true;
    }).detach();
    std::this_thread::sleep_for(2ms);
    CHECK(detached_ran);
  });
  CHECK(ran.result.outcome == RunOutcome::kQuiescent);
  CHECK(ran.counters.threads_started == 4);
  std::set<std::string> names;
  for (const TraceEvent& e : ran.events) {
    if (e.kind == EventKind::kSpawn) names.insert(e.detail);
  }
  CHECK(names == std::set<std::string>{"boot", "pthread-0", "pthread-1", "pthread-2", "pthread-3"});
}

TEST_CASE("a crash unwinds thread tasks blocked in interposed waits", "[foreign]") {
  static int unwound;
  unwound = 0;
  KernelConfig c;
  Kernel kernel(c);
  struct Count {
    ~Count() { ++unwound; }
  };
  Process& p = kernel.AddProcess("p", [](Process&) {
    static std::mutex mu;
    static std::condition_variable cv;
    // Abandoned at the crash, as a real crash abandons memory: LeakSanitizer is told so.
    auto* abandoned = new std::thread([] {
      Count count;
      std::unique_lock<std::mutex> lock(mu);
      cv.wait(lock);
    });
#if defined(__SANITIZE_ADDRESS__)
    __lsan_ignore_object(abandoned);
#else
    (void)abandoned;
#endif
    Count count;
    std::this_thread::sleep_for(1h);
  });
  kernel.RunUntil(10 * kMs);
  kernel.Crash(p);
  CHECK(unwound == 2);
  CHECK(kernel.Run().outcome == RunOutcome::kQuiescent);
}

// --- reused addresses, earlier Kernels ---

TEST_CASE("a new mutex at a reused address starts fresh", "[foreign]") {
  alignas(std::mutex) static unsigned char storage[sizeof(std::mutex)];
  Ran ran = RunInWorld(11, [](Kernel& k) {
    auto* old_mu = new (storage) std::mutex;
    old_mu->lock();  // abandoned while held: never unlocked, never destroyed (like a crashed engine's)
    k.Spawn(k.current_process(), "other", [] {
      auto* new_mu = new (storage) std::mutex;  // same address, constexpr constructor: zeroed
      new_mu->lock();                           // must not wait for the abandoned one's holder
      new_mu->unlock();
    });
  });
  CHECK(ran.result.outcome == RunOutcome::kQuiescent);
  CHECK(CountEvents(ran, EventKind::kBlock, "mutex") == 0);
  CHECK(ran.counters.contended_locks == 0);
}

TEST_CASE("a static mutex left held by one Kernel starts fresh in the next; glibc never saw it", "[foreign]") {
  static std::mutex shared;
  Ran first = RunInWorld(12, [](Kernel&) { shared.lock(); });  // left held at the end of the run
  CHECK(first.result.outcome == RunOutcome::kQuiescent);
  Ran second = RunInWorld(12, [](Kernel&) {
    shared.lock();
    shared.unlock();
  });
  CHECK(second.result.outcome == RunOutcome::kQuiescent);
  CHECK(second.counters.contended_locks == 0);
  // Outside any world the same object is glibc's, and glibc's words were never touched.
  REQUIRE(shared.try_lock());
  shared.unlock();
}

TEST_CASE("a condition variable used in a world works for real threads afterwards", "[foreign]") {
  static std::mutex mu;
  static std::condition_variable cv;
  Ran ran = RunInWorld(13, [](Kernel&) {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait_for(lock, 1ms);
    cv.notify_all();
  });
  CHECK(ran.counters.waits == 1);
  bool ready = false;
  std::thread waker([&] {
    std::this_thread::sleep_for(10ms);
    std::lock_guard<std::mutex> lock(mu);
    ready = true;
    cv.notify_one();
  });
  {
    std::unique_lock<std::mutex> lock(mu);
    CHECK(cv.wait_for(lock, 10s, [&] { return ready; }));
  }
  waker.join();
}

// --- outside a world ---

TEST_CASE("calls outside a world reach glibc: real threads, real locks, real time", "[foreign]") {
  std::mutex mu;
  int64_t counter = 0;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 20000; ++i) {
        std::lock_guard<std::mutex> lock(mu);
        ++counter;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  CHECK(counter == 80000);
  // A real OS thread's id, not a task's.
  CHECK((static_cast<uint64_t>(pthread_self()) & ~uint64_t{0xFFFFFFFF}) != foreign::kThreadIdBase);
  // Real time: later than 2024-01-01, and a timed wait takes real time.
  timespec now;
  REQUIRE(clock_gettime(CLOCK_REALTIME, &now) == 0);
  CHECK(now.tv_sec > 1'704'067'200);
  CHECK(time(nullptr) > 1'704'067'200);
  std::condition_variable cv;
  std::unique_lock<std::mutex> lock(mu);
  const auto t0 = std::chrono::steady_clock::now();
  CHECK(cv.wait_for(lock, 20ms) == std::cv_status::timeout);
  CHECK(std::chrono::steady_clock::now() - t0 >= 20ms);
}

TEST_CASE("kernel context (an event callback) reaches glibc too", "[foreign]") {
  KernelConfig c;
  Kernel kernel(c);
  int64_t real_sec = 0;
  std::mutex mu;
  kernel.ScheduleAt(5 * kMs, [&] {
    timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    real_sec = now.tv_sec;
    std::lock_guard<std::mutex> lock(mu);  // glibc's: no task to block
  });
  CHECK(kernel.Run().outcome == RunOutcome::kQuiescent);
  CHECK(real_sec > 1'704'067'200);
  CHECK(foreign::CountersOf(kernel).locks == 0);
}

// --- clocks and sleeps ---

TEST_CASE("clocks read simulated time from a fixed epoch; sleeps spend it", "[foreign]") {
  const auto wall_start = std::chrono::steady_clock::now();
  Ran ran = RunInWorld(15, [](Kernel& k) {
    timespec ts;
    REQUIRE(clock_gettime(CLOCK_REALTIME, &ts) == 0);
    CHECK(ts.tv_sec == 1'577'836'800);  // 2020-01-01T00:00:00Z
    CHECK(ts.tv_nsec == 0);
    REQUIRE(clock_gettime(CLOCK_MONOTONIC, &ts) == 0);
    CHECK(ts.tv_sec == 1000);
    CHECK(time(nullptr) == 1'577'836'800);
    CHECK(std::chrono::system_clock::now().time_since_epoch() == std::chrono::seconds(1'577'836'800));
    std::this_thread::sleep_for(1h);  // costs no wall time
    CHECK(k.Now() == 3600'000 * kMs);
    usleep(1500);
    sleep(2);
    timespec req{0, 500};
    nanosleep(&req, nullptr);
    CHECK(k.Now() == 3602'000 * kMs + 1'500'000 + 500);
    timeval tv;
    gettimeofday(&tv, nullptr);
    CHECK(tv.tv_sec == 1'577'836'800 + 3602);
    CHECK(tv.tv_usec == 1500);
    // An absolute clock_nanosleep on the monotonic clock.
    clock_gettime(CLOCK_MONOTONIC, &ts);
    ts.tv_sec += 1;
    CHECK(clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nullptr) == 0);
    CHECK(k.Now() == 3603'000 * kMs + 1'500'000 + 500);
    CHECK(std::chrono::steady_clock::now().time_since_epoch() ==
          std::chrono::nanoseconds(foreign::kMonotonicBaseNs + k.Now()));
    sched_yield();
    std::this_thread::yield();
  });
  CHECK(ran.result.outcome == RunOutcome::kQuiescent);
  CHECK(ran.counters.sleeps == 5);
  CHECK(ran.counters.yields == 2);
  CHECK(ran.counters.clock_reads == 7);
  CHECK(std::chrono::steady_clock::now() - wall_start < 30s);
}

// --- engine-like code: determinism in a world, correctness outside ---

// Written the way an engine would: producers and a consumer on a queue under a std::mutex and a
// std::condition_variable, with std::thread and sleeps. Returns the order the consumer saw.
std::string EngineLike() {
  std::mutex mu;
  std::condition_variable cv;
  std::deque<char> queue;
  std::string seen;
  bool closed = false;
  std::thread consumer([&] {
    std::unique_lock<std::mutex> lock(mu);
    for (;;) {
      cv.wait(lock, [&] { return !queue.empty() || closed; });
      if (queue.empty()) return;
      seen += queue.front();
      queue.pop_front();
    }
  });
  std::vector<std::thread> producers;
  for (int p = 0; p < 3; ++p) {
    producers.emplace_back([&, p] {
      for (int i = 0; i < 5; ++i) {
        {
          std::lock_guard<std::mutex> lock(mu);
          queue.push_back(static_cast<char>('a' + p));
        }
        cv.notify_one();
        std::this_thread::yield();
      }
    });
  }
  for (std::thread& t : producers) t.join();
  {
    std::lock_guard<std::mutex> lock(mu);
    closed = true;
  }
  cv.notify_all();
  consumer.join();
  return seen;
}

bool EachProducerFiveTimes(const std::string& seen) {
  return seen.size() == 15 && std::count(seen.begin(), seen.end(), 'a') == 5 &&
         std::count(seen.begin(), seen.end(), 'b') == 5 && std::count(seen.begin(), seen.end(), 'c') == 5;
}

TEST_CASE("engine-like std:: code runs in a world as tasks, deterministically per seed", "[foreign]") {
  std::set<std::string> orders;
  std::set<uint64_t> hashes;
  for (uint64_t seed = 1; seed <= 8; ++seed) {
    std::string seen, seen_again;
    Ran a = RunInWorld(seed, [&](Kernel&) { seen = EngineLike(); });
    Ran b = RunInWorld(seed, [&](Kernel&) { seen_again = EngineLike(); });
    REQUIRE(a.result.outcome == RunOutcome::kQuiescent);
    CHECK(a.hash == b.hash);
    CHECK(seen == seen_again);
    CHECK(EachProducerFiveTimes(seen));
    CHECK(a.counters.threads_started == 4);
    orders.insert(seen);
    hashes.insert(a.hash);
  }
  CHECK(orders.size() > 1);  // different seeds, different interleavings
  CHECK(hashes.size() > 1);
}

TEST_CASE("the same engine-like code outside a world uses real threads", "[foreign]") {
  for (int i = 0; i < 20; ++i) CHECK(EachProducerFiveTimes(EngineLike()));
}

TEST_CASE("a shared library's std::mutex, condition_variable and thread calls are interposed", "[foreign]") {
  int64_t result = 0;
  std::string order;
  Ran ran = RunInWorld(17, [&](Kernel&) { result = foreign_test::SharedLibraryWorkload(3, 4, order); });
  REQUIRE(ran.result.outcome == RunOutcome::kQuiescent);
  CHECK(result == 12);
  CHECK(order == "abcabcabcabc");
  CHECK(ran.counters.threads_started == 3);
  CHECK(ran.counters.waits > 0);
  CHECK(ran.counters.locks >= 12);
  std::string real_order;
  CHECK(foreign_test::SharedLibraryWorkload(3, 4, real_order) == 12);
  CHECK(real_order == "abcabcabcabc");
}

// --- rwlocks, once, thread-specific data ---

TEST_CASE("std::shared_mutex: readers share, a writer excludes, in a task", "[foreign]") {
  Ran ran = RunInWorld(19, [](Kernel& k) {
    static std::shared_mutex rw;
    static int inside, max_inside;
    static std::string log;
    inside = max_inside = 0;
    log.clear();
    Process& p = k.current_process();
    for (const char* name : {"r1", "r2"}) {
      k.Spawn(p, name, [] {
        std::shared_lock<std::shared_mutex> lock(rw);
        max_inside = std::max(max_inside, ++inside);
        std::this_thread::sleep_for(10ms);
        --inside;
      });
    }
    k.Spawn(p, "writer", [&k] {
      std::this_thread::sleep_for(1ms);
      std::unique_lock<std::shared_mutex> lock(rw);
      CHECK(inside == 0);
      CHECK(k.Now() == 10 * kMs);
      log += "w";
    });
  });
  CHECK(ran.result.outcome == RunOutcome::kQuiescent);
  CHECK(ran.counters.contended_locks == 1);
  CHECK(CountEvents(ran, EventKind::kBlock, "rwlock pthread-rwlock-0 (write)") == 1);
}

TEST_CASE("pthread_once runs its routine once; a second task waits for it", "[foreign]") {
  static pthread_once_t once;
  static int runs;
  static Nanos second_returned_at;
  once = PTHREAD_ONCE_INIT;
  runs = 0;
  Ran ran = RunInWorld(21, [](Kernel& k) {
    static Kernel* kernel;
    kernel = &k;
    auto init = [] {
      ++runs;
      std::this_thread::sleep_for(10ms);  // yields inside the once
    };
    k.Spawn(k.current_process(), "second", [init] {
      std::this_thread::sleep_for(1ms);
      pthread_once(&once, init);
      second_returned_at = kernel->Now();
    });
    pthread_once(&once, init);
  });
  CHECK(ran.result.outcome == RunOutcome::kQuiescent);
  CHECK(runs == 1);
  CHECK(second_returned_at == 10 * kMs);
  CHECK(pthread_once(&once, [] { ++runs; }) == 0);  // done for glibc as well
  CHECK(runs == 1);
}

TEST_CASE("thread-specific data is per task and its destructors run when a task ends", "[foreign]") {
  static pthread_key_t key;
  static std::vector<intptr_t> destroyed;
  destroyed.clear();
  REQUIRE(pthread_key_create(&key, [](void* v) { destroyed.push_back(reinterpret_cast<intptr_t>(v)); }) == 0);
  Ran ran = RunInWorld(23, [](Kernel& k) {
    for (intptr_t i = 1; i <= 2; ++i) {
      k.Spawn(k.current_process(), "t", [i] {
        CHECK(pthread_getspecific(key) == nullptr);
        pthread_setspecific(key, reinterpret_cast<void*>(i));
        std::this_thread::sleep_for(1ms);  // the other task sets its own value meanwhile
        CHECK(pthread_getspecific(key) == reinterpret_cast<void*>(i));
      });
    }
    std::thread t([] { pthread_setspecific(key, reinterpret_cast<void*>(3)); });
    t.join();
  });
  CHECK(ran.result.outcome == RunOutcome::kQuiescent);
  std::sort(destroyed.begin(), destroyed.end());
  CHECK(destroyed == std::vector<intptr_t>{1, 2, 3});
  CHECK(pthread_getspecific(key) == nullptr);  // glibc's value for this real thread: never set
  pthread_key_delete(key);
}

// --- two Kernels ---

TEST_CASE("a Kernel run inside a task of another keeps its own tables", "[foreign]") {
  foreign::Counters inner_counters;
  Ran outer = RunInWorld(25, [&](Kernel& k) {
    std::mutex mu;
    mu.lock();
    {
      KernelConfig c;
      c.seed = 2;
      Kernel inner(c);
      inner.AddProcess("q", [](Process&) {
        std::mutex m2;
        m2.lock();
        m2.unlock();
        std::this_thread::sleep_for(5ms);
      });
      CHECK(inner.Run().outcome == RunOutcome::kQuiescent);
      CHECK(inner.Now() == 5 * kMs);
      inner_counters = foreign::CountersOf(inner);
    }
    CHECK(k.Now() == 0);  // the inner sleep spent the inner Kernel's time
    std::this_thread::sleep_for(1ms);
    mu.unlock();
    CHECK(k.Now() == 1 * kMs);
  });
  CHECK(outer.result.outcome == RunOutcome::kQuiescent);
  CHECK(inner_counters.locks == 1);
  CHECK(inner_counters.sleeps == 1);
  CHECK(outer.counters.locks == 1);
  CHECK(outer.counters.sleeps == 1);
}

}  // namespace
}  // namespace seedbed
