// Wire messages of the Raft groups: datagrams between replicas (votes, AppendEntries), client
// requests and replies, and the frames of an InstallSnapshot stream. Every message names its group
// (multi-raft: one process hosts a replica of several groups). Encodings are little-endian
// (model/coding.h). Pure code: never yields.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "model/raft/log_store.h"
#include "model/raft/state_machine.h"

namespace model::raft {

enum class MessageType : uint8_t {
  kRequestVote = 1,
  kRequestVoteReply = 2,
  kAppendEntries = 3,
  kAppendEntriesReply = 4,
  kClientRequest = 5,
  kClientReply = 6,
  // Stream frames (InstallSnapshot).
  kSnapshotHeader = 7,
  kSnapshotChunk = 8,
  kSnapshotEnd = 9,
  kSnapshotReply = 10,
};

// Outcome of a client request, as the client must read it.
enum class ClientCode : uint8_t {
  kOk = 0,
  kNotLeader = 1,  // definitely not appended; `leader_hint` may name the leader
  kFailed = 2,     // definitely not applied (the entry was overwritten before commit)
  kUnknown = 3,    // may or may not be applied (leadership lost, replica halted, timeout)
};

// One struct for every type; each type uses the fields its comment lists.
struct RaftMessage {
  MessageType type = MessageType::kRequestVote;
  uint64_t group = 0;
  uint64_t term = 0;
  // kRequestVote: last_log_index, last_log_term.   kRequestVoteReply: granted.
  uint64_t last_log_index = 0;
  uint64_t last_log_term = 0;
  bool granted = false;
  // kAppendEntries: prev_index, prev_term, leader_commit, entries.
  // kAppendEntriesReply: success, match_index (success) or hint_index (the follower's last index,
  // failure). kSnapshotHeader: last_log_index/last_log_term name the snapshot point, bytes = total.
  uint64_t prev_index = 0;
  uint64_t prev_term = 0;
  uint64_t leader_commit = 0;
  std::vector<Entry> entries;
  bool success = false;
  uint64_t match_index = 0;
  uint64_t hint_index = 0;
  // kClientRequest: request_id, command.  kClientReply: request_id, code, leader_hint, value.
  uint64_t request_id = 0;
  Command command;
  ClientCode code = ClientCode::kOk;
  std::string leader_hint;
  std::optional<std::string> value;
  // kSnapshotChunk: bytes.  kSnapshotEnd: checksum of all chunks.
  std::string bytes;
  uint64_t checksum = 0;
};

std::string EncodeMessage(const RaftMessage& message);
// kDataLoss on malformed bytes.
absl::StatusOr<RaftMessage> DecodeMessage(std::string_view bytes);

}  // namespace model::raft
