#include "model/snapshot/snapshot_store.h"

#include <algorithm>
#include <fmt/format.h>
#include <tuple>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "model/env/status.h"

namespace model {
namespace {

constexpr std::string_view kFullNeeded = "FULL_NEEDED";

bool ParseId(std::string_view name, SnapshotMeta& meta) {
  std::vector<absl::string_view> parts = absl::StrSplit(Av(name), '-');
  return parts.size() == 3 && absl::SimpleAtoi(parts[0], &meta.term) &&
         absl::SimpleAtoi(parts[1], &meta.index) && absl::SimpleAtoi(parts[2], &meta.time_ms);
}

bool Older(const SnapshotMeta& a, const SnapshotMeta& b) {
  return std::tie(a.term, a.index, a.time_ms) < std::tie(b.term, b.index, b.time_ms);
}

absl::Status Busy(std::string_view what) {
  return absl::UnavailableError(fmt::format("snapshot in progress: {} must retry later", what));
}

}  // namespace

std::string SnapshotMeta::id() const { return absl::StrCat(term, "-", index, "-", time_ms); }

SnapshotStore::SnapshotStore(Env env, std::string dir, SnapshotLockPolicy policy)
    : env_(env),
      dir_(std::move(dir)),
      policy_(policy),
      mu_(env_.runtime->NewMutex("snapshot.lock")) {}

std::string SnapshotStore::Path(std::string_view name) const {
  return absl::StrCat(dir_, "/", Av(name));
}

uint64_t SnapshotStore::lock_conflicts() {
  MutexLock lock(*mu_);
  return conflicts_;
}

bool SnapshotStore::TryLockWriter() {
  MutexLock lock(*mu_);
  // Sinks always exclude each other (upstream's only lock before #1775). kTryLock/kReadersWriter:
  // a writer also waits for no reader.
  const bool busy = writer_ || (policy_ != SnapshotLockPolicy::kNone && readers_ > 0);
  if (busy) {
    ++conflicts_;
    return false;
  }
  writer_ = true;
  return true;
}

bool SnapshotStore::TryLockReader() {
  MutexLock lock(*mu_);
  bool busy = false;
  switch (policy_) {
    case SnapshotLockPolicy::kNone:  // #1774: streaming takes no lock
      break;
    case SnapshotLockPolicy::kTryLock:  // #1775: one lock shared by create and open
      busy = writer_ || readers_ > 0;
      break;
    case SnapshotLockPolicy::kReadersWriter:  // #1776: many readers, one writer
      busy = writer_;
      break;
  }
  if (busy) {
    ++conflicts_;
    return false;
  }
  ++readers_;
  return true;
}

void SnapshotStore::UnlockWriter() {
  MutexLock lock(*mu_);
  writer_ = false;
}

void SnapshotStore::UnlockReader() {
  MutexLock lock(*mu_);
  if (readers_ > 0) --readers_;
}

absl::Status SnapshotStore::Init() {
  FileSystem& fs = *env_.fs;
  ASSIGN_OR_RETURN(bool exists, fs.Exists(dir_));
  if (!exists) RETURN_IF_ERROR(fs.CreateDir(dir_));
  ASSIGN_OR_RETURN(std::vector<std::string> names, fs.List(dir_));
  for (const std::string& name : names) {
    if (name.size() > 4 && name.compare(name.size() - 4, 4, ".tmp") == 0)
      RETURN_IF_ERROR(fs.RemoveAll(Path(name)));
  }
  ASSIGN_OR_RETURN(std::vector<SnapshotMeta> snapshots, List());
  if (snapshots.empty()) RETURN_IF_ERROR(WriteFileAtomically(fs, Path(kFullNeeded), ""));
  if (!snapshots.empty()) RETURN_IF_ERROR(RepairNewest(snapshots));
  return fs.SyncDir(dir_);
}

// A crash between an incremental snapshot's commit point and the end of its checkpoint leaves
// the newest snapshot without its .db (the previous one still holds it) and/or with its .db-wal
// not folded in. As rqlite's Store.check() at start-up: move the newest older .db to the newest
// snapshot, then checkpoint its leftover .db-wal. The checkpoint is idempotent as SQLite's is
// (frames rewrite pages): here, frames the .db already ends with are not appended again.
absl::Status SnapshotStore::RepairNewest(const std::vector<SnapshotMeta>& snapshots) {
  FileSystem& fs = *env_.fs;
  const std::string id = snapshots.back().id();
  const std::string db = Path(id + ".db");
  const std::string wal = Path(id + ".db-wal");
  ASSIGN_OR_RETURN(bool has_db, fs.Exists(db));
  for (size_t i = snapshots.size() - 1; !has_db && i > 0; --i) {
    const std::string prev_db = Path(snapshots[i - 1].id() + ".db");
    ASSIGN_OR_RETURN(bool has_prev, fs.Exists(prev_db));
    if (!has_prev) continue;
    RETURN_IF_ERROR(fs.Rename(prev_db, db));
    RETURN_IF_ERROR(fs.SyncDir(dir_));
    has_db = true;
  }
  if (!has_db) return absl::DataLossError(fmt::format("snapshot {}: no .db to recover", id));
  ASSIGN_OR_RETURN(bool has_wal, fs.Exists(wal));
  if (!has_wal) return absl::OkStatus();
  ASSIGN_OR_RETURN(std::string frames, ReadWholeFile(fs, wal));
  ASSIGN_OR_RETURN(std::string content, ReadWholeFile(fs, db));
  const bool applied = content.size() >= frames.size() &&
                       content.compare(content.size() - frames.size(), frames.size(), frames) == 0;
  if (!applied) {
    OpenOptions options;
    options.write = true;
    ASSIGN_OR_RETURN(std::unique_ptr<File> file, fs.Open(db, options));
    absl::Status s = file->Append(frames);
    if (s.ok()) s = file->Sync();
    absl::Status closed = file->Close();
    RETURN_IF_ERROR(s);
    RETURN_IF_ERROR(closed);
  }
  return fs.Remove(wal);
}

absl::StatusOr<bool> SnapshotStore::FullNeeded() { return env_.fs->Exists(Path(kFullNeeded)); }

absl::StatusOr<SnapshotMeta> SnapshotStore::ReadMeta(std::string_view id) {
  ASSIGN_OR_RETURN(std::string text, ReadWholeFile(*env_.fs, Path(fmt::format("{}/meta", id))));
  SnapshotMeta meta;
  int full = 0;
  std::vector<absl::string_view> parts = absl::StrSplit(Av(text), ' ');
  if (parts.size() != 4 || !absl::SimpleAtoi(parts[0], &meta.term) ||
      !absl::SimpleAtoi(parts[1], &meta.index) || !absl::SimpleAtoi(parts[2], &meta.time_ms) ||
      !absl::SimpleAtoi(parts[3], &full))
    return absl::DataLossError(fmt::format("bad snapshot meta for {}", id));
  meta.full = full != 0;
  return meta;
}

absl::StatusOr<std::vector<SnapshotMeta>> SnapshotStore::List() {
  ASSIGN_OR_RETURN(std::vector<std::string> names, env_.fs->List(dir_));
  std::vector<SnapshotMeta> out;
  for (const std::string& name : names) {
    SnapshotMeta meta;
    if (!ParseId(name, meta)) continue;  // skips .tmp, .db, .db-wal, FULL_NEEDED
    absl::StatusOr<bool> has_meta = env_.fs->Exists(Path(fmt::format("{}/meta", name)));
    if (!has_meta.ok() || !*has_meta) continue;
    ASSIGN_OR_RETURN(meta, ReadMeta(name));
    out.push_back(meta);
  }
  std::sort(out.begin(), out.end(), Older);
  return out;
}

absl::StatusOr<std::unique_ptr<SnapshotSink>> SnapshotStore::Create(const SnapshotMeta& meta) {
  if (!TryLockWriter()) {
    env_.runtime->Probe("snapshot.create_conflict");
    return Busy("create");
  }
  auto fail = [this](absl::Status s) {
    UnlockWriter();
    return s;
  };
  if (!meta.full) {
    absl::StatusOr<bool> full_needed = FullNeeded();
    if (!full_needed.ok()) return fail(full_needed.status());
    if (*full_needed)
      return fail(absl::FailedPreconditionError("snapshot: FULL_NEEDED is set"));
  }
  const std::string tmp = Path(meta.id() + ".tmp");
  absl::Status s = env_.fs->CreateDir(tmp);
  if (s.ok())
    s = WriteFileAtomically(*env_.fs, tmp + "/meta",
                            fmt::format("{} {} {} {}", meta.term, meta.index, meta.time_ms,
                                        meta.full ? 1 : 0));
  if (!s.ok()) return fail(s);
  OpenOptions options;
  options.write = true;
  options.create = true;
  options.truncate = true;
  absl::StatusOr<std::unique_ptr<File>> data = env_.fs->Open(tmp + "/data", options);
  if (!data.ok()) return fail(data.status());
  return std::unique_ptr<SnapshotSink>(new SnapshotSink(*this, meta, std::move(*data)));
}

absl::StatusOr<std::unique_ptr<SnapshotReader>> SnapshotStore::Open(std::string_view id) {
  if (!TryLockReader()) {
    env_.runtime->Probe("snapshot.open_conflict");
    return Busy("open");
  }
  absl::StatusOr<SnapshotMeta> meta = ReadMeta(id);
  absl::StatusOr<std::unique_ptr<File>> file =
      meta.ok() ? env_.fs->Open(Path(fmt::format("{}.db", id)), OpenOptions{})
                : absl::StatusOr<std::unique_ptr<File>>(meta.status());
  if (!file.ok()) {
    UnlockReader();
    return file.status();
  }
  return std::unique_ptr<SnapshotReader>(new SnapshotReader(*this, *meta, std::move(*file)));
}

absl::Status SnapshotStore::Reap(size_t retain) {
  ASSIGN_OR_RETURN(std::vector<SnapshotMeta> snapshots, List());
  absl::Status first = absl::OkStatus();
  auto note = [&first](absl::Status s) {
    if (!s.ok() && !absl::IsNotFound(s) && first.ok()) first = s;
  };
  for (size_t i = 0; i + retain < snapshots.size(); ++i) {
    const std::string id = snapshots[i].id();
    note(env_.fs->Remove(Path(id + ".db")));
    note(env_.fs->Remove(Path(id + ".db-wal")));
    note(env_.fs->RemoveAll(Path(id)));
  }
  note(env_.fs->SyncDir(dir_));
  return first;
}

// ---- SnapshotSink ----

SnapshotSink::~SnapshotSink() { Release(); }

void SnapshotSink::Release() {
  if (done_) return;
  done_ = true;
  store_.UnlockWriter();
}

absl::Status SnapshotSink::Write(std::string_view data) {
  if (done_) return absl::FailedPreconditionError("snapshot sink closed");
  return data_->Append(data);
}

absl::Status SnapshotSink::Cancel() {
  if (done_) return absl::OkStatus();
  (void)data_->Close();
  absl::Status s = store_.fs().RemoveAll(store_.Path(meta_.id() + ".tmp"));
  Release();
  return s;
}

absl::Status SnapshotSink::Close() {
  if (done_) return absl::OkStatus();
  absl::Status s = Commit();
  Release();
  return s;
}

absl::Status SnapshotSink::Commit() {
  FileSystem& fs = store_.fs();
  Runtime& rt = *store_.env_.runtime;
  const std::string id = meta_.id();
  RETURN_IF_ERROR(data_->Sync());
  RETURN_IF_ERROR(data_->Close());
  // The previous snapshot, which an incremental one builds on (read before we commit ours).
  ASSIGN_OR_RETURN(std::vector<SnapshotMeta> before, store_.List());
  if (!meta_.full && before.empty())
    return absl::FailedPreconditionError("snapshot: incremental with no previous snapshot");
  const std::string tmp = store_.Path(id + ".tmp");
  const std::string db = store_.Path(id + ".db");
  const std::string wal = store_.Path(id + ".db-wal");
  RETURN_IF_ERROR(fs.Rename(tmp + "/data", meta_.full ? db : wal));
  RETURN_IF_ERROR(fs.Rename(tmp, store_.Path(id)));  // the commit point
  RETURN_IF_ERROR(fs.SyncDir(store_.dir()));
  rt.CrashPoint("snapshot.after_commit");
  if (!meta_.full) {
    const std::string prev_db = store_.Path(before.back().id() + ".db");
    // rqlite #1774: on Windows this fails while a reader streams prev (its file is open).
    RETURN_IF_ERROR(fs.Rename(prev_db, db));
    RETURN_IF_ERROR(fs.SyncDir(store_.dir()));
    rt.CrashPoint("snapshot.before_checkpoint");
    // Checkpoint: fold the WAL into the database file (on POSIX a reader that opened prev_db
    // still has this very file open and sees it change).
    ASSIGN_OR_RETURN(std::string frames, ReadWholeFile(fs, wal));
    OpenOptions options;
    options.write = true;
    ASSIGN_OR_RETURN(std::unique_ptr<File> file, fs.Open(db, options));
    absl::Status s = file->Append(frames);
    if (s.ok()) s = file->Sync();
    absl::Status closed = file->Close();
    RETURN_IF_ERROR(s);
    RETURN_IF_ERROR(closed);
    RETURN_IF_ERROR(fs.Remove(wal));
  }
  absl::Status unset = fs.Remove(store_.Path(kFullNeeded));
  if (!unset.ok() && !absl::IsNotFound(unset)) return unset;
  RETURN_IF_ERROR(fs.SyncDir(store_.dir()));
  absl::Status reaped = store_.Reap(1);
  if (!reaped.ok()) rt.Note(fmt::format("snapshot: reap after {}: {}", id, reaped.ToString()));
  return absl::OkStatus();
}

// ---- SnapshotReader ----

SnapshotReader::~SnapshotReader() {
  if (file_) (void)file_->Close();
  Release();
}

void SnapshotReader::Release() {
  if (released_) return;
  released_ = true;
  store_.UnlockReader();
}

absl::StatusOr<std::string> SnapshotReader::Next(size_t max_bytes) {
  if (released_) return absl::FailedPreconditionError("snapshot reader closed");
  ASSIGN_OR_RETURN(std::string chunk, file_->Read(offset_, max_bytes));
  offset_ += chunk.size();
  store_.env_.runtime->Yield();
  return chunk;
}

absl::StatusOr<std::string> SnapshotReader::ReadAll(size_t chunk_bytes) {
  std::string out;
  for (int i = 0; i < 1'000'000; ++i) {
    ASSIGN_OR_RETURN(std::string chunk, Next(chunk_bytes));
    if (chunk.empty()) return out;
    out += chunk;
  }
  return absl::InternalError("snapshot stream too long");
}

absl::Status SnapshotReader::Close() {
  if (released_) return absl::OkStatus();
  absl::Status s = file_->Close();
  Release();
  return s;
}

}  // namespace model
