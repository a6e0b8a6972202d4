// The kernel's implementation: a task table indexed by TaskId, a runnable vector with swap-remove,
// a binary heap of POD events ordered by (time, sequence), fibers on pooled guard-paged stacks.
// The scheduler step (pick, resume, trace) neither allocates nor looks anything up by hash.
#include "sim/kernel.h"

#include <algorithm>
#include <cassert>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <new>
#include <utility>

#include <boost/context/fiber.hpp>
#include <fmt/format.h>

#include "sim/sanitizer.h"
#include "sim/stack_pool.h"

namespace seedbed {
namespace ctx = boost::context;

namespace {

enum class TaskState : uint8_t {
  kRunnable,  // in the runnable vector
  kRunning,   // on the CPU (at most one)
  kBlocked,   // Block/BlockFor: Wake or its timeout makes it runnable
  kSleeping,  // SleepFor/SleepUntil: only its timer makes it runnable
  kDone,      // returned, unwound, or born into a crashed process
};

constexpr uint32_t kNotRunnable = ~0u;

// Kernel::RunningOnThisThread (see kernel.h for why this one thread-local exists).
thread_local Kernel* running_kernel = nullptr;

// Makes `kernel` the running one for a scope, restoring the previous one (nested Kernels).
class RunningScope {
 public:
  explicit RunningScope(Kernel* kernel) : saved_(running_kernel) { running_kernel = kernel; }
  ~RunningScope() { running_kernel = saved_; }
  RunningScope(const RunningScope&) = delete;
  RunningScope& operator=(const RunningScope&) = delete;

 private:
  Kernel* saved_;
};
constexpr uint32_t kKernelId = ~0u;

// A programmer error in the use of the kernel: stays on in every build (STYLE rule 4).
[[noreturn]] void Fail(const char* what) {
  std::fprintf(stderr, "seedbed kernel: %s\n", what);
  std::abort();
}
inline void Require(bool ok, const char* what) {
  if (!ok) Fail(what);
}

struct Task {
  ctx::fiber fiber;  // empty until first run (created lazily) and after the task ends
  ProcessId process = 0;
  TaskState state = TaskState::kRunnable;
  bool unwinding = false;
  bool timed_out = false;
  uint32_t runnable_pos = kNotRunnable;
  uint64_t wait_gen = 0;  // bumped on every block and wake: stale timers see a different value
  int64_t priority = 0;   // PCT
  uint64_t pos_priority = 0;  // POS: of its next step, drawn when it became runnable
  uint64_t next_resource = 0;  // WillAccess: what its next step touches (0: nothing known)
  bool next_write = false;
  uint32_t key = 0;             // Kernel::TaskKey
  uint32_t accesses = 0;        // steps that touched a resource (tracked runs)
  uint32_t access_estimate = 0;  // SURW: StrategyHints::AccessesOf(key)
  const void* stack_bottom = nullptr;  // for the ASan switch annotations
  size_t stack_size = 0;
  bool has_canary = false;  // a slab stack (sim/stack_pool.h)
  uint32_t context = 0;     // Decisions::ContextOf(process, name, incarnation): its draws' sites
  std::function<void()> fn;
  std::string name;
  std::string waits_on;
  std::vector<TaskId> joiners;
  TaskLink* links = nullptr;  // newest first (kAbandon mode only)
  // Wait-for edges while kBlocked (see RunOutcome in kernel.h): the task it joins, or an owned
  // target (a mutex). Set by every block; read only while the task is blocked.
  const WaitTarget* wait_target = nullptr;
  TaskId join_target = kNoTask;
  Nanos wake_at_ns = -1;       // the deadline of its current sleep or timed wait
  Nanos last_step_ns = -1;     // when it last ran
  bool must_finish = false;
  bool in_deadlock = false;    // named in a deadlock already reported: not reported again
};

// Stable addresses (a fiber's frames hold references into it across switches), O(1) indexing.
class TaskTable {
 public:
  static constexpr uint32_t kChunkBits = 8;
  static constexpr uint32_t kChunk = 1u << kChunkBits;
  Task& operator[](TaskId id) { return chunks_[id >> kChunkBits][id & (kChunk - 1)]; }
  const Task& operator[](TaskId id) const { return chunks_[id >> kChunkBits][id & (kChunk - 1)]; }
  uint32_t size() const { return size_; }
  TaskId Add() {
    if ((size_ & (kChunk - 1)) == 0) chunks_.push_back(std::make_unique<Task[]>(kChunk));
    return size_++;
  }

 private:
  std::vector<std::unique_ptr<Task[]>> chunks_;
  uint32_t size_ = 0;
};

// A heap entry: 16 bytes, ordered by (time, sequence). The key holds the sequence number in its
// high 40 bits and the payload's slot in its low 24, so comparing keys compares sequences.
constexpr int kSlotBits = 24;
constexpr uint64_t kSlotMask = (uint64_t{1} << kSlotBits) - 1;
struct Event {
  Nanos at_ns;
  uint64_t key;
  uint32_t slot() const { return static_cast<uint32_t>(key & kSlotMask); }
};
// Times are >= 0, so (time, key) compares as one unsigned 128-bit number (a GCC/Clang extension,
// as in decisions.cc): one compare instead of two dependent ones.
inline unsigned __int128 Order(const Event& e) {
  return (static_cast<unsigned __int128>(static_cast<uint64_t>(e.at_ns)) << 64) | e.key;
}
inline bool Earlier(const Event& a, const Event& b) { return Order(a) < Order(b); }

// What a scheduled event does: wake `task` if its wait `gen` is still current, or call `fn`.
struct Pending {
  std::function<void()> fn;
  uint64_t gen = 0;
  TaskId task = kNoTask;
  ProcessId owner = kKernelId;  // callbacks: kKernelId = not owned
  uint32_t incarnation = 0;
};

}  // namespace

std::string_view CrashModeName(CrashMode mode) {
  return mode == CrashMode::kAbandon ? "abandon" : "unwind";
}

std::string_view RunOutcomeName(RunOutcome outcome) {
  switch (outcome) {
    case RunOutcome::kQuiescent: return "quiescent";
    case RunOutcome::kDeadlock: return "deadlock";
    case RunOutcome::kEventBudget: return "event_budget";
    case RunOutcome::kTimeBudget: return "time_budget";
    case RunOutcome::kStopped: return "stopped";
    case RunOutcome::kUntilReached: return "until_reached";
  }
  return "unknown";
}

struct Kernel::Impl {
  explicit Impl(KernelConfig c)
      : config(std::move(c)),
        decisions(config.seed, config.replay, config.replay_options),
        trace(config.trace_details),
        pool(config.stack_pool ? config.stack_pool : std::make_shared<StackPool>(config.stack_bytes)),
        tracking(config.track_accesses || config.strategy == Strategy::kPos ||
                 config.strategy == Strategy::kSurw),
        strategy_rng(config.seed * 0x9e3779b97f4a7c15ull + 0x706f73) {
    locks.set_order_checks(config.lock_order_checks);
    if (config.strategy == Strategy::kDelay) {  // the random walk, with stalls
      config.strategy = Strategy::kRandom;
      config.stalls = true;
    }
    if (config.stalls) decisions.EnableStalls();
    Require(config.strategy != Strategy::kPortfolio, "a portfolio is resolved per seed before a run");
    if (config.strategy == Strategy::kPct) {
      const uint64_t k = std::max<uint64_t>(config.pct_steps_estimate, 1);
      for (int i = 1; i < config.pct_depth; ++i) {
        change_points.push_back(decisions.Uniform(k, DecisionKind::kPriority) + 1);
      }
    }
  }

