// The local disk the storage code sees: one per process. Implementations: sim/disk (simulated, with
// POSIX or Windows sharing and crash durability) and model/env/posix (the real disk, POSIX only).
// Every call may yield. A File is used by one task at a time; the FileSystem is safe for concurrent use.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace model {

// Paths are '/'-separated and relative to the process's root; no "." or ".." components.
// The root directory itself is named by the empty path (List(""), SyncDir("")).
struct OpenOptions {
  bool write = false;         // open for writing (reading is always allowed)
  bool create = false;        // create if missing (REQUIRES: write)
  bool exclusive = false;     // with create: fail kAlreadyExists if it exists
  bool truncate = false;      // truncate to zero on open (REQUIRES: write)
  bool share_delete = false;  // Windows FILE_SHARE_DELETE: others may rename/delete it while open
};

// Error codes a caller can act on:
//   kNotFound, kAlreadyExists, kFailedPrecondition (e.g. directory not empty, handle closed)
//   kPermissionDenied  Windows sharing violation: the message names the holder
//   kUnavailable       an injected I/O error (EIO); nothing was written
//   kAborted           the calling process has crashed (simulation only)
class File {
 public:
  virtual ~File() = default;  // closes if still open
  // May yield. Reads up to n bytes at offset (fewer at end of file).
  virtual absl::StatusOr<std::string> Read(uint64_t offset, size_t n) = 0;
  // May yield. Writes at offset, extending the file (zero-filled) if needed.
  virtual absl::Status Write(uint64_t offset, std::string_view data) = 0;
  // May yield.
  virtual absl::Status Append(std::string_view data) = 0;
  // May yield.
  virtual absl::Status Truncate(uint64_t size) = 0;
  // May yield. Makes the file's data durable (not its directory entry: see FileSystem::SyncDir).
  virtual absl::Status Sync() = 0;
  // May yield.
  virtual absl::StatusOr<uint64_t> Size() = 0;
  // May yield. Idempotent.
  virtual absl::Status Close() = 0;
};

class FileSystem {
 public:
  virtual ~FileSystem() = default;
  // May yield.
  virtual absl::StatusOr<std::unique_ptr<File>> Open(std::string_view path, OpenOptions options) = 0;
  // May yield. Atomically replaces `to` if it exists (a file). Windows mode: fails kPermissionDenied
  // while `from` or `to` is open without share_delete.
  virtual absl::Status Rename(std::string_view from, std::string_view to) = 0;
  // May yield. Removes a file (Windows mode: kPermissionDenied while open without share_delete).
  virtual absl::Status Remove(std::string_view path) = 0;
  // May yield. Creates one directory; its parent must exist; kAlreadyExists if present.
  virtual absl::Status CreateDir(std::string_view path) = 0;
  // May yield. Removes a directory and everything below it.
  virtual absl::Status RemoveAll(std::string_view path) = 0;
  // May yield. Names (not paths) of the entries of a directory, sorted.
  virtual absl::StatusOr<std::vector<std::string>> List(std::string_view dir) = 0;
  // May yield.
  virtual absl::StatusOr<bool> Exists(std::string_view path) = 0;
  // May yield. Makes the directory's entries (creates, renames, removes within it) durable.
  virtual absl::Status SyncDir(std::string_view dir) = 0;
};

// Helpers over the interface. May yield.
absl::StatusOr<std::string> ReadWholeFile(FileSystem& fs, std::string_view path);
// Write new, sync, rename over, sync the directory (STYLE rule 11).
absl::Status WriteFileAtomically(FileSystem& fs, std::string_view path, std::string_view data);

}  // namespace model
