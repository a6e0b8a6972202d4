#include "sim/sync.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include <fmt/format.h>

namespace seedbed {
namespace {

[[noreturn]] void Fail(const std::string& what) {
  std::fprintf(stderr, "seedbed sync: %s\n", what.c_str());
  std::abort();
}

}  // namespace

// --- WaitList ---

void WaitList::Remove(TaskId task) {
  auto it = std::find(waiters_.begin(), waiters_.end(), task);
  if (it != waiters_.end()) waiters_.erase(it);
}

bool WaitList::Contains(TaskId task) const {
  return std::find(waiters_.begin(), waiters_.end(), task) != waiters_.end();
}

TaskId WaitList::Pick(Kernel& kernel) {
  if (waiters_.empty()) Fail("WaitList::Pick on an empty list");
  const size_t i = kernel.decisions().Uniform(waiters_.size(), DecisionKind::kWake);
  const TaskId task = waiters_[i];
  waiters_.erase(waiters_.begin() + static_cast<ptrdiff_t>(i));  // keeps the rest oldest-first
  return task;
}

bool WaitList::WakeOne(Kernel& kernel) {
  while (!waiters_.empty()) {  // bounded: every pass removes one waiter
    if (kernel.TryWake(Pick(kernel))) return true;
  }
  return false;
}

void WaitList::WakeAll(Kernel& kernel) {
  while (!waiters_.empty()) kernel.TryWake(Pick(kernel));
}

WaitList::Entry::Entry(WaitList& list, Kernel& kernel, bool pass_on)
    : list_(list), kernel_(kernel), task_(kernel.current_task()), pass_on_(pass_on) {
  list_.Add(task_);
  kernel_.Link(task_, *this);
}

WaitList::Entry::~Entry() {
  kernel_.Unlink(*this);
  Leave(kernel_.CurrentTaskDoomed());
}

void WaitList::Entry::Abandoned(TaskId) { Leave(true); }

void WaitList::Entry::Leave(bool dying) {
  if (list_.Contains(task_)) {
    list_.Remove(task_);
  } else if (pass_on_ && dying) {
    list_.WakeOne(kernel_);  // we were picked but die before using the wake-up
  }
}

// --- Mutex ---

Mutex::Mutex(Kernel& kernel, std::string name)
    : kernel_(kernel), name_(std::move(name)), id_(kernel.locks().NewLock(name_)) {}

void Mutex::CheckOrder() {
  const TaskId me = kernel_.current_task();
  if (me == kNoTask || !kernel_.locks().order_checks()) return;
  std::optional<LockOrderInversion> inversion =
      kernel_.locks().Acquiring(me, id_, [this, me] { return kernel_.TaskLabel(me); }, kernel_.Now());
  if (!inversion.has_value()) return;
  kernel_.Report(KernelViolation{"lock-order-inversion", std::move(inversion->message), kernel_.Now(),
                                 std::move(inversion->evidence)});
}

void Mutex::Acquired() {
  if (holder_ != kNoTask) kernel_.locks().Acquired(holder_, id_);
}

void Mutex::Lock() {
  const TaskId me = kernel_.current_task();
  if (me != kNoTask && holder_ == me) Fail(fmt::format("mutex {} locked twice by {}", name_, kernel_.TaskLabel(me)));
  if (me != kNoTask && !kernel_.CurrentTaskDoomed()) CheckOrder();
  if (holder_ == kNoTask) {
    SetHolder(me);
    Acquired();
    return;
  }
  if (me == kNoTask || kernel_.CurrentTaskDoomed()) return;  // cannot wait now (see class comment)
  if (AwaitHandOff(me, -1)) Acquired();
}

bool Mutex::LockFor(Nanos timeout_ns) {
  const TaskId me = kernel_.current_task();
  if (me != kNoTask && holder_ == me) Fail(fmt::format("mutex {} locked twice by {}", name_, kernel_.TaskLabel(me)));
  // No order check: a timed wait cannot deadlock (as TryLock). The holder is linked and recorded
  // as Lock's is: a CrashMode::kAbandon crash of the holder passes the lock on, and locks taken
  // while holding it are ordered after it.
  if (holder_ == kNoTask) {
    SetHolder(me);
    Acquired();
    return true;
  }
  if (me == kNoTask || kernel_.CurrentTaskDoomed()) return false;
  const bool acquired = AwaitHandOff(me, kernel_.Now() + std::max<Nanos>(timeout_ns, 0));
  if (acquired) Acquired();
  return acquired;
}

bool Mutex::AwaitHandOff(TaskId me, Nanos deadline_ns) {
  // Declared first so it is destroyed last: the lock may be handed to us and we die before return.
  struct PassOnIfUnwound {
    Mutex& mu;
    TaskId me;
    bool done = false;
    ~PassOnIfUnwound() {
      if (!done && mu.holder_ == me) mu.Unlock();
    }
  } pass_on{*this, me};
  WaitList::Entry entry(waiters_, kernel_, false);
  if (kernel_.tracks_accesses()) kernel_.WillAccess(Kernel::ResourceKey("mutex", name_), true);
  // Bounded: Unlock hands the lock over before it wakes us, so one wake-up ends the loop (the loop
  // only guards against a stray Kernel::Wake), and a timed wait ends at its deadline (a waiter
  // whose timer fired first is not woken, so it is never handed the lock).
  while (holder_ != me) {
    if (!waiters_.Contains(me)) waiters_.Add(me);
    if (deadline_ns < 0) {
      kernel_.Block(fmt::format("mutex {} held by {}", name_, kernel_.TaskLabel(holder_)), this);
      continue;
    }
    const Nanos left_ns = deadline_ns - kernel_.Now();
    if (left_ns <= 0 ||
        !kernel_.BlockFor(fmt::format("mutex {} held by {}", name_, kernel_.TaskLabel(holder_)), left_ns)) {
      break;
    }
  }
  pass_on.done = true;
  return holder_ == me;
}

bool Mutex::TryLock() {
  if (holder_ != kNoTask) return false;
  SetHolder(kernel_.current_task());
  Acquired();
  return true;
}

void Mutex::Unlock() {
  if (holder_ != kernel_.current_task()) {
    if (kernel_.CurrentTaskDoomed()) return;
    Fail(fmt::format("mutex {} unlocked by {} but held by {}", name_,
                     kernel_.TaskLabel(kernel_.current_task()), kernel_.TaskLabel(holder_)));
  }
  if (holder_ != kNoTask) kernel_.locks().Released(holder_, id_);
  SetHolder(kNoTask);
  HandOff();
}

void Mutex::SetHolder(TaskId task) {
  kernel_.Unlink(holder_link_);
  // Timeline marks of the hold (outside the trace hash): released by the old holder, taken by the new.
  if (Trace& trace = kernel_.trace(); trace.keeps_events()) {
    if (holder_ != kNoTask)
      trace.Mark(kernel_.Now(), kernel_.task_process(holder_), holder_, MarkKind::kHoldEnd, id_, name_);
    if (task != kNoTask)
      trace.Mark(kernel_.Now(), kernel_.task_process(task), task, MarkKind::kHoldBegin, id_, name_);
  }
  holder_ = task;
  kernel_.Link(task, holder_link_);
}

void Mutex::HandOff() {
  while (!waiters_.empty()) {
    const TaskId next = waiters_.Pick(kernel_);
    if (kernel_.TryWake(next)) {
      SetHolder(next);
      return;
    }
  }
}

void Mutex::HolderLink::Abandoned(TaskId task) {
  if (mu.holder_ != task) return;
  mu.kernel_.locks().Released(task, mu.id_);
  if (Trace& trace = mu.kernel_.trace(); trace.keeps_events())
    trace.Mark(mu.kernel_.Now(), mu.kernel_.task_process(task), task, MarkKind::kHoldEnd, mu.id_, mu.name_);
  mu.holder_ = kNoTask;
  mu.HandOff();
}

// --- CondVar ---

CondVar::CondVar(Kernel& kernel, std::string name) : kernel_(kernel), name_(std::move(name)) {}

void CondVar::Wait(Mutex& mu) { WaitFor(mu, -1); }

bool CondVar::WaitFor(Mutex& mu, Nanos timeout_ns) {
  if (kernel_.CurrentTaskDoomed()) return false;
  const TaskId me = kernel_.current_task();
  if (mu.holder() != me) Fail(fmt::format("condvar {}: wait without holding {}", name_, mu.name()));
  bool notified;
  {
    WaitList::Entry entry(waiters_, kernel_, true);
    mu.Unlock();
    // Formatted once per mutex name, not per wait (formatting was a tenth of a Db scenario's CPU
    // time). Keyed by the name, never by the mutex's address: addresses differ between runs.
    if (what_.empty() || what_mutex_name_ != mu.name()) {
      what_ = fmt::format("condvar {} (mutex {})", name_, mu.name());
      what_mutex_name_ = std::string(mu.name());
    }
    // Woken, it takes the mutex again first.
    if (kernel_.tracks_accesses()) kernel_.WillAccess(Kernel::ResourceKey("mutex", mu.name()), true);
    if (timeout_ns < 0) {
      kernel_.Block(what_);
      notified = true;
    } else {
      notified = kernel_.BlockFor(what_, timeout_ns);
    }
  }
  mu.Lock();
  return notified;
}

void CondVar::NotifyOne() { waiters_.WakeOne(kernel_); }
void CondVar::NotifyAll() { waiters_.WakeAll(kernel_); }

// --- Semaphore ---

Semaphore::Semaphore(Kernel& kernel, std::string name, int64_t permits)
    : kernel_(kernel), name_(std::move(name)), permits_(permits) {}

void Semaphore::Acquire() {
  if (permits_ > 0 && waiters_.empty()) {
    --permits_;
    return;
  }
  if (kernel_.current_task() == kNoTask || kernel_.CurrentTaskDoomed()) return;
  const TaskId me = kernel_.current_task();
  WaitList::Entry entry(waiters_, kernel_, false);
  // Release hands us the permit by removing us from the list before waking us. Declared after
  // `entry` so it runs before the entry leaves the list.
  struct PassOnIfUnwound final : TaskLink {
    PassOnIfUnwound(Semaphore& sem, TaskId me) : sem(sem), me(me) { sem.kernel_.Link(me, *this); }
    ~PassOnIfUnwound() {
      sem.kernel_.Unlink(*this);
      if (!done) Abandoned(me);
    }
    void Abandoned(TaskId) override {  // also when a kAbandon crash discards us
      if (!sem.waiters_.Contains(me)) sem.Release();
    }
    Semaphore& sem;
    TaskId me;
    bool done = false;
  } pass_on{*this, me};
  if (kernel_.tracks_accesses()) kernel_.WillAccess(Kernel::ResourceKey("semaphore", name_), true);
  while (waiters_.Contains(me)) {  // bounded: one hand-off ends it (see Mutex::Lock)
    kernel_.Block(fmt::format("semaphore {} (no permit)", name_));
  }
  pass_on.done = true;
}

bool Semaphore::TryAcquire() {
  if (permits_ <= 0 || !waiters_.empty()) return false;
  --permits_;
  return true;
}

void Semaphore::Release() {
  if (waiters_.WakeOne(kernel_)) return;  // handed over
  ++permits_;
}

}  // namespace seedbed
