// Reading and writing the files the command reads back or leaves behind (failure files, campaign
// reports, run reports): reads are bounded, so /dev/zero or a huge file cannot exhaust memory;
// writes go to a temporary name in the same directory, are synced and renamed into place, so a full
// disk or a kill leaves the old file or none, never a 0-byte or truncated one. Never yields.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace seedbed {

// The largest file the command reads: failure files of long runs reach tens of MB.
inline constexpr size_t kMaxInputFileBytes = size_t{256} << 20;

// kNotFound when it cannot be opened, kInvalidArgument ("larger than N bytes") past max_bytes,
// kDataLoss on a read error. Messages name the path.
absl::StatusOr<std::string> ReadFileBounded(const std::string& path, size_t max_bytes = kMaxInputFileBytes);

// Writes `text` to `path` atomically: `.<name>.tmp.<pid>` beside it, fsync, rename. On any error
// the temporary file is removed and `path` is untouched; kUnavailable naming the path and errno.
absl::Status WriteFileAtomically(const std::string& path, std::string_view text);

}  // namespace seedbed