  KernelConfig config;
  Decisions decisions;
  Trace trace;
  std::shared_ptr<StackPool> pool;  // declared before the tasks: outlives their fibers
  TaskTable tasks;
  std::vector<std::unique_ptr<Process>> processes;
  std::vector<TaskId> runnable;
  std::vector<Event> heap;
  std::vector<Event> batch;  // events due at one instant, in sequence order
  std::vector<Pending> pending;  // event payloads by slot
  std::vector<uint32_t> free_slots;
  Nanos now = 0;
  uint64_t seq = 0;
  uint64_t events = 0;
  uint64_t steps = 0;
  TaskId current = kNoTask;
  int crashing = 0;  // > 0 while a crash unwinds, runs hooks and destroys kept objects
  bool stop = false;
  bool destroying = false;
  std::vector<ProcessId> pending_crashes;
  std::exception_ptr pending_exception;
  // kAbandon: what crashes abandoned (kept objects, captures of tasks that never ran). Allocated on
  // the first abandon and never freed, so nothing in it is ever destroyed; under LeakSanitizer it is
  // marked as deliberately leaked.
  std::vector<std::shared_ptr<void>>* graveyard = nullptr;
  ctx::fiber scheduler;  // the kernel's continuation while a task runs
  // ASan bookkeeping: the kernel's stack as seen from the tasks, and its fake stack.
  void* kernel_fake_stack = nullptr;
  const void* kernel_stack_bottom = nullptr;
  size_t kernel_stack_size = 0;
  // PCT: live tasks with their initial priority, lowest first; change points (step numbers).
  std::vector<TaskId> pct_order;
  std::vector<uint64_t> change_points;
  int64_t yield_floor = 0;  // PCT: the priority the last YieldSpin got (each one lower)
  // Accesses (WillAccess) and the strategies' own PRNG (POS priorities, SURW's weighted pick):
  // never recorded, since what they choose is recorded as a kSchedule decision.
  bool tracking = false;
  Rng strategy_rng;
  // Spin loops: consecutive steps ending in YieldSpin, and their tasks (at most 8).
  bool step_spun = false;
  uint64_t spin_steps = 0;
  std::vector<TaskId> spin_tasks;
  // Deadlocks and lock order.
  LockGraph locks;
  std::vector<KernelViolation> violations;
  std::function<void(const KernelViolation&)> violation_hook;
  std::unique_ptr<KernelExtension> extensions[kExtensionSlots];  // reset last in ~Kernel
  void ResetExtensions() {
    for (size_t i = kExtensionSlots; i-- > 0;) extensions[i].reset();
  }

  // --- runnable set ---
  void MakeRunnable(TaskId id) { MakeRunnable(id, tasks[id]); }
  void MakeRunnable(TaskId id, Task& t) {
    t.state = TaskState::kRunnable;
    if (config.strategy == Strategy::kPos) t.pos_priority = strategy_rng.Next();
    t.runnable_pos = static_cast<uint32_t>(runnable.size());
    runnable.push_back(id);
  }
  void RemoveRunnableAt(uint32_t pos) {
    const TaskId id = runnable[pos];
    const TaskId last = runnable.back();
    runnable[pos] = last;
    tasks[last].runnable_pos = pos;
    runnable.pop_back();
    tasks[id].runnable_pos = kNotRunnable;
  }

  // A crash marks every task of the process `unwinding` before it unwinds the first, and the
  // kernel's destructor sets `destroying`, so this is all a running task needs to check.
  bool Doomed(const Task& t) const { return t.unwinding || destroying; }
  bool CurrentDoomed() const {
    if (current == kNoTask) return crashing > 0 || destroying;
    return Doomed(tasks[current]);
  }
  Task& CurrentTask(const char* what) {
    Require(current != kNoTask, what);
    return tasks[current];
  }
  // The task a suspension call (Yield, Sleep, Block, Join) would suspend, or null when the call must
  // return at once: the task is doomed, or a crash or the kernel's destruction runs destructors in
  // kernel context.
  Task* Suspendable(const char* what) {
    if (current == kNoTask) {
      Require(crashing > 0 || destroying, what);
      return nullptr;
    }
    Task& t = tasks[current];
    return Doomed(t) ? nullptr : &t;
  }

  // --- events ---
  // A 4-ary min-heap: half the depth of a binary one, and a node's children share a cache line.
  void PushEvent(const Event& e) {
    size_t i = heap.size();
    heap.push_back(e);
    while (i > 0) {
      const size_t parent = (i - 1) / 4;
      if (!Earlier(e, heap[parent])) break;
      heap[i] = heap[parent];
      i = parent;
    }
    heap[i] = e;
  }
  Event PopEvent() {
    const Event top = heap[0];
    const Event last = heap.back();
    heap.pop_back();
    const size_t n = heap.size();
    if (n == 0) return top;
    size_t i = 0;
    for (;;) {
      const size_t first = 4 * i + 1;
      if (first >= n) break;
      const size_t end = std::min(first + 4, n);
      size_t best = first;
      for (size_t c = first + 1; c < end; ++c) {
        if (Earlier(heap[c], heap[best])) best = c;
      }
      if (!Earlier(heap[best], last)) break;
      heap[i] = heap[best];
      i = best;
    }
    heap[i] = last;
    return top;
  }
  // Reserves a payload slot and queues its event; the caller fills pending[slot].
  uint32_t PushPending(Nanos at_ns) {
    Require(at_ns >= now, "event scheduled in the past");
    uint32_t slot;
    if (!free_slots.empty()) {
      slot = free_slots.back();
      free_slots.pop_back();
    } else {
      slot = static_cast<uint32_t>(pending.size());
      Require(slot <= kSlotMask, "too many pending events");
      pending.emplace_back();
    }
    PushEvent(Event{at_ns, (seq++ << kSlotBits) | slot});
    return slot;
  }
  void PushCallback(Nanos at_ns, std::function<void()> fn, ProcessId owner, uint32_t incarnation) {
    Pending& p = pending[PushPending(at_ns)];
    p.fn = std::move(fn);
    p.task = kNoTask;
    p.owner = owner;
    p.incarnation = incarnation;
  }
  void PushTimer(Nanos at_ns, TaskId task, uint64_t gen) {
    Pending& p = pending[PushPending(at_ns)];
    p.task = task;
    p.gen = gen;
  }
  // An event that can no longer do anything: a timer of a wait that ended (woken, unwound), or a
  // callback whose owner crashed. Dropped unfired, without moving the clock.
  bool Stale(const Event& e) const {
    const Pending& p = pending[e.slot()];
    if (p.task != kNoTask) {
      const Task& t = tasks[p.task];
      return t.wait_gen != p.gen ||
             (t.state != TaskState::kBlocked && t.state != TaskState::kSleeping);
    }
    if (p.owner == kKernelId) return false;
    const Process& owner = *processes[p.owner];
    return owner.crashed_ || owner.incarnation_ != p.incarnation;
  }
  void DropEvent(const Event& e) {
    pending[e.slot()].fn = nullptr;
    free_slots.push_back(e.slot());
  }
  void DropStaleTop() {
    while (!heap.empty() && Stale(heap.front())) DropEvent(PopEvent());
  }
  void Fire(const Event& e);
  void FireDue(Nanos at_ns);

