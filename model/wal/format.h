// The WAL object format and names. One object `{prefix}wal/{id:020}` per flushed buffer:
//   "SBWAL001" | writer_id u64 | writer_epoch u64 | wal_id u64 | count u32 |
//   count x (type u8 | key: u32 len + bytes | value: u32 len + bytes) | fnv1a64 of all before, u64
// all little-endian. An empty WAL (count 0) is a fence; its size is kEmptyWalBytes.
// The random writer_id makes two writers' objects differ even for equal ops (read-back check).
// Never yields.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace model {

struct WalOp {
  enum class Type : uint8_t { kPut = 1, kDelete = 2 };
  Type type = Type::kPut;
  std::string key;
  std::string value;  // empty for kDelete
  friend bool operator==(const WalOp&, const WalOp&) = default;
};
using WriteBatch = std::vector<WalOp>;

struct WalObject {
  uint64_t writer_id = 0;
  uint64_t writer_epoch = 0;
  uint64_t wal_id = 0;
  WriteBatch ops;
};

inline constexpr size_t kEmptyWalBytes = 8 + 8 + 8 + 8 + 4 + 8;

std::string EncodeWal(const WalObject& wal);
// kDataLoss on a bad magic, a truncated body or a checksum mismatch.
absl::StatusOr<WalObject> DecodeWal(std::string_view bytes);

std::string WalDir(std::string_view prefix);               // "{prefix}wal/"
std::string WalPath(std::string_view prefix, uint64_t id);  // "{prefix}wal/{id:020}"
// What a writer holds from the manifest write that made it writer until it learns it is fenced or
// closes, for timelines (Runtime::HoldBegin): "writer epoch {epoch} ({prefix})".
std::string WriterLeaseName(std::string_view prefix, uint64_t epoch);
// The id of a WAL object path under `prefix`, or nullopt if the path is not one.
std::optional<uint64_t> ParseWalPath(std::string_view prefix, std::string_view path);

}  // namespace model
