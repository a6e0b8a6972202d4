#include "model/raft/log_format.h"

#include "model/coding.h"

namespace model::raft {

std::string EncodeRecord(const LogRecord& record) {
  std::string body;
  body.reserve(kRecordBodyMinBytes + record.data.size());
  body.push_back(static_cast<char>(record.type));
  coding::PutFixed64(body, record.index);
  coding::PutFixed64(body, record.term);
  body.append(record.data);
  std::string out;
  out.reserve(kRecordHeaderBytes + body.size());
  coding::PutFixed32(out, static_cast<uint32_t>(body.size()));
  coding::PutFixed64(out, coding::Fnv1a64(body));
  out.append(body);
  return out;
}

DecodedRecords DecodeRecords(std::string_view bytes) {
  DecodedRecords out;
  uint64_t offset = 0;
  while (offset < bytes.size()) {
    coding::Reader header(bytes.substr(offset));
    uint32_t length = 0;
    uint64_t checksum = 0;
    if (!header.GetFixed32(length) || !header.GetFixed64(checksum)) break;
    if (length < kRecordBodyMinBytes || length > kRecordBodyMaxBytes) break;
    if (header.remaining() < length) break;
    const std::string_view body = bytes.substr(offset + kRecordHeaderBytes, length);
    if (coding::Fnv1a64(body) != checksum) break;
    coding::Reader reader(body);
    uint8_t type = 0;
    LogRecord record;
    if (!reader.GetByte(type) || !reader.GetFixed64(record.index) || !reader.GetFixed64(record.term))
      break;
    if (type != static_cast<uint8_t>(RecordType::kEntry) &&
        type != static_cast<uint8_t>(RecordType::kApplied))
      break;
    record.type = static_cast<RecordType>(type);
    record.data.assign(body.substr(kRecordBodyMinBytes));
    if (record.type == RecordType::kApplied && !record.data.empty()) break;
    out.records.push_back(std::move(record));
    out.offsets.push_back(offset);
    offset += kRecordHeaderBytes + length;
  }
  out.valid_bytes = offset;
  out.torn = offset < bytes.size();
  return out;
}

}  // namespace model::raft
