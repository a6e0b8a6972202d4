// Interposed pthread mutexes, condition variables, rwlocks and pthread_once (see foreign.h for the
// dispatch rules). Defined without glibc's noexcept: a crash may unwind a task blocked in one of them.
#include <pthread.h>

#include <algorithm>
#include <atomic>
#include <cerrno>

#include "sim/foreign/state.h"

namespace seedbed::foreign::internal {
namespace {

// The State to use for an object, or null to forward to glibc: a task of a running Kernel always
// gets its State; kernel context (a crash's or ~Kernel's destructors) only for an object its tasks
// already used (Find* says so), never adopting new ones.
template <typename FindFn>
State* Dispatch(FindFn find) {
  Kernel* k = Kernel::RunningOnThisThread();
  if (k == nullptr || (k->extension() == nullptr && k->current_task() == kNoTask)) return nullptr;
  State& s = State::Of(*k);
  if (k->current_task() != kNoTask) return &s;
  return find(s) ? &s : nullptr;
}

State* ForMutex(pthread_mutex_t* m) {
  return Dispatch([m](State& s) { return s.FindMutex(m) != nullptr; });
}
State* ForCond(pthread_cond_t* c) {
  return Dispatch([c](State& s) { return s.FindCond(c) != nullptr; });
}
State* ForRw(pthread_rwlock_t* rw) {
  return Dispatch([rw](State& s) { return s.FindRw(rw) != nullptr; });
}

// --- mutexes ---

// timeout_ns < 0: wait for ever; try_only: never wait.
int MutexLock(State& s, pthread_mutex_t* m, const char* symbol, Nanos timeout_ns, bool try_only) {
  MutexEntry& e = s.MutexFor(m, symbol);
  const TaskId me = s.current();
  ++s.counters().locks;
  if (me != kNoTask && e.mu->holder() == me) {
    if (e.kind == PTHREAD_MUTEX_RECURSIVE) {
      ++e.depth;
      return 0;
    }
    if (e.kind == PTHREAD_MUTEX_ERRORCHECK) return EDEADLK;
    if (try_only) return EBUSY;
    Unsupported(s.kernel(), symbol, fmt::format("{} is already held by this task (a non-recursive mutex: "
                "the thread would deadlock on itself)", e.mu->name()), "fix the double lock in the code under test");
  }
  if (try_only) {
    if (!e.mu->TryLock()) return EBUSY;
  } else {
    if (e.mu->holder() != kNoTask) ++s.counters().contended_locks;
    if (timeout_ns < 0) {
      e.mu->Lock();
    } else if (!e.mu->LockFor(timeout_ns)) {
      if (s.kernel().CurrentTaskDoomed()) return 0;  // a crash unwind: the caller will not run on
      ++s.counters().timeouts;
      return ETIMEDOUT;
    }
  }
  e.depth = 1;
  return 0;
}

int MutexUnlock(State& s, pthread_mutex_t* m) {
  MutexEntry& e = s.MutexFor(m, "pthread_mutex_unlock");
  const TaskId me = s.current();
  if (e.mu->holder() != me || me == kNoTask) {
    if (s.kernel().CurrentTaskDoomed() || me == kNoTask) {
      // A crash unwind (Lock returned without the lock) or kernel-context destructors.
      if (e.mu->holder() == me) e.mu->Unlock();
      return 0;
    }
    if (e.kind != PTHREAD_MUTEX_NORMAL) return EPERM;
    e.mu->Unlock();  // not the holder: seedbed::Mutex aborts naming holder and caller
    return 0;
  }
  if (e.kind == PTHREAD_MUTEX_RECURSIVE && e.depth > 1) {
    --e.depth;
    return 0;
  }
  e.depth = 0;
  e.mu->Unlock();
  return 0;
}

// --- condition variables ---

// deadline_ns < 0: no deadline.
int CondWait(State& s, pthread_cond_t* c, pthread_mutex_t* m, const char* symbol, Nanos deadline_ns) {
  CondEntry& ce = s.CondFor(c);
  MutexEntry& me = s.MutexFor(m, symbol);
  Kernel& k = s.kernel();
  if (k.CurrentTaskDoomed()) return 0;
  if (me.mu->holder() != s.current()) {
    if (me.kind != PTHREAD_MUTEX_NORMAL) return EPERM;
    Unsupported(k, symbol, fmt::format("waits on {} without holding {}", ce.name, me.mu->name()),
                "lock the mutex before waiting");
  }
  ++s.counters().waits;
  const uint32_t depth = me.depth;
  bool notified = true;
  if (deadline_ns < 0) {
    ce.cv->Wait(*me.mu);
  } else {
    ++s.counters().timed_waits;
    notified = ce.cv->WaitFor(*me.mu, deadline_ns - k.Now());
  }
  if (me.mu->holder() == s.current()) me.depth = depth;
  if (!notified && !k.CurrentTaskDoomed()) {
    ++s.counters().timeouts;
    return ETIMEDOUT;
  }
  return 0;
}

// --- rwlocks ---

bool Granted(RwEntry& e, TaskId me) { return std::find(e.granted.begin(), e.granted.end(), me) != e.granted.end(); }
void Ungrant(RwEntry& e, TaskId me) { e.granted.erase(std::find(e.granted.begin(), e.granted.end(), me)); }

// After an unlock left the lock free: a decision picks whether a waiting writer or the waiting
// readers go next (then which writer); the chosen ones are handed the lock before they wake.
void RwHandOff(Kernel& k, RwEntry& e) {
  if (e.writer != kNoTask || !e.readers.empty()) return;
  bool writers_first = !e.write_waiters.empty();
  if (writers_first && !e.read_waiters.empty()) writers_first = k.decisions().Uniform(2, DecisionKind::kWake) == 0;
  if (writers_first) {
    while (!e.write_waiters.empty()) {  // bounded: each pass removes one waiter
      const TaskId t = e.write_waiters.Pick(k);
      if (!k.TryWake(t)) continue;
      e.writer = t;
      e.granted.push_back(t);
      return;
    }
  }
  while (!e.read_waiters.empty()) {  // bounded: each pass removes one waiter
    const TaskId t = e.read_waiters.Pick(k);
    if (!k.TryWake(t)) continue;
    e.readers.push_back(t);
    e.granted.push_back(t);
  }
}

void RwRelease(Kernel& k, RwEntry& e, TaskId me) {
  if (e.writer == me) {
    e.writer = kNoTask;
  } else {
    auto it = std::find(e.readers.begin(), e.readers.end(), me);
    if (it == e.readers.end()) return;
    e.readers.erase(it);
  }
  RwHandOff(k, e);
}

int RwLock(State& s, pthread_rwlock_t* rw, bool write, Nanos deadline_ns, bool try_only) {
  RwEntry& e = s.RwFor(rw);
  Kernel& k = s.kernel();
  const TaskId me = s.current();
  ++s.counters().locks;
  if (e.writer == me && me != kNoTask) return EDEADLK;
  const bool free_now = write ? e.writer == kNoTask && e.readers.empty() : e.writer == kNoTask;
  if (free_now) {
    if (write) {
      e.writer = me;
    } else {
      e.readers.push_back(me);
    }
    return 0;
  }
  if (try_only) return EBUSY;
  if (me == kNoTask || k.CurrentTaskDoomed()) return 0;  // cannot wait now (as seedbed::Mutex)
  ++s.counters().contended_locks;
  WaitList& list = write ? e.write_waiters : e.read_waiters;
  // Declared first, destroyed last: handed the lock but unwound before returning, pass it on.
  struct PassOnIfUnwound {
    Kernel& k;
    RwEntry& e;
    TaskId me;
    ~PassOnIfUnwound() {
      if (!Granted(e, me)) return;
      Ungrant(e, me);
      RwRelease(k, e, me);
    }
  } pass_on{k, e, me};
  WaitList::Entry entry(list, k, false);
  const std::string what = fmt::format("rwlock {} ({})", e.name, write ? "write" : "read");
  if (k.tracks_accesses()) k.WillAccess(Kernel::ResourceKey("mutex", e.name), write);
  // Bounded: an unlock hands the lock over before it wakes us; a deadline ends the loop.
  while (!Granted(e, me)) {
    if (!list.Contains(me)) list.Add(me);
    if (deadline_ns < 0) {
      k.Block(what);
    } else if (deadline_ns <= k.Now() || !k.BlockFor(what, deadline_ns - k.Now())) {
      if (Granted(e, me)) break;
      ++s.counters().timeouts;
      return ETIMEDOUT;
    }
    if (k.CurrentTaskDoomed()) break;
  }
  if (Granted(e, me)) Ungrant(e, me);
  return 0;
}

int RwUnlock(State& s, pthread_rwlock_t* rw) {
  RwEntry& e = s.RwFor(rw);
  const TaskId me = s.current();
  const bool holds = e.writer == me || std::find(e.readers.begin(), e.readers.end(), me) != e.readers.end();
  if (!holds || me == kNoTask) {
    if (s.kernel().CurrentTaskDoomed() || me == kNoTask) return 0;
    return EPERM;
  }
  RwRelease(s.kernel(), e, me);
  return 0;
}

Nanos RwDeadline(State& s, const char* symbol, clockid_t clock, const timespec* abs) {
  return DeadlineFor(s.kernel(), symbol, clock, *abs);
}

// --- pthread_once ---
// glibc's states of a pthread_once_t: 0 never run, bit 0 in progress, bit 1 done (the upper bits
// hold a fork generation, which only in-progress states carry). We use the same, so a once done in
// a world is done for glibc too and vice versa.
constexpr int kOnceInProgress = 1;
constexpr int kOnceDone = 2;

int Once(State& s, pthread_once_t* once, void (*init)()) {
  Kernel& k = s.kernel();
  // Bounded: each pass waits for one pthread_once to end somewhere (which wakes every waiter).
  while ((__atomic_load_n(once, __ATOMIC_ACQUIRE) & kOnceDone) == 0) {
    if ((__atomic_load_n(once, __ATOMIC_ACQUIRE) & kOnceInProgress) == 0) {
      __atomic_store_n(once, kOnceInProgress, __ATOMIC_RELEASE);
      // If init is unwound (a crash), the once is not done: reset it and let a waiter retry.
      struct Reset {
        Kernel& k;
        State& s;
        pthread_once_t* once;
        bool done = false;
        ~Reset() {
          __atomic_store_n(once, done ? kOnceDone : 0, __ATOMIC_RELEASE);
          s.once_waiters().WakeAll(k);
        }
      } reset{k, s, once};
      init();
      reset.done = true;
      return 0;
    }
    if (k.CurrentTaskDoomed()) return 0;
    WaitList::Entry entry(s.once_waiters(), k, false);
    k.Block("pthread_once run by another task");
  }
  return 0;
}

}  // namespace
}  // namespace seedbed::foreign::internal

