// The real Runtime: std::thread tasks, std::mutex / std::condition_variable, the steady clock, and
// a seeded PRNG of our own (xoshiro256** seeded by splitmix64). CrashPoint and Probe do nothing.
// Thread-safe. SleepFor and the blocking calls block the calling thread.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "model/env/runtime.h"

namespace model {

class PosixRuntime final : public Runtime {
 public:
  explicit PosixRuntime(uint64_t seed = 0x5eedbed5eedbedull);

  int64_t NowNanos() override;
  void SleepFor(int64_t duration_ns) override;
  void Yield() override;
  // The task is a std::thread; Join joins it; destroying the handle detaches it.
  std::unique_ptr<TaskHandle> Spawn(std::string name, std::function<void()> fn) override;
  std::unique_ptr<Mutex> NewMutex(std::string_view name) override;
  std::unique_ptr<CondVar> NewCondVar(std::string_view name) override;
  uint64_t Random(uint64_t n) override;

 private:
  uint64_t NextLocked();

  std::mutex rng_mu_;
  uint64_t s_[4];
};

}  // namespace model
