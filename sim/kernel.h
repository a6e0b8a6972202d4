// The simulation kernel: one thread, simulated time, an event queue, tasks as stackful fibers grouped
// into processes that crash and restart, and one Decisions object through which every
// nondeterministic choice of the run is drawn and recorded. Not thread-safe: one Kernel per thread,
// several Kernels may live in one program (no globals).
//
// Calls marked "From a task" must be made on a task's fiber; they may yield.
//
// Crashes unwind a task by destroying its suspended fiber: Boost.Context throws
// boost::context::detail::forced_unwind from the task's suspension point, so destructors run and
// nothing else of the task does. Code under test must therefore never swallow that exception:
// a `catch (...)` must rethrow (`catch (...) { cleanup(); throw; }`), and `catch (const
// std::exception&)` is safe (forced_unwind does not derive from it). A swallowed forced_unwind
// keeps running a dead process and corrupts the kernel. During the unwind, Yield/SleepFor/Block/
// Join return at once and CurrentTaskDoomed() is true.
//
// That is CrashMode::kUnwind, the default. CrashMode::kAbandon (KernelConfig::crash_mode, chosen
// per scenario through ScenarioInfo::crash_mode) runs nothing of a crashed task, as a real crash
// does: for an engine built with exceptions, whose destructors a forced unwind would run until it
// terminates at a noexcept boundary. The kernel then
//  - never resumes or destroys the task's fiber. boost::context::fiber has no release(), so the
//    fiber object is moved into raw storage whose lifetime ends without its destructor running
//    ([basic.life]: ending an object's lifetime by reusing its storage is allowed when nothing
//    depends on the destructor's side effects, and a fiber's only side effect is the unwind we
//    avoid), and the kernel gives the stack back to its pool itself, as fiber_exit would have.
//    Whatever the dead frames owned (heap memory, locks of their own process) is leaked, as a real
//    crash leaks it. Under ASan the stack is never reused but registered as a LeakSanitizer root
//    region instead, so that deliberate leak is not reported.
//  - calls TaskLink::Abandoned on every link of the task (see TaskLink): sync objects (sim/sync.h)
//    link their wait-list entries and lock holders, so the task leaves every wait list, a lock it
//    held or was handed passes to a live waiter, and a notification it was picked for goes to
//    another waiter. Tasks of other processes are not disturbed.
//  - leaks the process's kept objects (Process::Keep) and the captures of tasks that never ran,
//    instead of destroying them. The crash hooks (the world's disk) still run: they are the
//    harness, not the process.
// In kAbandon mode ~Kernel abandons the tasks and kept objects still alive in the same way.
//
// Any other exception escaping a task ends that task and is rethrown by Run()/RunUntil() in the
// caller's context (so a Catch2 REQUIRE inside a task fails the test).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "model/env/env.h"
#include "sim/decisions.h"
#include "sim/lock_graph.h"
#include "sim/trace.h"

