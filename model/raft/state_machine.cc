#include "model/raft/state_machine.h"

#include <cassert>

#include "model/coding.h"

namespace model::raft {
namespace {
constexpr std::string_view kSnapshotMagic = "SBRSNAP1";
}  // namespace

std::string EncodeCommand(const Command& command) {
  std::string out;
  out.push_back(static_cast<char>(command.kind));
  coding::PutFixed64(out, command.client_id);
  coding::PutFixed64(out, command.seq);
  coding::PutBytes(out, command.key);
  coding::PutBytes(out, command.value);
  return out;
}

absl::StatusOr<Command> DecodeCommand(std::string_view bytes) {
  coding::Reader reader(bytes);
  uint8_t kind = 0;
  Command command;
  if (!reader.GetByte(kind) || kind > static_cast<uint8_t>(Command::Kind::kGet) ||
      !reader.GetFixed64(command.client_id) || !reader.GetFixed64(command.seq) ||
      !reader.GetBytes(command.key) || !reader.GetBytes(command.value) || reader.remaining() != 0) {
    return absl::DataLossError("raft: malformed command");
  }
  command.kind = static_cast<Command::Kind>(kind);
  return command;
}

std::string EncodeSnapshot(const SnapshotData& snapshot) {
  std::string out(kSnapshotMagic);
  coding::PutFixed64(out, snapshot.last_index);
  coding::PutFixed64(out, snapshot.last_term);
  coding::PutFixed32(out, static_cast<uint32_t>(snapshot.kv.size()));
  for (const auto& [key, value] : snapshot.kv) {
    coding::PutBytes(out, key);
    coding::PutBytes(out, value);
  }
  coding::PutFixed32(out, static_cast<uint32_t>(snapshot.sessions.size()));
  for (const auto& [client, seq] : snapshot.sessions) {
    coding::PutFixed64(out, client);
    coding::PutFixed64(out, seq);
  }
  coding::PutFixed64(out, coding::Fnv1a64(out));
  return out;
}

absl::StatusOr<SnapshotData> DecodeSnapshot(std::string_view bytes) {
  const absl::Status bad = absl::DataLossError("raft: corrupt snapshot");
  if (bytes.size() < kSnapshotMagic.size() + 8) return bad;
  const std::string_view body = bytes.substr(0, bytes.size() - 8);
  coding::Reader tail(bytes.substr(bytes.size() - 8));
  uint64_t checksum = 0;
  if (!tail.GetFixed64(checksum) || checksum != coding::Fnv1a64(body)) return bad;
  coding::Reader reader(body);
  SnapshotData snapshot;
  uint32_t n = 0;
  if (!reader.Skip(kSnapshotMagic) || !reader.GetFixed64(snapshot.last_index) ||
      !reader.GetFixed64(snapshot.last_term) || !reader.GetFixed32(n)) {
    return bad;
  }
  for (uint32_t i = 0; i < n; ++i) {
    std::string key, value;
    if (!reader.GetBytes(key) || !reader.GetBytes(value)) return bad;
    snapshot.kv.emplace(std::move(key), std::move(value));
  }
  if (!reader.GetFixed32(n)) return bad;
  for (uint32_t i = 0; i < n; ++i) {
    uint64_t client = 0, seq = 0;
    if (!reader.GetFixed64(client) || !reader.GetFixed64(seq)) return bad;
    snapshot.sessions[client] = seq;
  }
  if (reader.remaining() != 0) return bad;
  return snapshot;
}

ApplyResult StateMachine::Apply(uint64_t index, uint64_t term, const Command& command) {
  // Invariant: entries apply in log order, each once.
  assert(index == applied_index_ + 1);
  applied_index_ = index;
  applied_term_ = term;
  ApplyResult result;
  if (command.kind == Command::Kind::kNoop) return result;
  if (command.client_id != 0 && command.kind != Command::Kind::kGet) {
    auto [it, inserted] = sessions_.emplace(command.client_id, command.seq);
    if (!inserted) {
      if (command.seq <= it->second) {
        result.duplicate = true;
        return result;
      }
      it->second = command.seq;
    }
  }
  switch (command.kind) {
    case Command::Kind::kPut:
      kv_[command.key] = command.value;
      break;
    case Command::Kind::kDelete:
      kv_.erase(command.key);
      break;
    case Command::Kind::kGet:
      result.value = Get(command.key);
      break;
    case Command::Kind::kNoop:
      break;
  }
  return result;
}

void StateMachine::Restore(SnapshotData snapshot) {
  applied_index_ = snapshot.last_index;
  applied_term_ = snapshot.last_term;
  kv_ = std::move(snapshot.kv);
  sessions_ = std::move(snapshot.sessions);
}

SnapshotData StateMachine::Capture() const {
  SnapshotData snapshot;
  snapshot.last_index = applied_index_;
  snapshot.last_term = applied_term_;
  snapshot.kv = kv_;
  snapshot.sessions = sessions_;
  return snapshot;
}

std::optional<std::string> StateMachine::Get(std::string_view key) const {
  auto it = kv_.find(std::string(key));
  if (it == kv_.end()) return std::nullopt;
  return it->second;
}

uint64_t StateMachine::Digest() const {
  std::string all;
  for (const auto& [key, value] : kv_) {
    coding::PutBytes(all, key);
    coding::PutBytes(all, value);
  }
  return coding::Fnv1a64(all);
}

}  // namespace model::raft
