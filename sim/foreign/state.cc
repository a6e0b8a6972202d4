// The per-Kernel tables, markers, glibc forwarding and simulated clocks of sim/foreign/.
#include "sim/foreign/state.h"

#include <dlfcn.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <fmt/format.h>

namespace seedbed::foreign::internal {

// The layouts the markers rely on (glibc >= 2.25 on x86_64; Debian 12 ships 2.36).
static_assert(sizeof(pthread_mutex_t) == 40, "glibc x86_64 pthread_mutex_t expected");
static_assert(offsetof(pthread_mutex_t, __data.__list) == 24, "glibc mutex __list at 24");
static_assert(sizeof(pthread_cond_t) == 48, "glibc x86_64 pthread_cond_t expected");
static_assert(offsetof(pthread_cond_t, __data.__g1_orig_size) == 32, "glibc condvar tail at 32");
static_assert(offsetof(pthread_cond_t, __data.__wrefs) == 36, "glibc condvar __wrefs at 36");
static_assert(sizeof(pthread_rwlock_t) == 56, "glibc x86_64 pthread_rwlock_t expected");
static_assert(offsetof(pthread_rwlock_t, __data.__pad3) == 16, "glibc rwlock __pad3 at 16");
static_assert(offsetof(pthread_rwlock_t, __data.__pad2) == 40, "glibc rwlock __pad2 at 40");

namespace {

// Generations of State tables, process-wide: only makes a marker of an earlier Kernel recognisably
// stale. Never reaches a trace, a decision or a name.
std::atomic<uint64_t> next_generation{1};

constexpr size_t kMutexMarkerOffset = 24;
constexpr size_t kCondMarkerOffset = 32;
constexpr size_t kRwWord0Offset = 40;  // __pad2
constexpr size_t kRwWord1Offset = 16;  // __pad3, __pad4
// glibc's __wrefs flag bits: process-shared, CLOCK_MONOTONIC.
constexpr uint32_t kCondFlagMask = 3;
constexpr uint32_t kCondClockMonotonic = 2;
// glibc's mutex kind bits (nptl/pthreadP.h): the type in the low two, robust at 16.
constexpr int kMutexKindMask = 3;
constexpr int kMutexRobust = 16;

uint64_t Load(const void* object, size_t offset) {
  uint64_t v;
  __atomic_load(reinterpret_cast<const uint64_t*>(static_cast<const char*>(object) + offset), &v,
                __ATOMIC_RELAXED);
  return v;
}
void Store(void* object, size_t offset, uint64_t v) {
  __atomic_store(reinterpret_cast<uint64_t*>(static_cast<char*>(object) + offset), &v, __ATOMIC_RELAXED);
}

}  // namespace

void* ResolveGlibc(const char* name, const char* version) {
  void* fn = dlvsym(RTLD_NEXT, name, version);
  if (fn == nullptr) {
    std::fprintf(stderr,
                 "seedbed foreign: cannot find glibc's %s@%s after the executable (dlvsym RTLD_NEXT: "
                 "%s); sim/foreign needs a dynamically linked executable and glibc >= 2.34\n",
                 name, version, dlerror());
    std::abort();
  }
  return fn;
}

void Unsupported(Kernel& kernel, const char* symbol, const std::string& why, const std::string& advice) {
  std::fprintf(stderr, "seedbed foreign: %s from task %s: %s; %s\n", symbol,
               kernel.TaskLabel(kernel.current_task()).c_str(), why.c_str(), advice.c_str());
  std::fflush(stderr);
  std::abort();
}

// --- markers ---

Marker ReadMutexMarker(const pthread_mutex_t* m) {
  return {Load(m, kMutexMarkerOffset), Load(m, kMutexMarkerOffset + 8)};
}
void WriteMutexMarker(pthread_mutex_t* m, const Marker& marker) {
  Store(m, kMutexMarkerOffset, marker.word0);
  Store(m, kMutexMarkerOffset + 8, marker.word1);
}
Marker ReadCondMarker(const pthread_cond_t* c) {
  return {Load(c, kCondMarkerOffset), Load(c, kCondMarkerOffset + 8)};
}
void WriteCondWords(pthread_cond_t* c, uint64_t word0, uint64_t word1) {
  Store(c, kCondMarkerOffset, word0);
  Store(c, kCondMarkerOffset + 8, word1);
}
Marker ReadRwMarker(const pthread_rwlock_t* rw) { return {Load(rw, kRwWord0Offset), Load(rw, kRwWord1Offset)}; }
void WriteRwMarker(pthread_rwlock_t* rw, const Marker& marker) {
  Store(rw, kRwWord0Offset, marker.word0);
  Store(rw, kRwWord1Offset, marker.word1);
}

void RestoreStaleCond(pthread_cond_t* c) {
  const Marker m = ReadCondMarker(c);
  if (!m.ours() || m.tag() != Tag::kCond) return;
  const uint32_t flags = m.flags() & kCondFlagMask;
  std::memset(static_cast<void*>(c), 0, sizeof(*c));
  c->__data.__wrefs = flags;
}

// --- State ---

State::State(Kernel& kernel)
    : kernel_(kernel),
      word0_(kMagic | (next_generation.fetch_add(1, std::memory_order_relaxed) & ~kMagicMask)) {}

State& State::Of(Kernel& kernel) {
  KernelExtension* e = kernel.extension();
  if (e == nullptr) {
    kernel.set_extension(std::make_unique<State>(kernel));
    e = kernel.extension();
  }
  // The extension slot belongs to sim/foreign (kernel.h); nothing else sets it.
  return *static_cast<State*>(e);
}

State* State::ForTask() {
  Kernel* k = Kernel::RunningOnThisThread();
  if (k == nullptr || k->current_task() == kNoTask) return nullptr;
  return &Of(*k);
}

Marker State::MakeMarker(Tag tag, uint32_t flags, uint32_t index) const {
  return {word0_, (uint64_t{static_cast<uint8_t>(tag)} << 56) | (uint64_t{flags & 0xFFFFFF} << 32) | index};
}

bool State::Valid(const Marker& m, Tag tag, size_t size) const {
  return m.word0 == word0_ && m.tag() == tag && m.index() < size;
}

MutexEntry* State::FindMutex(pthread_mutex_t* m) {
  const Marker mk = ReadMutexMarker(m);
  if (!Valid(mk, Tag::kMutex, mutexes_.size())) return nullptr;
  MutexEntry& e = mutexes_[mk.index()];
  if (!e.live || e.object != m) return nullptr;
  return &e;
}

MutexEntry& State::MutexFor(pthread_mutex_t* m, const char* symbol) {
  if (MutexEntry* e = FindMutex(m)) return *e;
  const int kind = m->__data.__kind;
  if ((kind & kMutexRobust) != 0) {
    Unsupported(kernel_, symbol, "robust mutexes are not simulated (glibc keeps its robust list where "
                "sim/foreign keeps its marker)", "use a non-robust mutex in code run in a world");
  }
  const auto index = static_cast<uint32_t>(mutexes_.size());
  MutexEntry& e = mutexes_.emplace_back();
  e.mu = std::make_unique<Mutex>(kernel_, fmt::format("pthread-mutex-{}", index));
  e.object = m;
  e.kind = kind & kMutexKindMask;
  WriteMutexMarker(m, MakeMarker(Tag::kMutex, 0, index));
  return e;
}

CondEntry* State::FindCond(pthread_cond_t* c) {
  const Marker mk = ReadCondMarker(c);
  if (!Valid(mk, Tag::kCond, condvars_.size())) return nullptr;
  CondEntry& e = condvars_[mk.index()];
  if (!e.live || e.object != c) return nullptr;
  return &e;
}

CondEntry& State::CondFor(pthread_cond_t* c) {
  if (CondEntry* e = FindCond(c)) return *e;
  RestoreStaleCond(c);  // another Kernel's (or a copied) marker: back to glibc's initial state first
  const auto index = static_cast<uint32_t>(condvars_.size());
  CondEntry& e = condvars_.emplace_back();
  e.name = fmt::format("pthread-cond-{}", index);
  e.cv = std::make_unique<CondVar>(kernel_, e.name);
  e.object = c;
  const Marker saved = ReadCondMarker(c);
  e.saved[0] = saved.word0;
  e.saved[1] = saved.word1;
  const uint32_t flags = c->__data.__wrefs & kCondFlagMask;
  e.clock = (flags & kCondClockMonotonic) != 0 ? CLOCK_MONOTONIC : CLOCK_REALTIME;
  const Marker mk = MakeMarker(Tag::kCond, flags, index);
  WriteCondWords(c, mk.word0, mk.word1);
  return e;
}

RwEntry* State::FindRw(pthread_rwlock_t* rw) {
  const Marker mk = ReadRwMarker(rw);
  if (!Valid(mk, Tag::kRwLock, rwlocks_.size())) return nullptr;
  RwEntry& e = rwlocks_[mk.index()];
  if (!e.live || e.object != rw) return nullptr;
  return &e;
}

RwEntry& State::RwFor(pthread_rwlock_t* rw) {
  if (RwEntry* e = FindRw(rw)) return *e;
  const auto index = static_cast<uint32_t>(rwlocks_.size());
  RwEntry& e = rwlocks_.emplace_back();
  e.name = fmt::format("pthread-rwlock-{}", index);
  e.object = rw;
  WriteRwMarker(rw, MakeMarker(Tag::kRwLock, 0, index));
  return e;
}

TaskRecord& State::Task(TaskId task) {
  if (task >= tasks_.size()) tasks_.resize(static_cast<size_t>(task) + 1);
  return tasks_[task];
}

void State::Counters(std::vector<std::pair<std::string, uint64_t>>& out) const {
  for (auto& c : CounterList(counters_)) out.push_back(std::move(c));
}

// --- simulated time ---

bool ClockOffset(clockid_t clock, int64_t& offset_ns) {
  switch (clock) {
    case CLOCK_REALTIME:
    case CLOCK_REALTIME_COARSE:
    case CLOCK_REALTIME_ALARM:
    case CLOCK_TAI:
      offset_ns = kRealtimeEpochNs;
      return true;
    case CLOCK_MONOTONIC:
    case CLOCK_MONOTONIC_RAW:
    case CLOCK_MONOTONIC_COARSE:
    case CLOCK_BOOTTIME:
    case CLOCK_BOOTTIME_ALARM:
      offset_ns = kMonotonicBaseNs;
      return true;
    case CLOCK_PROCESS_CPUTIME_ID:
    case CLOCK_THREAD_CPUTIME_ID:
      offset_ns = 0;
      return true;
    default:
      return false;
  }
}

int64_t ToNanos(const timespec& ts) {
  return static_cast<int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

bool ValidTimespec(const timespec* ts) {
  return ts != nullptr && ts->tv_nsec >= 0 && ts->tv_nsec < 1'000'000'000;
}

Nanos DeadlineFor(Kernel& kernel, const char* symbol, clockid_t clock, const timespec& abs) {
  int64_t offset_ns = 0;
  if (!ClockOffset(clock, offset_ns)) {
    Unsupported(kernel, symbol, fmt::format("clock {} is not simulated", static_cast<int>(clock)),
                "use CLOCK_REALTIME or CLOCK_MONOTONIC");
  }
  // Saturating: a deadline years away is an infinite wait for any budget we run.
  const int64_t abs_ns = abs.tv_sec > 9'000'000'000 ? INT64_MAX / 2 : ToNanos(abs);
  return std::max<Nanos>(abs_ns - offset_ns, kernel.Now());
}

}  // namespace seedbed::foreign::internal

namespace seedbed::foreign {

Counters CountersOf(const Kernel& kernel) {
  const KernelExtension* e = kernel.extension();
  if (e == nullptr) return {};
  return static_cast<const internal::State*>(e)->counters();
}

std::vector<std::pair<std::string, uint64_t>> CounterList(const Counters& c) {
  return {{"foreign.locks", c.locks},
          {"foreign.contended_locks", c.contended_locks},
          {"foreign.waits", c.waits},
          {"foreign.timed_waits", c.timed_waits},
          {"foreign.timeouts", c.timeouts},
          {"foreign.sleeps", c.sleeps},
          {"foreign.yields", c.yields},
          {"foreign.clock_reads", c.clock_reads},
          {"foreign.threads_started", c.threads_started}};
}

}  // namespace seedbed::foreign
