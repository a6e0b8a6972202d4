// model::Db: the engine under test. Writes go through the WAL (acknowledged once their WAL object
// is durable) into a memtable (a sorted map); the memtable flushes to an L0 object and a new
// manifest version. Open recovers: latest manifest, (with fencing) bump writer_epoch and write a
// fence WAL, then replay WAL ids after wal_id_last_compacted with a no-gap check that is an error
// naming the missing id. Written only against model::Env. Thread/task-safe; calls may yield.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "model/db/table.h"
#include "model/env/env.h"
#include "model/manifest/manifest_store.h"
#include "model/observer.h"
#include "model/options.h"
#include "model/wal/format.h"
#include "model/wal/wal_writer.h"

namespace model {

class Db {
 public:
  // May yield. Opens the database under `prefix` (e.g. "cluster/", ending in '/') as its writer.
  // `env` (runtime and store) must outlive the Db.
  static absl::StatusOr<std::unique_ptr<Db>> Open(Env& env, std::string prefix, Options options);
  // Without Close(): stops the tasks without flushing (no I/O; pending writes fail Closed).
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  // May yield. Each returns once the write is durable in a WAL object, or fails: IsFenced,
  // IsShutdown, IsClosed, or the put's error.
  absl::Status Put(std::string_view key, std::string_view value);
  absl::Status Delete(std::string_view key);
  absl::Status Write(WriteBatch batch);
  // May yield. kNotFound if absent. Sees every acknowledged write of this Db.
  absl::StatusOr<std::string> Get(std::string_view key);
  // May yield. Writes the WAL buffer now (see Options::explicit_flush).
  absl::Status Flush();
  // May yield. Memtable -> L0 object -> manifest version (then WAL GC per Options::wal_gc).
  absl::Status FlushMemtable();
  // May yield. Flushes the WAL and the memtable, stops the tasks. Idempotent.
  absl::Status Close();

  const WriterInfo& writer() const { return writer_; }
  uint64_t next_wal_id() { return wal_->next_wal_id(); }
  StoredManifest manifest();   // the latest version this Db read or wrote
  absl::Status state() { return wal_->state(); }  // ok while writes are accepted
  // What Open replayed: WAL ids (replay_after, replay_last].
  uint64_t replay_after() const { return replay_after_; }
  uint64_t replay_last() const { return replay_last_; }

 private:
  Db(Env env, std::string prefix, Options options);
  absl::Status OpenImpl();
  absl::StatusOr<uint64_t> NextWalIdFromStore(uint64_t after);
  // The manifest this writer last wrote or read, as a timeline band (Runtime::State).
  void ShowManifest(uint64_t id, const Manifest& m);
  // Fencing mode: bump writer_epoch, write the fence WAL; returns the fence's WAL id.
  absl::StatusOr<uint64_t> FenceOlderWriters();
  absl::Status WriteFence(uint64_t& wal_id);
  absl::Status LoadTables();
  absl::Status Replay(uint64_t end_id);
  void ApplyDurable(uint64_t wal_id, const WriteBatch& ops);
  absl::Status CommitManifest(const std::string& table_path, uint64_t upto, uint64_t last_seen);
  void CollectWal(uint64_t upto);
  void MemtableTaskLoop();
  void StopMemtableTask();

  Env env_;
  std::string prefix_;
  Options options_;
  WriterInfo writer_;
  ManifestStore manifests_;
  std::unique_ptr<Mutex> mu_;
  std::unique_ptr<Mutex> flush_mu_;    // serialises memtable flushes (held across I/O)
  std::unique_ptr<CondVar> memtable_cv_;
  // Guarded by mu_:
  Table memtable_;
  uint64_t memtable_bytes_ = 0;
  std::shared_ptr<Table> imm_;                       // being flushed (or left by a failed flush)
  std::vector<std::shared_ptr<const Table>> tables_;  // L0, newest first
  uint64_t last_applied_wal_id_ = 0;
  StoredManifest current_;
  bool bg_stop_ = false;
  // Set during Open only:
  uint64_t replay_after_ = 0;
  uint64_t replay_last_ = 0;
  bool closed_ = false;
  std::unique_ptr<TaskHandle> memtable_task_;
  std::unique_ptr<WalWriter> wal_;
};

}  // namespace model
