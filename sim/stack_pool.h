// Fiber stacks, mapped once and reused; a freed stack returns to the pool's free list for the next
// task. Two layouts:
//   guarded: each stack is its own mapping with a PROT_NONE guard page below it, so an overflow
//       faults at once. Costs two memory mappings per stack, and Linux caps a process's mappings
//       (vm.max_map_count, 65530 by default), so guarded stacks are limited per process.
//   slab: past that limit, stacks are carved from slabs of kSlabStacks stacks in one mapping, with
//       no guard page between them.
// A slab stack starts with a canary word at its lowest address; the kernel checks it each time a
// task switches back and the pool checks it on release, and a broken canary aborts the process
// naming the task (an overflow past it has already written into a neighbour's stack). Guarded
// stacks have no canary: writing one would cost a resident page per stack, and the guard page
// already catches the overflow.
// The pool is owned by a Kernel (or shared by the Kernels of one thread through
// KernelConfig::stack_pool) and must outlive every fiber using it. Not thread-safe; never yields.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include <boost/context/stack_context.hpp>

namespace seedbed {

class StackPool {
 public:
  static constexpr size_t kSlabStacks = 64;
  static constexpr uint64_t kCanary = 0x5eedbed5eedbed00ull;

  // `stack_bytes` usable bytes per stack (rounded up to whole pages). `guarded_limit`: how many
  // guarded stacks this process may map in all its pools before new stacks come from slabs.
  explicit StackPool(size_t stack_bytes, size_t guarded_limit = DefaultGuardedLimit());
  ~StackPool();  // unmaps everything. REQUIRES: every stack was returned.
  StackPool(const StackPool&) = delete;
  StackPool& operator=(const StackPool&) = delete;

  boost::context::stack_context Allocate();
  void Deallocate(boost::context::stack_context& stack) noexcept;
  // A stack whose fiber was abandoned (a crash in CrashMode::kAbandon), never to run again: back to
  // the free list like Deallocate. Under ASan it is kept out of reuse instead and registered as a
  // LeakSanitizer root region (what the dead frames owned was leaked on purpose), and the pool then
  // never unmaps its mappings.
  void Abandon(boost::context::stack_context& stack) noexcept;
  size_t abandoned() const { return abandoned_; }  // stacks kept out of reuse (ASan builds)

  // The stack handed out by the last Allocate (the kernel reads its bounds for ASan), and whether
  // it carries a canary (a slab stack).
  const boost::context::stack_context& last_allocated() const { return last_; }
  bool last_has_canary() const { return last_has_canary_; }
  size_t stack_bytes() const { return stack_bytes_; }
  size_t requested_bytes() const { return requested_bytes_; }  // as given to the constructor
  size_t mapped() const { return guarded_ + slab_stacks_; }  // stacks mapped so far (free or in use)
  size_t guarded() const { return guarded_; }                // of which with a guard page
  size_t slabs() const { return slabs_.size(); }
  size_t in_use() const { return in_use_; }

  // Whether the canary word at a slab stack's lowest usable address `bottom` is intact. Not
  // instrumented: a nearly full stack may have an ASan redzone there.
  __attribute__((no_sanitize("address"))) static bool CanaryIntact(const void* bottom) {
    return *static_cast<const uint64_t*>(bottom) == kCanary;
  }

  // A quarter of vm.max_map_count (read once; 65530 if unreadable): half of the mappings left for
  // the rest of the process, e.g. the heap, ASan's shadow and other pools.
  static size_t DefaultGuardedLimit();

 private:
  void MapGuarded();
  void MapSlab();
  bool IsSlabStack(const char* bottom) const;

  size_t page_bytes_;
  size_t requested_bytes_;
  size_t stack_bytes_;
  size_t guarded_limit_;
  std::vector<char*> free_;  // lowest usable address of each free stack
  std::vector<void*> guarded_bases_;  // mapping bases (the guard page)
  std::vector<void*> slabs_;  // sorted by address
  size_t guarded_ = 0;
  size_t slab_stacks_ = 0;
  size_t in_use_ = 0;
  size_t abandoned_ = 0;
  boost::context::stack_context last_;
  bool last_has_canary_ = false;
};

// The allocator handed to boost::context::fiber. The fiber copies it into its control block, so it
// is a one-pointer handle to the pool.
class PooledStack {
 public:
  explicit PooledStack(StackPool& pool) : pool_(&pool) {}
  boost::context::stack_context allocate() { return pool_->Allocate(); }
  void deallocate(boost::context::stack_context& stack) noexcept { pool_->Deallocate(stack); }

 private:
  StackPool* pool_;
};

}  // namespace seedbed
