#include "model/manifest/manifest_store.h"

#include "model/env/status.h"
#include "model/retry.h"

namespace model {

absl::StatusOr<StoredManifest> ManifestStore::ReadLatest() {
  // Manifests are never deleted, so a listed version stays readable; a few tries cover transient
  // errors.
  absl::Status last = absl::OkStatus();
  for (int attempt = 0; attempt < options_.cas_attempts_max; ++attempt) {
    absl::StatusOr<std::vector<ObjectMeta>> listed = env_.store->List(ManifestDir(prefix_));
    if (!listed.ok()) {
      last = listed.status();
      env_.runtime->SleepFor(options_.put_retry_delay_ns);
      continue;
    }
    StoredManifest out;
    std::string latest_path;
    for (const ObjectMeta& meta : *listed) {
      std::optional<uint64_t> id = ParseManifestPath(prefix_, meta.path);
      if (id && *id > out.id) {
        out.id = *id;
        latest_path = meta.path;
      }
    }
    if (out.id == 0) return out;
    absl::StatusOr<GetResult> got = env_.store->Get(latest_path);
    if (!got.ok()) {
      last = got.status();
      env_.runtime->SleepFor(options_.put_retry_delay_ns);
      continue;
    }
    ASSIGN_OR_RETURN(out.manifest, DecodeManifest(got->bytes));
    return out;
  }
  return last;
}

absl::Status ManifestStore::Write(uint64_t id, const Manifest& manifest) {
  PutOutcome put = PutWithRetry(env_, options_, "manifest", ManifestPath(prefix_, id),
                                EncodeManifest(manifest), PutOptions{PutMode::kCreate, 0});
  return put.status;
}

}  // namespace model
