// Internal to sim/foreign/: the per-Kernel tables of simulated pthread objects (a KernelExtension
// owned by the Kernel), the markers that lead from an object to its entry, glibc forwarding, and the
// abort for calls a task cannot make. Not thread-safe: one State per Kernel, used only on the OS
// thread that runs it. Lookups never yield; the operations in the .cc files may.
#pragma once

#include <pthread.h>
#include <time.h>

#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "sim/foreign/foreign.h"
#include "sim/kernel.h"
#include "sim/sync.h"

namespace seedbed::foreign::internal {

// --- glibc forwarding ---
// The glibc definition of `name` at `version` (the version glibc 2.36 makes default), found after
// the executable in the lookup order (RTLD_NEXT), so a sanitizer's interceptor still runs. Aborts
// naming the symbol if it is missing (a fully static executable has no RTLD_NEXT).
void* ResolveGlibc(const char* name, const char* version);

// `SEEDBED_GLIBC(pthread_mutex_lock, "GLIBC_2.2.5")(args...)`: resolved once, cached in an atomic
// (no function-local static guard, which could re-enter an interposed call while it resolves).
#define SEEDBED_GLIBC(name, version)                                       \
  ([]() {                                                                  \
    static std::atomic<void*> cached{nullptr};                             \
    void* fn = cached.load(std::memory_order_acquire);                     \
    if (fn == nullptr) {                                                   \
      fn = ::seedbed::foreign::internal::ResolveGlibc(#name, version);     \
      cached.store(fn, std::memory_order_release);                         \
    }                                                                      \
    return reinterpret_cast<decltype(&::name)>(fn);                        \
  }())

// A call a task cannot make: prints symbol, task and advice, then aborts.
[[noreturn]] void Unsupported(Kernel& kernel, const char* symbol, const std::string& why,
                              const std::string& advice);

// --- markers ---
enum class Tag : uint8_t { kMutex = 'M', kCond = 'C', kRwLock = 'R' };
inline constexpr uint64_t kMagic = uint64_t{0x5EEDBED0} << 32;
inline constexpr uint64_t kMagicMask = uint64_t{0xFFFFFFFF} << 32;

struct Marker {
  uint64_t word0 = 0;  // kMagic | generation (low 32 bits)
  uint64_t word1 = 0;  // tag << 56 | flags << 32 | index
  Tag tag() const { return static_cast<Tag>(word1 >> 56); }
  uint32_t flags() const { return static_cast<uint32_t>(word1 >> 32) & 0xFFFFFF; }
  uint32_t index() const { return static_cast<uint32_t>(word1); }
  bool ours() const { return (word0 & kMagicMask) == kMagic; }
};

// --- per-Kernel state ---
struct MutexEntry {
  std::unique_ptr<Mutex> mu;
  const void* object = nullptr;  // only to recognise a copy (see foreign.h)
  int kind = PTHREAD_MUTEX_NORMAL;
  uint32_t depth = 0;            // recursive mutexes: how often the holder locked it
  bool live = true;              // false after pthread_mutex_destroy
};

struct CondEntry {
  std::unique_ptr<CondVar> cv;
  std::string name;
  const void* object = nullptr;
  clockid_t clock = CLOCK_REALTIME;  // pthread_cond_timedwait's clock (pthread_condattr_setclock)
  uint64_t saved[2] = {0, 0};        // glibc's words under the marker
  bool live = true;
};

struct RwEntry {
  std::string name;
  const void* object = nullptr;
  TaskId writer = kNoTask;
  std::vector<TaskId> readers;  // one entry per read lock held (a task may hold several)
  WaitList read_waiters;
  WaitList write_waiters;
  std::vector<TaskId> granted;  // waiters handed the lock by an unlock, not yet returned
  bool live = true;
};

struct Specific {
  pthread_key_t key;
  uint64_t key_generation;  // a deleted and re-created key does not see old values
  void* value;
};

struct TaskRecord {
  bool pthread = false;  // started by pthread_create: joinable through its pthread_t
  bool detached = false;
  bool joined = false;
  void* retval = nullptr;
  std::vector<Specific> specific;
};

class State final : public KernelExtension {
 public:
  explicit State(Kernel& kernel);
  // The State of `kernel`, created on first use.
  static State& Of(Kernel& kernel);
  // The running Kernel's State if called from one of its tasks, else null.
  static State* ForTask();

  Kernel& kernel() { return kernel_; }
  struct Counters& counters() { return counters_; }
  TaskId current() const { return kernel_.current_task(); }

  // The entry behind an object, adopting it (a new entry, a new marker) if it has no valid marker of
  // this State. `symbol` names the call for error messages.
  MutexEntry& MutexFor(pthread_mutex_t* m, const char* symbol);
  CondEntry& CondFor(pthread_cond_t* c);
  RwEntry& RwFor(pthread_rwlock_t* rw);
  // The entry if `object` carries this State's valid marker, else null (never adopts).
  MutexEntry* FindMutex(pthread_mutex_t* m);
  CondEntry* FindCond(pthread_cond_t* c);
  RwEntry* FindRw(pthread_rwlock_t* rw);

  TaskRecord& Task(TaskId task);
  uint32_t next_thread_number() { return threads_++; }
  WaitList& once_waiters() { return once_waiters_; }

  void OnTaskExit(TaskId task) override;
  void Counters(std::vector<std::pair<std::string, uint64_t>>& out) const override;
  const struct Counters& counters() const { return counters_; }
  uint64_t generation() const { return word0_ & ~kMagicMask; }

 private:
  Marker MakeMarker(Tag tag, uint32_t flags, uint32_t index) const;
  bool Valid(const Marker& m, Tag tag, size_t size) const;

  Kernel& kernel_;
  uint64_t word0_;  // kMagic | generation
  std::deque<MutexEntry> mutexes_;  // deques: entries keep their address while tasks wait on them
  std::deque<CondEntry> condvars_;
  std::deque<RwEntry> rwlocks_;
  std::vector<TaskRecord> tasks_;   // by TaskId
  WaitList once_waiters_;           // tasks waiting for a pthread_once another task runs
  uint32_t threads_ = 0;
  struct Counters counters_;
};

// --- marker access (glibc 2.36, x86_64 layouts; checked by static_asserts in state.cc) ---
Marker ReadMutexMarker(const pthread_mutex_t* m);
void WriteMutexMarker(pthread_mutex_t* m, const Marker& marker);
Marker ReadCondMarker(const pthread_cond_t* c);
void WriteCondWords(pthread_cond_t* c, uint64_t word0, uint64_t word1);
Marker ReadRwMarker(const pthread_rwlock_t* rw);
void WriteRwMarker(pthread_rwlock_t* rw, const Marker& marker);
// A condvar carrying a marker whose table is gone (or any marker, outside a world) goes back to
// glibc's initial state with its clock and pshared flags: call before glibc sees it.
void RestoreStaleCond(pthread_cond_t* c);

// --- simulated time ---
// Simulated nanoseconds of `clock`'s reading at Kernel time `now_ns`; false for a clock we do not
// simulate.
bool ClockOffset(clockid_t clock, int64_t& offset_ns);
int64_t ToNanos(const timespec& ts);
bool ValidTimespec(const timespec* ts);
// The simulated deadline (Kernel time) of absolute time `abs` on `clock`. Aborts for an unknown clock.
Nanos DeadlineFor(Kernel& kernel, const char* symbol, clockid_t clock, const timespec& abs);

}  // namespace seedbed::foreign::internal
