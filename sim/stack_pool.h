// Guard-paged fiber stacks, mapped once and reused: a stack overflow hits a PROT_NONE page and
// faults loudly; a freed stack returns to the pool's free list for the next task. The pool is owned
// by a Kernel (or shared by the Kernels of one thread through KernelConfig::stack_pool) and must
// outlive every fiber using it. Not thread-safe; never yields.
#pragma once

#include <cstddef>
#include <vector>

#include <boost/context/stack_context.hpp>

namespace seedbed {

class StackPool {
 public:
  // `stack_bytes` usable bytes per stack (rounded up to whole pages), plus one guard page below.
  explicit StackPool(size_t stack_bytes);
  ~StackPool();  // unmaps the free stacks. REQUIRES: every stack was returned.
  StackPool(const StackPool&) = delete;
  StackPool& operator=(const StackPool&) = delete;

  boost::context::stack_context Allocate();
  void Deallocate(boost::context::stack_context& stack) noexcept;

  // The stack handed out by the last Allocate (the kernel reads its bounds for ASan).
  const boost::context::stack_context& last_allocated() const { return last_; }
  size_t stack_bytes() const { return stack_bytes_; }
  size_t mapped() const { return mapped_; }      // stacks mapped so far (free or in use)
  size_t in_use() const { return in_use_; }

 private:
  size_t page_bytes_;
  size_t stack_bytes_;
  std::vector<void*> free_;  // mapping bases (the guard page)
  size_t mapped_ = 0;
  size_t in_use_ = 0;
  boost::context::stack_context last_;
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
