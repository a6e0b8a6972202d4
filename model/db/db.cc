#include "model/db/db.h"

#include <algorithm>
#include <fmt/format.h>

#include "model/env/status.h"
#include "model/errors.h"
#include "model/retry.h"

namespace model {

Db::Db(Env env, std::string prefix, Options options)
    : env_(env),
      prefix_(std::move(prefix)),
      options_(options),
      manifests_(env_, prefix_, options_),
      mu_(env_.runtime->NewMutex("db.mu")),
      flush_mu_(env_.runtime->NewMutex("db.memtable_flush")),
      memtable_cv_(env_.runtime->NewCondVar("db.memtable")) {
  // Random(n) is uniform in [0, n): +1 keeps 0 free to mean "none".
  writer_.writer_id = env_.runtime->Random(~uint64_t{0}) + 1;
}

absl::StatusOr<std::unique_ptr<Db>> Db::Open(Env& env, std::string prefix, Options options) {
  if (env.runtime == nullptr || env.store == nullptr)
    return absl::InvalidArgumentError("Db::Open needs env.runtime and env.store");
  std::unique_ptr<Db> db(new Db(env, std::move(prefix), options));
  if (absl::Status opened = db->OpenImpl(); !opened.ok()) {
    if (db->writer_.writer_epoch > 0) env.runtime->HoldEnd(WriterLeaseName(db->prefix_, db->writer_.writer_epoch));
    return opened;
  }
  return db;
}

Db::~Db() {
  if (closed_) return;
  StopMemtableTask();
  wal_.reset();  // stops the flush task; no I/O
}

void Db::StopMemtableTask() {
  {
    MutexLock lock(*mu_);
    bg_stop_ = true;
    memtable_cv_->NotifyAll();
  }
  if (memtable_task_) memtable_task_->Join();
}

void Db::ShowManifest(uint64_t id, const Manifest& m) {
  env_.runtime->State(fmt::format("manifest {}", prefix_),
                      fmt::format("{} epoch {} seen {}", id, m.writer_epoch, m.wal_id_last_seen));
}

absl::StatusOr<uint64_t> Db::NextWalIdFromStore(uint64_t after) {
  ASSIGN_OR_RETURN(std::vector<ObjectMeta> listed,
                   env_.store->List(WalDir(prefix_), WalPath(prefix_, after)));
  uint64_t last = after;
  for (const ObjectMeta& meta : listed) {
    if (std::optional<uint64_t> id = ParseWalPath(prefix_, meta.path)) last = std::max(last, *id);
  }
  return last + 1;
}

// Writes the empty fence WAL at `wal_id`, moving to the next id on conflict (bounded). With
// OpenOrder::kReadFirst a conflict first refreshes the manifest: a newer epoch means we are fenced.
absl::Status Db::WriteFence(uint64_t& wal_id) {
  for (int attempt = 0; attempt < options_.cas_attempts_max; ++attempt) {
    const std::string bytes =
        EncodeWal(WalObject{writer_.writer_id, writer_.writer_epoch, wal_id, {}});
    PutOutcome put = PutWithRetry(env_, options_, "fence", WalPath(prefix_, wal_id), bytes,
                                  PutOptions{PutMode::kCreate, 0});
    if (put.status.ok()) return absl::OkStatus();
    if (!absl::IsAlreadyExists(put.status)) return put.status;
    if (options_.open_order == OpenOrder::kReadFirst) {
      ASSIGN_OR_RETURN(StoredManifest latest, manifests_.ReadLatest());
      if (latest.manifest.writer_epoch > writer_.writer_epoch)
        return FencedError(fmt::format("epoch {} stored while opening with epoch {}",
                                       latest.manifest.writer_epoch, writer_.writer_epoch));
    }
    env_.runtime->Probe("open.fence_conflict");
    ++wal_id;
  }
  return absl::UnavailableError("open: fence write kept conflicting");
}

absl::StatusOr<uint64_t> Db::FenceOlderWriters() {
  const bool read_first = options_.open_order == OpenOrder::kReadFirst;
  for (int attempt = 0; attempt < options_.cas_attempts_max; ++attempt) {
    ASSIGN_OR_RETURN(StoredManifest latest, manifests_.ReadLatest());
    uint64_t next = 0;
    if (read_first) {  // PR #271: the slot is chosen before the epoch is written
      ASSIGN_OR_RETURN(next, NextWalIdFromStore(latest.manifest.wal_id_last_compacted));
    }
    Manifest bumped = latest.manifest;
    bumped.writer_epoch += 1;
    absl::Status wrote = manifests_.Write(latest.id + 1, bumped);
    if (absl::IsAlreadyExists(wrote)) {
      env_.runtime->Probe("open.epoch_conflict");
      continue;  // someone else wrote that version: refresh and retry
    }
    RETURN_IF_ERROR(wrote);
    writer_.writer_epoch = bumped.writer_epoch;
    {
      MutexLock lock(*mu_);
      current_ = StoredManifest{latest.id + 1, bumped};
    }
    // The compare-and-swap made us writer: held until we learn we are fenced, or close.
    env_.runtime->HoldBegin(WriterLeaseName(prefix_, writer_.writer_epoch));
    ShowManifest(latest.id + 1, bumped);
    if (options_.observer) options_.observer->OnManifestWrite(writer_, latest.id + 1, bumped);
    env_.runtime->CrashPoint("open.after_epoch");
    if (!read_first) {  // defect fixed by PR #271: the slot is chosen after the epoch is written
      ASSIGN_OR_RETURN(next, NextWalIdFromStore(bumped.wal_id_last_compacted));
    }
    RETURN_IF_ERROR(WriteFence(next));
    env_.runtime->CrashPoint("open.after_fence");
    if (read_first) {  // PR #1682: still the newest writer, and the fence lies above replay point
      ASSIGN_OR_RETURN(StoredManifest check, manifests_.ReadLatest());
      if (check.manifest.writer_epoch > writer_.writer_epoch)
        return FencedError(fmt::format("epoch {} stored after our fence at epoch {}",
                                       check.manifest.writer_epoch, writer_.writer_epoch));
      if (next <= check.manifest.wal_id_last_compacted) {
        env_.runtime->Probe("open.fence_below_replay_point");
        continue;
      }
      MutexLock lock(*mu_);
      current_ = check;
    }
    return next;
  }
  return absl::UnavailableError("open: manifest compare-and-swap kept conflicting");
}

absl::Status Db::LoadTables() {
  std::vector<std::string> paths;
  {
    MutexLock lock(*mu_);
    paths = current_.manifest.l0;
  }
  std::vector<std::shared_ptr<const Table>> tables;
  for (const std::string& path : paths) {
    ASSIGN_OR_RETURN(GetResult got, env_.store->Get(path));
    ASSIGN_OR_RETURN(Table table, DecodeTable(got.bytes));
    tables.push_back(std::make_shared<const Table>(std::move(table)));
  }
  MutexLock lock(*mu_);
  tables_ = std::move(tables);
  return absl::OkStatus();
}

// Replays WAL ids after wal_id_last_compacted, up to end_id (0: all found), requiring them to be
// contiguous and to reach the manifest's wal_id_last_seen.
absl::Status Db::Replay(uint64_t end_id) {
  Manifest m;
  {
    MutexLock lock(*mu_);
    m = current_.manifest;
  }
  const uint64_t after = m.wal_id_last_compacted;
  ASSIGN_OR_RETURN(std::vector<ObjectMeta> listed,
                   env_.store->List(WalDir(prefix_), WalPath(prefix_, after)));
  uint64_t expected = after + 1;
  for (const ObjectMeta& meta : listed) {
    std::optional<uint64_t> id = ParseWalPath(prefix_, meta.path);
    if (!id) continue;
    if (end_id != 0 && *id > end_id) break;
    if (*id != expected)
      return absl::DataLossError(fmt::format(
          "recovery: WAL {} is missing (next found is {}; replay starts after {})", expected, *id,
          after));
    ASSIGN_OR_RETURN(GetResult got, env_.store->Get(meta.path));
    ASSIGN_OR_RETURN(WalObject wal, DecodeWal(got.bytes));
    ApplyDurable(*id, wal.ops);
    ++expected;
  }
  const uint64_t last = expected - 1;
  if (end_id != 0 && last != end_id)
    return absl::DataLossError(fmt::format("recovery: WAL {} is missing (fence is at {})",
                                           last + 1, end_id));
  if (m.wal_id_last_seen > last)
    return absl::DataLossError(fmt::format(
        "recovery: WAL {} is missing: the manifest's wal_id_last_seen is {} but the WAL ends at {}",
        last + 1, m.wal_id_last_seen, last));
  replay_after_ = after;
  replay_last_ = last;
  return absl::OkStatus();
}

absl::Status Db::OpenImpl() {
  uint64_t fence_id = 0;
  if (options_.fencing) {
    ASSIGN_OR_RETURN(fence_id, FenceOlderWriters());
  } else {
    ASSIGN_OR_RETURN(StoredManifest latest, manifests_.ReadLatest());
    ShowManifest(latest.id, latest.manifest);
    MutexLock lock(*mu_);
    current_ = latest;
  }
  RETURN_IF_ERROR(LoadTables());
  RETURN_IF_ERROR(Replay(fence_id));
  const uint64_t next_wal_id = std::max(replay_after_, replay_last_) + 1;
  if (options_.observer)
    options_.observer->OnRecovered(writer_, replay_after_, replay_last_, next_wal_id);
  env_.runtime->Note(fmt::format("db: open {} epoch {} replayed ({}, {}] next wal {}", prefix_,
                                 writer_.writer_epoch, replay_after_, replay_last_, next_wal_id));
  WalWriter::Config config;
  config.env = env_;
  config.prefix = prefix_;
  config.options = options_;
  config.writer = writer_;
  config.next_wal_id = next_wal_id;
  config.on_durable = [this](uint64_t wal_id, const WriteBatch& ops) { ApplyDurable(wal_id, ops); };
  wal_ = std::make_unique<WalWriter>(std::move(config));
  if (options_.memtable_bytes_max > 0)
    memtable_task_ = env_.runtime->Spawn("memtable-flush", [this] { MemtableTaskLoop(); });
  return absl::OkStatus();
}

void Db::ApplyDurable(uint64_t wal_id, const WriteBatch& ops) {
  MutexLock lock(*mu_);
  for (const WalOp& op : ops) {
    memtable_bytes_ += op.key.size() + op.value.size() + 16;
    if (op.type == WalOp::Type::kPut) {
      memtable_[op.key] = op.value;
    } else {
      memtable_[op.key] = std::nullopt;
    }
  }
  last_applied_wal_id_ = std::max(last_applied_wal_id_, wal_id);
  if (options_.memtable_bytes_max > 0 && memtable_bytes_ >= options_.memtable_bytes_max)
    memtable_cv_->NotifyAll();
}

absl::Status Db::Put(std::string_view key, std::string_view value) {
  return Write({WalOp{WalOp::Type::kPut, std::string(key), std::string(value)}});
}

absl::Status Db::Delete(std::string_view key) {
  return Write({WalOp{WalOp::Type::kDelete, std::string(key), {}}});
}

absl::Status Db::Write(WriteBatch batch) { return wal_->Write(std::move(batch)); }

absl::Status Db::Flush() { return wal_->Flush(); }

absl::StatusOr<std::string> Db::Get(std::string_view key) {
  MutexLock lock(*mu_);
  auto lookup = [&](const Table& table) -> const std::optional<std::string>* {
    auto it = table.find(key);
    return it == table.end() ? nullptr : &it->second;
  };
  const std::optional<std::string>* found = lookup(memtable_);
  if (!found && imm_) found = lookup(*imm_);
  for (size_t i = 0; !found && i < tables_.size(); ++i) found = lookup(*tables_[i]);
  if (!found || !found->has_value()) return absl::NotFoundError(fmt::format("no key '{}'", key));
  return **found;
}

StoredManifest Db::manifest() {
  MutexLock lock(*mu_);
  return current_;
}

absl::Status Db::FlushMemtable() {
  MutexLock flush_lock(*flush_mu_);
  std::shared_ptr<Table> imm;
  uint64_t upto = 0;
  Manifest current;
  {
    MutexLock lock(*mu_);
    if (!memtable_.empty()) {
      if (imm_) {  // left by a failed flush: fold the newer memtable into it
        for (auto& [key, value] : memtable_) (*imm_)[key] = std::move(value);
      } else {
        imm_ = std::make_shared<Table>(std::move(memtable_));
      }
      memtable_.clear();
      memtable_bytes_ = 0;
    }
    imm = imm_;
    upto = last_applied_wal_id_;
    current = current_.manifest;
  }
  const uint64_t last_seen = wal_->wal_id_last_seen();
  if (!imm && upto <= current.wal_id_last_compacted && last_seen <= current.wal_id_last_seen)
    return absl::OkStatus();
  std::string table_path;
  if (imm) {
    table_path = TablePath(prefix_, upto, writer_.writer_id);
    PutOutcome put = PutWithRetry(env_, options_, "l0", table_path, EncodeTable(*imm),
                                  PutOptions{PutMode::kOverwrite, 0});
    RETURN_IF_ERROR(put.status);
    env_.runtime->CrashPoint("memtable.after_l0");
  }
  return CommitManifest(table_path, upto, last_seen);
}

// Compare-and-swap loop: version id+1 with Create; on conflict refresh and rebase (bounded).
absl::Status Db::CommitManifest(const std::string& table_path, uint64_t upto, uint64_t last_seen) {
  StoredManifest base = manifest();
  for (int attempt = 0; attempt < options_.cas_attempts_max; ++attempt) {
    if (options_.fencing && base.manifest.writer_epoch > writer_.writer_epoch) {
      absl::Status fenced = FencedError(fmt::format("manifest {} holds epoch {} > ours {}", base.id,
                                                    base.manifest.writer_epoch,
                                                    writer_.writer_epoch));
      wal_->Fail(fenced);
      return fenced;
    }
    Manifest next = base.manifest;
    if (!table_path.empty()) next.l0.insert(next.l0.begin(), table_path);
    next.wal_id_last_compacted = std::max(next.wal_id_last_compacted, upto);
    next.wal_id_last_seen = std::max(next.wal_id_last_seen, last_seen);
    absl::Status wrote = manifests_.Write(base.id + 1, next);
    if (wrote.ok()) {
      env_.runtime->CrashPoint("manifest.after_write");
      {
        MutexLock lock(*mu_);
        current_ = StoredManifest{base.id + 1, next};
        if (!table_path.empty() && imm_) {
          tables_.insert(tables_.begin(), imm_);
          imm_.reset();
        }
      }
      ShowManifest(base.id + 1, next);
      if (options_.observer) options_.observer->OnManifestWrite(writer_, base.id + 1, next);
      CollectWal(next.wal_id_last_compacted);
      return absl::OkStatus();
    }
    if (!absl::IsAlreadyExists(wrote)) return wrote;
    env_.runtime->Probe("manifest.cas_conflict");
    ASSIGN_OR_RETURN(base, manifests_.ReadLatest());
  }
  return absl::UnavailableError("manifest compare-and-swap kept conflicting");
}

// WAL garbage collection below the replay point (best effort: errors leave objects behind).
void Db::CollectWal(uint64_t upto) {
  if (options_.wal_gc == WalGcMode::kOff) return;
  absl::StatusOr<std::vector<ObjectMeta>> listed = env_.store->List(WalDir(prefix_));
  if (!listed.ok()) return;
  for (const ObjectMeta& meta : *listed) {
    std::optional<uint64_t> id = ParseWalPath(prefix_, meta.path);
    if (!id || *id > upto) continue;
    if (options_.wal_gc == WalGcMode::kKeepFences && meta.size == kEmptyWalBytes) continue;
    (void)env_.store->Delete(meta.path);
  }
}

void Db::MemtableTaskLoop() {
  for (;;) {
    {
      MutexLock lock(*mu_);
      while (!bg_stop_ && memtable_bytes_ < options_.memtable_bytes_max) memtable_cv_->Wait(*mu_);
      if (bg_stop_) return;
    }
    absl::Status flushed = FlushMemtable();
    if (IsFenced(flushed) || IsShutdown(flushed)) return;
    if (!flushed.ok()) env_.runtime->SleepFor(options_.put_retry_delay_ns);
  }
}

absl::Status Db::Close() {
  if (closed_) return absl::OkStatus();
  absl::Status status = wal_->Close();
  StopMemtableTask();
  if (!IsFenced(status) && !IsShutdown(status)) {
    absl::Status flushed = FlushMemtable();
    if (status.ok()) status = flushed;
  }
  closed_ = true;
  return status;
}

}  // namespace model