namespace seedbed {

using Nanos = int64_t;
using TaskId = uint32_t;
using ProcessId = uint32_t;
inline constexpr TaskId kNoTask = ~TaskId{0};

// How the scheduler picks the next runnable task (see "Strategies" in README.md):
//  kRandom  uniform random walk over the runnable tasks (a kSchedule decision per step).
//  kPct     Burckhardt et al. (ASPLOS 2010): random task priorities, d-1 change points drawn from
//           1..k steps (KernelConfig::pct_steps_estimate); a task that yields of its own accord
//           (YieldSpin) drops below every other task, as PCT for pthread programs does.
//  kPos     partial-order sampling (Yuan et al., CAV 2018): each task's next step gets a random
//           priority when it becomes runnable; the highest runs; after a step, every runnable step
//           that races with it (KernelConfig: Access) gets a fresh priority.
//  kSurw    selectively uniform walk (after Zhao et al., ASPLOS 2025): a task is picked with
//           probability proportional to 1 + its estimated remaining accesses to shared resources
//           (StrategyHints), which samples interleavings of those accesses near uniformly.
// kPos and kSurw record their pick as the kSchedule decision the random walk would have drawn for
// it, so a failure's decision list replays under any strategy (their own state is never needed).
//  kPortfolio  not a kernel strategy: scenarios/runner.h resolves it per seed to one of the others
//           (PortfolioMember) before a run; the kernel refuses it.
//  kGuided  not a kernel strategy either: a campaign's feedback-guided fuzzer (scenarios/campaign/
//           guided.h) replays mutated decision lists under the random walk.
//  kDelay   the random walk with stalls (KernelConfig::stalls). Races between processes and tasks
//           of one simulated machine are mostly races in simulated time: which store, disk or
//           network operation completes first is decided by latency draws, which no choice among
//           the tasks runnable at one instant reorders. Stalls stretch some latency draws of the
//           chaos phase by a large factor (Decisions::Stall), so one operation overtakes several.
enum class Strategy : uint8_t { kRandom, kPct, kPos, kSurw, kPortfolio, kGuided, kDelay };

// What a strategy may know of a scenario before a run, estimated from earlier runs (the
// campaign's calibration runs, scenarios/runner.h). Immutable once made; shared by runs.
struct StrategyHints {
  uint64_t steps = 0;  // median scheduler steps of a run (PCT's k)
  // Mean accesses to shared resources per task, keyed by Kernel::TaskKey, sorted by key.
  std::vector<std::pair<uint32_t, uint32_t>> accesses_by_task;
  uint32_t AccessesOf(uint32_t task_key) const;  // 0 when unknown
};

// How a crash ends the tasks of a process (see the top of this file).
enum class CrashMode : uint8_t {
  kUnwind,   // destroy each fiber: a forced unwind runs the task's destructors (the default)
  kAbandon,  // discard each stack: nothing of the task runs; kept objects are leaked
};
std::string_view CrashModeName(CrashMode mode);

class StackPool;  // sim/stack_pool.h

struct KernelConfig {
  uint64_t seed = 1;
  Strategy strategy = Strategy::kRandom;
  int pct_depth = 2;                    // PCT: d; d-1 priority change points
  uint64_t pct_steps_estimate = 10000;  // PCT: k, where change points are drawn
  uint64_t event_budget = 10'000'000;   // scheduler steps + timer events
  Nanos time_budget_ns = 3'600'000'000'000;  // one simulated hour
  size_t stack_bytes = 64 * 1024;       // per task, plus one guard page
  CrashMode crash_mode = CrashMode::kUnwind;
  // Calls to WillAccess are kept (kPos and kSurw always keep them); no effect on the run itself.
  bool track_accesses = false;
  // Stalls on top of any strategy (kDelay turns them on): Decisions::EnableStalls. The world
  // stretches only what faults may hit: draws of non-client processes before the heal.
  bool stalls = false;
  std::shared_ptr<const StrategyHints> hints;  // kSurw: remaining-access estimates; may be null
  const DecisionList* replay = nullptr; // feed these decisions back first (replay/shrink)
  ReplayOptions replay_options;         // how `replay` is matched and what follows its end
  bool trace_details = true;            // keep event detail strings (the hash is always kept)
  bool lock_order_checks = true;        // report mutex order inversions (sim/lock_graph.h)
  // Optional: a stack pool shared by the Kernels of one thread (campaigns), so short runs do not
  // map stacks again. Its stack size wins over stack_bytes. Null: each Kernel has its own pool.
  std::shared_ptr<StackPool> stack_pool;
};

// What a deadlock is (the kernel reports both kinds as "deadlock"):
//  - a cycle of tasks each waiting on another: a task blocks on something with an owner (a mutex's
//    holder, a task it joins) whose owner waits, through such edges, on it. Reported the moment
//    the cycle closes, whatever else is still running (timers, heartbeats, crashes elsewhere).
//  - at quiescence (no runnable task, no pending event), a task that must finish is blocked:
//    nothing can ever wake it. Tasks that must finish are those marked with SetMustFinish (the
//    world marks client tasks) and tasks another task waits to join.
// A background task idle on a condition variable, channel, semaphore or promise while nothing
// that must finish is left (a flusher waiting for work) is not a deadlock: the run is quiescent.

// Why a run stopped.
enum class RunOutcome : uint8_t {
  kQuiescent,       // no runnable task, no pending event; no task that must finish is blocked
  kDeadlock,        // no runnable task, no pending event, but a task that must finish waits
                    // (or tasks of a deadlock reported earlier still do: WaitingTask::reported)
  kEventBudget,     // event budget spent
  kTimeBudget,      // the next event lies past the time budget
  kStopped,         // Stop() was called
  kUntilReached,    // RunUntil: the next event lies past until_ns (the clock is now until_ns)
};
std::string_view RunOutcomeName(RunOutcome outcome);

struct WaitingTask {
  std::string process;
  std::string task;
  std::string waits_on;  // e.g. "mutex wal.buffer (held by node-a/flush)"
  std::vector<std::string> holds;  // mutexes it holds, oldest first
  bool must_finish = false;
  bool reported = false;  // part of a deadlock reported before (a cycle, an earlier phase)
};

// A verdict the kernel reaches during the run: "deadlock" (a wait-for cycle closed) or
// "lock-order-inversion" (sim/lock_graph.h). Kept in Kernel::violations() and passed to the
// OnViolation hook.
struct KernelViolation {
  std::string invariant;
  std::string message;
  Nanos time_ns = 0;
  std::vector<std::string> evidence;
};

// Something a blocked task waits for that has an owner (a mutex: its holder). The kernel follows
// these edges, and those of Join, to find a wait-for cycle when it closes.
class WaitTarget {
 public:
  virtual TaskId owner() const = 0;  // kNoTask: none now
 protected:
  ~WaitTarget() = default;
};

struct RunResult {
  RunOutcome outcome = RunOutcome::kQuiescent;
  uint64_t events = 0;
  Nanos end_time_ns = 0;
  std::vector<WaitingTask> waiting;  // filled on kDeadlock: every blocked task
};

class Kernel;

// A harness object's memory of one task: its place in a wait list, a lock it holds. Linked with
// Kernel::Link while that memory exists and unlinked (Kernel::Unlink) when it ends. When a crash
// abandons the task (CrashMode::kAbandon), none of its destructors run, so the kernel calls
// Abandoned(task) on each of its links, newest first, in kernel context; the link is already
// unlinked then. Intrusive: linking never allocates. In kUnwind mode Link does nothing (the
// task's destructors clean up). Internal to sim/ (sync objects).
class TaskLink {
 public:
  virtual void Abandoned(TaskId task) = 0;
  bool linked() const { return task_ != kNoTask; }

