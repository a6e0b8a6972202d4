// Memory-access scheduling points: code compiled with -fsanitize=thread (CMake:
// seedbed_instrument(target)) but linked with Seedbed's own definitions of the __tsan_* callbacks
// (the OBJECT library seedbed::instrument, no TSan runtime) gets a possible task switch at its
// memory accesses and atomics, so races between two pthread calls (a store-store order, a
// read-increment-write under the wrong lock, a lock-free structure, a sequence number published
// before its record) come within reach of the strategies. Never yields itself; the callbacks do.
//
// How an instrumented access is handled (sim/instrument/tsan_callbacks.cc):
//   - outside a task of a running Kernel (no world on this OS thread, kernel context, a static
//     initialiser): nothing happens; plain accesses are just done by the code, atomics are performed.
//   - from a task: the Kernel's Policy (SetPolicy, default kShared) says whether the access is a
//     point; a point is Kernel::Preempt(): a scheduling point every strategy sees like a Yield (who
//     runs next is a recorded kSchedule decision, PCT counts it as a step and may place a change
//     point there), that returns at once when no other task is runnable. Failures replay and shrink
//     as any other (a shrunk schedule of zeros lets the task that reached a point keep running).
// Atomics (__tsan_atomic*) keep their semantics, all of them performed sequentially consistent
// whatever memory order the code asked for (every task runs on one OS thread, so a point is the
// only place where another task's accesses can come between two of this task's): the schedules
// explored are interleavings of the program's accesses in program order. Weaker orders (a relaxed
// store seen late, a store buffered past a later load) are not modelled: a bug that needs the
// hardware or the compiler to reorder accesses is not found; one written in the source order is.
//
// kShared, the default policy: a plain access is a point when its 8-byte granule has been touched
// by another task that is still live and one of them wrote it (read-only sharing is no point), and
// every atomic is a point. A write to such a granule and an atomic that may store also leave an
// after-point: the same task's next instrumented access is a point first, so other tasks can see
// what was just written before the writer goes on (a pointer published before the object it points
// to is initialised, a sequence number stored before its record is linked). The granules live in a per-Kernel shadow map keyed by address; it only
// says *whether* an access is a point, never reaches the trace, an order or a decision, and dies
// with its Kernel. Whether a granule counts as shared depends on which task touched which memory,
// not on address values, so it is the same in every run of a seed as long as memory is laid out
// alike; two things the layout can change, each adding points without removing any:
//   - two variables within one granule count as one (8-byte granules, as TSan's shadow cells);
//   - memory freed and reused by another live task in the same run keeps the sharing of its old
//     object (glibc's allocator reuses the last freed chunk of a size first, so this repeats from
//     run to run; a task that ended no longer counts: the first task to touch a granule after its
//     owner ended becomes its owner, so reused fiber stacks start private).
// The first touch of a granule by a second task is a point only from then on: an access that
// comes before any other task touched the granule is no point (kAll makes every access one).
//
// Cost (reports/BENCHMARKS.md, "Memory-access points"): an access that is not a point costs a
// thread-local read, a few branches and one probe of the shadow map; a point with no other task
// runnable the same plus a call; a point where the scheduler runs costs a fiber switch there and back.
//
// Not instrumented (nothing happens there): code not compiled with the flag (libstdc++'s
// out-of-line functions, glibc's memcpy and memset, Seedbed itself); memcpy and memset calls of
// instrumented code (gcc leaves them to the runtime's interceptors, which we do not have).
// A process crash that unwinds a task stopped at a point throws through a callback the compiler
// believes cannot throw: use CrashMode::kAbandon for a process running instrumented code.
#pragma once

#include <cstdint>

#include "sim/kernel.h"

namespace seedbed::instrument {

enum class Policy : uint8_t {
  kOff,     // no access is a point (atomics are still performed)
  kShared,  // atomics, and plain accesses to memory another live task touched, one of them writing
  kAll,     // every instrumented access from a task is a point
};

// What instrumented code did in one Kernel's run (zeros if it never ran in a task there).
struct Counters {
  uint64_t accesses = 0;  // plain reads and writes (a range counts once) from tasks
  uint64_t atomics = 0;   // atomic operations and fences from tasks
  uint64_t points = 0;    // accesses and atomics that were points (Kernel::Preempt called)
  uint64_t granules = 0;  // distinct 8-byte granules in the shadow map (kShared)
  uint64_t shared_granules = 0;  // of which touched by two live tasks
};

// Sets `kernel`'s policy (kernel or task context; before the run, e.g. in a scenario's Build).
void SetPolicy(Kernel& kernel, Policy policy);
Policy PolicyOf(const Kernel& kernel);
// The counters of `kernel`; run reports list them as "instrument.accesses", ...
Counters CountersOf(const Kernel& kernel);

// True if this program's __tsan_read4 is ours (the object library was linked): tests use it to tell
// a missing link from a broken layer.
bool Linked();

}  // namespace seedbed::instrument
