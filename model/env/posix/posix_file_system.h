// A FileSystem on the real disk, rooted at a directory; POSIX sharing semantics (rename or delete
// of an open file succeeds; OpenOptions::share_delete is ignored). Sync is fsync(2); SyncDir fsyncs
// the directory. The root itself is named by the empty path (or "."). Calls block the thread.
// Thread-safe; a File is used by one thread at a time.
#pragma once

#include <string>

#include "model/env/file_system.h"

namespace model {

class PosixFileSystem final : public FileSystem {
 public:
  // Creates root (and its parents) if missing.
  explicit PosixFileSystem(std::string root);

  absl::StatusOr<std::unique_ptr<File>> Open(std::string_view path, OpenOptions options) override;
  absl::Status Rename(std::string_view from, std::string_view to) override;
  absl::Status Remove(std::string_view path) override;
  absl::Status CreateDir(std::string_view path) override;
  absl::Status RemoveAll(std::string_view path) override;
  absl::StatusOr<std::vector<std::string>> List(std::string_view dir) override;
  absl::StatusOr<bool> Exists(std::string_view path) override;
  absl::Status SyncDir(std::string_view dir) override;

  const std::string& root() const { return root_; }

 private:
  absl::StatusOr<std::string> Resolve(std::string_view path) const;
  std::string root_;
};

}  // namespace model
