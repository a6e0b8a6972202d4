#include "absl/strings/str_cat.h"
#include "model/manifest/format.h"

#include <fmt/format.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "model/env/status.h"

namespace model {

std::string EncodeManifest(const Manifest& m) {
  std::string out = fmt::format(
      "seedbed-manifest v1\nwriter_epoch {}\nwal_id_last_compacted {}\nwal_id_last_seen {}\n",
      m.writer_epoch, m.wal_id_last_compacted, m.wal_id_last_seen);
  for (const std::string& path : m.l0) out += fmt::format("l0 {}\n", path);
  out += "end\n";
  return out;
}

absl::StatusOr<Manifest> DecodeManifest(std::string_view text) {
  std::vector<absl::string_view> lines = absl::StrSplit(Av(text), '\n');
  if (lines.size() < 6 || lines[0] != "seedbed-manifest v1")
    return absl::DataLossError("bad manifest header");
  Manifest m;
  const struct {
    absl::string_view name;
    uint64_t* field;
  } fields[] = {{"writer_epoch ", &m.writer_epoch},
                {"wal_id_last_compacted ", &m.wal_id_last_compacted},
                {"wal_id_last_seen ", &m.wal_id_last_seen}};
  for (size_t i = 0; i < 3; ++i) {
    const absl::string_view line = lines[i + 1];
    if (line.substr(0, fields[i].name.size()) != fields[i].name ||
        !absl::SimpleAtoi(line.substr(fields[i].name.size()), fields[i].field))
      return absl::DataLossError("bad manifest field");
  }
  size_t i = 4;
  for (; i < lines.size() && lines[i].substr(0, 3) == "l0 "; ++i)
    m.l0.emplace_back(lines[i].substr(3));
  if (i + 2 != lines.size() || lines[i] != "end" || !lines[i + 1].empty())
    return absl::DataLossError("manifest does not end with 'end'");
  return m;
}

std::string ManifestDir(std::string_view prefix) { return absl::StrCat(Av(prefix), "manifest/"); }

std::string ManifestPath(std::string_view prefix, uint64_t id) {
  return absl::StrCat(Av(prefix), "manifest/", absl::Dec(id, absl::kZeroPad20));
}

std::optional<uint64_t> ParseManifestPath(std::string_view prefix, std::string_view path) {
  const std::string dir = ManifestDir(prefix);
  if (path.substr(0, dir.size()) != dir) return std::nullopt;
  const std::string_view digits = path.substr(dir.size());
  uint64_t id = 0;
  if (digits.size() != 20 || !absl::SimpleAtoi(Av(digits), &id)) return std::nullopt;
  return id;
}

}  // namespace model
