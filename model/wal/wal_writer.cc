#include "model/wal/wal_writer.h"

#include <algorithm>
#include <fmt/format.h>

#include "model/errors.h"

namespace model {

WalWriter::WalWriter(Config config)
    : config_(std::move(config)),
      mu_(config_.env.runtime->NewMutex("wal.mu")),
      flush_cv_(config_.env.runtime->NewCondVar("wal.flush")),
      done_cv_(config_.env.runtime->NewCondVar("wal.done")),
      next_wal_id_(config_.next_wal_id) {
  task_ = config_.env.runtime->Spawn("wal-flush", [this] { FlushTaskLoop(); });
}

WalWriter::~WalWriter() {
  {
    MutexLock lock(*mu_);
    stop_ = true;
    if (failed_.ok()) FailLocked(ClosedError("wal writer destroyed"));
    flush_cv_->NotifyAll();
  }
  task_->Join();
}

absl::Status WalWriter::state() {
  MutexLock lock(*mu_);
  return failed_;
}

uint64_t WalWriter::next_wal_id() {
  MutexLock lock(*mu_);
  return next_wal_id_;
}

uint64_t WalWriter::wal_id_last_seen() { return next_wal_id() - 1; }

absl::Status WalWriter::WaitLocked(const std::shared_ptr<Waiter>& waiter) {
  while (!waiter->done) done_cv_->Wait(*mu_);
  return waiter->status;
}

absl::Status WalWriter::Write(WriteBatch ops) {
  MutexLock lock(*mu_);
  if (!failed_.ok()) return failed_;
  auto waiter = std::make_shared<Waiter>();
  for (WalOp& op : ops) {
    buffer_bytes_ += op.key.size() + op.value.size() + 9;
    buffer_ops_.push_back(std::move(op));
  }
  buffer_waiters_.push_back(waiter);
  if (buffer_bytes_ >= config_.options.wal_buffer_bytes_max) {
    flush_now_ = true;
    flush_cv_->NotifyAll();
  }
  return WaitLocked(waiter);
}

absl::Status WalWriter::Flush() {
  if (config_.options.explicit_flush == ExplicitFlushMode::kCallerTask) {
    // slatedb #235 defect: freeze and write on the caller's own task, racing the flush task.
    {
      MutexLock lock(*mu_);
      if (!failed_.ok()) return failed_;
      FreezeLocked();
    }
    return FlushFrozen();
  }
  MutexLock lock(*mu_);  // PR #259: ask the one flush task, wait for its answer
  if (!failed_.ok()) return failed_;
  auto request = std::make_shared<Waiter>();
  flush_requests_.push_back(request);
  flush_cv_->NotifyAll();
  return WaitLocked(request);
}

absl::Status WalWriter::Close() {
  absl::Status flushed = Flush();
  {
    MutexLock lock(*mu_);
    stop_ = true;
    if (failed_.ok()) FailLocked(ClosedError("wal writer closed"));
    flush_cv_->NotifyAll();
  }
  task_->Join();
  return flushed;
}

void WalWriter::Fail(const absl::Status& status) {
  MutexLock lock(*mu_);
  if (failed_.ok()) FailLocked(status);
}

void WalWriter::FailLocked(const absl::Status& status) {
  failed_ = status;
  CompleteLocked(buffer_waiters_, status);
  buffer_ops_.clear();
  buffer_bytes_ = 0;
  for (auto& frozen : frozen_) CompleteLocked(frozen->waiters, status);
  frozen_.clear();
  CompleteLocked(flush_requests_, status);
  flush_cv_->NotifyAll();
  if (!IsClosed(status) && config_.options.observer)
    config_.options.observer->OnWriterStopped(config_.writer, status);
  // Fenced, shut down or closed: no longer the writer of its epoch (Db's HoldBegin at open).
  if (config_.writer.writer_epoch > 0)
    config_.env.runtime->HoldEnd(WriterLeaseName(config_.prefix, config_.writer.writer_epoch));
  config_.env.runtime->Note(fmt::format("wal: writer stopped: {}", status.ToString()));
}

void WalWriter::CompleteLocked(std::vector<std::shared_ptr<Waiter>>& waiters,
                               const absl::Status& status) {
  for (auto& waiter : waiters) {
    waiter->done = true;
    waiter->status = status;
  }
  waiters.clear();
  done_cv_->NotifyAll();
}

void WalWriter::FreezeLocked() {
  if (buffer_waiters_.empty()) return;
  auto frozen = std::make_shared<Frozen>();
  frozen->ops = std::move(buffer_ops_);
  frozen->waiters = std::move(buffer_waiters_);
  buffer_ops_.clear();
  buffer_waiters_.clear();
  buffer_bytes_ = 0;
  if (config_.options.wal_id_assignment == WalIdAssignment::kAtFreeze)
    frozen->wal_id = next_wal_id_++;  // slatedb #433 defect: the id is spent before the put
  frozen_.push_back(std::move(frozen));
}

bool WalWriter::RemoveFrozenLocked(const std::shared_ptr<Frozen>& frozen) {
  auto it = std::find(frozen_.begin(), frozen_.end(), frozen);
  if (it == frozen_.end()) return false;
  frozen_.erase(it);
  return true;
}

absl::Status WalWriter::FlushFrozen() {
  // Bounded: each round removes the oldest frozen WAL or stops the writer; at most what is frozen
  // now plus what others freeze meanwhile, so bound by a generous count.
  for (int round = 0; round < 1'000'000; ++round) {
    std::shared_ptr<Frozen> frozen;
    uint64_t wal_id = 0;
    {
      MutexLock lock(*mu_);
      if (!failed_.ok()) return failed_;
      if (frozen_.empty()) return absl::OkStatus();
      frozen = frozen_.front();  // peek: popped only once written (as upstream)
      wal_id = frozen->wal_id != 0 ? frozen->wal_id : next_wal_id_;
    }
    const std::string path = WalPath(config_.prefix, wal_id);
    const std::string bytes = EncodeWal(WalObject{config_.writer.writer_id,
                                                  config_.writer.writer_epoch, wal_id,
                                                  frozen->ops});
    PutOutcome put = PutWithRetry(config_.env, config_.options, "wal", path, bytes,
                                  PutOptions{config_.options.wal_put_mode, 0});
    if (put.status.ok()) {
      config_.env.runtime->CrashPoint("wal.after_put");
      if (config_.options.observer)
        config_.options.observer->OnWalWritten(config_.writer, wal_id, frozen->ops.size());
      config_.on_durable(wal_id, frozen->ops);
      MutexLock lock(*mu_);
      if (config_.options.wal_id_assignment == WalIdAssignment::kAtFlush)
        next_wal_id_ = std::max(next_wal_id_, wal_id + 1);  // PR #448: advance after the put
      if (RemoveFrozenLocked(frozen)) {
        if (config_.options.observer)
          config_.options.observer->OnAck(config_.writer, wal_id, frozen->waiters.size());
        config_.env.runtime->Note(
            fmt::format("wal: ack {} writes of {}", frozen->waiters.size(), path));
        CompleteLocked(frozen->waiters, absl::OkStatus());
      }
      continue;
    }
    MutexLock lock(*mu_);
    if (absl::IsAlreadyExists(put.status)) {
      if (config_.options.wal_conflict == WalConflictAction::kShutdown) {
        FailLocked(ShutdownError(fmt::format(
            "another process has written to the WAL ahead of this one ({})", path)));
      } else {
        FailLocked(FencedError(fmt::format("{} already exists: a newer writer fenced us", path)));
      }
      return failed_;
    }
    if (put.ambiguous || absl::IsAborted(put.status)) {
      // The object may exist: neither acknowledging nor reusing the id is safe. Stop; reopening
      // recovers whichever outcome happened.
      FailLocked(ShutdownError(fmt::format("outcome of put {} unknown after {} attempts: {}", path,
                                           put.attempts, put.status.ToString())));
      return failed_;
    }
    // A definite failure: this WAL's writes fail. kAtFlush: its id is reused by the next flush.
    // kAtFreeze (#433): its id stays spent, a hole in the WAL.
    if (RemoveFrozenLocked(frozen)) CompleteLocked(frozen->waiters, put.status);
    return put.status;
  }
  return absl::InternalError("wal flush loop bound reached");
}

void WalWriter::FlushTaskLoop() {
  Runtime& rt = *config_.env.runtime;
  const int64_t interval = std::max<int64_t>(config_.options.flush_interval_ns, 1);
  int64_t next_tick = rt.NowNanos() + interval;
  for (;;) {
    std::vector<std::shared_ptr<Waiter>> requests;
    {
      MutexLock lock(*mu_);
      while (!stop_ && !flush_now_ && flush_requests_.empty()) {
        const int64_t remaining = next_tick - rt.NowNanos();
        if (remaining <= 0) break;
        flush_cv_->WaitFor(*mu_, remaining);
      }
      if (stop_) return;
      const int64_t now = rt.NowNanos();
      if (now >= next_tick) next_tick += ((now - next_tick) / interval + 1) * interval;  // skip missed
      requests = std::move(flush_requests_);
      flush_requests_.clear();
      flush_now_ = false;
      FreezeLocked();
    }
    absl::Status status = FlushFrozen();
    MutexLock lock(*mu_);
    CompleteLocked(requests, status);
  }
}

}  // namespace model
