// A real, in-process model::Transport: the nodes of one process, each on its own threads, talk
// through a PosixNetwork hub that owns every mailbox, accept queue and stream; Attach hands out one
// endpoint per node name. Thread-safe; blocking calls block the calling thread with real timeouts.
//
// Datagrams go into the destination's mailbox, at once or (with latency or reordering configured)
// from a delivery thread after a real delay; loss and duplication are drawn from a seeded PRNG of
// the network's own, the nearest real stand-ins for the simulated network's faults. Streams are
// ordered, reliable and immediate; they break (kUnavailable) on a partition between their ends or
// when either end detaches. Partition/Heal cut pairs of names (two-way or one-way).
//
// Error codes: kDeadlineExceeded (Receive, Accept, Read timed out), kOutOfRange (Read after the
// peer closed and everything before it was read), kUnavailable (stream broken; Connect to a peer
// that is down or cut off), kNotFound (no node of that name was ever attached), kAborted (this
// endpoint was detached: its process "crashed"), kFailedPrecondition (this stream end was closed).
// The network must outlive every endpoint and stream it handed out.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "model/env/transport.h"

namespace model {

struct PosixNetworkOptions {
  uint64_t seed = 0x5eedbed5eedbedull;  // the loss/duplicate/latency PRNG (splitmix64)
  // Every datagram is delayed uniformly in [min, max] (0, 0: delivered inside Send).
  int64_t latency_ns_min = 0;
  int64_t latency_ns_max = 0;
  double loss_probability = 0;
  double duplicate_probability = 0;
  double reorder_probability = 0;  // a datagram is held back an extra [0, reorder_delay_ns_max]
  int64_t reorder_delay_ns_max = 0;
};

struct PosixNetworkStats {
  uint64_t sent = 0;
  uint64_t delivered = 0;
  uint64_t lost = 0;         // drawn loss
  uint64_t partitioned = 0;  // dropped by a partition (at send or at delivery)
  uint64_t duplicated = 0;
  uint64_t streams_broken = 0;
};

namespace posix_transport_internal {
struct StreamState;
struct Endpoint;
}  // namespace posix_transport_internal

class PosixNetwork {
 public:
  explicit PosixNetwork(PosixNetworkOptions options = {});
  // Stops the delivery thread; undelivered datagrams are dropped. REQUIRES: no endpoint or stream
  // is still in use.
  ~PosixNetwork();
  PosixNetwork(const PosixNetwork&) = delete;
  PosixNetwork& operator=(const PosixNetwork&) = delete;

  // A fresh endpoint for `name` with an empty mailbox and accept queue (a process starting or
  // restarting). An endpoint attached earlier under that name is detached first. Destroying the
  // returned Transport detaches it (if it is still the current one).
  std::unique_ptr<Transport> Attach(std::string name);
  // `name`'s process is gone: its mailbox and accept queue are emptied, its streams break, calls on
  // its endpoint fail with kAborted, and datagrams to it are dropped until it is attached again.
  void Detach(std::string_view name);

  // Replaces the fault options (not the PRNG state): e.g. all zero at the heal.
  void SetOptions(const PosixNetworkOptions& options);
  // Cuts a -> b, and b -> a unless one_way; breaks the streams between them. Returns an id for
  // HealPartition; partitions may overlap (a pair stays cut while any partition cuts it).
  uint64_t Partition(std::string_view a, std::string_view b, bool one_way = false);
  // Cuts `name` off from every other name attached so far (only name -> others if one_way).
  uint64_t Isolate(std::string_view name, bool one_way = false);
  void HealPartition(uint64_t id);
  // Removes every cut.
  void Heal();
  bool Blocked(std::string_view from, std::string_view to) const;
  PosixNetworkStats stats() const;

 private:
  friend class PosixTransport;
  friend class PosixStream;
  using Endpoint = posix_transport_internal::Endpoint;
  using StreamState = posix_transport_internal::StreamState;
  struct Scheduled {
    std::string from, to, bytes;
  };

  // REQUIRES: mu_ held (every *Locked method).
  Endpoint* CurrentLocked(std::string_view name, uint64_t incarnation);
  bool BlockedLocked(std::string_view from, std::string_view to) const;
  void DeliverLocked(std::string from, const std::string& to, std::string bytes);
  void ScheduleLocked(const std::string& from, const std::string& to, const std::string& bytes);
  void BreakLocked(StreamState& s, std::string_view reason);
  void BreakStreamsLocked(std::string_view only_name);  // empty: every stream now cut off
  void DetachLocked(std::string_view name);
  uint64_t NextRandomLocked();
  bool DrawLocked(double p);
  int64_t BetweenLocked(int64_t lo, int64_t hi);
  void DeliveryLoop();

  mutable std::mutex mu_;
  PosixNetworkOptions options_;
  uint64_t rng_state_;
  std::map<std::string, std::unique_ptr<Endpoint>, std::less<>> endpoints_;
  uint64_t AddCutsLocked(std::set<std::pair<std::string, std::string>> cuts);

  // Partition id -> the (from, to) pairs it blocks.
  std::map<uint64_t, std::set<std::pair<std::string, std::string>>> cuts_;
  uint64_t next_partition_ = 1;
  std::vector<std::weak_ptr<StreamState>> streams_;
  uint64_t next_stream_ = 1;
  uint64_t next_incarnation_ = 1;
  PosixNetworkStats stats_;

  // Delayed datagrams, by (due, seq).
  std::map<std::pair<int64_t, uint64_t>, Scheduled> scheduled_;
  uint64_t next_seq_ = 0;
  bool stopping_ = false;
  std::condition_variable delivery_cv_;
  std::thread delivery_;
};

}  // namespace model
