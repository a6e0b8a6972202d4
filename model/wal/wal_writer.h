// The WAL writer: writes append to a buffer, each with a waiter; a flush freezes the buffer and
// puts it as object `{prefix}wal/{id:020}`; a write is acknowledged only after its WAL object is
// durable and `on_durable` has run (the Db applies it to the memtable there). A background flush
// task ticks every Options::flush_interval_ns (missed ticks skipped) and also runs when the buffer
// holds Options::wal_buffer_bytes_max bytes. Thread/task-safe. Write, Flush, Close may yield.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "model/env/env.h"
#include "model/observer.h"
#include "model/options.h"
#include "model/retry.h"
#include "model/wal/format.h"

namespace model {

class WalWriter {
 public:
  struct Config {
    Env env;
    std::string prefix;
    Options options;
    WriterInfo writer;
    uint64_t next_wal_id = 1;
    // Called once per durable WAL object, in id order per flusher, without WAL locks held,
    // before the writes in it are acknowledged. Must not fail.
    std::function<void(uint64_t wal_id, const WriteBatch& ops)> on_durable;
  };

  // Starts the flush task.
  explicit WalWriter(Config config);
  // Stops the flush task without flushing (pending writes fail with a Closed error). Does not
  // block beyond joining the task (which returns at once after a simulated crash). No I/O.
  ~WalWriter();
  WalWriter(const WalWriter&) = delete;
  WalWriter& operator=(const WalWriter&) = delete;

  // May yield. Blocks until the batch is durable (ok) or the writer failed (Fenced, Shutdown,
  // Closed, or the put's error for this batch).
  absl::Status Write(WriteBatch ops);
  // May yield. Freezes the buffer and writes every frozen WAL (through the flush task, or on the
  // caller's task with ExplicitFlushMode::kCallerTask).
  absl::Status Flush();
  // May yield. Flushes what is buffered, stops the flush task, joins it; later writes fail Closed.
  absl::Status Close();
  // Stops the writer with `status` (e.g. the Db found itself fenced at a manifest write).
  void Fail(const absl::Status& status);

  // next_wal_id - 1: what a manifest records as wal_id_last_seen.
  uint64_t wal_id_last_seen();
  uint64_t next_wal_id();
  absl::Status state();  // ok while the writer accepts writes

 private:
  struct Waiter {
    bool done = false;
    absl::Status status;
  };
  struct Frozen {
    uint64_t wal_id = 0;  // 0 until assigned (at freeze or at flush, per Options)
    WriteBatch ops;
    std::vector<std::shared_ptr<Waiter>> waiters;
  };

  void FlushTaskLoop();
  void FreezeLocked();
  absl::Status FlushFrozen();  // writes every frozen WAL, oldest first
  void FailLocked(const absl::Status& status);
  void CompleteLocked(std::vector<std::shared_ptr<Waiter>>& waiters, const absl::Status& status);
  bool RemoveFrozenLocked(const std::shared_ptr<Frozen>& frozen);
  absl::Status WaitLocked(const std::shared_ptr<Waiter>& waiter);

  Config config_;
  std::unique_ptr<Mutex> mu_;
  std::unique_ptr<CondVar> flush_cv_;  // wakes the flush task
  std::unique_ptr<CondVar> done_cv_;   // wakes waiters
  // Guarded by mu_:
  WriteBatch buffer_ops_;
  std::vector<std::shared_ptr<Waiter>> buffer_waiters_;
  uint64_t buffer_bytes_ = 0;
  std::deque<std::shared_ptr<Frozen>> frozen_;
  std::vector<std::shared_ptr<Waiter>> flush_requests_;
  bool flush_now_ = false;
  bool stop_ = false;
  uint64_t next_wal_id_;
  absl::Status failed_;  // not ok once the writer stopped
  std::unique_ptr<TaskHandle> task_;
};

}  // namespace model
