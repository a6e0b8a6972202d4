#include "absl/strings/str_cat.h"
#include "model/wal/format.h"

#include <fmt/format.h>

#include "absl/strings/numbers.h"
#include "model/coding.h"
#include "model/env/status.h"

namespace model {

namespace {
constexpr std::string_view kWalMagic = "SBWAL001";
}  // namespace

std::string EncodeWal(const WalObject& wal) {
  std::string out(kWalMagic);
  coding::PutFixed64(out, wal.writer_id);
  coding::PutFixed64(out, wal.writer_epoch);
  coding::PutFixed64(out, wal.wal_id);
  coding::PutFixed32(out, static_cast<uint32_t>(wal.ops.size()));
  for (const WalOp& op : wal.ops) {
    out.push_back(static_cast<char>(op.type));
    coding::PutBytes(out, op.key);
    coding::PutBytes(out, op.value);
  }
  coding::PutFixed64(out, coding::Fnv1a64(out));
  return out;
}

absl::StatusOr<WalObject> DecodeWal(std::string_view bytes) {
  if (bytes.size() < kEmptyWalBytes) return absl::DataLossError("wal object too short");
  const std::string_view body = bytes.substr(0, bytes.size() - 8);
  coding::Reader tail(bytes.substr(bytes.size() - 8));
  uint64_t checksum = 0;
  if (!tail.GetFixed64(checksum) || checksum != coding::Fnv1a64(body))
    return absl::DataLossError("wal object checksum mismatch");
  coding::Reader in(body);
  WalObject wal;
  uint32_t count = 0;
  if (!in.Skip(kWalMagic) || !in.GetFixed64(wal.writer_id) || !in.GetFixed64(wal.writer_epoch) ||
      !in.GetFixed64(wal.wal_id) || !in.GetFixed32(count))
    return absl::DataLossError("bad wal object header");
  for (uint32_t i = 0; i < count; ++i) {
    WalOp op;
    uint8_t type = 0;
    if (!in.GetByte(type) || !in.GetBytes(op.key) || !in.GetBytes(op.value))
      return absl::DataLossError("truncated wal record");
    if (type != 1 && type != 2) return absl::DataLossError("bad wal record type");
    op.type = static_cast<WalOp::Type>(type);
    wal.ops.push_back(std::move(op));
  }
  if (in.remaining() != 0) return absl::DataLossError("trailing bytes in wal object");
  return wal;
}

std::string WalDir(std::string_view prefix) { return absl::StrCat(Av(prefix), "wal/"); }

std::string WalPath(std::string_view prefix, uint64_t id) {
  return absl::StrCat(Av(prefix), "wal/", absl::Dec(id, absl::kZeroPad20));
}

std::string WriterLeaseName(std::string_view prefix, uint64_t epoch) {
  return absl::StrCat("writer epoch ", epoch, " (", Av(prefix), ")");
}

std::optional<uint64_t> ParseWalPath(std::string_view prefix, std::string_view path) {
  const std::string dir = WalDir(prefix);
  if (path.substr(0, dir.size()) != dir) return std::nullopt;
  const std::string_view digits = path.substr(dir.size());
  uint64_t id = 0;
  if (digits.size() != 20 || !absl::SimpleAtoi(Av(digits), &id)) return std::nullopt;
  return id;
}

}  // namespace model
