// sim/world/network.h: the simulated network between the processes of a world. Datagrams take
// latency from the fault plan and may be lost, duplicated or held back (reordered); partitions
// (two-way or one-way) drop messages between the sides until healed; ordered streams deliver in
// order and break (kUnavailable) on a partition, an injected reset, or a crash of either end.
// SimNetwork is driven from kernel context (partitions, crashes) and never yields; a process's
// SimTransport and its streams may yield where model::Transport says so. Single-threaded.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/btree_map.h"
#include "absl/container/btree_set.h"
#include "model/env/transport.h"
#include "sim/kernel.h"
#include "sim/world/core.h"

namespace seedbed {

class SimNetwork;
struct StreamState;
void DeliverDue(SimNetwork& net, const std::shared_ptr<StreamState>& s, int to, Nanos now);

// The shared state of one stream: end 0 connected, end 1 accepted.
struct StreamState {
  struct InFlight {
    Nanos at_ns = 0;
    bool eof = false;
    std::string data;
  };
  struct Direction {
    // Sent, not yet arrived, in write order. Events at one instant fire in a decided order, so
    // whichever arrival event fires first delivers every item due by then, in order.
    std::deque<InFlight> in_flight;
    std::deque<std::string> queue;  // delivered, not yet read
    bool eof = false;               // the writer closed and everything before it arrived
    Nanos last_delivery_ns = 0;     // deliveries in one direction never overtake each other
    std::vector<TaskId> readers;
  };
  uint64_t id = 0;
  std::string end_name[2];
  uint32_t end_incarnation[2] = {0, 0};
  Direction to_end[2];  // to_end[i]: bytes travelling towards end i
  bool closed[2] = {false, false};
  bool broken = false;
  std::string broken_reason;
};

struct NetworkStats {
  uint64_t sent = 0;
  uint64_t delivered = 0;
  uint64_t lost = 0;        // injected loss
  uint64_t partitioned = 0; // dropped by a partition (at send or delivery)
  uint64_t duplicated = 0;
  uint64_t streams_broken = 0;
};

class SimTransport final : public model::Transport {
 public:
  SimTransport(SimNetwork& net, std::string self) : net_(net), self_(std::move(self)) {}
  std::string_view self() const override { return self_; }
  absl::Status Send(std::string_view to, std::string bytes) override;
  absl::StatusOr<model::Message> Receive(int64_t timeout_ns) override;
  absl::StatusOr<std::unique_ptr<model::Stream>> Connect(std::string_view to) override;
  absl::StatusOr<std::unique_ptr<model::Stream>> Accept(int64_t timeout_ns) override;

 private:
  SimNetwork& net_;
  std::string self_;
};

class SimNetwork {
 public:
  explicit SimNetwork(WorldCore& core) : core_(core) {}

  // Registers a process; its transport lives as long as the network.
  SimTransport& AddEndpoint(Process& process);

  // --- partitions (kernel or task context) ---
  // Cuts every pair (a in side_a, b in side_b), both ways unless one_way (then only a -> b).
  // An empty side_b means every other endpoint. Returns an id for HealPartition.
  uint64_t Partition(const std::vector<std::string>& side_a, std::vector<std::string> side_b,
                     bool one_way);
  void HealPartition(uint64_t id);
  void HealAll();
  bool Blocked(std::string_view from, std::string_view to) const;
  size_t active_partitions() const { return partitions_.size(); }

  // Crash of a process: its inbox and accept queue are emptied, its streams break.
  void OnCrash(const Process& process);
  const NetworkStats& stats() const { return stats_; }

 private:
  friend class SimTransport;
  friend class SimStream;
  friend void DeliverDue(SimNetwork& net, const std::shared_ptr<StreamState>& s, int to, Nanos now);
  struct Endpoint {
    Process* process = nullptr;
    std::unique_ptr<SimTransport> transport;
    std::deque<model::Message> inbox;
    std::deque<uint64_t> inbox_ids;  // beside inbox: each message's id for timeline marks
    std::vector<TaskId> receivers;
    std::deque<std::shared_ptr<StreamState>> accept_queue;
    std::vector<TaskId> acceptors;
  };
  Endpoint* Find(std::string_view name);
  void Deliver(std::string from, std::string to, std::string bytes, uint64_t id);
  void ScheduleDatagram(const std::string& from, const std::string& to, const std::string& bytes, uint64_t id);
  void Break(StreamState& s, std::string_view reason);
  void BreakCrossing();  // breaks every live stream whose ends are now cut off
  void WakeAll(std::vector<TaskId>& tasks);
  // Blocks the calling task on `waiters` until woken or the deadline; false on timeout.
  bool WaitOn(std::vector<TaskId>& waiters, std::string_view what, Nanos deadline_ns);

  WorldCore& core_;
  absl::btree_map<std::string, Endpoint, std::less<>> endpoints_;
  absl::btree_map<uint64_t, absl::btree_set<std::pair<std::string, std::string>>> partitions_;
  uint64_t next_partition_ = 1;
  std::vector<std::weak_ptr<StreamState>> streams_;  // creation order
  uint64_t next_stream_ = 1;
  NetworkStats stats_;
  uint64_t next_message_id_ = 1;  // for timeline marks only (send -> receive arrows)
};

}  // namespace seedbed
