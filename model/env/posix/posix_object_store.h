// An ObjectStore on a local directory, safe across threads and processes that share the directory.
// Layout under `root`:
//   data/<path>        the object: a 16-byte header ("SBOBJ1\0\0", version as u64 LE), then bytes
//   locks/<path>.lock  the per-path lock (flock) and the last version issued for the path
//   tmp/               temp files (mkstemp) written and fsynced before they are linked or renamed
// Choice for Update(version) and version numbers: every put and delete of a path holds an exclusive
// flock on its lock file. The lock file keeps the last version issued, so versions increase per path
// and are never reused, even after a delete. Create links the temp file into place with link(2),
// which fails with EEXIST if the path exists (atomic even against writers that skip the lock);
// Overwrite and Update rename(2) over it. Readers take no lock: rename and link swap whole files.
// Calls block the calling thread (they never yield a fiber). Thread-safe.
// Limitation: a path may not also be a "directory" of another path ("a" and "a/b" cannot coexist).
#pragma once

#include <string>

#include "model/env/object_store.h"

namespace model {

class PosixObjectStore final : public ObjectStore {
 public:
  // Creates root (and its parents) if missing.
  explicit PosixObjectStore(std::string root);

  absl::StatusOr<uint64_t> Put(std::string_view path, std::string bytes,
                               PutOptions options) override;
  absl::StatusOr<GetResult> Get(std::string_view path) override;
  absl::StatusOr<ObjectMeta> Head(std::string_view path) override;
  absl::Status Delete(std::string_view path) override;
  absl::StatusOr<std::vector<ObjectMeta>> List(std::string_view prefix,
                                               std::string_view start_after = {}) override;

  const std::string& root() const { return root_; }

 private:
  std::string root_;
};

}  // namespace model
