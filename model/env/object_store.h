// The object store the storage code sees: the semantics of the Rust `object_store` crate used by
// InfluxDB 3 and SlateDB. Implementations: sim/object_store (simulated), model/env/posix (a directory).
// Every call may yield the calling task. Implementations are safe for concurrent use.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace model {

enum class PutMode : uint8_t {
  kOverwrite,  // replace whatever is there
  kCreate,     // fail kAlreadyExists if the path exists (put-if-not-exists)
  kUpdate,     // fail kFailedPrecondition unless the stored version equals PutOptions::version
};

struct PutOptions {
  PutMode mode = PutMode::kOverwrite;
  uint64_t version = 0;  // REQUIRES: meaningful only with kUpdate
};

struct ObjectMeta {
  std::string path;
  uint64_t size = 0;
  uint64_t version = 0;  // changes on every successful put of the path; never reused for a path
};

struct GetResult {
  std::string bytes;
  uint64_t version = 0;
};

// Error codes a caller can act on:
//   kNotFound            get/head/delete of a missing path
//   kAlreadyExists       put kCreate on an existing path
//   kFailedPrecondition  put kUpdate whose version does not match (or path missing)
//   kUnavailable         transient (throttled, connection reset): the op did NOT apply; retry is safe
//   kDeadlineExceeded    timed out: the op MAY have applied (ambiguous outcome)
//   kAborted             the calling process has crashed (simulation only)
class ObjectStore {
 public:
  virtual ~ObjectStore() = default;

  // May yield. Returns the new version.
  virtual absl::StatusOr<uint64_t> Put(std::string_view path, std::string bytes,
                                       PutOptions options) = 0;
  // May yield.
  virtual absl::StatusOr<GetResult> Get(std::string_view path) = 0;
  // May yield.
  virtual absl::StatusOr<ObjectMeta> Head(std::string_view path) = 0;
  // May yield. Deleting a missing path is kNotFound.
  virtual absl::Status Delete(std::string_view path) = 0;
  // May yield. Objects whose path starts with `prefix` and sorts after `start_after`, in
  // lexicographic (byte) order.
  virtual absl::StatusOr<std::vector<ObjectMeta>> List(std::string_view prefix,
                                                       std::string_view start_after = {}) = 0;
};

}  // namespace model
