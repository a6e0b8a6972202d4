// Interposed pthread_create / join / detach / self / equal / exit and thread-specific data (see
// foreign.h). A thread started from a task is a task of the same process; its pthread_t is
// kThreadIdBase + TaskId.
#include <pthread.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <climits>

#include "sim/foreign/state.h"

namespace seedbed::foreign::internal {
namespace {

// pthread_exit from a thread task: unwinds to the task's start, like glibc's own pthread_exit.
struct ThreadExit {
  void* value;
};

// Keys are glibc's (process-wide); their destructors and a generation per key are kept here, also
// process-wide like glibc's own key table, so a key created outside a world has its destructor run
// at a task's end, and a re-created key never sees the values of the deleted one.
constexpr size_t kMaxKeys = 1024;  // glibc's PTHREAD_KEYS_MAX
std::atomic<void (*)(void*)> key_destructors[kMaxKeys];
std::atomic<uint64_t> key_generations[kMaxKeys];
// Keys made through this pthread_key_create once the program's own constructors run: only these are
// per task. A key made earlier (the sanitizer runtime's, made before any constructor, and those of
// shared libraries' initialisers) or behind our back keeps glibc's per-thread meaning in every
// context: ASan reads its own key from inside tasks, and a per-task answer (or the allocation of
// the per-kernel state to give one) would recurse into ASan's allocator.
std::atomic<bool> key_per_task[kMaxKeys];
std::atomic<bool> keys_ready{false};
__attribute__((constructor(101))) void MarkKeysReady() { keys_ready.store(true, std::memory_order_relaxed); }
bool PerTaskKey(pthread_key_t key) { return key < kMaxKeys && key_per_task[key].load(std::memory_order_relaxed); }

bool IsTaskThread(pthread_t t) { return (static_cast<uint64_t>(t) & ~uint64_t{0xFFFFFFFF}) == kThreadIdBase; }
TaskId TaskOf(pthread_t t) { return static_cast<TaskId>(static_cast<uint64_t>(t) & 0xFFFFFFFF); }
pthread_t ThreadOf(TaskId task) { return static_cast<pthread_t>(kThreadIdBase + task); }

int Create(State& s, pthread_t* thread, const pthread_attr_t* attr, void* (*start)(void*), void* arg) {
  Kernel& k = s.kernel();
  int detach_state = PTHREAD_CREATE_JOINABLE;
  if (attr != nullptr) pthread_attr_getdetachstate(attr, &detach_state);
  const std::string name = fmt::format("pthread-{}", s.next_thread_number());
  State* state = &s;  // lives as long as the Kernel, so longer than any task
  const TaskId task = k.Spawn(k.current_process(), name, [state, start, arg] {
    void* result = nullptr;
    try {
      result = start(arg);
    } catch (const ThreadExit& exit) {
      result = exit.value;
    }
    state->Task(state->current()).retval = result;
  });
  TaskRecord& r = s.Task(task);
  r.pthread = true;
  r.detached = detach_state == PTHREAD_CREATE_DETACHED;
  ++s.counters().threads_started;
  *thread = ThreadOf(task);
  return 0;
}

int Join(State& s, pthread_t thread, void** retval) {
  Kernel& k = s.kernel();
  if (!IsTaskThread(thread)) {
    Unsupported(k, "pthread_join", "the thread is a real OS thread, not a task of this world",
                "start the thread from a task (then it is a task) or join it outside the world");
  }
  const TaskId task = TaskOf(thread);
  if (task == s.current()) return EDEADLK;
  TaskRecord& r = s.Task(task);
  if (!r.pthread) return ESRCH;
  if (r.detached || r.joined) return EINVAL;
  r.joined = true;
  k.Join(task);
  if (retval != nullptr) *retval = s.Task(task).retval;
  return 0;
}

}  // namespace

// Thread-specific-data destructors, POSIX style: up to PTHREAD_DESTRUCTOR_ITERATIONS passes over
// the task's non-null values in key order (a destructor may set values again).
void State::OnTaskExit(TaskId task) {
  if (task >= tasks_.size()) return;
  for (int pass = 0; pass < PTHREAD_DESTRUCTOR_ITERATIONS; ++pass) {
    std::vector<Specific>& values = tasks_[task].specific;
    std::sort(values.begin(), values.end(), [](const Specific& a, const Specific& b) { return a.key < b.key; });
    bool called = false;
    for (size_t i = 0; i < tasks_[task].specific.size(); ++i) {
      Specific& v = tasks_[task].specific[i];  // re-read: a destructor may add values
      if (v.value == nullptr || v.key >= kMaxKeys) continue;
      if (key_generations[v.key].load(std::memory_order_relaxed) != v.key_generation) continue;
      void (*dtor)(void*) = key_destructors[v.key].load(std::memory_order_relaxed);
      if (dtor == nullptr) continue;
      void* value = v.value;
      v.value = nullptr;
      dtor(value);
      called = true;
    }
    if (!called) break;
  }
  tasks_[task].specific.clear();
}

}  // namespace seedbed::foreign::internal

