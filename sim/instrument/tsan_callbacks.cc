// The callbacks that code compiled with -fsanitize=thread calls (gcc 12 and clang emit the same
// names: compiler-rt's tsan_interface.h and tsan_interface_atomic.h), defined here with C linkage
// in place of the TSan runtime (see instrument.h). From a task of a running Kernel an access goes
// to its State (it may become a point: Kernel::Preempt); anywhere else it does nothing. Atomics are
// always performed, sequentially consistent (__ATOMIC_SEQ_CST) whatever order was asked for; the
// 16-byte ones through libatomic.
#include <dlfcn.h>

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "sim/instrument/state.h"

namespace seedbed::instrument::internal {
namespace {

// The last Kernel seen on this OS thread and its State. A State clears it when it dies (Forget), so
// a new Kernel at a dead one's address never finds the dead one's State.
thread_local Kernel* cached_kernel = nullptr;
thread_local State* cached_state = nullptr;

}  // namespace

void Forget(const State* state) {
  if (cached_state == state) {
    cached_state = nullptr;
    cached_kernel = nullptr;
  }
}

inline State* State::ForTask(TaskId& task) {
  Kernel* k = Kernel::RunningOnThisThread();
  if (k == nullptr) [[likely]] return nullptr;
  task = k->current_task();
  if (task == kNoTask) return nullptr;
  if (k != cached_kernel) [[unlikely]] {
    cached_state = &State::Of(*k);
    cached_kernel = k;
  }
  return cached_state;
}

namespace {

inline void Plain(const volatile void* addr, size_t size, bool write) {
  TaskId task;
  if (State* s = State::ForTask(task)) s->Access(reinterpret_cast<uintptr_t>(addr), size, write, task);
}

inline void BeforeAtomic(bool writes) {
  TaskId task;
  if (State* s = State::ForTask(task)) s->Atomic(task, writes);
}

}  // namespace
}  // namespace seedbed::instrument::internal

namespace si = seedbed::instrument::internal;

namespace seedbed::instrument {
bool Linked();
}

