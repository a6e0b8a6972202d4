// The L0 table: a memtable flushed to one object `{prefix}l0/{wal_id_upto:020}-{writer_id:016x}`.
//   "SBTBL001" | count u32 | count x (type u8 | key | value) | fnv1a64 of all before
// Entries sorted by key; type 2 is a tombstone. Never yields.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace model {

// key -> value, or nullopt for a tombstone.
using Table = std::map<std::string, std::optional<std::string>, std::less<>>;

std::string EncodeTable(const Table& table);
absl::StatusOr<Table> DecodeTable(std::string_view bytes);  // kDataLoss if malformed
std::string TablePath(std::string_view prefix, uint64_t wal_id_upto, uint64_t writer_id);

}  // namespace model
