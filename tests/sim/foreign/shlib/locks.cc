// See locks.h. Written the way an engine would: no Seedbed types, only the standard library.
#include "tests/sim/foreign/shlib/locks.h"

#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

namespace foreign_test {

int64_t SharedLibraryWorkload(int threads, int rounds, std::string& order) {
  std::mutex mu;
  std::condition_variable cv;
  int64_t counter = 0;
  int turn = 0;  // thread turn % threads goes next
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      for (int r = 0; r < rounds; ++r) {
        std::unique_lock<std::mutex> lock(mu);
        cv.wait(lock, [&] { return turn % threads == t; });
        ++counter;
        ++turn;
        order += static_cast<char>('a' + t);
        cv.notify_all();
      }
    });
  }
  for (std::thread& w : workers) w.join();
  return counter;
}

}  // namespace foreign_test
