// A leveldb::Env over model::Env, so that Debian's unmodified libleveldb runs on the simulated
// world (or on model/env/posix). It copies LevelDB 1.23's own posix env (util/env_posix.cc) where
// that decides what a crash keeps: a 64 KiB user-space buffer per WritableFile, flushed by Flush,
// Sync and Close; Sync of a MANIFEST-* file first syncs its directory (SyncDirIfManifest) and no
// other call ever syncs a directory; one background task, started by the first Schedule, runs
// the scheduled jobs one at a time in order; LockFile keeps a per-process table. Tables are read
// whole at NewRandomAccessFile, as the posix env mmaps them. The info log goes to trace notes (or
// nowhere), never to a LOG file. Every Env call may yield (model::FileSystem calls do).
//
// Crash points (model::Runtime::CrashPoint), before and after each sync and rename of the files
// that decide recovery: leveldb.<kind>.sync.before|after (kind: log, manifest, table, current;
// "current" is CURRENT's temp file *.dbtmp), leveldb.manifest.dirsync.after (between the
// directory sync and the file's own) and leveldb.current.rename.before|after (the temp file
// renamed over CURRENT).
//
// Ownership: one LeveldbEnv per process incarnation, made in the boot function and kept by it
// longer than every DB opened on it. After a crash, abandon it with the crashed DB (as a real crash
// abandons memory): destroying either would run code of the crashed process. Destroying it after
// a clean close of every DB ends the background task.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/btree_set.h"
#include "leveldb/env.h"
#include "model/env/env.h"

namespace model {

// What LevelDB did to its files, told after each call succeeded (model paths): a checker keeps
// the namespace LevelDB believes in and compares it with the disk after a crash. Called from
// LevelDB's threads (on model/env/posix, concurrently); must not yield.
class LeveldbEnvObserver {
 public:
  virtual ~LeveldbEnvObserver() = default;
  virtual void OnCreate(std::string_view path, bool truncate) = 0;  // NewWritable/AppendableFile
  virtual void OnAppend(std::string_view path, uint64_t bytes) = 0;  // bytes handed to the OS
  virtual void OnRemove(std::string_view path) = 0;
  virtual void OnRename(std::string_view from, std::string_view to) = 0;
};

struct LeveldbEnvOptions {
  enum class InfoLog : uint8_t { kNotes, kDiscard };
  InfoLog info_log = InfoLog::kNotes;  // kNotes: each line a trace note "leveldb: ..."
  std::string background_task = "leveldb-bg";  // the name of Schedule's task
  LeveldbEnvObserver* observer = nullptr;  // not owned; may be null
};

// Per-Env counters, for tests and reports.
struct LeveldbEnvStats {
  uint64_t writes = 0;        // model::File::Append calls (buffer flushes)
  uint64_t syncs = 0;         // model::File::Sync calls
  uint64_t dir_syncs = 0;     // model::FileSystem::SyncDir calls (MANIFEST syncs only)
  uint64_t renames = 0;
  uint64_t removes = 0;
  uint64_t jobs_scheduled = 0;
  uint64_t jobs_run = 0;  // taken from the queue by the background task
  uint64_t threads_started = 0;
};

class LeveldbEnv final : public leveldb::Env {
 public:
  // REQUIRES: env.runtime and env.fs non-null and outliving this.
  explicit LeveldbEnv(model::Env env, LeveldbEnvOptions options = {});
  // Ends the background task. REQUIRES: every DB on this Env closed (deleted); not after a crash.
  ~LeveldbEnv() override;

