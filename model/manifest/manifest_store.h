// Reads and writes manifest versions on the object store: the latest is the highest id; a new
// version is written with put-if-not-exists on id + 1 (compare-and-swap), so kAlreadyExists means
// another writer wrote that version first. Thread-safe (no state but the store). Calls may yield.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "model/env/env.h"
#include "model/manifest/format.h"
#include "model/options.h"

namespace model {

struct StoredManifest {
  uint64_t id = 0;  // 0: none stored yet (manifest holds defaults)
  Manifest manifest;
};

class ManifestStore {
 public:
  ManifestStore(Env env, std::string prefix, const Options& options)
      : env_(env), prefix_(std::move(prefix)), options_(options) {}

  // May yield. The latest version, or id 0 with a default Manifest if none exists.
  absl::StatusOr<StoredManifest> ReadLatest();
  // May yield. Writes `manifest` as version `id` (Create, with bounded retries of transient
  // errors). kAlreadyExists: someone else wrote version `id`.
  absl::Status Write(uint64_t id, const Manifest& manifest);

 private:
  Env env_;
  std::string prefix_;
  const Options& options_;
};

}  // namespace model
