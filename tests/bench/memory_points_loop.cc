// The instrumented half of memory_points_bench: a loop of plain accesses, compiled with
// seedbed_instrument() (every access calls __tsan_read8 / __tsan_write8), and its twin compiled
// without (the same code, for the uninstrumented baseline, in memory_points_bench.cc).
#include <cstdint>

// Two accesses per iteration (a read and a write of one of 8 words).
void InstrumentedTouch(volatile int64_t* words, int64_t n) {
  for (int64_t i = 0; i < n; ++i) words[i & 7] = words[i & 7] + 1;
}
