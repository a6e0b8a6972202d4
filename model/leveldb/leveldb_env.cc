#include "model/leveldb/leveldb_env.h"

#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "leveldb/slice.h"
#include "leveldb/status.h"
#include "model/env/status.h"

namespace model {
namespace {

// LevelDB 1.23 util/env_posix.cc: kWritableFileBufferSize.
constexpr size_t kWritableFileBufferSize = 65536;

// env_posix.cc's PosixError: ENOENT is NotFound, every other error is IOError.
leveldb::Status ToLeveldb(const absl::Status& status, std::string_view context) {
  if (status.ok()) return leveldb::Status::OK();
  const absl::string_view message = status.message();
  const leveldb::Slice context_slice(context.data(), context.size());
  const leveldb::Slice message_slice(message.data(), message.size());
  if (status.code() == absl::StatusCode::kNotFound)
    return leveldb::Status::NotFound(context_slice, message_slice);
  return leveldb::Status::IOError(context_slice, message_slice);
}

std::string_view Basename(std::string_view path) {
  const size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

std::string_view Dirname(std::string_view path) {
  const size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? std::string_view() : path.substr(0, slash);
}

// PosixSequentialFile: read(2) from a running offset.
class SequentialFile final : public leveldb::SequentialFile {
 public:
  SequentialFile(std::string name, std::unique_ptr<model::File> file)
      : name_(std::move(name)), file_(std::move(file)) {}

  leveldb::Status Read(size_t n, leveldb::Slice* result, char* scratch) override {
    absl::StatusOr<std::string> data = file_->Read(offset_, n);
    if (!data.ok()) {
      *result = leveldb::Slice(scratch, 0);
      return ToLeveldb(data.status(), name_);
    }
    std::memcpy(scratch, data->data(), data->size());
    offset_ += data->size();
    *result = leveldb::Slice(scratch, data->size());
    return leveldb::Status::OK();
  }

  // lseek(SEEK_CUR) past the end succeeds; later reads return nothing.
  leveldb::Status Skip(uint64_t n) override {
    offset_ += n;
    return leveldb::Status::OK();
  }

 private:
  const std::string name_;
  std::unique_ptr<model::File> file_;
  uint64_t offset_ = 0;
};

// PosixMmapReadableFile: the whole file as of the open (tables are immutable once written).
// Thread-safe: immutable.
class WholeFile final : public leveldb::RandomAccessFile, LeveldbEnv::Registered {
 public:
  WholeFile(LeveldbEnv& env, std::string name, std::string contents)
      : env_(env), name_(std::move(name)), contents_(std::move(contents)) {
    env_.Register(this);
  }
  ~WholeFile() override { env_.Unregister(this); }
  void ReleaseMemory() override { std::string().swap(contents_); }

  leveldb::Status Read(uint64_t offset, size_t n, leveldb::Slice* result,
                       char* scratch) const override {
    (void)scratch;
    if (offset + n > contents_.size()) {
      *result = leveldb::Slice();
      return leveldb::Status::IOError(name_, "Invalid argument");  // mmap env: EINVAL
    }
    *result = leveldb::Slice(contents_.data() + offset, n);
    return leveldb::Status::OK();
  }

 private:
  LeveldbEnv& env_;
  const std::string name_;
  std::string contents_;
};

// PosixWritableFile: a 64 KiB buffer; appends that do not fit flush it, a remainder of at least
// the buffer's size is written at once. Sync of a MANIFEST syncs its directory first.
class WritableFile final : public leveldb::WritableFile, LeveldbEnv::Registered {
 public:
  WritableFile(LeveldbEnv& env, std::string name, std::unique_ptr<model::File> file)
      : env_(env),
        name_(std::move(name)),
        kind_(LeveldbEnv::Kind(name_)),
        path_(LeveldbEnv::ToPath(name_)),
        dirname_(Dirname(path_)),
        is_manifest_(Basename(name_).starts_with("MANIFEST")),
        file_(std::move(file)),
        buf_(new char[kWritableFileBufferSize]) {
    env_.Register(this);
  }

  ~WritableFile() override {
    if (!closed_) (void)Close();  // errors ignored, as upstream
    env_.Unregister(this);
  }

  // The model::File stays: destroying it would close it, an I/O call of the crashed process.
  void ReleaseMemory() override { buf_.reset(); }

  leveldb::Status Append(const leveldb::Slice& data) override {
    size_t write_size = data.size();
    const char* write_data = data.data();
    const size_t copy_size = std::min(write_size, kWritableFileBufferSize - pos_);
    std::memcpy(buf_.get() + pos_, write_data, copy_size);
    write_data += copy_size;
    write_size -= copy_size;
    pos_ += copy_size;
    if (write_size == 0) return leveldb::Status::OK();
    leveldb::Status status = FlushBuffer();
    if (!status.ok()) return status;
    if (write_size < kWritableFileBufferSize) {
      std::memcpy(buf_.get(), write_data, write_size);
      pos_ = write_size;
      return leveldb::Status::OK();
    }
    return WriteUnbuffered(write_data, write_size);
  }

  leveldb::Status Close() override {
    leveldb::Status status = FlushBuffer();
    const absl::Status closed = file_->Close();
    if (!closed.ok() && status.ok()) status = ToLeveldb(closed, name_);
    closed_ = true;
    return status;
  }

  leveldb::Status Flush() override { return FlushBuffer(); }

  leveldb::Status Sync() override {
    env_.CrashPoint(kind_, "sync.before");
    leveldb::Status status = SyncDirIfManifest();
    if (!status.ok()) return status;
    status = FlushBuffer();
    if (!status.ok()) return status;
    env_.CountSync();
    status = ToLeveldb(file_->Sync(), name_);
    if (status.ok()) env_.CrashPoint(kind_, "sync.after");
    return status;
  }

 private:
  leveldb::Status FlushBuffer() {
    leveldb::Status status = WriteUnbuffered(buf_.get(), pos_);
    pos_ = 0;
    return status;
  }

  leveldb::Status WriteUnbuffered(const char* data, size_t size) {
    if (size == 0) return leveldb::Status::OK();  // write(2) of nothing: no call
    env_.CountWrite();
    leveldb::Status status = ToLeveldb(file_->Append(std::string_view(data, size)), name_);
    if (status.ok() && env_.observer() != nullptr) env_.observer()->OnAppend(path_, size);
    return status;
  }

  leveldb::Status SyncDirIfManifest() {
    if (!is_manifest_) return leveldb::Status::OK();
    env_.CountDirSync();
    leveldb::Status status = ToLeveldb(env_.env().fs->SyncDir(dirname_), dirname_);
    if (status.ok()) env_.CrashPoint(kind_, "dirsync.after");
    return status;
  }

  LeveldbEnv& env_;
  const std::string name_;
  const std::string_view kind_;  // a literal: see LeveldbEnv::Kind
  const std::string path_;
  const std::string dirname_;
  const bool is_manifest_;
  std::unique_ptr<model::File> file_;
  std::unique_ptr<char[]> buf_;  // buf_[0, pos_) is still to be written
  size_t pos_ = 0;
  bool closed_ = false;
};

// PosixFileLock: the open LOCK file.
class FileLock final : public leveldb::FileLock {
 public:
  FileLock(std::string name, std::unique_ptr<model::File> file)
      : name_(std::move(name)), file_(std::move(file)) {}
  const std::string& name() const { return name_; }
  model::File& file() { return *file_; }

 private:
  const std::string name_;
  std::unique_ptr<model::File> file_;
};

// The info log as trace notes, one per line, without the posix logger's timestamp and thread id
// (those would differ between runs).
class NoteLogger final : public leveldb::Logger {
 public:
  explicit NoteLogger(model::Runtime& runtime) : runtime_(runtime) {}
  void Logv(const char* format, std::va_list ap) override {
    char buf[512];
    std::va_list copy;
    va_copy(copy, ap);
    const int n = std::vsnprintf(buf, sizeof(buf), format, copy);
    va_end(copy);
    if (n < 0) return;
    std::string_view line(buf, std::min<size_t>(static_cast<size_t>(n), sizeof(buf) - 1));
    while (!line.empty() && line.back() == '\n') line.remove_suffix(1);
    runtime_.Note(absl::StrCat("leveldb: ", Av(line)));
  }

 private:
  model::Runtime& runtime_;
};

class NullLogger final : public leveldb::Logger {
 public:
  void Logv(const char* format, std::va_list ap) override {
    (void)format;
    (void)ap;
  }
};

}  // namespace

LeveldbEnv::LeveldbEnv(model::Env env, LeveldbEnvOptions options)
    : env_(env), options_(std::move(options)) {
  files_mu_ = env_.runtime->NewMutex("leveldb.files");
  locks_mu_ = env_.runtime->NewMutex("leveldb.locks");
  bg_mu_ = env_.runtime->NewMutex("leveldb.background");
  bg_cv_ = env_.runtime->NewCondVar("leveldb.background");
}

LeveldbEnv::~LeveldbEnv() {
  if (!bg_task_) return;
  {
    MutexLock lock(*bg_mu_);
    bg_stop_ = true;
    bg_cv_->NotifyAll();
  }
  bg_task_->Join();
}

LeveldbEnvStats LeveldbEnv::stats() const {
  LeveldbEnvStats s;
  s.writes = writes_.load(std::memory_order_relaxed);
  s.syncs = syncs_.load(std::memory_order_relaxed);
  s.dir_syncs = dir_syncs_.load(std::memory_order_relaxed);
  s.renames = renames_.load(std::memory_order_relaxed);
  s.removes = removes_.load(std::memory_order_relaxed);
  s.jobs_scheduled = jobs_scheduled_.load(std::memory_order_relaxed);
  s.jobs_run = jobs_run_.load(std::memory_order_relaxed);
  s.threads_started = threads_started_.load(std::memory_order_relaxed);
  return s;
}

void LeveldbEnv::Register(Registered* file) {
  MutexLock lock(*files_mu_);
  file->prev = nullptr;
  file->next = files_;
  if (files_ != nullptr) files_->prev = file;
  files_ = file;
}

void LeveldbEnv::Unregister(Registered* file) {
  MutexLock lock(*files_mu_);
  if (file->prev != nullptr) file->prev->next = file->next;
  else files_ = file->next;
  if (file->next != nullptr) file->next->prev = file->prev;
  file->prev = file->next = nullptr;
}

void LeveldbEnv::Abandon() {
  // No lock: the tasks that could hold files_mu_ are gone with their process.
  for (Registered* f = files_; f != nullptr; f = f->next) f->ReleaseMemory();
}

std::string LeveldbEnv::ToPath(std::string_view name) {
  std::string out;
  out.reserve(name.size());
  size_t i = 0;
  while (i < name.size()) {
    size_t end = name.find('/', i);
    if (end == std::string_view::npos) end = name.size();
    std::string_view part = name.substr(i, end - i);
    if (!part.empty() && part != ".") {
      if (!out.empty()) out.push_back('/');
      out.append(part);
    }
    i = end + 1;
  }
  return out;
}

std::string_view LeveldbEnv::Kind(std::string_view name) {
  const std::string_view base = Basename(name);
  if (base == "CURRENT" || base.ends_with(".dbtmp")) return "current";
  if (base.starts_with("MANIFEST-")) return "manifest";
  if (base.ends_with(".log")) return "log";
  if (base.ends_with(".ldb") || base.ends_with(".sst")) return "table";
  return "";
}

void LeveldbEnv::CrashPoint(std::string_view kind, std::string_view point) {
  if (kind.empty()) return;
  // "leveldb.<kind>.<point>" on the stack (kind and point are short literals): two crash points
  // per synced write, and an allocation each showed in profiles.
  constexpr std::string_view kPrefix = "leveldb.";
  char name[64];
  const size_t n = kPrefix.size() + kind.size() + 1 + point.size();
  if (n > sizeof(name)) {
    env_.runtime->CrashPoint(absl::StrCat(Av(kPrefix), Av(kind), ".", Av(point)));
    return;
  }
  char* p = name;
  std::memcpy(p, kPrefix.data(), kPrefix.size());
  p += kPrefix.size();
  std::memcpy(p, kind.data(), kind.size());
  p += kind.size();
  *p++ = '.';
  std::memcpy(p, point.data(), point.size());
  env_.runtime->CrashPoint(std::string_view(name, n));
}

leveldb::Status LeveldbEnv::NewSequentialFile(const std::string& fname,
                                              leveldb::SequentialFile** result) {
  *result = nullptr;
  absl::StatusOr<std::unique_ptr<model::File>> file = env_.fs->Open(ToPath(fname), {});
  if (!file.ok()) return ToLeveldb(file.status(), fname);
  *result = new SequentialFile(fname, std::move(*file));
  return leveldb::Status::OK();
}

leveldb::Status LeveldbEnv::NewRandomAccessFile(const std::string& fname,
                                                leveldb::RandomAccessFile** result) {
  *result = nullptr;
  absl::StatusOr<std::string> contents = ReadWholeFile(*env_.fs, ToPath(fname));
  if (!contents.ok()) return ToLeveldb(contents.status(), fname);
  *result = new WholeFile(*this, fname, std::move(*contents));
  return leveldb::Status::OK();
}

leveldb::Status LeveldbEnv::OpenWritable(const std::string& fname, bool truncate,
                                         leveldb::WritableFile** result) {
  *result = nullptr;
  OpenOptions options;
  options.write = true;
  options.create = true;
  options.truncate = truncate;
  absl::StatusOr<std::unique_ptr<model::File>> file = env_.fs->Open(ToPath(fname), options);
  if (!file.ok()) return ToLeveldb(file.status(), fname);
  *result = new WritableFile(*this, fname, std::move(*file));
  if (options_.observer != nullptr) options_.observer->OnCreate(ToPath(fname), truncate);
  if (Kind(fname) == "log") {
    const std::string_view base = Basename(fname);
    uint64_t number = 0;
    for (char c : base.substr(0, base.size() - 4)) {
      if (c < '0' || c > '9') return leveldb::Status::OK();  // not NNNNNN.log
      number = number * 10 + static_cast<uint64_t>(c - '0');
    }
    newest_log_.store(number, std::memory_order_relaxed);
  }
  return leveldb::Status::OK();
}

// O_TRUNC | O_WRONLY | O_CREAT
leveldb::Status LeveldbEnv::NewWritableFile(const std::string& fname,
                                            leveldb::WritableFile** result) {
  return OpenWritable(fname, /*truncate=*/true, result);
}

// O_APPEND | O_WRONLY | O_CREAT
leveldb::Status LeveldbEnv::NewAppendableFile(const std::string& fname,
                                              leveldb::WritableFile** result) {
  return OpenWritable(fname, /*truncate=*/false, result);
}

bool LeveldbEnv::FileExists(const std::string& fname) {
  absl::StatusOr<bool> exists = env_.fs->Exists(ToPath(fname));
  return exists.ok() && *exists;
}

leveldb::Status LeveldbEnv::GetChildren(const std::string& dir, std::vector<std::string>* result) {
  result->clear();
  absl::StatusOr<std::vector<std::string>> names = env_.fs->List(ToPath(dir));
  if (!names.ok()) return ToLeveldb(names.status(), dir);
  *result = std::move(*names);
  return leveldb::Status::OK();
}

leveldb::Status LeveldbEnv::RemoveFile(const std::string& fname) {
  removes_.fetch_add(1, std::memory_order_relaxed);
  const std::string path = ToPath(fname);
  leveldb::Status status = ToLeveldb(env_.fs->Remove(path), fname);
  if (status.ok() && options_.observer != nullptr) options_.observer->OnRemove(path);
  return status;
}

leveldb::Status LeveldbEnv::CreateDir(const std::string& dirname) {
  return ToLeveldb(env_.fs->CreateDir(ToPath(dirname)), dirname);
}

// rmdir(2): only an empty directory.
leveldb::Status LeveldbEnv::RemoveDir(const std::string& dirname) {
  const std::string path = ToPath(dirname);
  absl::StatusOr<std::vector<std::string>> names = env_.fs->List(path);
  if (!names.ok()) return ToLeveldb(names.status(), dirname);
  if (!names->empty()) return leveldb::Status::IOError(dirname, "Directory not empty");
  return ToLeveldb(env_.fs->RemoveAll(path), dirname);
}

leveldb::Status LeveldbEnv::GetFileSize(const std::string& fname, uint64_t* file_size) {
  *file_size = 0;
  absl::StatusOr<std::unique_ptr<model::File>> file = env_.fs->Open(ToPath(fname), {});
  if (!file.ok()) return ToLeveldb(file.status(), fname);
  absl::StatusOr<uint64_t> size = (*file)->Size();
  (void)(*file)->Close();
  if (!size.ok()) return ToLeveldb(size.status(), fname);
  *file_size = *size;
  return leveldb::Status::OK();
}

leveldb::Status LeveldbEnv::RenameFile(const std::string& src, const std::string& target) {
  const std::string_view kind = Kind(target);
  CrashPoint(kind, "rename.before");
  renames_.fetch_add(1, std::memory_order_relaxed);
  const std::string from = ToPath(src), to = ToPath(target);
  leveldb::Status status = ToLeveldb(env_.fs->Rename(from, to), src);
  if (status.ok() && options_.observer != nullptr) options_.observer->OnRename(from, to);
  if (status.ok()) CrashPoint(kind, "rename.after");
  return status;
}

leveldb::Status LeveldbEnv::LockFile(const std::string& fname, leveldb::FileLock** lock) {
  *lock = nullptr;
  OpenOptions options;  // O_RDWR | O_CREAT
  options.write = true;
  options.create = true;
  absl::StatusOr<std::unique_ptr<model::File>> file = env_.fs->Open(ToPath(fname), options);
  if (!file.ok()) return ToLeveldb(file.status(), fname);
  bool inserted;
  {
    MutexLock l(*locks_mu_);
    inserted = locked_files_.insert(fname).second;
  }
  if (!inserted) {
    (void)(*file)->Close();
    return leveldb::Status::IOError("lock " + fname, "already held by process");
  }
  *lock = new FileLock(fname, std::move(*file));
  return leveldb::Status::OK();
}

leveldb::Status LeveldbEnv::UnlockFile(leveldb::FileLock* lock) {
  auto* file_lock = static_cast<FileLock*>(lock);
  {
    MutexLock l(*locks_mu_);
    locked_files_.erase(file_lock->name());
  }
  (void)file_lock->file().Close();
  delete file_lock;
  return leveldb::Status::OK();
}

void LeveldbEnv::Schedule(void (*function)(void* arg), void* arg) {
  MutexLock lock(*bg_mu_);
  jobs_scheduled_.fetch_add(1, std::memory_order_relaxed);
  if (!bg_started_) {
    bg_started_ = true;
    bg_task_ = env_.runtime->Spawn(options_.background_task, [this] { BackgroundMain(); });
  }
  if (bg_queue_.empty()) bg_cv_->NotifyOne();
  bg_queue_.push_back(Job{function, arg});
}

void LeveldbEnv::BackgroundMain() {
  // Upstream loops forever; this one also ends when the Env is destroyed.
  while (true) {
    Job job;
    {
      MutexLock lock(*bg_mu_);
      while (bg_queue_.empty() && !bg_stop_) bg_cv_->Wait(*bg_mu_);
      if (bg_queue_.empty()) return;  // stopping, nothing left to run
      job = bg_queue_.front();
      bg_queue_.pop_front();
    }
    jobs_run_.fetch_add(1, std::memory_order_relaxed);
    job.function(job.arg);
  }
}

void LeveldbEnv::StartThread(void (*function)(void* arg), void* arg) {
  threads_started_.fetch_add(1, std::memory_order_relaxed);
  // Detached, as upstream's std::thread::detach: destroying the handle detaches the task.
  env_.runtime->Spawn("leveldb-thread", [function, arg] { function(arg); });
}

leveldb::Status LeveldbEnv::GetTestDirectory(std::string* path) {
  *path = "leveldbtest";
  (void)CreateDir(*path);  // may exist already; upstream ignores the status too
  return leveldb::Status::OK();
}

leveldb::Status LeveldbEnv::NewLogger(const std::string& fname, leveldb::Logger** result) {
  (void)fname;
  if (options_.info_log == LeveldbEnvOptions::InfoLog::kNotes)
    *result = new NoteLogger(*env_.runtime);
  else
    *result = new NullLogger();
  return leveldb::Status::OK();
}

uint64_t LeveldbEnv::NowMicros() { return static_cast<uint64_t>(env_.runtime->NowNanos() / 1000); }

void LeveldbEnv::SleepForMicroseconds(int micros) {
  env_.runtime->SleepFor(static_cast<int64_t>(micros) * 1000);
}

}  // namespace model