using seedbed::foreign::internal::State;
namespace fi = seedbed::foreign::internal;

extern "C" {

int pthread_create(pthread_t* thread, const pthread_attr_t* attr, void* (*start)(void*), void* arg) {
  if (State* s = State::ForTask()) return fi::Create(*s, thread, attr, start, arg);
  return SEEDBED_GLIBC(pthread_create, "GLIBC_2.34")(thread, attr, start, arg);
}

int pthread_join(pthread_t thread, void** retval) {
  if (State* s = State::ForTask()) return fi::Join(*s, thread, retval);
  return SEEDBED_GLIBC(pthread_join, "GLIBC_2.34")(thread, retval);
}

int pthread_detach(pthread_t thread) {
  if (fi::IsTaskThread(thread)) {
    State* s = State::ForTask();
    if (s == nullptr) return ESRCH;  // a task's pthread_t outside its world
    fi::TaskRecord& r = s->Task(fi::TaskOf(thread));
    if (!r.pthread) return ESRCH;
    if (r.detached) return EINVAL;
    r.detached = true;
    return 0;
  }
  return SEEDBED_GLIBC(pthread_detach, "GLIBC_2.34")(thread);
}

pthread_t pthread_self() {
  if (State* s = State::ForTask()) return fi::ThreadOf(s->current());
  return SEEDBED_GLIBC(pthread_self, "GLIBC_2.2.5")();
}

int pthread_equal(pthread_t a, pthread_t b) { return a == b; }

void pthread_exit(void* value) {
  if (State* s = State::ForTask()) {
    if (!s->Task(s->current()).pthread) {
      fi::Unsupported(s->kernel(), "pthread_exit", "the task was not started by pthread_create",
                      "return from the task's function instead");
    }
    throw fi::ThreadExit{value};
  }
  SEEDBED_GLIBC(pthread_exit, "GLIBC_2.2.5")(value);
  __builtin_unreachable();
}

// --- thread-specific data ---

int pthread_key_create(pthread_key_t* key, void (*destructor)(void*)) {
  const int rc = SEEDBED_GLIBC(pthread_key_create, "GLIBC_2.34")(key, destructor);
  if (rc == 0 && *key < fi::kMaxKeys) {
    fi::key_per_task[*key].store(fi::keys_ready.load(std::memory_order_relaxed), std::memory_order_relaxed);
    fi::key_generations[*key].fetch_add(1, std::memory_order_relaxed);
    fi::key_destructors[*key].store(destructor, std::memory_order_relaxed);
  }
  return rc;
}

int pthread_key_delete(pthread_key_t key) {
  if (key < fi::kMaxKeys) {
    fi::key_destructors[key].store(nullptr, std::memory_order_relaxed);
    fi::key_per_task[key].store(false, std::memory_order_relaxed);
    fi::key_generations[key].fetch_add(1, std::memory_order_relaxed);
  }
  return SEEDBED_GLIBC(pthread_key_delete, "GLIBC_2.34")(key);
}

void* pthread_getspecific(pthread_key_t key) {
  if (!fi::PerTaskKey(key)) return SEEDBED_GLIBC(pthread_getspecific, "GLIBC_2.34")(key);
  if (State* s = State::ForTask()) {
    const uint64_t gen = fi::key_generations[key].load(std::memory_order_relaxed);
    for (const fi::Specific& v : s->Task(s->current()).specific) {
      if (v.key == key && v.key_generation == gen) return v.value;
    }
    return nullptr;
  }
  return SEEDBED_GLIBC(pthread_getspecific, "GLIBC_2.34")(key);
}

int pthread_setspecific(pthread_key_t key, const void* value) {
  if (!fi::PerTaskKey(key)) return SEEDBED_GLIBC(pthread_setspecific, "GLIBC_2.34")(key, value);
  if (State* s = State::ForTask()) {
    const uint64_t gen = fi::key_generations[key].load(std::memory_order_relaxed);
    std::vector<fi::Specific>& values = s->Task(s->current()).specific;
    for (fi::Specific& v : values) {
      if (v.key != key) continue;
      v.key_generation = gen;
      v.value = const_cast<void*>(value);
      return 0;
    }
    values.push_back({key, gen, const_cast<void*>(value)});
    return 0;
  }
  return SEEDBED_GLIBC(pthread_setspecific, "GLIBC_2.34")(key, value);
}

}  // extern "C"
