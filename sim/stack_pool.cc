#include "sim/stack_pool.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <new>

#include "sim/sanitizer.h"

namespace seedbed {

StackPool::StackPool(size_t stack_bytes) {
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
  for (void* base : free_) munmap(base, stack_bytes_ + page_bytes_);
}

boost::context::stack_context StackPool::Allocate() {
  void* base;
  if (!free_.empty()) {
    base = free_.back();
    free_.pop_back();
  } else {
    const size_t total = stack_bytes_ + page_bytes_;
    base = mmap(nullptr, total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                -1, 0);
    if (base == MAP_FAILED) throw std::bad_alloc();
    if (mprotect(base, page_bytes_, PROT_NONE) != 0) {  // the guard page, below the stack
      munmap(base, total);
      throw std::bad_alloc();
    }
    ++mapped_;
  }
  ++in_use_;
  boost::context::stack_context stack;
  stack.size = stack_bytes_;
  stack.sp = static_cast<char*>(base) + page_bytes_ + stack_bytes_;  // stacks grow down
  last_ = stack;
  return stack;
}

void StackPool::Deallocate(boost::context::stack_context& stack) noexcept {
  char* bottom = static_cast<char*>(stack.sp) - stack.size;
  // Frames abandoned by a forced unwind may leave poisoned redzones behind; the next fiber on this
  // stack must start clean.
  SEEDBED_ASAN_UNPOISON(bottom, stack.size);
  free_.push_back(bottom - page_bytes_);
  --in_use_;
}

}  // namespace seedbed