  // --- tasks ---
  TaskId Spawn(Process& p, std::string name, std::function<void()> fn);
  [[gnu::always_inline]] inline void Step();
  [[gnu::always_inline]] inline void Resume(TaskId id, Task& t);
  [[noreturn]] void StackOverflow(TaskId id) const;
  ctx::fiber TaskMain(TaskId id, ctx::fiber&& scheduler_fiber);
  void SwitchOut();
  void EndTask(TaskId id, std::string_view how);
  bool BlockImpl(std::string_view waits_on, TaskState state, Nanos deadline_ns,
                 const WaitTarget* target = nullptr, TaskId join_target = kNoTask);
  // --- wait-for graph ---
  TaskId WaitsFor(const Task& t) const {
    if (t.join_target != kNoTask) return t.join_target;
    return t.wait_target != nullptr ? t.wait_target->owner() : kNoTask;
  }
  void DetectCycle(TaskId me);
  bool LeadsToReported(TaskId id) const;
  bool HasBlockedJoiner(TaskId id) const;
  WaitingTask Describe(TaskId id) const;
  void Report(KernelViolation v) {
    violations.push_back(std::move(v));
    if (violation_hook) violation_hook(violations.back());
  }
  void UnwindTask(TaskId id);
  // kAbandon: the first pass takes the task off the CPU queue and marks it done (so no wake-up or
  // hand-off can reach it); the second runs its links and discards its stack or its unrun function.
  void Doom(TaskId id);
  void Discard(TaskId id);
  void Bury(std::shared_ptr<void> object);
  void AbandonTasks(const std::vector<TaskId>& ids) {
    for (TaskId id : ids) Doom(id);
    for (TaskId id : ids) Discard(id);
  }

  // --- crashes ---
  void DoCrash(ProcessId pid);
  void ProcessPendingCrashes() {
    while (!pending_crashes.empty()) {
      const ProcessId pid = pending_crashes.front();
      pending_crashes.erase(pending_crashes.begin());
      DoCrash(pid);
    }
  }

  // --- PCT ---
  void PctRenumber(size_t from) {
    const int64_t base = std::max(config.pct_depth, 1);
    for (size_t i = from; i < pct_order.size(); ++i) tasks[pct_order[i]].priority = base + int64_t(i);
  }
  void PctInsert(TaskId id) {
    // 0 = below every live task: with all-zero decisions earlier tasks run first (no preemption).
    const uint64_t pos = decisions.Uniform(pct_order.size() + 1, DecisionKind::kPriority);
    pct_order.insert(pct_order.begin() + static_cast<ptrdiff_t>(pos), id);
    PctRenumber(pos);
  }
  void PctRemove(TaskId id) {
    auto it = std::find(pct_order.begin(), pct_order.end(), id);
    if (it == pct_order.end()) return;
    const size_t pos = static_cast<size_t>(it - pct_order.begin());
    pct_order.erase(it);
    PctRenumber(pos);
  }
  uint32_t PctPick() const {
    uint32_t best = 0;
    for (uint32_t i = 1; i < runnable.size(); ++i) {
      if (tasks[runnable[i]].priority > tasks[runnable[best]].priority) best = i;
    }
    return best;
  }
  void PctAfterStep(TaskId id) {
    for (size_t i = 0; i < change_points.size(); ++i) {
      if (change_points[i] != steps || tasks[id].state == TaskState::kDone) continue;
      // Burckhardt et al.: at the i-th change point the running task drops to priority i, below
      // every initial priority (those start at d).
      PctRemove(id);
      tasks[id].priority = static_cast<int64_t>(i) + 1;
    }
  }

  // --- POS and SURW: the pick, recorded as the random walk's value for it ---
  uint32_t ChosenPick(uint32_t n) {
    uint32_t best = 0;
    if (config.strategy == Strategy::kPos) {
      for (uint32_t i = 1; i < n; ++i) {
        const Task& a = tasks[runnable[i]];
        const Task& b = tasks[runnable[best]];
        if (a.pos_priority > b.pos_priority || (a.pos_priority == b.pos_priority && runnable[i] < runnable[best]))
          best = i;
      }
    } else {
      uint64_t total = 0;
      for (uint32_t i = 0; i < n; ++i) total += SurwWeight(tasks[runnable[i]]);
      uint64_t r = strategy_rng.Below(total);
      for (best = 0; best + 1 < n; ++best) {
        const uint64_t w = SurwWeight(tasks[runnable[best]]);
        if (r < w) break;
        r -= w;
      }
    }
    const uint64_t v = decisions.Chosen(n - 1 - best, n, DecisionKind::kSchedule);
    return n - 1 - static_cast<uint32_t>(v);
  }
  static uint64_t SurwWeight(const Task& t) {
    return 1 + (t.access_estimate > t.accesses ? t.access_estimate - t.accesses : 0);
  }
  // POS: a step that touched `resource` redraws the priority of every runnable step racing with
  // it: the same resource, and at least one of the two writes.
  void PosAfterStep(uint64_t resource, bool write) {
    for (TaskId u : runnable) {
      Task& x = tasks[u];
      if (x.next_resource == resource && (write || x.next_write)) x.pos_priority = strategy_rng.Next();
    }
  }

