#include "sim/stack_pool.h"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <functional>
#include <cstdio>
#include <cstdlib>
#include <new>

#include "sim/sanitizer.h"

namespace seedbed {
namespace {

// Guarded stacks mapped by every pool of the process (pools may live on different threads).
std::atomic<size_t> g_guarded_stacks{0};

}  // namespace

size_t StackPool::DefaultGuardedLimit() {
  static const size_t limit = [] {
    long max_maps = 65530;
    if (std::FILE* f = std::fopen("/proc/sys/vm/max_map_count", "r")) {
      long n = 0;
      if (std::fscanf(f, "%ld", &n) == 1 && n > 0) max_maps = n;
      std::fclose(f);
    }
    return static_cast<size_t>(max_maps) / 4;
  }();
  return limit;
}

StackPool::StackPool(size_t stack_bytes, size_t guarded_limit)
    : requested_bytes_(stack_bytes), guarded_limit_(guarded_limit) {
  page_bytes_ = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  const size_t min_bytes = 16 * 1024;
  if (stack_bytes < min_bytes) stack_bytes = min_bytes;
  stack_bytes_ = (stack_bytes + page_bytes_ - 1) / page_bytes_ * page_bytes_;
}

StackPool::~StackPool() {
  if (in_use_ != 0) {
    // A fiber still runs on one of our stacks: unmapping would turn a bug into memory corruption.
    std::fprintf(stderr, "seedbed: StackPool destroyed with %zu stacks in use\n", in_use_);
    std::abort();
  }
  // LeakSanitizer scans abandoned stacks at exit: their mappings must outlive the pool.
  if (abandoned_ > 0) return;
  for (void* base : guarded_bases_) munmap(base, stack_bytes_ + page_bytes_);
  for (void* slab : slabs_) munmap(slab, stack_bytes_ * kSlabStacks);
  g_guarded_stacks.fetch_sub(guarded_, std::memory_order_relaxed);
}

bool StackPool::IsSlabStack(const char* bottom) const {
  // slabs_ is sorted by address: the last slab starting at or below `bottom` is the only candidate.
  auto it = std::upper_bound(slabs_.begin(), slabs_.end(), static_cast<const void*>(bottom),
                             std::less<const void*>());
  if (it == slabs_.begin()) return false;
  const char* base = static_cast<const char*>(*(it - 1));
  return bottom < base + stack_bytes_ * kSlabStacks;
}

void StackPool::MapGuarded() {
  const size_t total = stack_bytes_ + page_bytes_;
  void* base = mmap(nullptr, total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (base == MAP_FAILED) throw std::bad_alloc();
  if (mprotect(base, page_bytes_, PROT_NONE) != 0) {  // the guard page, below the stack
    munmap(base, total);
    throw std::bad_alloc();
  }
  guarded_bases_.push_back(base);
  free_.push_back(static_cast<char*>(base) + page_bytes_);
  ++guarded_;
}

void StackPool::MapSlab() {
  const size_t total = stack_bytes_ * kSlabStacks;
  void* slab = mmap(nullptr, total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (slab == MAP_FAILED) throw std::bad_alloc();
  slabs_.insert(std::upper_bound(slabs_.begin(), slabs_.end(), slab, std::less<void*>()), slab);
  // Lowest first, so the highest is handed out first: an overflow of the first stack lands in a
  // mapped neighbour (caught by the canary), not below the slab.
  for (size_t i = 0; i < kSlabStacks; ++i) free_.push_back(static_cast<char*>(slab) + i * stack_bytes_);
  slab_stacks_ += kSlabStacks;
}

boost::context::stack_context StackPool::Allocate() {
  if (free_.empty()) {
    // Reserve a guarded slot first; give it back if the limit is reached.
    if (g_guarded_stacks.fetch_add(1, std::memory_order_relaxed) < guarded_limit_) {
      try {
        MapGuarded();
      } catch (...) {
        g_guarded_stacks.fetch_sub(1, std::memory_order_relaxed);
        throw;
      }
    } else {
      g_guarded_stacks.fetch_sub(1, std::memory_order_relaxed);
      MapSlab();
    }
  }
  char* bottom = free_.back();
  free_.pop_back();
  last_has_canary_ = IsSlabStack(bottom);
  if (last_has_canary_) *reinterpret_cast<uint64_t*>(bottom) = kCanary;
  ++in_use_;
  boost::context::stack_context stack;
  stack.size = stack_bytes_;
  stack.sp = bottom + stack_bytes_;  // stacks grow down
  last_ = stack;
  return stack;
}

void StackPool::Deallocate(boost::context::stack_context& stack) noexcept {
  char* bottom = static_cast<char*>(stack.sp) - stack.size;
  // Frames abandoned by a forced unwind may leave poisoned redzones behind; the next fiber on this
  // stack must start clean.
  SEEDBED_ASAN_UNPOISON(bottom, stack.size);
  if (IsSlabStack(bottom) && !CanaryIntact(bottom)) {
    std::fprintf(stderr,
                 "seedbed: a task overflowed its %zu KiB fiber stack (the canary at its bottom was "
                 "overwritten); raise KernelConfig::stack_bytes\n",
                 stack_bytes_ / 1024);
    std::fflush(stderr);
    std::abort();
  }
  free_.push_back(bottom);
  --in_use_;
}

void StackPool::Abandon(boost::context::stack_context& stack) noexcept {
#if defined(SEEDBED_ASAN_FIBERS)
  char* bottom = static_cast<char*>(stack.sp) - stack.size;
  SEEDBED_ASAN_UNPOISON(bottom, stack.size);
  internal::RegisterLeakRoot(bottom, stack.size);
  ++abandoned_;
  --in_use_;
#else
  Deallocate(stack);
#endif
}

}  // namespace seedbed
