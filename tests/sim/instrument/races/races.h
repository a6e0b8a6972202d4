// Five classic race kernels: small pthread-style programs (std::thread, std::mutex,
// std::atomic) that know nothing of Seedbed, each with a buggy and a fixed form. Compiled with
// seedbed_instrument() (memory-access points, sim/instrument/instrument.h); the scenarios in
// ../race_scenarios.cc run them in a world. Each returns what its own check saw; may yield (every
// thread it starts is a task, and it joins them).
//
// Every bug here sits between two pthread-level scheduling points (no lock is contended, no thread
// blocks inside the window), so without memory-access points no strategy can reach it. All of them
// are written in the source order that is wrong: the kernels are explored under sequentially
// consistent interleavings, and a bug that needs the hardware to reorder correct-looking code would
// not be found. Shared plain variables are volatile where the compiler could otherwise reorder or
// merge the accesses (a data race being undefined behaviour, nothing else would pin their order).
#pragma once

#include <cstdint>
#include <string>

namespace races {

struct Outcome {
  uint64_t violations = 0;  // how many times the kernel's own check failed
  std::string first;        // what the first failure saw
};

// a = 1; b = -1 against a reader that trusts a once it sees b == -1. Buggy: the stores are made in
// the wrong order (b first), so a reader can see b == -1 with a still 0.
Outcome StoreOrder(bool buggy);
// Two threads each add 1 to a shared balance 40 times under a mutex. Buggy: each takes its own
// mutex (the wrong lock), so a read-increment-write can overwrite the other's.
Outcome LostUpdate(bool buggy);
// A Treiber stack of pre-allocated nodes pushed by two threads. Buggy: push loads the head and
// stores the new node with a plain store instead of a compare-exchange, losing a concurrent push.
Outcome TreiberStack(bool buggy);
// A lazily created config object behind double-checked locking, read by three threads. Buggy: the
// pointer is published before the object's fields are written.
Outcome DoubleCheckedInit(bool buggy);
// A memtable (a linked list, newest first, as a skiplist's bottom level) with a sequence number
// that readers snapshot, as LevelDB's DBImpl::Write inserts into the memtable and only then sets
// the last sequence. Buggy: the sequence number is published before the entry it covers is linked,
// so a reader at that snapshot misses an entry it must see.
Outcome MemtableSeq(bool buggy);

}  // namespace races