using seedbed::foreign::internal::State;
namespace fi = seedbed::foreign::internal;

extern "C" {

// --- mutexes ---

int pthread_mutex_init(pthread_mutex_t* m, const pthread_mutexattr_t* attr) {
  // glibc zeroes the object (so any marker goes) and stores the kind; adoption is lazy.
  return SEEDBED_GLIBC(pthread_mutex_init, "GLIBC_2.2.5")(m, attr);
}

int pthread_mutex_destroy(pthread_mutex_t* m) {
  if (State* s = fi::ForMutex(m)) {
    if (fi::MutexEntry* e = s->FindMutex(m)) {
      if (e->mu->holder() != seedbed::kNoTask) return EBUSY;
      e->live = false;
    }
    fi::WriteMutexMarker(m, fi::Marker{});
  }
  return SEEDBED_GLIBC(pthread_mutex_destroy, "GLIBC_2.2.5")(m);
}

int pthread_mutex_lock(pthread_mutex_t* m) {
  if (State* s = fi::ForMutex(m)) return fi::MutexLock(*s, m, "pthread_mutex_lock", -1, false);
  return SEEDBED_GLIBC(pthread_mutex_lock, "GLIBC_2.2.5")(m);
}

int pthread_mutex_trylock(pthread_mutex_t* m) {
  if (State* s = fi::ForMutex(m)) return fi::MutexLock(*s, m, "pthread_mutex_trylock", -1, true);
  return SEEDBED_GLIBC(pthread_mutex_trylock, "GLIBC_2.34")(m);
}

int pthread_mutex_timedlock(pthread_mutex_t* m, const struct timespec* abstime) {
  if (State* s = fi::ForMutex(m)) {
    if (!fi::ValidTimespec(abstime)) return EINVAL;
    const seedbed::Nanos deadline = fi::DeadlineFor(s->kernel(), "pthread_mutex_timedlock", CLOCK_REALTIME, *abstime);
    return fi::MutexLock(*s, m, "pthread_mutex_timedlock", deadline - s->kernel().Now(), false);
  }
  return SEEDBED_GLIBC(pthread_mutex_timedlock, "GLIBC_2.34")(m, abstime);
}

int pthread_mutex_clocklock(pthread_mutex_t* m, clockid_t clock, const struct timespec* abstime) {
  if (State* s = fi::ForMutex(m)) {
    if (!fi::ValidTimespec(abstime)) return EINVAL;
    const seedbed::Nanos deadline = fi::DeadlineFor(s->kernel(), "pthread_mutex_clocklock", clock, *abstime);
    return fi::MutexLock(*s, m, "pthread_mutex_clocklock", deadline - s->kernel().Now(), false);
  }
  return SEEDBED_GLIBC(pthread_mutex_clocklock, "GLIBC_2.34")(m, clock, abstime);
}

int pthread_mutex_unlock(pthread_mutex_t* m) {
  if (State* s = fi::ForMutex(m)) return fi::MutexUnlock(*s, m);
  return SEEDBED_GLIBC(pthread_mutex_unlock, "GLIBC_2.2.5")(m);
}

// --- condition variables ---

int pthread_cond_init(pthread_cond_t* c, const pthread_condattr_t* attr) {
  return SEEDBED_GLIBC(pthread_cond_init, "GLIBC_2.3.2")(c, attr);  // zeroes: any marker goes
}

int pthread_cond_destroy(pthread_cond_t* c) {
  if (State* s = fi::ForCond(c)) {
    if (fi::CondEntry* e = s->FindCond(c)) {
      e->live = false;
      fi::WriteCondWords(c, e->saved[0], e->saved[1]);  // glibc's own words back
    }
  }
  fi::RestoreStaleCond(c);
  return SEEDBED_GLIBC(pthread_cond_destroy, "GLIBC_2.3.2")(c);
}

int pthread_cond_wait(pthread_cond_t* c, pthread_mutex_t* m) {
  if (State* s = fi::ForCond(c); s != nullptr && s->current() != seedbed::kNoTask) {
    return fi::CondWait(*s, c, m, "pthread_cond_wait", -1);
  }
  fi::RestoreStaleCond(c);
  return SEEDBED_GLIBC(pthread_cond_wait, "GLIBC_2.3.2")(c, m);
}

int pthread_cond_timedwait(pthread_cond_t* c, pthread_mutex_t* m, const struct timespec* abstime) {
  if (State* s = fi::ForCond(c); s != nullptr && s->current() != seedbed::kNoTask) {
    if (!fi::ValidTimespec(abstime)) return EINVAL;
    const clockid_t clock = s->CondFor(c).clock;
    const seedbed::Nanos deadline = fi::DeadlineFor(s->kernel(), "pthread_cond_timedwait", clock, *abstime);
    return fi::CondWait(*s, c, m, "pthread_cond_timedwait", deadline);
  }
  fi::RestoreStaleCond(c);
  return SEEDBED_GLIBC(pthread_cond_timedwait, "GLIBC_2.3.2")(c, m, abstime);
}

int pthread_cond_clockwait(pthread_cond_t* c, pthread_mutex_t* m, clockid_t clock, const struct timespec* abstime) {
  if (State* s = fi::ForCond(c); s != nullptr && s->current() != seedbed::kNoTask) {
    if (!fi::ValidTimespec(abstime)) return EINVAL;
    const seedbed::Nanos deadline = fi::DeadlineFor(s->kernel(), "pthread_cond_clockwait", clock, *abstime);
    return fi::CondWait(*s, c, m, "pthread_cond_clockwait", deadline);
  }
  fi::RestoreStaleCond(c);
  return SEEDBED_GLIBC(pthread_cond_clockwait, "GLIBC_2.34")(c, m, clock, abstime);
}

int pthread_cond_signal(pthread_cond_t* c) {
  if (State* s = fi::ForCond(c)) {
    s->CondFor(c).cv->NotifyOne();
    return 0;
  }
  fi::RestoreStaleCond(c);
  return SEEDBED_GLIBC(pthread_cond_signal, "GLIBC_2.3.2")(c);
}

int pthread_cond_broadcast(pthread_cond_t* c) {
  if (State* s = fi::ForCond(c)) {
    s->CondFor(c).cv->NotifyAll();
    return 0;
  }
  fi::RestoreStaleCond(c);
  return SEEDBED_GLIBC(pthread_cond_broadcast, "GLIBC_2.3.2")(c);
}

// --- rwlocks ---

int pthread_rwlock_init(pthread_rwlock_t* rw, const pthread_rwlockattr_t* attr) {
  return SEEDBED_GLIBC(pthread_rwlock_init, "GLIBC_2.34")(rw, attr);  // zeroes: any marker goes
}

int pthread_rwlock_destroy(pthread_rwlock_t* rw) {
  if (State* s = fi::ForRw(rw)) {
    if (fi::RwEntry* e = s->FindRw(rw)) {
      if (e->writer != seedbed::kNoTask || !e->readers.empty()) return EBUSY;
      e->live = false;
    }
    fi::WriteRwMarker(rw, fi::Marker{});
  }
  return SEEDBED_GLIBC(pthread_rwlock_destroy, "GLIBC_2.34")(rw);
}

int pthread_rwlock_rdlock(pthread_rwlock_t* rw) {
  if (State* s = fi::ForRw(rw)) return fi::RwLock(*s, rw, false, -1, false);
  return SEEDBED_GLIBC(pthread_rwlock_rdlock, "GLIBC_2.34")(rw);
}

int pthread_rwlock_wrlock(pthread_rwlock_t* rw) {
  if (State* s = fi::ForRw(rw)) return fi::RwLock(*s, rw, true, -1, false);
  return SEEDBED_GLIBC(pthread_rwlock_wrlock, "GLIBC_2.34")(rw);
}

int pthread_rwlock_tryrdlock(pthread_rwlock_t* rw) {
  if (State* s = fi::ForRw(rw)) return fi::RwLock(*s, rw, false, -1, true);
  return SEEDBED_GLIBC(pthread_rwlock_tryrdlock, "GLIBC_2.34")(rw);
}

int pthread_rwlock_trywrlock(pthread_rwlock_t* rw) {
  if (State* s = fi::ForRw(rw)) return fi::RwLock(*s, rw, true, -1, true);
  return SEEDBED_GLIBC(pthread_rwlock_trywrlock, "GLIBC_2.34")(rw);
}

int pthread_rwlock_timedrdlock(pthread_rwlock_t* rw, const struct timespec* abstime) {
  if (State* s = fi::ForRw(rw)) {
    if (!fi::ValidTimespec(abstime)) return EINVAL;
    return fi::RwLock(*s, rw, false, fi::RwDeadline(*s, "pthread_rwlock_timedrdlock", CLOCK_REALTIME, abstime), false);
  }
  return SEEDBED_GLIBC(pthread_rwlock_timedrdlock, "GLIBC_2.34")(rw, abstime);
}

int pthread_rwlock_timedwrlock(pthread_rwlock_t* rw, const struct timespec* abstime) {
  if (State* s = fi::ForRw(rw)) {
    if (!fi::ValidTimespec(abstime)) return EINVAL;
    return fi::RwLock(*s, rw, true, fi::RwDeadline(*s, "pthread_rwlock_timedwrlock", CLOCK_REALTIME, abstime), false);
  }
  return SEEDBED_GLIBC(pthread_rwlock_timedwrlock, "GLIBC_2.34")(rw, abstime);
}

int pthread_rwlock_clockrdlock(pthread_rwlock_t* rw, clockid_t clock, const struct timespec* abstime) {
  if (State* s = fi::ForRw(rw)) {
    if (!fi::ValidTimespec(abstime)) return EINVAL;
    return fi::RwLock(*s, rw, false, fi::RwDeadline(*s, "pthread_rwlock_clockrdlock", clock, abstime), false);
  }
  return SEEDBED_GLIBC(pthread_rwlock_clockrdlock, "GLIBC_2.34")(rw, clock, abstime);
}

int pthread_rwlock_clockwrlock(pthread_rwlock_t* rw, clockid_t clock, const struct timespec* abstime) {
  if (State* s = fi::ForRw(rw)) {
    if (!fi::ValidTimespec(abstime)) return EINVAL;
    return fi::RwLock(*s, rw, true, fi::RwDeadline(*s, "pthread_rwlock_clockwrlock", clock, abstime), false);
  }
  return SEEDBED_GLIBC(pthread_rwlock_clockwrlock, "GLIBC_2.34")(rw, clock, abstime);
}

int pthread_rwlock_unlock(pthread_rwlock_t* rw) {
  if (State* s = fi::ForRw(rw)) return fi::RwUnlock(*s, rw);
  return SEEDBED_GLIBC(pthread_rwlock_unlock, "GLIBC_2.34")(rw);
}

// --- pthread_once ---

int pthread_once(pthread_once_t* once, void (*init)()) {
  if (State* s = State::ForTask()) return fi::Once(*s, once, init);
  return SEEDBED_GLIBC(pthread_once, "GLIBC_2.34")(once, init);
}

}  // extern "C"
