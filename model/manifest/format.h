// The manifest and its object format. Versions are objects `{prefix}manifest/{id:020}`, id from 1,
// each written with put-if-not-exists on latest id + 1 (compare-and-swap). Text, one field a line:
//   seedbed-manifest v1
//   writer_epoch <u64>
//   wal_id_last_compacted <u64>     WALs at or below this id are in L0 (replay starts after it)
//   wal_id_last_seen <u64>          the writer's next_wal_id - 1 when it wrote this version
//   l0 <object path>                zero or more, newest first
//   end
// Never yields.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace model {

struct Manifest {
  uint64_t writer_epoch = 0;
  uint64_t wal_id_last_compacted = 0;
  uint64_t wal_id_last_seen = 0;
  std::vector<std::string> l0;  // newest first
  friend bool operator==(const Manifest&, const Manifest&) = default;
};

std::string EncodeManifest(const Manifest& manifest);
absl::StatusOr<Manifest> DecodeManifest(std::string_view text);  // kDataLoss if malformed

std::string ManifestDir(std::string_view prefix);
std::string ManifestPath(std::string_view prefix, uint64_t id);
std::optional<uint64_t> ParseManifestPath(std::string_view prefix, std::string_view path);

}  // namespace model