 protected:
  TaskLink() = default;
  ~TaskLink() = default;
  TaskLink(const TaskLink&) = delete;
  TaskLink& operator=(const TaskLink&) = delete;

 private:
  friend class Kernel;
  TaskLink* prev_ = nullptr;
  TaskLink* next_ = nullptr;
  TaskId task_ = kNoTask;
};

class Process;
using BootFn = std::function<void(Process&)>;

// Per-kernel state of a layer above the kernel that the kernel must not know (sim/foreign/ keeps its
// tables of simulated pthread objects here). Owned by the kernel, destroyed at the end of ~Kernel
// after every task was unwound and every kept object died (their destructors may still use it).
class KernelExtension {
 public:
  virtual ~KernelExtension() = default;
  // On the task's own fiber, after its function returned (not when it is unwound by a crash):
  // thread-specific-data destructors run here. May yield.
  virtual void OnTaskExit(TaskId task) = 0;
  // Per-run counters for reports, in a fixed order: ("foreign.locks", 12), ...
  virtual void Counters(std::vector<std::pair<std::string, uint64_t>>& out) const = 0;
};

// A simulated process: tasks, a boot function run as task "boot" at start and after every restart,
// crash hooks (the world's disk drops unsynced state there), and objects kept until the crash.
class Process {
 public:
  ProcessId id() const { return id_; }
  const std::string& name() const { return name_; }
  bool crashed() const { return crashed_; }
  // The boot task of the current incarnation (kNoTask before the first boot).
  TaskId boot_task() const { return tasks_.empty() ? kNoTask : tasks_.front(); }
  uint32_t incarnation() const { return incarnation_; }  // 0 on first boot, +1 per restart

  // Keeps `object` alive until this process crashes or the kernel ends (destroyed in reverse order;
  // in CrashMode::kAbandon a crash leaks it instead, as a real crash abandons memory).
  template <typename T>
  T* Keep(std::unique_ptr<T> object) {
    T* raw = object.get();
    kept_.push_back(std::shared_ptr<void>(std::move(object)));
    return raw;
  }
  // The interfaces the storage code of this process sees; set by the world (sim/world).
  model::Env& env() { return env_; }
  void set_env(const model::Env& env) { env_ = env; }

  // Called (in kernel context, after every task of the process was unwound) at each crash.
  // Hooks persist across restarts: register them once, at set-up, not in the boot function.
  void OnCrash(std::function<void()> hook) { crash_hooks_.push_back(std::move(hook)); }

