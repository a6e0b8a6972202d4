// The foreign-code layer: unmodified C and C++ code (a real storage engine, libstdc++'s std::mutex,
// std::condition_variable, std::thread, std::this_thread::sleep_for, std::chrono clocks) runs as
// Seedbed tasks. This header is the layer's small public face; the interposed symbols themselves
// (pthread_mutex_lock, pthread_cond_wait, pthread_create, nanosleep, clock_gettime, ...) are defined
// in sim/foreign/*.cc with C linkage and reach a program by linking the OBJECT library
// seedbed::foreign into its executable. Never yields (the interposed calls may; see below).
//
// How a call is dispatched (each interposed symbol):
//   - from a task of a Kernel running on this OS thread (Kernel::RunningOnThisThread()): the call
//     becomes a Seedbed primitive. Mutexes are seedbed::Mutex (contention yields; which waiter gets
//     the lock is a recorded kWake decision), condition variables seedbed::CondVar (the woken waiter
//     is a decision; timed waits expire in simulated time), threads are tasks of the calling task's
//     process, sleeps and timed waits use simulated time, clocks read simulated time: CLOCK_REALTIME
//     (and gettimeofday, time) from kRealtimeEpochNs, CLOCK_MONOTONIC and CLOCK_BOOTTIME from
//     kMonotonicBaseNs, the CPU-time clocks from 0. Nothing of this reads the wall clock.
//   - from anywhere else (no running Kernel on this OS thread, or kernel context outside a task):
//     forwarded unchanged to glibc, found with dlvsym(RTLD_NEXT, name, version) with the version
//     glibc 2.36 makes default (GLIBC_2.3.2 for pthread_cond_*, GLIBC_2.34 for pthread_create and
//     friends, ...), so a sanitizer's interceptors after us still see the call. The one exception:
//     in kernel context (a crash's or ~Kernel's destructors) an object a task already used keeps its
//     simulated state, so an unlock there unlocks what the task locked.
//   - a call from a task that the layer cannot honour (a robust mutex, pthread_join of a real
//     thread, a dynamic clock) aborts with a message naming the symbol, the task and what to do.
//
// Where a pthread object's simulated state lives: in a per-Kernel table (a KernelExtension, so two
// Kernels in one program never share anything and the tables die with their Kernel), found through a
// 16-byte MARKER written inside the object, never through its address:
//   - pthread_mutex_t: the __data.__list words, which glibc uses only for robust mutexes (refused);
//   - pthread_cond_t: the last 16 bytes (__g1_orig_size, __wrefs, __g_signals); their glibc values are
//     saved in the table and written back by pthread_cond_destroy; a condvar found with the marker of a
//     Kernel that is gone is re-initialised (zeros plus its clock and pshared flags, which the marker
//     keeps) before glibc sees it;
//   - pthread_rwlock_t: its padding words (__pad3/__pad4 and __pad2), unused by glibc.
// A marker holds a magic number, the generation of its Kernel's table (a process-wide counter, so a
// static mutex touched by an earlier Kernel starts fresh in a later one; the counter never reaches a
// trace or a decision) and the object's index in that table. std::mutex never calls init or destroy,
// but its constexpr constructor zeroes the object, so a new mutex at a reused address has no marker
// and starts fresh. The table also remembers each object's address, only to tell a copied object
// (memcpy of a mutex: a copy must not share the original's state) from the original.
// Trace names come from creation order in the Kernel ("pthread-mutex-3", "pthread-cond-0",
// "pthread-4" for a thread), never from addresses.
//
// Threads: pthread_create (and so std::thread) from a task spawns a task of the same process named
// "pthread-N"; pthread_self in a task is kThreadIdBase + its TaskId (the same in every run of a seed,
// whatever Kernel of the process runs it), pthread_join is Kernel::Join, pthread_exit unwinds to the
// thread's start. Thread attributes other than the detach state are ignored (the stack is the
// Kernel's fiber stack). Thread-specific data (pthread_key_*) is per task; keys are glibc's (a
// process-wide resource, created through glibc wherever they are created) and their destructors run
// on the task's fiber when its function returns (not when a crash unwinds it).
//
// Known limits: a loop that spins on a clock without sleeping or yielding never ends (simulated time
// only moves when every task waits); thread_local variables are shared by all tasks of the OS thread;
// a function-local static whose constructor yields, reached by a second task meanwhile, blocks the OS
// thread in libstdc++'s guard (not interposed); sem_*, barriers, spinlocks and real sockets are not
// simulated; pthread_t values of tasks must not be passed to glibc calls that are not interposed
// (pthread_getattr_np, pthread_setname_np, pthread_kill).
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "sim/kernel.h"

namespace seedbed::foreign {

// 2020-01-01T00:00:00Z: what CLOCK_REALTIME reads at simulated time 0.
inline constexpr int64_t kRealtimeEpochNs = 1'577'836'800'000'000'000;
// What CLOCK_MONOTONIC reads at simulated time 0: a machine up for 1,000 s, so code that takes a
// monotonic 0 to mean "never" still works.
inline constexpr int64_t kMonotonicBaseNs = 1'000'000'000'000;
// pthread_t of a task: kThreadIdBase + TaskId (never a valid glibc pthread_t, which is a pointer).
inline constexpr uint64_t kThreadIdBase = 0x5EED'0000'0000'0000;

// What the layer did during one Kernel's run (all zero if it was never reached from a task).
struct Counters {
  uint64_t locks = 0;            // mutex and rwlock acquisitions attempted, try-locks included
  uint64_t contended_locks = 0;  // of which found the lock held and waited
  uint64_t waits = 0;            // condition-variable waits
  uint64_t timed_waits = 0;      // of which with a deadline
  uint64_t timeouts = 0;         // timed waits and timed locks that expired
  uint64_t sleeps = 0;           // nanosleep, usleep, sleep, clock_nanosleep
  uint64_t yields = 0;           // sched_yield
  uint64_t clock_reads = 0;      // clock_gettime, gettimeofday, time
  uint64_t threads_started = 0;  // pthread_create (std::thread) from a task
};

// The counters of `kernel` (zeros if the layer never ran there).
Counters CountersOf(const Kernel& kernel);
// The same as (name, value) pairs in a fixed order, names prefixed "foreign.".
std::vector<std::pair<std::string, uint64_t>> CounterList(const Counters& counters);

// True if this program's pthread_mutex_lock is the layer's (the object library was linked into the
// executable). Tests use it to tell a missing link from a broken layer.
bool Interposed();

}  // namespace seedbed::foreign
