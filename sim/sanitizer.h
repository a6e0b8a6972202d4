// AddressSanitizer fiber-switch annotations (internal to sim/). Boost.Context's own ASan support
// needs its ucontext backend, which Debian's build lacks, so the kernel annotates every switch
// itself. Compiled to nothing without ASan. Never yields.
#pragma once

#include <cstddef>

// GCC defines __SANITIZE_ADDRESS__; Clang answers __has_feature(address_sanitizer).
#if defined(__SANITIZE_ADDRESS__)
#define SEEDBED_ASAN_FIBERS 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SEEDBED_ASAN_FIBERS 1
#endif
#endif

#if defined(SEEDBED_ASAN_FIBERS)
#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>
#include <sanitizer/lsan_interface.h>
#define SEEDBED_ASAN_UNPOISON(addr, size) __asan_unpoison_memory_region((addr), (size))
#else
#define SEEDBED_ASAN_UNPOISON(addr, size) ((void)(addr), (void)(size))
#endif

namespace seedbed::internal {

// Called on the old stack just before a switch. `fake_stack_save` null: the old stack dies.
inline void StartSwitch(void** fake_stack_save, const void* bottom, size_t size) {
#if defined(SEEDBED_ASAN_FIBERS)
  __sanitizer_start_switch_fiber(fake_stack_save, bottom, size);
#else
  (void)fake_stack_save, (void)bottom, (void)size;
#endif
}

// Called on the new stack just after a switch; reports the stack we came from.
inline void FinishSwitch(void* fake_stack_save, const void** bottom_old, size_t* size_old) {
#if defined(SEEDBED_ASAN_FIBERS)
  __sanitizer_finish_switch_fiber(fake_stack_save, bottom_old, size_old);
#else
  (void)fake_stack_save, (void)bottom_old, (void)size_old;
#endif
}

// A heap object leaked on purpose (what a crash abandons): LeakSanitizer neither reports it nor
// what it reaches.
inline void IgnoreLeak(const void* object) {
#if defined(SEEDBED_ASAN_FIBERS)
  __lsan_ignore_object(object);
#else
  (void)object;
#endif
}

// Memory LeakSanitizer scans for pointers, as it scans globals: an abandoned fiber stack, whose
// dead frames still point at what they owned. REQUIRES: it stays mapped until the process exits.
inline void RegisterLeakRoot(const void* begin, size_t size) {
#if defined(SEEDBED_ASAN_FIBERS)
  __lsan_register_root_region(begin, size);
#else
  (void)begin, (void)size;
#endif
}

}  // namespace seedbed::internal
