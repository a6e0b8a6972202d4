#include "absl/strings/str_cat.h"
#include "model/env/status.h"
#include "model/db/table.h"

#include <fmt/format.h>

#include "model/coding.h"

namespace model {

namespace {
constexpr std::string_view kTableMagic = "SBTBL001";
}  // namespace

std::string EncodeTable(const Table& table) {
  std::string out(kTableMagic);
  coding::PutFixed32(out, static_cast<uint32_t>(table.size()));
  for (const auto& [key, value] : table) {
    out.push_back(value ? 1 : 2);
    coding::PutBytes(out, key);
    coding::PutBytes(out, value ? *value : std::string());
  }
  coding::PutFixed64(out, coding::Fnv1a64(out));
  return out;
}

absl::StatusOr<Table> DecodeTable(std::string_view bytes) {
  if (bytes.size() < kTableMagic.size() + 12) return absl::DataLossError("table too short");
  const std::string_view body = bytes.substr(0, bytes.size() - 8);
  coding::Reader tail(bytes.substr(bytes.size() - 8));
  uint64_t checksum = 0;
  if (!tail.GetFixed64(checksum) || checksum != coding::Fnv1a64(body))
    return absl::DataLossError("table checksum mismatch");
  coding::Reader in(body);
  uint32_t count = 0;
  if (!in.Skip(kTableMagic) || !in.GetFixed32(count)) return absl::DataLossError("bad table");
  Table table;
  for (uint32_t i = 0; i < count; ++i) {
    uint8_t type = 0;
    std::string key, value;
    if (!in.GetByte(type) || !in.GetBytes(key) || !in.GetBytes(value) || (type != 1 && type != 2))
      return absl::DataLossError("bad table entry");
    table[std::move(key)] = type == 1 ? std::optional<std::string>(std::move(value)) : std::nullopt;
  }
  return table;
}

std::string TablePath(std::string_view prefix, uint64_t wal_id_upto, uint64_t writer_id) {
  return absl::StrCat(Av(prefix), "l0/", absl::Dec(wal_id_upto, absl::kZeroPad20), "-",
                      absl::Hex(writer_id, absl::kZeroPad16));
}

}  // namespace model
