// A Raft server process: one replica of each of several groups (multi-raft, as CnosDB runs one
// Raft group per vnode), over one Transport, with each group's log as a WAL on the local disk.
// Written against model/env only. Thread-safe; calls marked "May yield" may suspend the caller.
//
// Disk layout under `root` (one directory per group):
//   {root}/g{group}/log/{seq:020}.wal   the WAL segments (model/raft/log_store.h)
//   {root}/g{group}/vote                currentTerm + votedFor, replaced atomically, synced
//   {root}/g{group}/snapshot            the flushed memtable + last included index/term, atomic
// Tasks per process: "raft-recv" (datagrams), "raft-accept" (snapshot streams), one worker
// "raft-g{group}" per group (it alone touches that group's Raft state and disk), plus short-lived
// snapshot sender/receiver tasks.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "model/env/env.h"
#include "model/raft/messages.h"
#include "model/raft/options.h"

namespace model::raft {

struct GroupConfig {
  uint64_t id = 0;
  std::vector<std::string> members;  // transport addresses (process names), this node included
};

struct ClientResult {
  ClientCode code = ClientCode::kUnknown;
  std::string leader_hint;            // kNotLeader: the leader this node knows of, if any
  std::optional<std::string> value;   // a Get's value (nullopt = absent)
  std::string error;                  // a human-readable reason when not kOk
};

enum class Role : uint8_t { kFollower, kCandidate, kLeader };

// A view of one replica for tests and tools (never for the protocol).
struct ReplicaStatus {
  Role role = Role::kFollower;
  bool halted = false;
  uint64_t term = 0;
  std::string leader;
  uint64_t commit_index = 0;
  uint64_t applied_index = 0;
  uint64_t last_index = 0;
  uint64_t snapshot_index = 0;
  uint64_t log_first_index = 0;  // 0 when the log holds no entry
  uint64_t recoveries = 0;       // times the replica (re)loaded its state from disk
  uint64_t state_digest = 0;     // StateMachine::Digest()
};

class Replica;

class RaftNode {
 public:
  // Starts the node's tasks; each replica recovers from its directory in its own worker (a replica
  // whose recovery fails on an I/O error stays halted and retries). REQUIRES: env.runtime,
  // env.fs and env.transport set and outliving the node; `self` in every group's members.
  static std::unique_ptr<RaftNode> Start(Env env, std::string root, std::vector<GroupConfig> groups,
                                         RaftOptions options);
  // No I/O and no joins: after Stop(), or after the process crashed (simulation).
  ~RaftNode();
  RaftNode(const RaftNode&) = delete;
  RaftNode& operator=(const RaftNode&) = delete;

  // May yield. Proposes `command` to this node's replica of `group` and waits until it is applied
  // (kOk), or the answer is known otherwise, or `timeout_ns` passes (kUnknown). A follower answers
  // kNotLeader with a hint.
  ClientResult Submit(uint64_t group, Command command, int64_t timeout_ns);
  // May yield. Stops every task and waits for them (real runtime; simulation may just crash).
  void Stop();

  // May yield (takes the replica's lock). REQUIRES: `group` is one of this node's groups.
  ReplicaStatus Status(uint64_t group);
  // May yield. The local memtable's value (not linearizable: for tests and final checks).
  std::optional<std::string> LocalRead(uint64_t group, const std::string& key);
  std::string_view self() const;

 private:
  RaftNode(Env env, RaftOptions options);
  void ReceiveLoop();
  void AcceptLoop();
  void ServeSnapshotStream(Stream& stream);
  Replica* Find(uint64_t group);

  Env env_;
  RaftOptions options_;
  std::map<uint64_t, std::unique_ptr<Replica>> replicas_;
  std::unique_ptr<Mutex> mu_;  // guards stopping_ and tasks_
  bool stopping_ = false;
  std::vector<std::unique_ptr<TaskHandle>> tasks_;
};

}  // namespace model::raft
