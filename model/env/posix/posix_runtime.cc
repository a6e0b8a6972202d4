#include "model/env/posix/posix_runtime.h"

#include <cassert>
#include <chrono>
#include <condition_variable>
#include <thread>

namespace model {
namespace {

class PosixMutex final : public Mutex {
 public:
  void Lock() override { mu_.lock(); }
  void Unlock() override { mu_.unlock(); }
  std::mutex& native() { return mu_; }

 private:
  std::mutex mu_;
};

class PosixCondVar final : public CondVar {
 public:
  void Wait(Mutex& mu) override {
    std::unique_lock<std::mutex> lock(Native(mu), std::adopt_lock);
    cv_.wait(lock);
    lock.release();  // still held: the caller unlocks it
  }
  bool WaitFor(Mutex& mu, int64_t timeout_ns) override {
    std::unique_lock<std::mutex> lock(Native(mu), std::adopt_lock);
    const bool notified =
        cv_.wait_for(lock, std::chrono::nanoseconds(timeout_ns < 0 ? 0 : timeout_ns)) ==
        std::cv_status::no_timeout;
    lock.release();
    return notified;
  }
  void NotifyOne() override { cv_.notify_one(); }
  void NotifyAll() override { cv_.notify_all(); }

 private:
  // REQUIRES: mu was made by a PosixRuntime (one runtime per program side; no mixing with sim).
  static std::mutex& Native(Mutex& mu) { return static_cast<PosixMutex&>(mu).native(); }
  std::condition_variable cv_;
};

class PosixTask final : public TaskHandle {
 public:
  explicit PosixTask(std::function<void()> fn) : thread_(std::move(fn)) {}
  ~PosixTask() override {
    if (thread_.joinable()) thread_.detach();
  }
  void Join() override {
    if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
  }

 private:
  std::thread thread_;
};

uint64_t SplitMix64(uint64_t& x) {
  uint64_t z = (x += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

}  // namespace

PosixRuntime::PosixRuntime(uint64_t seed) {
  for (uint64_t& s : s_) s = SplitMix64(seed);
}

int64_t PosixRuntime::NowNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

void PosixRuntime::SleepFor(int64_t duration_ns) {
  if (duration_ns > 0) std::this_thread::sleep_for(std::chrono::nanoseconds(duration_ns));
}

void PosixRuntime::Yield() { std::this_thread::yield(); }

std::unique_ptr<TaskHandle> PosixRuntime::Spawn(std::string name, std::function<void()> fn) {
  (void)name;
  return std::make_unique<PosixTask>(std::move(fn));
}

std::unique_ptr<Mutex> PosixRuntime::NewMutex(std::string_view name) {
  (void)name;
  return std::make_unique<PosixMutex>();
}

std::unique_ptr<CondVar> PosixRuntime::NewCondVar(std::string_view name) {
  (void)name;
  return std::make_unique<PosixCondVar>();
}

uint64_t PosixRuntime::NextLocked() {  // xoshiro256**
  const uint64_t result = Rotl(s_[1] * 5, 7) * 9;
  const uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = Rotl(s_[3], 45);
  return result;
}

uint64_t PosixRuntime::Random(uint64_t n) {
  assert(n > 0);
  std::lock_guard<std::mutex> lock(rng_mu_);
  // Rejection sampling: no modulo bias.
  const uint64_t limit = ~uint64_t{0} - (~uint64_t{0} % n + 1) % n;
  for (;;) {
    const uint64_t x = NextLocked();
    if (x <= limit) return x % n;
  }
}

}  // namespace model
