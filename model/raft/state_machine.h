// The replicated state machine of one Raft group: a memtable (sorted key/value map) plus the
// client sessions that make retried commands apply once (Raft thesis §6.3), and the encodings of
// commands (a log entry's data) and snapshots (the flushed memtable). Pure code: never yields, no I/O.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace model::raft {

// A log entry's payload.
struct Command {
  enum class Kind : uint8_t { kNoop = 0, kPut = 1, kDelete = 2, kGet = 3 };
  Kind kind = Kind::kNoop;
  uint64_t client_id = 0;  // 0: no session (never deduplicated)
  uint64_t seq = 0;        // per client, increasing; a command with seq <= the last applied is a retry
  std::string key;
  std::string value;  // kPut only
  friend bool operator==(const Command&, const Command&) = default;
};

std::string EncodeCommand(const Command& command);
// kDataLoss on malformed bytes.
absl::StatusOr<Command> DecodeCommand(std::string_view bytes);

// What applying a command produced.
struct ApplyResult {
  bool duplicate = false;            // a retry of an applied command: state unchanged
  std::optional<std::string> value;  // kGet: the value read (nullopt = absent)
};

// The flushed state: what a snapshot holds.
struct SnapshotData {
  uint64_t last_index = 0;  // last log index the state includes
  uint64_t last_term = 0;
  std::map<std::string, std::string> kv;
  std::map<uint64_t, uint64_t> sessions;  // client_id -> last applied seq
  friend bool operator==(const SnapshotData&, const SnapshotData&) = default;
};

// "SBRSNAP1" | last_index u64 | last_term u64 | n u32 | n x (key, value) | m u32 | m x (client u64,
// seq u64) | fnv1a64 of all before, u64. Strings are u32 length + bytes.
std::string EncodeSnapshot(const SnapshotData& snapshot);
// kDataLoss on a bad magic, truncation or checksum mismatch.
absl::StatusOr<SnapshotData> DecodeSnapshot(std::string_view bytes);

class StateMachine {
 public:
  // Applies the command of log entry `index` (REQUIRES: index == applied_index() + 1).
  ApplyResult Apply(uint64_t index, uint64_t term, const Command& command);
  // Replaces the whole state (recovery, InstallSnapshot).
  void Restore(SnapshotData snapshot);
  // The state as of applied_index(), to flush.
  SnapshotData Capture() const;

  uint64_t applied_index() const { return applied_index_; }
  uint64_t applied_term() const { return applied_term_; }
  std::optional<std::string> Get(std::string_view key) const;
  const std::map<std::string, std::string>& kv() const { return kv_; }
  // Digest of kv_ in key order (for checkers comparing replicas).
  uint64_t Digest() const;

 private:
  uint64_t applied_index_ = 0;
  uint64_t applied_term_ = 0;
  std::map<std::string, std::string> kv_;
  std::map<uint64_t, uint64_t> sessions_;
};

}  // namespace model::raft