  leveldb::Status NewSequentialFile(const std::string& fname,
                                    leveldb::SequentialFile** result) override;
  leveldb::Status NewRandomAccessFile(const std::string& fname,
                                      leveldb::RandomAccessFile** result) override;
  leveldb::Status NewWritableFile(const std::string& fname, leveldb::WritableFile** result) override;
  leveldb::Status NewAppendableFile(const std::string& fname,
                                    leveldb::WritableFile** result) override;
  bool FileExists(const std::string& fname) override;
  leveldb::Status GetChildren(const std::string& dir, std::vector<std::string>* result) override;
  leveldb::Status RemoveFile(const std::string& fname) override;
  leveldb::Status CreateDir(const std::string& dirname) override;
  leveldb::Status RemoveDir(const std::string& dirname) override;
  leveldb::Status GetFileSize(const std::string& fname, uint64_t* file_size) override;
  leveldb::Status RenameFile(const std::string& src, const std::string& target) override;
  leveldb::Status LockFile(const std::string& fname, leveldb::FileLock** lock) override;
  leveldb::Status UnlockFile(leveldb::FileLock* lock) override;
  void Schedule(void (*function)(void* arg), void* arg) override;
  void StartThread(void (*function)(void* arg), void* arg) override;
  leveldb::Status GetTestDirectory(std::string* path) override;
  leveldb::Status NewLogger(const std::string& fname, leveldb::Logger** result) override;
  uint64_t NowMicros() override;
  void SleepForMicroseconds(int micros) override;

  LeveldbEnvStats stats() const;
  model::Env& env() { return env_; }
  // The number of the newest log file (NNNNNN.log) opened for writing, 0 before any: checkers use
  // it to tell which log a write went to.
  uint64_t newest_log() const { return newest_log_.load(std::memory_order_relaxed); }

  // After a crash of the process (kernel context in a world): frees the buffers of every file still
  // open (64 KiB per WritableFile, whole tables), as a crash frees a process's memory. REQUIRES:
  // nothing of the crashed incarnation runs again; the Env and LevelDB's objects stay abandoned.
  void Abandon();

  // Files register here while they exist (for Abandon).
  struct Registered {
    virtual void ReleaseMemory() = 0;
    Registered* prev = nullptr;
    Registered* next = nullptr;

   protected:
    ~Registered() = default;
  };
  void Register(Registered* file);
  void Unregister(Registered* file);

  // LevelDB's file names ("db/000005.log") as model::FileSystem paths: a leading "/" or "./" and
  // doubled or trailing slashes are dropped ("/db//x/" -> "db/x"; "." -> "", the root).
  static std::string ToPath(std::string_view name);
  // The kind of file a name is, for crash point names: "log", "manifest", "table", "current"
  // (CURRENT and its *.dbtmp), or "" for the rest (LOCK, LOG, ...).
  static std::string_view Kind(std::string_view name);

  // For the files: crash points ("leveldb.<kind>.<point>"; nothing for kind "") and counters.
  void CrashPoint(std::string_view kind, std::string_view point);
  void CountWrite() { writes_.fetch_add(1, std::memory_order_relaxed); }
  void CountSync() { syncs_.fetch_add(1, std::memory_order_relaxed); }
  void CountDirSync() { dir_syncs_.fetch_add(1, std::memory_order_relaxed); }
  LeveldbEnvObserver* observer() const { return options_.observer; }

 private:
  struct Job {
    void (*function)(void*);
    void* arg;
  };
  void BackgroundMain();
  leveldb::Status OpenWritable(const std::string& fname, bool truncate,
                               leveldb::WritableFile** result);

  model::Env env_;
  LeveldbEnvOptions options_;
  // Counters (atomic: on model/env/posix, LevelDB calls from several threads).
  std::atomic<uint64_t> writes_{0}, syncs_{0}, dir_syncs_{0}, renames_{0}, removes_{0};
  std::atomic<uint64_t> jobs_scheduled_{0}, jobs_run_{0}, threads_started_{0};

  std::atomic<uint64_t> newest_log_{0};
  std::unique_ptr<model::Mutex> files_mu_;
  Registered* files_ = nullptr;  // guarded by files_mu_: open WritableFiles and read tables

  std::unique_ptr<model::Mutex> locks_mu_;
  absl::btree_set<std::string> locked_files_;  // guarded by locks_mu_

  std::unique_ptr<model::Mutex> bg_mu_;
  std::unique_ptr<model::CondVar> bg_cv_;
  bool bg_started_ = false;  // guarded by bg_mu_
  bool bg_stop_ = false;     // guarded by bg_mu_
  bool bg_running_ = false;  // guarded by bg_mu_: the task is inside its loop
  std::deque<Job> bg_queue_;  // guarded by bg_mu_
  std::unique_ptr<model::TaskHandle> bg_task_;
};

}  // namespace model
