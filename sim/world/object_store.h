// sim/world/object_store.h: the simulated object store. SimObjectStore is the one shared store of a
// world: its state (objects, every version ever written) and the history of every op, which
// checkers read and never change. ObjectStoreView is one process's model::ObjectStore over it: each
// op takes latency from the fault plan, applies atomically at one instant inside that window, and
// may fail transiently (kUnavailable, not applied) or ambiguously (kDeadlineExceeded, applied).
// The view's calls may yield; SimObjectStore's never do. Single-threaded.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/btree_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "model/env/object_store.h"
#include "sim/kernel.h"
#include "sim/world/core.h"

namespace seedbed {

enum class StoreOpType : uint8_t { kPut, kGet, kHead, kDelete, kList };
const char* StoreOpName(StoreOpType type);
const char* PutModeName(model::PutMode mode);

// One op of the history. `applied` says whether it took effect (reads: whether it read); the
// caller saw `code`, which differs from the effect for ambiguous outcomes.
struct StoreOpRecord {
  uint64_t id = 0;  // index in the history
  StoreOpType type = StoreOpType::kGet;
  uint32_t process = kKernelId;  // ProcessId, or kKernelId for set-up from kernel context
  std::string process_name;
  uint32_t task = kKernelId;
  uint32_t incarnation = 0;
  Nanos start_ns = 0;
  Nanos applied_ns = -1;  // when it took effect (-1: never)
  Nanos end_ns = -1;      // when the caller got its answer (-1: still pending)
  std::string path;       // the prefix for a list
  std::string start_after;
  model::PutMode mode = model::PutMode::kOverwrite;
  uint64_t expected_version = 0;  // kUpdate
  uint64_t size = 0;              // bytes sent (put) or read (get)
  uint64_t content_hash = 0;
  std::shared_ptr<const std::string> bytes;  // put: what was sent; get: what was read
  bool done = false;
  absl::StatusCode code = absl::StatusCode::kOk;  // what the caller saw
  std::string message;
  absl::StatusCode effect_code = absl::StatusCode::kOk;  // what the store did (if applied)
  bool applied = false;
  bool injected_error = false;  // a transient error was injected (not applied)
  bool ambiguous = false;       // applied, but the caller saw kDeadlineExceeded
  bool aborted = false;         // the caller's process crashed before the answer
  uint64_t version = 0;         // put: version produced; get/head: version read
  size_t listed = 0;            // list: entries returned
};

// One version of a path: a put's content, or a delete (tombstone).
struct ObjectVersion {
  uint64_t version = 0;  // 0 for a delete
  bool deleted = false;
  std::shared_ptr<const std::string> bytes;
  uint64_t content_hash = 0;
  uint64_t op = 0;  // StoreOpRecord::id that wrote it
  Nanos at_ns = 0;
  uint32_t process = kKernelId;
};

class SimObjectStore {
 public:
  struct Object {
    std::shared_ptr<const std::string> bytes;
    uint64_t version = 0;
    uint64_t content_hash = 0;
  };

  // --- the pure state machine (no time, no faults); `op` is the history id recorded with it ---
  absl::StatusOr<uint64_t> ApplyPut(std::string_view path, std::shared_ptr<const std::string> bytes,
                                    model::PutOptions options, uint64_t op, Nanos at_ns,
                                    uint32_t process);
  absl::StatusOr<model::GetResult> ApplyGet(std::string_view path) const;
  absl::StatusOr<model::ObjectMeta> ApplyHead(std::string_view path) const;
  absl::Status ApplyDelete(std::string_view path, uint64_t op, Nanos at_ns, uint32_t process);
  std::vector<model::ObjectMeta> ApplyList(std::string_view prefix,
                                           std::string_view start_after) const;

  // --- the history ---
  uint64_t Begin(StoreOpRecord record);  // assigns and returns the id
  StoreOpRecord& mutable_record(uint64_t id) { return history_[id]; }

  // --- read-only accessors for checkers ---
  const std::vector<StoreOpRecord>& history() const { return history_; }
  const absl::btree_map<std::string, Object, std::less<>>& objects() const { return objects_; }
  const Object* Current(std::string_view path) const;
  // Every version ever written of `path`, deletes included, in the order applied.
  const std::vector<ObjectVersion>& Versions(std::string_view path) const;
  const absl::btree_map<std::string, std::vector<ObjectVersion>, std::less<>>& versions() const {
    return versions_;
  }
  uint64_t last_version() const { return next_version_ - 1; }

  // Called after every applied put or delete with the path and all its versions (the new one
  // last), for checks that must see a violation the moment it happens. Must not yield.
  using VersionHook = std::function<void(const std::string& path, const std::vector<ObjectVersion>& versions)>;
  void OnVersion(VersionHook hook) { version_hooks_.push_back(std::move(hook)); }

 private:
  void Applied(std::string_view path);
  std::vector<VersionHook> version_hooks_;
  absl::btree_map<std::string, Object, std::less<>> objects_;
  absl::btree_map<std::string, std::vector<ObjectVersion>, std::less<>> versions_;
  std::vector<StoreOpRecord> history_;
  uint64_t next_version_ = 1;  // store-wide, so a version is never reused for any path
};

// One process's view of the shared store. Safe to use from any task of that process; from kernel
// context ops complete at once (set-up), without latency or faults.
class ObjectStoreView final : public model::ObjectStore {
 public:
  ObjectStoreView(WorldCore& core, SimObjectStore& store) : core_(core), store_(store) {}

  absl::StatusOr<uint64_t> Put(std::string_view path, std::string bytes,
                               model::PutOptions options) override;
  absl::StatusOr<model::GetResult> Get(std::string_view path) override;
  absl::StatusOr<model::ObjectMeta> Head(std::string_view path) override;
  absl::Status Delete(std::string_view path) override;
  absl::StatusOr<std::vector<model::ObjectMeta>> List(std::string_view prefix,
                                                      std::string_view start_after) override;

 private:
  friend class StoreOp;
  WorldCore& core_;
  SimObjectStore& store_;
};

}  // namespace seedbed
