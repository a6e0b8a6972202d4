#include "scenarios/checks/store_checks.h"

#include <memory>
#include <string>

#include "absl/container/btree_set.h"

#include "fmt/format.h"
#include "model/manifest/format.h"
#include "model/wal/format.h"

namespace seedbed::checks {
namespace {

std::string DescribeVersion(const SimObjectStore& store, const std::string& path, const ObjectVersion& v) {
  const StoreOpRecord& op = store.history().at(v.op);
  return fmt::format("{:.6f}ms {} (incarnation {}) {} {} {} -> {}", v.at_ns / 1e6, op.process_name,
                     op.incarnation, v.deleted ? "delete" : "put", path,
                     v.deleted ? "" : PutModeName(op.mode), v.deleted ? "deleted" : fmt::format("v{}", v.version));
}

// Whether WAL `id` had durable content at `at_ns` (a put applied at or before it, not deleted since).
bool WalPresentAt(const SimObjectStore& store, std::string_view prefix, uint64_t id, Nanos at_ns) {
  bool present = false;
  for (const ObjectVersion& v : store.Versions(model::WalPath(prefix, id))) {
    if (v.at_ns > at_ns) break;
    present = !v.deleted;
  }
  return present;
}

uint64_t HighestWalAt(const SimObjectStore& store, std::string_view prefix, Nanos at_ns) {
  uint64_t highest = 0;
  std::string dir = model::WalDir(prefix);
  for (const auto& [path, versions] : store.versions()) {
    if (path.compare(0, dir.size(), dir) != 0) continue;
    auto id = model::ParseWalPath(prefix, path);
    if (id && WalPresentAt(store, prefix, *id, at_ns) && *id > highest) highest = *id;
  }
  return highest;
}

// Whether versions[i] replaced content (a put over a put, no delete between).
bool Overwrote(const std::vector<ObjectVersion>& versions, size_t i) {
  return i >= 1 && !versions[i - 1].deleted && !versions[i].deleted;
}

void FailOverwritten(const SimObjectStore& store, const std::string& path, const ObjectVersion& before,
                     const ObjectVersion& after, Verdict& verdict) {
  Violation& v = verdict.Fail(
      "wal-object-written-once",
      fmt::format("{} was overwritten: v{} by {} replaced v{} by {}", path, after.version,
                  store.history().at(after.op).process_name, before.version,
                  store.history().at(before.op).process_name),
      after.at_ns);
  v.objects.push_back(path);
  v.evidence.push_back(DescribeVersion(store, path, before));
  v.evidence.push_back(DescribeVersion(store, path, after));
}

}  // namespace

void NoObjectOverwritten(const SimObjectStore& store, std::string_view dir, Verdict& verdict) {
  for (const auto& [path, versions] : store.versions()) {
    if (path.compare(0, dir.size(), dir) != 0) continue;
    for (size_t i = 1; i < versions.size(); ++i) {
      if (!Overwrote(versions, i)) continue;
      FailOverwritten(store, path, versions[i - 1], versions[i], verdict);
      break;  // one violation per path
    }
  }
}

void WatchNoObjectOverwritten(SimObjectStore& store, std::string_view dir, Verdict& verdict) {
  auto reported = std::make_shared<absl::btree_set<std::string>>();
  store.OnVersion([&store, &verdict, dir = std::string(dir), reported](const std::string& path,
                                                                       const std::vector<ObjectVersion>& versions) {
    if (path.compare(0, dir.size(), dir) != 0 || !Overwrote(versions, versions.size() - 1)) return;
    if (!reported->insert(path).second) return;  // one violation per path
    FailOverwritten(store, path, versions[versions.size() - 2], versions.back(), verdict);
  });
}


void ManifestNotAheadOfWal(const SimObjectStore& store, std::string_view prefix, Verdict& verdict) {
  std::string dir = model::ManifestDir(prefix);
  for (const auto& [path, versions] : store.versions()) {
    if (path.compare(0, dir.size(), dir) != 0 || !model::ParseManifestPath(prefix, path)) continue;
    for (const ObjectVersion& version : versions) {
      if (version.deleted || version.bytes == nullptr) continue;
      auto manifest = model::DecodeManifest(*version.bytes);
      if (!manifest.ok()) {
        verdict.Fail("manifest-not-ahead-of-wal", fmt::format("{} does not decode: {}", path,
                                                              std::string(manifest.status().message())),
                     version.at_ns)
            .objects.push_back(path);
        continue;
      }
      for (uint64_t id = manifest->wal_id_last_compacted + 1; id <= manifest->wal_id_last_seen; ++id) {
        if (WalPresentAt(store, prefix, id, version.at_ns)) continue;
        uint64_t highest = HighestWalAt(store, prefix, version.at_ns);
        Violation& v = verdict.Fail(
            "manifest-not-ahead-of-wal",
            fmt::format("{} says wal_id_last_seen = {} but WAL {} is not durable (replay starts after "
                        "WAL {}; highest WAL object present: {})",
                        path, manifest->wal_id_last_seen, id, manifest->wal_id_last_compacted, highest),
            version.at_ns);
        v.objects = {path, model::WalPath(prefix, id)};
        v.evidence.push_back(DescribeVersion(store, path, version));
        v.evidence.push_back(fmt::format("manifest: writer_epoch {}, wal_id_last_compacted {}, wal_id_last_seen {}",
                                         manifest->writer_epoch, manifest->wal_id_last_compacted,
                                         manifest->wal_id_last_seen));
        for (const ObjectVersion& w : store.Versions(model::WalPath(prefix, id)))
          v.evidence.push_back(DescribeVersion(store, model::WalPath(prefix, id), w));
        for (const StoreOpRecord& op : store.history())
          if (op.type == StoreOpType::kPut && op.path == model::WalPath(prefix, id))
            v.evidence.push_back(fmt::format("{:.6f}ms {} put {} -> {}{}", op.start_ns / 1e6, op.process_name,
                                             op.path, absl::StatusCodeToString(op.code),
                                             op.injected_error ? " (injected error)" : ""));
        break;
      }
    }
  }
}

}  // namespace seedbed::checks
