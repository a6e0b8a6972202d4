// The on-disk record format of a Raft group's WAL (one tiny header, LevelDB db/log_format.h style).
// Each WAL segment file is a sequence of records:
//   length u32 | checksum u64 (fnv1a64 of the body) | body (`length` bytes)
//   body = type u8 | index u64 | term u64 | data (the rest; entries only)
// all little-endian. Types: kEntry (a log entry) and kApplied (the replica applied through `index`;
// term 0, no data). A record that is cut short, fails its checksum or is malformed ends the valid
// prefix: everything from it on is a torn tail. Never yields.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace model::raft {

inline constexpr size_t kRecordHeaderBytes = 4 + 8;
inline constexpr size_t kRecordBodyMinBytes = 1 + 8 + 8;
// A body larger than this is treated as corrupt (a torn length field must not make us allocate).
inline constexpr uint32_t kRecordBodyMaxBytes = 64 << 20;

enum class RecordType : uint8_t { kEntry = 1, kApplied = 2 };

struct LogRecord {
  RecordType type = RecordType::kEntry;
  uint64_t index = 0;
  uint64_t term = 0;
  std::string data;
  friend bool operator==(const LogRecord&, const LogRecord&) = default;
};

std::string EncodeRecord(const LogRecord& record);

struct DecodedRecords {
  std::vector<LogRecord> records;
  std::vector<uint64_t> offsets;  // byte offset of each record in the input
  uint64_t valid_bytes = 0;       // length of the valid prefix (where a torn tail starts)
  bool torn = false;              // bytes after the valid prefix were dropped
};

// Decodes records from the start of `bytes` up to the first bad one.
DecodedRecords DecodeRecords(std::string_view bytes);

}  // namespace model::raft
