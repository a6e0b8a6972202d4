// The race kernels of races.h. Instrumented code: every access here may be a scheduling point.
#include "races.h"

#include <atomic>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace races {
namespace {

void Note(Outcome& out, std::string what) {
  if (out.violations++ == 0) out.first = std::move(what);
}

}  // namespace

Outcome StoreOrder(bool buggy) {
  struct alignas(64) Cell {
    volatile int v = 0;
  };
  Cell a, b;
  Outcome out;
  std::thread writer([&] {
    if (buggy) {
      b.v = -1;
      a.v = 1;
    } else {
      a.v = 1;
      b.v = -1;
    }
  });
  std::thread reader([&] {
    for (int i = 0; i < 4; ++i) {
      const int seen_b = b.v;
      const int seen_a = a.v;
      if (seen_b == -1 && seen_a != 1)
        Note(out, "reader saw b == -1 but a == " + std::to_string(seen_a) + " (a is stored before b)");
      std::this_thread::yield();
    }
  });
  writer.join();
  reader.join();
  return out;
}

Outcome LostUpdate(bool buggy) {
  constexpr int kThreads = 2;
  constexpr int kAdds = 40;
  struct alignas(64) Account {
    std::mutex mu;
    long balance = 0;
  };
  Account account;
  std::mutex own[kThreads];  // buggy: each thread's own mutex (the wrong lock)
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::mutex& mu = buggy ? own[t] : account.mu;
      for (int i = 0; i < kAdds; ++i) {
        std::lock_guard<std::mutex> lock(mu);
        account.balance = account.balance + 1;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  Outcome out;
  if (account.balance != kThreads * kAdds)
    Note(out, "balance is " + std::to_string(account.balance) + " after " + std::to_string(kThreads * kAdds) +
                  " additions of 1");
  return out;
}

Outcome TreiberStack(bool buggy) {
  constexpr int kThreads = 2;
  constexpr int kPushes = 16;
  struct Node {
    int value = 0;
    Node* next = nullptr;
  };
  std::vector<Node> nodes(kThreads * kPushes);
  std::atomic<Node*> head{nullptr};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPushes; ++i) {
        Node* n = &nodes[t * kPushes + i];
        n->value = t * kPushes + i;
        if (buggy) {
          Node* h = head.load(std::memory_order_acquire);
          n->next = h;
          head.store(n, std::memory_order_release);
        } else {
          Node* h = head.load(std::memory_order_relaxed);
          do {
            n->next = h;
          } while (!head.compare_exchange_weak(h, n, std::memory_order_release, std::memory_order_relaxed));
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  std::vector<bool> seen(nodes.size(), false);
  size_t length = 0;
  for (Node* n = head.load(); n != nullptr && length <= nodes.size(); n = n->next, ++length) seen[n->value] = true;
  Outcome out;
  for (size_t i = 0; i < seen.size(); ++i) {
    if (!seen[i]) {
      Note(out, "push of node " + std::to_string(i) + " is lost: the stack holds " + std::to_string(length) + " of " +
                    std::to_string(nodes.size()) + " nodes");
    }
  }
  return out;
}

Outcome DoubleCheckedInit(bool buggy) {
  struct Config {
    volatile int port = 0;
  };
  constexpr int kThreads = 3;
  std::atomic<Config*> instance{nullptr};
  std::mutex mu;
  std::vector<std::unique_ptr<Config>> made;  // under mu; more than one is a bug of its own
  Outcome out;
  auto get = [&]() -> Config* {
    if (Config* c = instance.load(std::memory_order_acquire)) return c;
    std::lock_guard<std::mutex> lock(mu);
    if (Config* c = instance.load(std::memory_order_relaxed)) return c;
    made.push_back(std::make_unique<Config>());
    Config* c = made.back().get();
    if (buggy) {
      instance.store(c, std::memory_order_release);  // published before its fields are set
      c->port = 8080;
    } else {
      c->port = 8080;
      instance.store(c, std::memory_order_release);
    }
    return c;
  };
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      const int port = get()->port;
      if (port != 8080) Note(out, "thread " + std::to_string(t) + " read port " + std::to_string(port) + " of a config not yet initialised");
    });
  }
  for (std::thread& t : threads) t.join();
  if (made.size() != 1) Note(out, std::to_string(made.size()) + " configs were created");
  return out;
}

Outcome MemtableSeq(bool buggy) {
  constexpr int kWriters = 2;
  constexpr int kPuts = 6;
  constexpr int kReads = 6;
  struct Entry {
    uint64_t seq = 0;
    int key = 0;
    Entry* next = nullptr;
  };
  struct Memtable {
    std::mutex write_mu;               // writers take turns (LevelDB's writer queue)
    uint64_t last_assigned = 0;        // under write_mu
    std::atomic<Entry*> head{nullptr};
    std::atomic<uint64_t> last_seq{0}; // what readers may see: every entry with seq <= it is linked
  };
  Memtable table;
  std::vector<Entry> pool(kWriters * kPuts);
  Outcome out;
  std::vector<std::thread> threads;
  for (int w = 0; w < kWriters; ++w) {
    threads.emplace_back([&, w] {
      for (int i = 0; i < kPuts; ++i) {
        std::lock_guard<std::mutex> lock(table.write_mu);
        const uint64_t seq = ++table.last_assigned;
        Entry* e = &pool[seq - 1];
        e->seq = seq;
        e->key = w * kPuts + i;
        if (buggy) table.last_seq.store(seq, std::memory_order_release);  // before the entry is linked
        e->next = table.head.load(std::memory_order_relaxed);
        table.head.store(e, std::memory_order_release);
        if (!buggy) table.last_seq.store(seq, std::memory_order_release);
      }
    });
  }
  threads.emplace_back([&] {
    for (int r = 0; r < kReads; ++r) {
      const uint64_t snapshot = table.last_seq.load(std::memory_order_acquire);
      uint64_t visible = 0;
      for (Entry* e = table.head.load(std::memory_order_acquire); e != nullptr; e = e->next)
        if (e->seq <= snapshot) ++visible;
      if (visible != snapshot)
        Note(out, "a reader at sequence " + std::to_string(snapshot) + " found " + std::to_string(visible) +
                      " entries: the entry of sequence " + std::to_string(snapshot) + " is not linked yet");
      std::this_thread::yield();
    }
  });
  for (std::thread& t : threads) t.join();
  return out;
}

}  // namespace races