extern "C" {

// The types of compiler-rt's tsan_interface_atomic.h.
typedef unsigned char __tsan_a8;
typedef unsigned short __tsan_a16;
typedef unsigned int __tsan_a32;
typedef unsigned long long __tsan_a64;
typedef unsigned __int128 __tsan_a128;
typedef int __tsan_morder;  // an enum there; passed as int

void __tsan_init() {}
void __tsan_func_entry(void*) {}
void __tsan_func_exit() {}
void __tsan_ignore_thread_begin() {}
void __tsan_ignore_thread_end() {}

#define SEEDBED_TSAN_PLAIN(n)                                                               \
  void __tsan_read##n(void* addr) { si::Plain(addr, n, false); }                            \
  void __tsan_write##n(void* addr) { si::Plain(addr, n, true); }                            \
  void __tsan_read##n##_pc(void* addr, void*) { si::Plain(addr, n, false); }                \
  void __tsan_write##n##_pc(void* addr, void*) { si::Plain(addr, n, true); }                \
  void __tsan_volatile_read##n(void* addr) { si::Plain(addr, n, false); }                   \
  void __tsan_volatile_write##n(void* addr) { si::Plain(addr, n, true); }
SEEDBED_TSAN_PLAIN(1)
SEEDBED_TSAN_PLAIN(2)
SEEDBED_TSAN_PLAIN(4)
SEEDBED_TSAN_PLAIN(8)
SEEDBED_TSAN_PLAIN(16)
#undef SEEDBED_TSAN_PLAIN

#define SEEDBED_TSAN_UNALIGNED(n)                                                           \
  void __tsan_unaligned_read##n(const void* addr) { si::Plain(addr, n, false); }            \
  void __tsan_unaligned_write##n(void* addr) { si::Plain(addr, n, true); }                  \
  void __tsan_unaligned_volatile_read##n(void* addr) { si::Plain(addr, n, false); }         \
  void __tsan_unaligned_volatile_write##n(void* addr) { si::Plain(addr, n, true); }
SEEDBED_TSAN_UNALIGNED(2)
SEEDBED_TSAN_UNALIGNED(4)
SEEDBED_TSAN_UNALIGNED(8)
SEEDBED_TSAN_UNALIGNED(16)
#undef SEEDBED_TSAN_UNALIGNED

void __tsan_read_range(void* addr, unsigned long size) { si::Plain(addr, size, false); }
void __tsan_write_range(void* addr, unsigned long size) { si::Plain(addr, size, true); }
void __tsan_read_range_pc(void* addr, unsigned long size, void*) { si::Plain(addr, size, false); }
void __tsan_write_range_pc(void* addr, unsigned long size, void*) { si::Plain(addr, size, true); }
void __tsan_vptr_read(void** vptr_p) { si::Plain(vptr_p, sizeof(void*), false); }
void __tsan_vptr_update(void** vptr_p, void* new_val) {
  if (*vptr_p != new_val) si::Plain(vptr_p, sizeof(void*), true);
}
// clang's instrumented memory intrinsics (gcc leaves memcpy and memset calls alone).
void* __tsan_memcpy(void* dst, const void* src, size_t size) {
  si::Plain(src, size, false);
  si::Plain(dst, size, true);
  return std::memcpy(dst, src, size);
}
void* __tsan_memmove(void* dst, const void* src, size_t size) {
  si::Plain(src, size, false);
  si::Plain(dst, size, true);
  return std::memmove(dst, src, size);
}
void* __tsan_memset(void* dst, int c, size_t size) {
  si::Plain(dst, size, true);
  return std::memset(dst, c, size);
}

#define SEEDBED_TSAN_ATOMIC(n)                                                                        \
  __tsan_a##n __tsan_atomic##n##_load(const volatile __tsan_a##n* a, __tsan_morder) {                 \
    si::BeforeAtomic(false);                                                                          \
    return __atomic_load_n(a, __ATOMIC_SEQ_CST);                                                      \
  }                                                                                                   \
  void __tsan_atomic##n##_store(volatile __tsan_a##n* a, __tsan_a##n v, __tsan_morder) {              \
    si::BeforeAtomic(true);                                                                           \
    __atomic_store_n(a, v, __ATOMIC_SEQ_CST);                                                         \
  }                                                                                                   \
  __tsan_a##n __tsan_atomic##n##_exchange(volatile __tsan_a##n* a, __tsan_a##n v, __tsan_morder) {    \
    si::BeforeAtomic(true);                                                                           \
    return __atomic_exchange_n(a, v, __ATOMIC_SEQ_CST);                                               \
  }                                                                                                   \
  __tsan_a##n __tsan_atomic##n##_fetch_add(volatile __tsan_a##n* a, __tsan_a##n v, __tsan_morder) {   \
    si::BeforeAtomic(true);                                                                           \
    return __atomic_fetch_add(a, v, __ATOMIC_SEQ_CST);                                                \
  }                                                                                                   \
  __tsan_a##n __tsan_atomic##n##_fetch_sub(volatile __tsan_a##n* a, __tsan_a##n v, __tsan_morder) {   \
    si::BeforeAtomic(true);                                                                           \
    return __atomic_fetch_sub(a, v, __ATOMIC_SEQ_CST);                                                \
  }                                                                                                   \
  __tsan_a##n __tsan_atomic##n##_fetch_and(volatile __tsan_a##n* a, __tsan_a##n v, __tsan_morder) {   \
    si::BeforeAtomic(true);                                                                           \
    return __atomic_fetch_and(a, v, __ATOMIC_SEQ_CST);                                                \
  }                                                                                                   \
  __tsan_a##n __tsan_atomic##n##_fetch_or(volatile __tsan_a##n* a, __tsan_a##n v, __tsan_morder) {    \
    si::BeforeAtomic(true);                                                                           \
    return __atomic_fetch_or(a, v, __ATOMIC_SEQ_CST);                                                 \
  }                                                                                                   \
  __tsan_a##n __tsan_atomic##n##_fetch_xor(volatile __tsan_a##n* a, __tsan_a##n v, __tsan_morder) {   \
    si::BeforeAtomic(true);                                                                           \
    return __atomic_fetch_xor(a, v, __ATOMIC_SEQ_CST);                                                \
  }                                                                                                   \
  __tsan_a##n __tsan_atomic##n##_fetch_nand(volatile __tsan_a##n* a, __tsan_a##n v, __tsan_morder) {  \
    si::BeforeAtomic(true);                                                                           \
    return __atomic_fetch_nand(a, v, __ATOMIC_SEQ_CST);                                               \
  }                                                                                                   \
  int __tsan_atomic##n##_compare_exchange_strong(volatile __tsan_a##n* a, __tsan_a##n* c,             \
                                                 __tsan_a##n v, __tsan_morder, __tsan_morder) {       \
    si::BeforeAtomic(true);                                                                           \
    return __atomic_compare_exchange_n(a, c, v, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);           \
  }                                                                                                   \
  /* Never fails spuriously: a spurious failure would be a choice no decision records. */           \
  int __tsan_atomic##n##_compare_exchange_weak(volatile __tsan_a##n* a, __tsan_a##n* c,               \
                                               __tsan_a##n v, __tsan_morder, __tsan_morder) {         \
    si::BeforeAtomic(true);                                                                           \
    return __atomic_compare_exchange_n(a, c, v, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);           \
  }                                                                                                   \
  __tsan_a##n __tsan_atomic##n##_compare_exchange_val(volatile __tsan_a##n* a, __tsan_a##n c,         \
                                                      __tsan_a##n v, __tsan_morder, __tsan_morder) {  \
    si::BeforeAtomic(true);                                                                           \
    __atomic_compare_exchange_n(a, &c, v, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);                 \
    return c;                                                                                         \
  }
SEEDBED_TSAN_ATOMIC(8)
SEEDBED_TSAN_ATOMIC(16)
SEEDBED_TSAN_ATOMIC(32)
SEEDBED_TSAN_ATOMIC(64)
SEEDBED_TSAN_ATOMIC(128)
#undef SEEDBED_TSAN_ATOMIC

void __tsan_atomic_thread_fence(__tsan_morder) {
  si::BeforeAtomic(false);
  __atomic_thread_fence(__ATOMIC_SEQ_CST);
}
void __tsan_atomic_signal_fence(__tsan_morder) { __atomic_signal_fence(__ATOMIC_SEQ_CST); }

}  // extern "C"

bool seedbed::instrument::Linked() {
  // The program's __tsan_read4, as the dynamic linker binds it: ours, exported from the executable
  // (not libtsan's, nor missing from the dynamic symbol table).
  return dlsym(RTLD_DEFAULT, "__tsan_read4") == reinterpret_cast<void*>(&__tsan_read4);
}