 private:
  friend class Kernel;
  ProcessId id_ = 0;
  std::string name_;
  BootFn boot_;
  bool crashed_ = false;
  uint32_t incarnation_ = 0;
  std::vector<std::shared_ptr<void>> kept_;
  std::vector<std::function<void()>> crash_hooks_;
  model::Env env_;
  std::vector<TaskId> tasks_;  // tasks of the current incarnation, in spawn order
};

class Kernel {
 public:
  explicit Kernel(KernelConfig config);
  ~Kernel();  // unwinds every live task
  Kernel(const Kernel&) = delete;
  Kernel& operator=(const Kernel&) = delete;

  // --- set-up and driving (kernel context) ---
  // Boots at the current time (its boot task becomes runnable).
  Process& AddProcess(std::string name, BootFn boot);
  Process& process(ProcessId id);
  size_t process_count() const;
  // Kernel or task context. A task spawned into a crashed process never runs (it is born done).
  TaskId Spawn(Process& process, std::string name, std::function<void()> fn);
  // Runs until quiescence, deadlock, a budget, or Stop().
  RunResult Run();
  // Runs until simulated time reaches `until_ns` (events at until_ns included) or the run stops early.
  RunResult RunUntil(Nanos until_ns);
  void Stop();

  // --- time and events ---
  Nanos Now() const;
  // Calls `fn` in kernel context at `at_ns` (>= Now()). Events at equal times fire in an order
  // chosen by a recorded decision.
  void ScheduleAt(Nanos at_ns, std::function<void()> fn);
  // The same, but dropped (not called) if `owner` crashes before it fires: completions of a process's
  // own operations. Still takes part in tie-breaking at its instant.
  void ScheduleFor(Process& owner, Nanos at_ns, std::function<void()> fn);
  uint64_t events() const;  // scheduler steps + timer events so far (what the budget counts)
  uint64_t steps() const;   // scheduler steps so far
  // Consecutive scheduler steps, up to now, that each ended in YieldSpin, and the tasks that made
  // them ("process/task", sorted, at most 8).
  uint64_t spin_steps() const;
  std::vector<std::string> spinning_tasks() const;
  // Steps that touched a shared resource (WillAccess), summed per TaskKey, sorted by key.
  std::vector<std::pair<uint32_t, uint64_t>> AccessCounts() const;

  // --- from a task ---
  TaskId current_task() const;       // kNoTask in kernel context
  Process& current_process();        // REQUIRES: in a task
  void Yield();
  // A preemption point of code that has no call into Seedbed there (sim/instrument/: a memory
  // access of code compiled with -fsanitize=thread): a scheduling point like Yield, at which the
  // strategy picks who runs next (a recorded decision; PCT counts it as a step), except that it
  // returns at once, drawing and tracing nothing, when no other task is runnable.
  void Preempt();
  // A yield the code under test asked for (sched_yield, Runtime::Yield, a spin-then-yield loop),
  // as opposed to a scheduling point of the harness. Under PCT the task drops below every other
  // live task, so a spinning task cannot starve the task it waits for. Consecutive steps that
  // each end in one are counted (spin_steps): an event budget spent in them is a spin loop.
  void YieldSpin();
  // What the current task's next step (once it is resumed after its coming suspension) touches
  // first: a mutex, an object path, a file, a channel. Kept only when tracks_accesses(); callers
  // test that first, so the key need not be built otherwise. No effect in kernel context.
  void WillAccess(uint64_t resource, bool write);
  bool tracks_accesses() const;
  // A resource key for WillAccess: a hash of (kind, name), never 0.
  static uint64_t ResourceKey(std::string_view kind, std::string_view name);
  // A task's identity across runs and incarnations: Decisions::ContextOf(process, task, 0).
  static uint32_t TaskKey(std::string_view process, std::string_view task);
  void SleepFor(Nanos duration_ns);
  void SleepUntil(Nanos at_ns);
  void Join(TaskId task);            // returns at once if the task ended or was unwound
  bool TaskDone(TaskId task) const;
  const std::string& task_name(TaskId task) const;
  ProcessId task_process(TaskId task) const;