  RunResult RunLoop(bool bounded, Nanos until_ns);
  void FillWaiting(RunResult& result);
};

// ---------------------------------------------------------------------------------------------
// Fibers and switches. Every switch is annotated for ASan (no-ops otherwise):
//   kernel -> task (first entry or resume): Resume's StartSwitch, TaskMain's / SwitchOut's Finish;
//   task -> kernel (yield/block):           SwitchOut's StartSwitch, Resume's FinishSwitch;
//   task -> kernel (the task returned):     TaskMain's StartSwitch(nullptr), Resume's Finish;
//   kernel -> task (destroy: forced unwind): UnwindTask's StartSwitch, SwitchOut's catch Finish;
//   task -> kernel (after the unwind):      TaskMain's catch StartSwitch(nullptr), UnwindTask's Finish.
// Boost's fiber constructor also jumps once into the new stack and straight back, inside
// boost::context::detail::fiber_entry, before any of our code can run there; that round trip runs
// no instrumented code of ours and cannot be annotated (no hook on the fiber side). It is harmless:
// nothing in it asks ASan for the current stack.
// ---------------------------------------------------------------------------------------------

// Inlined into Step: as a call it cost the step about 8 ns (registers saved around the switch).
inline void Kernel::Impl::Resume(TaskId id, Task& t) {
  current = id;
  t.state = TaskState::kRunning;
  if (!t.fiber) {
    t.fiber = ctx::fiber(std::allocator_arg, PooledStack(*pool),
                         [this, id](ctx::fiber&& k) { return TaskMain(id, std::move(k)); });
    const ctx::stack_context& stack = pool->last_allocated();
    t.stack_bottom = static_cast<char*>(stack.sp) - stack.size;
    t.stack_size = stack.size;
    t.has_canary = pool->last_has_canary();
  }
  decisions.set_context(t.context);
  internal::StartSwitch(&kernel_fake_stack, t.stack_bottom, t.stack_size);
  t.fiber = std::move(t.fiber).resume();
  internal::FinishSwitch(kernel_fake_stack, nullptr, nullptr);
  decisions.set_context(0);
  // A finished task's stack is back in the pool, which checked it.
  if (t.has_canary && t.state != TaskState::kDone && !StackPool::CanaryIntact(t.stack_bottom)) StackOverflow(id);
  current = kNoTask;
}

void Kernel::Impl::StackOverflow(TaskId id) const {
  const Task& t = tasks[id];
  std::fprintf(stderr,
               "seedbed: task %s/%s overflowed its %zu KiB fiber stack (the canary at its bottom was "
               "overwritten, so a neighbouring stack may be corrupt); raise KernelConfig::stack_bytes\n",
               processes[t.process]->name_.c_str(), t.name.c_str(), t.stack_size / 1024);
  std::fflush(stderr);
  std::abort();
}

ctx::fiber Kernel::Impl::TaskMain(TaskId id, ctx::fiber&& scheduler_fiber) {
  scheduler = std::move(scheduler_fiber);
  internal::FinishSwitch(nullptr, &kernel_stack_bottom, &kernel_stack_size);
  try {
    // Moved out so that its captures die on this fiber, as part of the task (or of its unwind).
    std::function<void()> fn = std::move(tasks[id].fn);
    fn();
    for (auto& extension : extensions)
      if (extension) extension->OnTaskExit(id);
  } catch (const ctx::detail::forced_unwind&) {
    // Boost's fiber_entry catches this and switches to the destroying context: announce it.
    internal::StartSwitch(nullptr, kernel_stack_bottom, kernel_stack_size);
    throw;
  } catch (...) {
    if (!pending_exception) pending_exception = std::current_exception();
  }
  EndTask(id, "");
  internal::StartSwitch(nullptr, kernel_stack_bottom, kernel_stack_size);
  return std::move(scheduler);
}

void Kernel::Impl::SwitchOut() {
  void* fake_stack = nullptr;  // lives on this task's stack, which the switch preserves
  internal::StartSwitch(&fake_stack, kernel_stack_bottom, kernel_stack_size);
#if defined(SEEDBED_ASAN_FIBERS)
  try {
    scheduler = std::move(scheduler).resume();
  } catch (const ctx::detail::forced_unwind&) {
    internal::FinishSwitch(fake_stack, &kernel_stack_bottom, &kernel_stack_size);
    throw;
  }
#else
  scheduler = std::move(scheduler).resume();
#endif
  internal::FinishSwitch(fake_stack, &kernel_stack_bottom, &kernel_stack_size);
}

void Kernel::Impl::UnwindTask(TaskId id) {
  Task& t = tasks[id];
  if (t.state == TaskState::kDone) {
    t.unwinding = false;
    return;
  }
  if (t.runnable_pos != kNotRunnable) RemoveRunnableAt(t.runnable_pos);
  t.state = TaskState::kDone;
  t.unwinding = true;
  ++t.wait_gen;
  const TaskId saved = current;
  current = id;
  if (t.fiber) {
    internal::StartSwitch(&kernel_fake_stack, t.stack_bottom, t.stack_size);
    { ctx::fiber doomed = std::move(t.fiber); }  // forced unwind: the task's destructors run
    internal::FinishSwitch(kernel_fake_stack, nullptr, nullptr);
  } else {
    std::function<void()> fn = std::move(t.fn);  // never ran: only its captures die
  }
  current = saved;
  t.unwinding = false;
  EndTask(id, "unwound");
}

void Kernel::Impl::Doom(TaskId id) {
  Task& t = tasks[id];
  if (t.state == TaskState::kDone) return;
  if (t.runnable_pos != kNotRunnable) RemoveRunnableAt(t.runnable_pos);
  t.state = TaskState::kDone;
  t.unwinding = true;  // for CurrentTaskDoomed; cleared by Discard: the task never runs again
  ++t.wait_gen;        // its timers are stale
}

void Kernel::Impl::Discard(TaskId id) {
  Task& t = tasks[id];
  if (!t.unwinding) return;  // ended before the crash, or already discarded
  t.unwinding = false;
  // Harness bookkeeping, not the task's code: wait lists forget it, what it held or was handed
  // passes on. A link may wake other tasks (never this one: it is done) and draw decisions.
  while (TaskLink* link = Kernel::PopLink(t.links)) link->Abandoned(id);
  if (t.fiber) {
    // The fiber object is ended without its destructor (which would unwind): see kernel.h.
    alignas(ctx::fiber) unsigned char grave[sizeof(ctx::fiber)];
    ::new (static_cast<void*>(grave)) ctx::fiber(std::move(t.fiber));
    boost::context::stack_context stack;
    stack.size = t.stack_size;
    stack.sp = static_cast<char*>(const_cast<void*>(t.stack_bottom)) + t.stack_size;
    pool->Abandon(stack);
  } else if (t.fn) {
    // Never ran: its captures are the process's memory too; destroying them could run its code.
    Bury(std::make_shared<std::function<void()>>(std::move(t.fn)));
    t.fn = nullptr;
  }
  EndTask(id, "abandoned");
}

void Kernel::Impl::Bury(std::shared_ptr<void> object) {
  if (graveyard == nullptr) {
    graveyard = new std::vector<std::shared_ptr<void>>();
    internal::IgnoreLeak(graveyard);
  }
  graveyard->push_back(std::move(object));
}

void Kernel::Impl::EndTask(TaskId id, std::string_view how) {
  Task& t = tasks[id];
  t.state = TaskState::kDone;
  locks.TaskEnded(id);
  trace.Add(now, t.process, id, EventKind::kTaskEnd, how);
  std::vector<TaskId> joiners = std::move(t.joiners);
  t.joiners.clear();
  for (TaskId j : joiners) {
    Task& w = tasks[j];
    if (w.state != TaskState::kBlocked) continue;
    ++w.wait_gen;
    MakeRunnable(j);
  }
  if (config.strategy == Strategy::kPct) PctRemove(id);
}

// ---------------------------------------------------------------------------------------------
// The scheduler.
// ---------------------------------------------------------------------------------------------

inline void Kernel::Impl::Step() {
  const uint32_t n = static_cast<uint32_t>(runnable.size());
  uint32_t pos;
  if (config.strategy == Strategy::kPct) {
    pos = PctPick();
  } else if (n == 1) {
    pos = 0;
  } else if (config.strategy == Strategy::kRandom) [[likely]] {
    // Value v picks the v-th most recently readied task: 0 = the one that just yielded or was
    // woken last, so an all-zero schedule (the shrinker's floor) runs each task until it blocks.
    pos = n - 1 - static_cast<uint32_t>(decisions.Uniform(n, DecisionKind::kSchedule));
  } else {
    pos = ChosenPick(n);
  }
  const TaskId id = runnable[pos];
  RemoveRunnableAt(pos);
  Task& t = tasks[id];
  ++events;
  ++steps;
  trace.Add(now, t.process, id, EventKind::kStep);
  t.last_step_ns = now;
  const uint64_t resource = t.next_resource;
  const bool write = t.next_write;
  t.next_resource = 0;
  t.accesses += resource != 0 ? 1 : 0;
  step_spun = false;
  Resume(id, t);
  if (step_spun) [[unlikely]] {
    ++spin_steps;
    if (spin_tasks.size() < 8 && std::find(spin_tasks.begin(), spin_tasks.end(), id) == spin_tasks.end())
      spin_tasks.push_back(id);
  } else if (spin_steps != 0) {
    spin_steps = 0;
    spin_tasks.clear();
  }
  if (config.strategy == Strategy::kPct) PctAfterStep(id);
  if (resource != 0 && config.strategy == Strategy::kPos) PosAfterStep(resource, write);
  if (!pending_crashes.empty()) ProcessPendingCrashes();
  if (pending_exception) std::rethrow_exception(std::exchange(pending_exception, nullptr));
}

void Kernel::Impl::Fire(const Event& e) {
  const uint32_t slot = e.slot();
  Pending& p = pending[slot];
  if (p.task != kNoTask) {
    const TaskId id = p.task;
    const uint64_t gen = p.gen;
    free_slots.push_back(slot);
    Task& t = tasks[id];
    trace.Add(now, t.process, id, EventKind::kTimer);
    if (t.wait_gen != gen) return;
    if (t.state != TaskState::kBlocked && t.state != TaskState::kSleeping) return;
    t.timed_out = t.state == TaskState::kBlocked;
    ++t.wait_gen;
    MakeRunnable(id);
    return;
  }
  // Moved out: the callback may schedule events, which may grow `pending`.
  std::function<void()> fn = std::move(p.fn);
  p.fn = nullptr;
  const ProcessId owner = p.owner;
  const uint32_t incarnation = p.incarnation;
  free_slots.push_back(slot);
  if (owner != kKernelId) {
    const Process& proc = *processes[owner];
    if (proc.crashed_ || proc.incarnation_ != incarnation) {
      trace.Add(now, owner, kKernelId, EventKind::kTimer, "dropped: owner crashed");
      return;
    }
  }
  trace.Add(now, owner, kKernelId, EventKind::kTimer);
  fn();
}

void Kernel::Impl::FireDue(Nanos at_ns) {
  now = at_ns;
  const Event first = PopEvent();
  if (heap.empty() || heap.front().at_ns != at_ns) {
    ++events;
    Fire(first);
    return;
  }
  batch.clear();
  batch.push_back(first);
  while (!heap.empty() && heap.front().at_ns == at_ns) {
    const Event e = PopEvent();
    if (Stale(e)) {
      DropEvent(e);
    } else {
      batch.push_back(e);
    }
  }
  // Ties: a recorded decision picks which fires next; 0 = the earliest scheduled (FIFO).
  while (!batch.empty()) {
    if (stop || events >= config.event_budget) {
      for (const Event& e : batch) PushEvent(e);
      batch.clear();
      return;
    }
    const size_t i = decisions.Uniform(batch.size(), DecisionKind::kTimerTie);
    const Event e = batch[i];
    batch.erase(batch.begin() + static_cast<ptrdiff_t>(i));
    ++events;
    Fire(e);
  }
}

WaitingTask Kernel::Impl::Describe(TaskId id) const {
  const Task& t = tasks[id];
  WaitingTask w{processes[t.process]->name_, t.name, t.waits_on, locks.Held(id), t.must_finish};
  if (t.state == TaskState::kSleeping) w.waits_on = fmt::format("sleep until {:.6f}s", t.wake_at_ns / 1e9);
  if (t.state == TaskState::kRunnable || t.state == TaskState::kRunning) w.waits_on = "nothing (runnable)";
  if (t.state == TaskState::kBlocked && t.wake_at_ns >= 0)
    w.waits_on += fmt::format(" (times out at {:.6f}s)", t.wake_at_ns / 1e9);
  return w;
}

bool Kernel::Impl::LeadsToReported(TaskId id) const {
  TaskId cur = id;
  for (uint32_t n = 0; n <= tasks.size() && cur != kNoTask; ++n) {  // bounded: a chain visits each task once
    const Task& t = tasks[cur];
    if (t.in_deadlock) return true;
    if (t.state != TaskState::kBlocked) return false;
    cur = WaitsFor(t);
  }
  return false;
}

bool Kernel::Impl::HasBlockedJoiner(TaskId id) const {
  for (TaskId j : tasks[id].joiners)
    if (tasks[j].state == TaskState::kBlocked && tasks[j].join_target == id) return true;
  return false;
}

// Quiescence: a deadlock if a task that must finish (marked, or joined by a waiting task) is
// blocked; idle background tasks alone are not one. The tasks named are not named again later.
void Kernel::Impl::FillWaiting(RunResult& result) {
  bool stuck = false;     // a new deadlock: a task that must finish is blocked
  bool reported = false;  // tasks of a deadlock reported before are still blocked
  std::vector<TaskId> named;
  for (TaskId id = 0; id < tasks.size(); ++id) {
    const Task& t = tasks[id];
    if (t.state != TaskState::kBlocked) continue;
    WaitingTask w = Describe(id);
    w.reported = LeadsToReported(id);
    w.must_finish = t.must_finish || HasBlockedJoiner(id);
    stuck = stuck || (w.must_finish && !w.reported);
    reported = reported || w.reported;
    if (!w.reported) named.push_back(id);
    result.waiting.push_back(std::move(w));
  }
  if (!stuck && !reported) {
    result.waiting.clear();
    return;
  }
  if (stuck)
    for (TaskId id : named) tasks[id].in_deadlock = true;
}

void Kernel::Impl::DetectCycle(TaskId me) {
  std::vector<TaskId> cycle{me};
  TaskId cur = WaitsFor(tasks[me]);
  for (uint32_t n = 0; n <= tasks.size() && cur != kNoTask; ++n) {  // bounded as in LeadsToReported
    if (cur == me) break;
    const Task& c = tasks[cur];
    if (c.state != TaskState::kBlocked || c.in_deadlock) return;
    if (std::find(cycle.begin(), cycle.end(), cur) != cycle.end()) return;  // a cycle not through me
    cycle.push_back(cur);
    cur = WaitsFor(c);
  }
  if (cur != me) return;
  KernelViolation v;
  v.invariant = "deadlock";
  v.time_ns = now;
  std::string ring;
  for (TaskId id : cycle) {
    tasks[id].in_deadlock = true;
    const WaitingTask w = Describe(id);
    ring += fmt::format("{}/{} -> ", w.process, w.task);
    std::string holds;
    for (const std::string& h : w.holds) holds += (holds.empty() ? "" : ", ") + h;
    v.evidence.push_back(fmt::format("{}/{} holds {} and waits on {}", w.process, w.task,
                                     holds.empty() ? "no mutex" : "mutex " + holds, w.waits_on));
  }
  ring += fmt::format("{}/{}", processes[tasks[me].process]->name_, tasks[me].name);
  v.message = fmt::format("wait-for cycle of {} tasks, each waiting on the next: {}", cycle.size(), ring);
  Report(std::move(v));
}

RunResult Kernel::Impl::RunLoop(bool bounded, Nanos until_ns) {
  Require(current == kNoTask, "Run called from a task");
  RunResult result;
  for (;;) {
    if (stop) {
      stop = false;
      result.outcome = RunOutcome::kStopped;
      break;
    }
    if (!runnable.empty()) {
      if (events >= config.event_budget) {
        result.outcome = RunOutcome::kEventBudget;
        break;
      }
      Step();
      continue;
    }
    DropStaleTop();
    if (heap.empty()) {
      FillWaiting(result);
      result.outcome = result.waiting.empty() ? RunOutcome::kQuiescent : RunOutcome::kDeadlock;
      break;
    }
    const Nanos next = heap.front().at_ns;
    if (next > config.time_budget_ns) {
      result.outcome = RunOutcome::kTimeBudget;
      break;
    }
    if (bounded && next > until_ns) {
      now = std::max(now, until_ns);
      result.outcome = RunOutcome::kUntilReached;
      break;
    }
    if (events >= config.event_budget) {
      result.outcome = RunOutcome::kEventBudget;
      break;
    }
    FireDue(next);
  }
  result.events = events;
  result.end_time_ns = now;
  return result;
}

TaskId Kernel::Impl::Spawn(Process& p, std::string name, std::function<void()> fn) {
  const TaskId id = tasks.Add();
  Task& t = tasks[id];
  t.process = p.id_;
  t.name = std::move(name);
  t.context = Decisions::ContextOf(p.name_, t.name, p.incarnation_);
  t.key = Kernel::TaskKey(p.name_, t.name);
  if (config.hints) t.access_estimate = config.hints->AccessesOf(t.key);
  trace.Add(now, p.id_, id, EventKind::kSpawn, t.name);
  if (p.crashed_) {
    t.state = TaskState::kDone;  // born dead: a crashed process runs nothing
    trace.Add(now, p.id_, id, EventKind::kTaskEnd, "process crashed");
    return id;
  }
  t.fn = std::move(fn);
  p.tasks_.push_back(id);
  if (config.strategy == Strategy::kPct) PctInsert(id);
  MakeRunnable(id);
  return id;
}

bool Kernel::Impl::BlockImpl(std::string_view waits_on, TaskState state, Nanos deadline_ns,
                             const WaitTarget* target, TaskId join_target) {
  const TaskId id = current;
  Task* task = Suspendable("Block/Sleep outside a task");
  if (task == nullptr) return false;
  Task& t = *task;
  ++t.wait_gen;
  t.timed_out = false;
  if (deadline_ns >= 0) PushTimer(deadline_ns, id, t.wait_gen);
  t.state = state;
  t.wake_at_ns = deadline_ns;
  // A timed wait ends by itself: it is never part of a deadlock.
  t.wait_target = deadline_ns < 0 ? target : nullptr;
  t.join_target = deadline_ns < 0 ? join_target : kNoTask;
  if (state == TaskState::kBlocked) {
    t.waits_on.assign(waits_on.data(), waits_on.size());
    trace.Add(now, t.process, id, EventKind::kBlock, waits_on);
    if (t.wait_target != nullptr || t.join_target != kNoTask) DetectCycle(id);
  }
  SwitchOut();
  return !t.timed_out;
}

void Kernel::Impl::DoCrash(ProcessId pid) {
  Process& p = *processes[pid];
  if (p.crashed_) return;
  p.crashed_ = true;
  ++crashing;
  trace.Add(now, pid, kKernelId, EventKind::kCrash, p.name_);
  const bool abandon = config.crash_mode == CrashMode::kAbandon;
  if (abandon) {
    AbandonTasks(p.tasks_);
  } else {
    for (TaskId id : p.tasks_) tasks[id].unwinding = true;  // doomed from this instant
    for (size_t i = 0; i < p.tasks_.size(); ++i) UnwindTask(p.tasks_[i]);
  }
  for (size_t i = 0; i < p.crash_hooks_.size(); ++i) {
    std::function<void()> hook = p.crash_hooks_[i];  // a hook may register another
    hook();
  }
  if (abandon) {
    for (auto& kept : p.kept_) Bury(std::move(kept));
    p.kept_.clear();
  }
  while (!p.kept_.empty()) p.kept_.pop_back();  // reverse order of Keep
  --crashing;
}

// ---------------------------------------------------------------------------------------------
// The public face.
// ---------------------------------------------------------------------------------------------

Kernel::Kernel(KernelConfig config) : impl_(std::make_unique<Impl>(std::move(config))) {}

Kernel::~Kernel() {
  Impl& k = *impl_;
  RunningScope running(this);
  k.destroying = true;
  if (k.config.crash_mode == CrashMode::kAbandon) {
    std::vector<TaskId> live;
    for (TaskId id = 0; id < k.tasks.size(); ++id)
      if (k.tasks[id].state != TaskState::kDone) live.push_back(id);
    k.AbandonTasks(live);
    for (auto& p : k.processes) {
      for (auto& kept : p->kept_) k.Bury(std::move(kept));
      p->kept_.clear();
    }
    k.ResetExtensions();
    return;
  }
  for (TaskId id = 0; id < k.tasks.size(); ++id) k.UnwindTask(id);
  for (auto& p : k.processes) {
    while (!p->kept_.empty()) p->kept_.pop_back();
  }
  k.ResetExtensions();
}

TaskLink* Kernel::PopLink(TaskLink*& head) {
  TaskLink* link = head;
  if (link == nullptr) return nullptr;
  head = link->next_;
  if (head != nullptr) head->prev_ = nullptr;
  link->next_ = nullptr;
  link->task_ = kNoTask;
  return link;
}

void Kernel::Link(TaskId task, TaskLink& link) {
  Impl& k = *impl_;
  if (k.config.crash_mode != CrashMode::kAbandon || task == kNoTask) return;
  Task& t = k.tasks[task];
  if (t.state == TaskState::kDone) return;
  Require(!link.linked(), "a TaskLink linked twice");
  link.task_ = task;
  link.prev_ = nullptr;
  link.next_ = t.links;
  if (t.links != nullptr) t.links->prev_ = &link;
  t.links = &link;
}

void Kernel::Unlink(TaskLink& link) {
  if (link.task_ == kNoTask) return;
  Task& t = impl_->tasks[link.task_];
  if (link.prev_ != nullptr) {
    link.prev_->next_ = link.next_;
  } else {
    t.links = link.next_;
  }
  if (link.next_ != nullptr) link.next_->prev_ = link.prev_;
  link.prev_ = nullptr;
  link.next_ = nullptr;
  link.task_ = kNoTask;
}

Process& Kernel::AddProcess(std::string name, BootFn boot) {
  auto p = std::make_unique<Process>();
  p->id_ = static_cast<ProcessId>(impl_->processes.size());
  p->name_ = std::move(name);
  p->boot_ = std::move(boot);
  Process& ref = *p;
  impl_->processes.push_back(std::move(p));
  Spawn(ref, "boot", [&ref] { ref.boot_(ref); });
  return ref;
}

Process& Kernel::process(ProcessId id) { return *impl_->processes.at(id); }
size_t Kernel::process_count() const { return impl_->processes.size(); }

TaskId Kernel::Spawn(Process& process, std::string name, std::function<void()> fn) {
  return impl_->Spawn(process, std::move(name), std::move(fn));
}

RunResult Kernel::Run() {
  RunningScope running(this);
  return impl_->RunLoop(false, 0);
}
RunResult Kernel::RunUntil(Nanos until_ns) {
  RunningScope running(this);
  return impl_->RunLoop(true, until_ns);
}
void Kernel::Stop() { impl_->stop = true; }

Nanos Kernel::Now() const { return impl_->now; }
uint64_t Kernel::events() const { return impl_->events; }
uint64_t Kernel::steps() const { return impl_->steps; }
uint64_t Kernel::spin_steps() const { return impl_->spin_steps; }

std::vector<std::string> Kernel::spinning_tasks() const {
  std::vector<std::string> out;
  for (TaskId id : impl_->spin_tasks) out.push_back(TaskLabel(id));
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::pair<uint32_t, uint64_t>> Kernel::AccessCounts() const {
  const Impl& k = *impl_;
  std::vector<std::pair<uint32_t, uint64_t>> out;
  for (TaskId id = 0; id < k.tasks.size(); ++id) out.emplace_back(k.tasks[id].key, k.tasks[id].accesses);
  std::sort(out.begin(), out.end());
  size_t w = 0;  // sum equal keys (a task's incarnations, same-named tasks)
  for (size_t r = 0; r < out.size(); ++r) {
    if (w > 0 && out[w - 1].first == out[r].first) {
      out[w - 1].second += out[r].second;
    } else {
      out[w++] = out[r];
    }
  }
  out.resize(w);
  return out;
}

uint32_t StrategyHints::AccessesOf(uint32_t task_key) const {
  auto it = std::lower_bound(accesses_by_task.begin(), accesses_by_task.end(),
                             std::pair<uint32_t, uint32_t>{task_key, 0});
  return it != accesses_by_task.end() && it->first == task_key ? it->second : 0;
}

void Kernel::WillAccess(uint64_t resource, bool write) {
  Impl& k = *impl_;
  if (!k.tracking || k.current == kNoTask) return;
  Task& t = k.tasks[k.current];
  t.next_resource = resource;
  t.next_write = write;
}

bool Kernel::tracks_accesses() const { return impl_->tracking; }

uint64_t Kernel::ResourceKey(std::string_view kind, std::string_view name) {
  uint64_t h = 0xcbf29ce484222325ull;  // FNV-1a
  auto mix = [&h](std::string_view bytes) {
    for (unsigned char c : bytes) {
      h ^= c;
      h *= 0x100000001b3ull;
    }
  };
  mix(kind);
  mix(std::string_view("\0", 1));
  mix(name);
  return h == 0 ? 1 : h;
}

uint32_t Kernel::TaskKey(std::string_view process, std::string_view task) {
  return Decisions::ContextOf(process, task, 0);
}

void Kernel::ScheduleAt(Nanos at_ns, std::function<void()> fn) {
  impl_->PushCallback(at_ns, std::move(fn), kKernelId, 0);
}

void Kernel::ScheduleFor(Process& owner, Nanos at_ns, std::function<void()> fn) {
  impl_->PushCallback(at_ns, std::move(fn), owner.id_, owner.incarnation_);
}

TaskId Kernel::current_task() const { return impl_->current; }

Process& Kernel::current_process() {
  return *impl_->processes[impl_->CurrentTask("current_process outside a task").process];
}

void Kernel::Yield() {
  Impl& k = *impl_;
  Task* t = k.Suspendable("Yield outside a task");
  if (t == nullptr) return;
  k.MakeRunnable(k.current, *t);
  k.SwitchOut();
}

void Kernel::Preempt() {
  Impl& k = *impl_;
  if (k.runnable.empty()) return;  // nobody else could run: not a scheduling point
  Yield();
}

void Kernel::YieldSpin() {
  Impl& k = *impl_;
  Task* t = k.Suspendable("YieldSpin outside a task");
  if (t == nullptr) return;
  k.step_spun = true;
  if (k.config.strategy == Strategy::kPct) {
    // Below every live task, later yielders lower still (change-point priorities are >= 1).
    k.PctRemove(k.current);
    t->priority = --k.yield_floor;
  }
  k.MakeRunnable(k.current, *t);
  k.SwitchOut();
}

void Kernel::SleepFor(Nanos duration_ns) { SleepUntil(impl_->now + std::max<Nanos>(duration_ns, 0)); }

void Kernel::SleepUntil(Nanos at_ns) {
  Impl& k = *impl_;
  if (k.Suspendable("Sleep outside a task") == nullptr) return;
  if (at_ns <= k.now) {
    Yield();
    return;
  }
  k.BlockImpl("sleep", TaskState::kSleeping, at_ns);
}

void Kernel::Join(TaskId task) {
  Impl& k = *impl_;
  const TaskId me = k.current;
  Require(task != me, "a task joined itself");
  Require(task < k.tasks.size(), "Join of an unknown task");
  // Bounded: each pass either returns or waits for the one wake-up the target's end sends.
  while (k.tasks[task].state != TaskState::kDone) {
    if (k.Suspendable("Join outside a task") == nullptr) return;
    k.tasks[task].joiners.push_back(me);
    k.BlockImpl(fmt::format("join {}", TaskLabel(task)), TaskState::kBlocked, -1, nullptr, task);
  }
}

bool Kernel::TaskDone(TaskId task) const {
  return impl_->tasks[task].state == TaskState::kDone;
}
const std::string& Kernel::task_name(TaskId task) const { return impl_->tasks[task].name; }
ProcessId Kernel::task_process(TaskId task) const { return impl_->tasks[task].process; }

std::string Kernel::TaskLabel(TaskId task) const {
  if (task == kNoTask || task >= impl_->tasks.size()) return "none";
  const Task& t = impl_->tasks[task];
  return fmt::format("{}/{}", impl_->processes[t.process]->name_, t.name);
}

void Kernel::Block(std::string_view waits_on, const WaitTarget* target) {
  impl_->BlockImpl(waits_on, TaskState::kBlocked, -1, target);
}

void Kernel::SetMustFinish(TaskId task) { impl_->tasks[task].must_finish = true; }

std::vector<WaitingTask> Kernel::Unfinished() const {
  const Impl& k = *impl_;
  std::vector<WaitingTask> out;
  for (TaskId id = 0; id < k.tasks.size(); ++id) {
    const Task& t = k.tasks[id];
    if (!t.must_finish || t.state == TaskState::kDone || k.LeadsToReported(id)) continue;
    WaitingTask w = k.Describe(id);
    w.waits_on += t.last_step_ns < 0 ? "; never ran" : fmt::format("; last ran at {:.6f}s", t.last_step_ns / 1e9);
    out.push_back(std::move(w));
  }
  return out;
}

void Kernel::Report(KernelViolation violation) { impl_->Report(std::move(violation)); }
void Kernel::OnViolation(std::function<void(const KernelViolation&)> hook) { impl_->violation_hook = std::move(hook); }
const std::vector<KernelViolation>& Kernel::violations() const { return impl_->violations; }
LockGraph& Kernel::locks() { return impl_->locks; }

bool Kernel::BlockFor(std::string_view waits_on, Nanos timeout_ns) {
  return impl_->BlockImpl(waits_on, TaskState::kBlocked, impl_->now + std::max<Nanos>(timeout_ns, 0));
}

void Kernel::Wake(TaskId task) { TryWake(task); }

bool Kernel::TryWake(TaskId task) {
  Impl& k = *impl_;
  Task& t = k.tasks[task];
  if (t.state != TaskState::kBlocked) return false;
  ++t.wait_gen;
  t.timed_out = false;
  k.MakeRunnable(task);
  k.trace.Add(k.now, t.process, task, EventKind::kWake);
  return true;
}

void Kernel::Crash(Process& process) {
  Impl& k = *impl_;
  if (process.crashed_) return;
  if (k.current == kNoTask) {
    RunningScope running(this);  // the unwound tasks' destructors may reach sim/foreign/
    k.DoCrash(process.id_);
    k.ProcessPendingCrashes();
    return;
  }
  k.pending_crashes.push_back(process.id_);
  Task& t = k.tasks[k.current];
  if (k.Doomed(t)) return;  // being unwound: the kernel crashes it once this unwind is over
  if (t.process != process.id_) {
    k.MakeRunnable(k.current);
  } else {
    t.state = TaskState::kBlocked;  // about to be unwound by the kernel; never resumed
    t.waits_on = "its own crash";
    t.wait_target = nullptr;
    t.join_target = kNoTask;
  }
  k.SwitchOut();  // the kernel crashes the process; for our own process this throws forced_unwind
}

void Kernel::Restart(Process& process) {
  Impl& k = *impl_;
  Require(process.crashed_, "Restart of a process that is not crashed");
  ++process.incarnation_;
  process.crashed_ = false;
  process.tasks_.clear();
  k.trace.Add(k.now, process.id_, kKernelId, EventKind::kRestart, process.name_);
  Spawn(process, "boot", [&process] { process.boot_(process); });
}

bool Kernel::CurrentTaskDoomed() const { return impl_->CurrentDoomed(); }

Kernel* Kernel::RunningOnThisThread() { return running_kernel; }
KernelExtension* Kernel::extension(size_t slot) const {
  Require(slot < kExtensionSlots, "Kernel::extension: no such slot");
  return impl_->extensions[slot].get();
}
void Kernel::set_extension(std::unique_ptr<KernelExtension> extension) {
  set_extension(kForeignSlot, std::move(extension));
}
void Kernel::set_extension(size_t slot, std::unique_ptr<KernelExtension> extension) {
  Require(slot < kExtensionSlots, "Kernel::set_extension: no such slot");
  Require(impl_->extensions[slot] == nullptr, "Kernel::set_extension called twice");
  impl_->extensions[slot] = std::move(extension);
}

Decisions& Kernel::decisions() { return impl_->decisions; }
Trace& Kernel::trace() { return impl_->trace; }
const KernelConfig& Kernel::config() const { return impl_->config; }

}  // namespace seedbed
