// rqlite's snapshot store on the process's local disk (model::FileSystem), in directory `dir`:
//   <id>.tmp/         while a snapshot is written (meta, data)
//   <id>/meta         a committed snapshot's metadata ("term index time_ms full")
//   <id>.db           the database file of the newest snapshot
//   <id>.db-wal       an incremental snapshot's WAL until it is checkpointed into <id>.db
//   FULL_NEEDED       the next snapshot must be full (no snapshot yet, or after a failed commit
//                     is NOT set: as upstream, only Init and restores set it)
// The "database" is an append-only byte file: an incremental snapshot's data is appended to the
// previous .db at checkpoint. Ids are "term-index-time_ms" and order numerically.
// Committing (Sink::Close), as rqlite's Sink.Close: rename the temp data to <new>.db (full) or
// <new>.db-wal (incremental); rename <new>.tmp -> <new> (the commit point); incremental: rename
// <prev>.db -> <new>.db and checkpoint (fold <new>.db-wal into it); remove FULL_NEEDED; reap older.
// Locking per Options::SnapshotLockPolicy (rqlite #1774, PRs #1775/#1776): conflicts fail fast with
// kUnavailable "snapshot in progress" and are counted; the caller retries later. Release is
// idempotent. Thread/task-safe; calls marked "May yield" may.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "model/env/env.h"
#include "model/options.h"

namespace model {

struct SnapshotMeta {
  uint64_t term = 0;
  uint64_t index = 0;
  uint64_t time_ms = 0;
  bool full = true;
  std::string id() const;  // "term-index-time_ms"
};

class SnapshotStore;

// Writes one new snapshot. Destroying it without Close/Cancel releases the lock only (no I/O);
// the leftover <id>.tmp is removed by the next Init.
class SnapshotSink {
 public:
  ~SnapshotSink();
  absl::Status Write(std::string_view data);  // May yield. Appends to the snapshot's data.
  absl::Status Close();   // May yield. Commits (see the header comment). Releases the lock.
  absl::Status Cancel();  // May yield. Removes <id>.tmp. Releases the lock.
  const SnapshotMeta& meta() const { return meta_; }

 private:
  friend class SnapshotStore;
  SnapshotSink(SnapshotStore& store, SnapshotMeta meta, std::unique_ptr<File> data)
      : store_(store), meta_(std::move(meta)), data_(std::move(data)) {}
  absl::Status Commit();
  void Release();
  SnapshotStore& store_;
  SnapshotMeta meta_;
  std::unique_ptr<File> data_;
  bool done_ = false;
};

// Streams a committed snapshot's <id>.db, which it holds open (without share_delete, like Go on
// Windows) until Close.
class SnapshotReader {
 public:
  ~SnapshotReader();  // releases the lock and closes the file if still open
  // May yield. Up to max_bytes from where the last call stopped; empty at the end. Yields after
  // each chunk so a snapshot can be created while the stream is in progress.
  absl::StatusOr<std::string> Next(size_t max_bytes);
  // May yield. Reads the rest, chunk by chunk.
  absl::StatusOr<std::string> ReadAll(size_t chunk_bytes);
  absl::Status Close();  // May yield. Idempotent.
  const SnapshotMeta& meta() const { return meta_; }

 private:
  friend class SnapshotStore;
  SnapshotReader(SnapshotStore& store, SnapshotMeta meta, std::unique_ptr<File> file)
      : store_(store), meta_(std::move(meta)), file_(std::move(file)) {}
  void Release();
  SnapshotStore& store_;
  SnapshotMeta meta_;
  std::unique_ptr<File> file_;
  uint64_t offset_ = 0;
  bool released_ = false;
};

class SnapshotStore {
 public:
  // `env.fs` and `env.runtime` must outlive the store and everything it hands out.
  SnapshotStore(Env env, std::string dir, SnapshotLockPolicy policy);

  // May yield. Creates `dir` if missing, removes leftover <id>.tmp, sets FULL_NEEDED if there is
  // no snapshot, and repairs a commit that a crash interrupted (the newest snapshot gets its .db,
  // its leftover .db-wal is checkpointed), as rqlite's Store.check().
  absl::Status Init();
  // May yield. kUnavailable "snapshot in progress" on a lock conflict; kFailedPrecondition for an
  // incremental snapshot while FULL_NEEDED is set or no previous snapshot exists.
  absl::StatusOr<std::unique_ptr<SnapshotSink>> Create(const SnapshotMeta& meta);
  // May yield. kUnavailable on a lock conflict; kNotFound for an unknown id.
  absl::StatusOr<std::unique_ptr<SnapshotReader>> Open(std::string_view id);
  // May yield. Committed snapshots, oldest first.
  absl::StatusOr<std::vector<SnapshotMeta>> List();
  // May yield. Removes all but the newest `retain` committed snapshots (best effort: continues
  // past errors and returns the first).
  absl::Status Reap(size_t retain);
  absl::StatusOr<bool> FullNeeded();  // May yield.

  uint64_t lock_conflicts();  // how many Create/Open failed fast on the lock
  const std::string& dir() const { return dir_; }
  FileSystem& fs() { return *env_.fs; }

 private:
  friend class SnapshotSink;
  friend class SnapshotReader;
  std::string Path(std::string_view name) const;
  bool TryLockWriter();
  bool TryLockReader();
  void UnlockWriter();
  void UnlockReader();
  absl::StatusOr<SnapshotMeta> ReadMeta(std::string_view id);
  absl::Status RepairNewest(const std::vector<SnapshotMeta>& snapshots);  // May yield.

  Env env_;
  std::string dir_;
  SnapshotLockPolicy policy_;
  std::unique_ptr<Mutex> mu_;
  // Guarded by mu_:
  bool writer_ = false;
  int readers_ = 0;
  uint64_t conflicts_ = 0;
};

}  // namespace model