  // Blocking primitive for sync objects: the current task stops being runnable until Wake().
  // `waits_on` is shown in deadlock reports. With a timeout, returns false if it expired first.
  // `target`, when the wait is for something with an owner (a mutex), adds the wait-for edge the
  // kernel checks for cycles; it must stay valid while the task waits.
  void Block(std::string_view waits_on, const WaitTarget* target = nullptr);
  bool BlockFor(std::string_view waits_on, Nanos timeout_ns);
  // Makes a blocked task runnable (kernel or task context). No effect on a task not blocked
  // (sleeping, runnable, timed out but not yet run, done).
  void Wake(TaskId task);
  // Wake that says whether it woke the task. Sync primitives hand a lock or a notification only to
  // a waiter this returns true for, so a waiter whose timeout already fired never eats a wake-up.
  bool TryWake(TaskId task);
  std::string TaskLabel(TaskId task) const;  // "process/task", for wait descriptions
  // Links `link` to `task` (see TaskLink); no effect in kUnwind mode, for kNoTask or a task that
  // ended. REQUIRES: `link` is not linked.
  void Link(TaskId task, TaskLink& link);
  // No effect if `link` is not linked.
  void Unlink(TaskLink& link);

  // --- deadlocks and watchdogs ---
  // Marks a task that must finish: blocked at quiescence, it is a deadlock (see RunOutcome).
  void SetMustFinish(TaskId task);
  // Live tasks that must finish and are not part of a deadlock already reported, each with what
  // it waits on ("sleeping until 12.5s", "runnable") and when it last ran.
  std::vector<WaitingTask> Unfinished() const;
  // Reports a kernel verdict: kept in violations(), passed to the hook (which may Stop the run).
  void Report(KernelViolation violation);
  void OnViolation(std::function<void(const KernelViolation&)> hook);
  const std::vector<KernelViolation>& violations() const;
  // Mutex ownership and order (sim/sync.cc keeps it up to date). Order checks: KernelConfig.
  LockGraph& locks();

  // --- crashes ---
  // Crashes `process` now: from kernel context, or from one of its own tasks (which then does not
  // return: its fiber is unwound). From a task of another process the crash happens at once (in
  // kernel context) and the caller is runnable again afterwards (the call may yield). Crashing a
  // crashed process does nothing. In kUnwind mode every task of it is unwound by destroying its
  // fiber (forced unwind: destructors run, nothing else), then its crash hooks run and its kept
  // objects die. In kAbandon mode its tasks are discarded and its kept objects leaked (nothing of
  // the process runs), then its crash hooks run.
  void Crash(Process& process);
  // Restarts a crashed process: incarnation + 1, its boot function runs as a new task.
  // REQUIRES: process.crashed().
  void Restart(Process& process);
  // True while the current task is being unwound or its process has crashed: suspension calls then
  // return at once and simulated I/O must fail with kAborted.
  bool CurrentTaskDoomed() const;

  // --- layers above the kernel ---
  // The Kernel currently inside Run/RunUntil (or unwinding tasks in Crash or ~Kernel) on the calling
  // OS thread, else null. The one per-thread pointer of Seedbed: interposed pthread calls
  // (sim/foreign/) have no other way to find their world. It only says *whether* a call comes from
  // a world, never steers one: what a task does with it is the same in every run of a seed, and two
  // Kernels (nested or alternating) each see themselves, the pointer being saved and restored.
  static Kernel* RunningOnThisThread();
  // The extension slots (see KernelExtension); null until set. Each is set once. Slot 0
  // (kForeignSlot, what extension() and set_extension(extension) use) is sim/foreign/'s, slot 1
  // (kInstrumentSlot) sim/instrument/'s. Destroyed at the end of ~Kernel, the higher slot first.
  static constexpr size_t kForeignSlot = 0;
  static constexpr size_t kInstrumentSlot = 1;
  static constexpr size_t kExtensionSlots = 2;
  KernelExtension* extension(size_t slot = kForeignSlot) const;
  void set_extension(std::unique_ptr<KernelExtension> extension);
  void set_extension(size_t slot, std::unique_ptr<KernelExtension> extension);

  // --- the run's record ---
  Decisions& decisions();
  Trace& trace();
  const KernelConfig& config() const;

 private:
  struct Impl;
  // Unlinks and returns the newest link of a task's list `head`, or null if it is empty.
  static TaskLink* PopLink(TaskLink*& head);
  std::unique_ptr<Impl> impl_;
};

}  // namespace seedbed
