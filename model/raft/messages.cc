#include "model/raft/messages.h"

#include "model/coding.h"

namespace model::raft {

std::string EncodeMessage(const RaftMessage& m) {
  std::string out;
  size_t bytes = 64 + m.leader_hint.size() + (m.value ? m.value->size() : 0);
  for (const Entry& e : m.entries) bytes += 20 + e.data.size();
  out.reserve(bytes);  // one allocation: the message is built by many small appends
  out.push_back(static_cast<char>(m.type));
  coding::PutFixed64(out, m.group);
  coding::PutFixed64(out, m.term);
  switch (m.type) {
    case MessageType::kRequestVote:
    case MessageType::kRequestVoteReply:
      coding::PutFixed64(out, m.last_log_index);
      coding::PutFixed64(out, m.last_log_term);
      out.push_back(m.granted ? 1 : 0);
      break;
    case MessageType::kAppendEntries:
      coding::PutFixed64(out, m.prev_index);
      coding::PutFixed64(out, m.prev_term);
      coding::PutFixed64(out, m.leader_commit);
      coding::PutFixed32(out, static_cast<uint32_t>(m.entries.size()));
      for (const Entry& e : m.entries) {
        coding::PutFixed64(out, e.index);
        coding::PutFixed64(out, e.term);
        coding::PutBytes(out, e.data);
      }
      break;
    case MessageType::kAppendEntriesReply:
    case MessageType::kSnapshotReply:
      out.push_back(m.success ? 1 : 0);
      coding::PutFixed64(out, m.match_index);
      coding::PutFixed64(out, m.hint_index);
      break;
    case MessageType::kClientRequest:
      coding::PutFixed64(out, m.request_id);
      coding::PutBytes(out, EncodeCommand(m.command));
      break;
    case MessageType::kClientReply:
      coding::PutFixed64(out, m.request_id);
      out.push_back(static_cast<char>(m.code));
      coding::PutBytes(out, m.leader_hint);
      out.push_back(m.value.has_value() ? 1 : 0);
      coding::PutBytes(out, m.value.value_or(""));
      break;
    case MessageType::kSnapshotHeader:
      coding::PutFixed64(out, m.last_log_index);
      coding::PutFixed64(out, m.last_log_term);
      coding::PutFixed64(out, m.checksum);
      break;
    case MessageType::kSnapshotChunk:
      coding::PutBytes(out, m.bytes);
      break;
    case MessageType::kSnapshotEnd:
      coding::PutFixed64(out, m.checksum);
      break;
  }
  return out;
}

absl::StatusOr<RaftMessage> DecodeMessage(std::string_view bytes) {
  const absl::Status bad = absl::DataLossError("raft: malformed message");
  coding::Reader r(bytes);
  RaftMessage m;
  uint8_t type = 0;
  uint8_t flag = 0;
  if (!r.GetByte(type) || type < 1 || type > static_cast<uint8_t>(MessageType::kSnapshotReply) ||
      !r.GetFixed64(m.group) || !r.GetFixed64(m.term)) {
    return bad;
  }
  m.type = static_cast<MessageType>(type);
  switch (m.type) {
    case MessageType::kRequestVote:
    case MessageType::kRequestVoteReply:
      if (!r.GetFixed64(m.last_log_index) || !r.GetFixed64(m.last_log_term) || !r.GetByte(flag))
        return bad;
      m.granted = flag != 0;
      break;
    case MessageType::kAppendEntries: {
      uint32_t n = 0;
      if (!r.GetFixed64(m.prev_index) || !r.GetFixed64(m.prev_term) ||
          !r.GetFixed64(m.leader_commit) || !r.GetFixed32(n)) {
        return bad;
      }
      for (uint32_t i = 0; i < n; ++i) {
        Entry e;
        if (!r.GetFixed64(e.index) || !r.GetFixed64(e.term) || !r.GetBytes(e.data)) return bad;
        m.entries.push_back(std::move(e));
      }
      break;
    }
    case MessageType::kAppendEntriesReply:
    case MessageType::kSnapshotReply:
      if (!r.GetByte(flag) || !r.GetFixed64(m.match_index) || !r.GetFixed64(m.hint_index))
        return bad;
      m.success = flag != 0;
      break;
    case MessageType::kClientRequest: {
      std::string command;
      if (!r.GetFixed64(m.request_id) || !r.GetBytes(command)) return bad;
      absl::StatusOr<Command> decoded = DecodeCommand(command);
      if (!decoded.ok()) return bad;
      m.command = std::move(*decoded);
      break;
    }
    case MessageType::kClientReply: {
      uint8_t code = 0;
      std::string value;
      if (!r.GetFixed64(m.request_id) || !r.GetByte(code) ||
          code > static_cast<uint8_t>(ClientCode::kUnknown) || !r.GetBytes(m.leader_hint) ||
          !r.GetByte(flag) || !r.GetBytes(value)) {
        return bad;
      }
      m.code = static_cast<ClientCode>(code);
      if (flag != 0) m.value = std::move(value);
      break;
    }
    case MessageType::kSnapshotHeader:
      if (!r.GetFixed64(m.last_log_index) || !r.GetFixed64(m.last_log_term) ||
          !r.GetFixed64(m.checksum)) {
        return bad;
      }
      break;
    case MessageType::kSnapshotChunk:
      if (!r.GetBytes(m.bytes)) return bad;
      break;
    case MessageType::kSnapshotEnd:
      if (!r.GetFixed64(m.checksum)) return bad;
      break;
  }
  if (r.remaining() != 0) return bad;
  return m;
}

}  // namespace model::raft
