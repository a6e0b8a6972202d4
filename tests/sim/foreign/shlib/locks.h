// A stand-in for a shared engine (tests of sim/foreign/ only): std::mutex, std::condition_variable
// and std::thread compiled into a shared library, so their pthread calls come from another object
// than the test executable and must bind to its interposed definitions. May block (yield in a task).
#pragma once

#include <cstdint>
#include <string>

namespace foreign_test {

// Starts `threads` std::threads that take turns in a ring (thread t waits on a condition variable
// until turn % threads == t), each adding to a counter under a std::mutex `rounds` times; joins them
// and returns the counter (threads * rounds when correct). Appends 'a' + t to `order` per turn, so a
// correct run gives "abcabc...".
int64_t SharedLibraryWorkload(int threads, int rounds, std::string& order);

}  // namespace foreign_test
