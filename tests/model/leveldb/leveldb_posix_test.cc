// model::LeveldbEnv on the real backend (model/env/posix: threads, a temporary directory), with
// Debian's libleveldb: open, put, reopen, read, compaction; and the posix env's rules the adapter
// copies (64 KiB write buffer; only a MANIFEST's Sync syncs a directory, and first; one background
// job at a time; the per-process lock table), observed through a recording FileSystem and Runtime.
#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include "absl/strings/str_cat.h"
#include "fmt/format.h"
#include "leveldb/db.h"
#include "leveldb/write_batch.h"
#include "model/env/posix/posix_env.h"
#include "model/leveldb/leveldb_env.h"
#include "../test_util.h"

using model_test::TempDir;

namespace {

// Records every mutating call (and each Sync / SyncDir) as a line, in order. Thread-safe.
class RecordingFs final : public model::FileSystem {
 public:
  explicit RecordingFs(model::FileSystem& base) : base_(base) {}

  void Record(std::string line) {
    std::lock_guard<std::mutex> lock(mu_);
    log_.push_back(std::move(line));
  }
  std::vector<std::string> log() {
    std::lock_guard<std::mutex> lock(mu_);
    return log_;
  }
  void Clear() {
    std::lock_guard<std::mutex> lock(mu_);
    log_.clear();
  }

  absl::StatusOr<std::unique_ptr<model::File>> Open(std::string_view path,
                                                    model::OpenOptions options) override;
  absl::Status Rename(std::string_view from, std::string_view to) override {
    Record(absl::StrCat("rename ", model::Av(from), " ", model::Av(to)));
    return base_.Rename(from, to);
  }
  absl::Status Remove(std::string_view path) override {
    Record(absl::StrCat("remove ", model::Av(path)));
    return base_.Remove(path);
  }
  absl::Status CreateDir(std::string_view path) override { return base_.CreateDir(path); }
  absl::Status RemoveAll(std::string_view path) override { return base_.RemoveAll(path); }
  absl::StatusOr<std::vector<std::string>> List(std::string_view dir) override {
    return base_.List(dir);
  }
  absl::StatusOr<bool> Exists(std::string_view path) override { return base_.Exists(path); }
  absl::Status SyncDir(std::string_view dir) override {
    Record(absl::StrCat("syncdir ", model::Av(dir)));
    return base_.SyncDir(dir);
  }

 private:
  model::FileSystem& base_;
  std::mutex mu_;
  std::vector<std::string> log_;
};

class RecordingFile final : public model::File {
 public:
  RecordingFile(RecordingFs& fs, std::string path, std::unique_ptr<model::File> base)
      : fs_(fs), path_(std::move(path)), base_(std::move(base)) {}
  absl::StatusOr<std::string> Read(uint64_t offset, size_t n) override { return base_->Read(offset, n); }
  absl::Status Write(uint64_t offset, std::string_view data) override {
    fs_.Record(absl::StrCat("write ", path_, " ", data.size()));
    return base_->Write(offset, data);
  }
  absl::Status Append(std::string_view data) override {
    fs_.Record(absl::StrCat("append ", path_, " ", data.size()));
    return base_->Append(data);
  }
  absl::Status Truncate(uint64_t size) override { return base_->Truncate(size); }
  absl::Status Sync() override {
    fs_.Record(absl::StrCat("sync ", path_));
    return base_->Sync();
  }
  absl::StatusOr<uint64_t> Size() override { return base_->Size(); }
  absl::Status Close() override { return base_->Close(); }

 private:
  RecordingFs& fs_;
  std::string path_;
  std::unique_ptr<model::File> base_;
};

absl::StatusOr<std::unique_ptr<model::File>> RecordingFs::Open(std::string_view path,
                                                               model::OpenOptions options) {
  auto file = base_.Open(path, options);
  if (!file.ok()) return file.status();
  return std::unique_ptr<model::File>(
      std::make_unique<RecordingFile>(*this, std::string(path), std::move(*file)));
}

// Forwards to the posix runtime; records notes and crash points. Thread-safe.
class RecordingRuntime final : public model::Runtime {
 public:
  explicit RecordingRuntime(model::Runtime& base) : base_(base) {}
  int64_t NowNanos() override { return base_.NowNanos(); }
  void SleepFor(int64_t ns) override { base_.SleepFor(ns); }
  void Yield() override { base_.Yield(); }
  std::unique_ptr<model::TaskHandle> Spawn(std::string name, std::function<void()> fn) override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      spawned_.push_back(name);
    }
    return base_.Spawn(std::move(name), std::move(fn));
  }
  std::unique_ptr<model::Mutex> NewMutex(std::string_view name) override { return base_.NewMutex(name); }
  std::unique_ptr<model::CondVar> NewCondVar(std::string_view name) override {
    return base_.NewCondVar(name);
  }
  uint64_t Random(uint64_t n) override { return base_.Random(n); }
  void CrashPoint(std::string_view name) override {
    std::lock_guard<std::mutex> lock(mu_);
    crash_points_.emplace_back(name);
  }
  void Note(std::string_view text) override {
    std::lock_guard<std::mutex> lock(mu_);
    notes_.emplace_back(text);
  }
  std::vector<std::string> crash_points() {
    std::lock_guard<std::mutex> lock(mu_);
    return crash_points_;
  }
  std::vector<std::string> notes() {
    std::lock_guard<std::mutex> lock(mu_);
    return notes_;
  }
  std::vector<std::string> spawned() {
    std::lock_guard<std::mutex> lock(mu_);
    return spawned_;
  }

 private:
  model::Runtime& base_;
  std::mutex mu_;
  std::vector<std::string> crash_points_, notes_, spawned_;
};

// The real backend with both recorders in between.
struct Rig {
  TempDir dir;
  model::PosixEnv posix{dir.path()};
  RecordingFs fs{*posix.fs()};
  RecordingRuntime runtime{posix.runtime()};
  model::Env env() { return model::Env{&runtime, &posix.store(), &fs, nullptr}; }
};

bool Contains(const std::vector<std::string>& v, std::string_view x) {
  for (const std::string& s : v)
    if (s == x) return true;
  return false;
}

size_t CountPrefix(const std::vector<std::string>& v, std::string_view prefix) {
  size_t n = 0;
  for (const std::string& s : v) n += s.starts_with(prefix);
  return n;
}

std::string Value(int i) { return fmt::format("value-{:06d}-{}", i, std::string(200, 'v')); }

leveldb::Options SmallOptions(leveldb::Env* env) {
  leveldb::Options options;
  options.env = env;
  options.create_if_missing = true;
  options.write_buffer_size = 64 << 10;  // LevelDB's minimum: memtables flush every ~64 KiB
  return options;
}

std::unique_ptr<leveldb::DB> MustOpen(const leveldb::Options& options, const std::string& name) {
  leveldb::DB* db = nullptr;
  leveldb::Status s = leveldb::DB::Open(options, name, &db);
  INFO(s.ToString());
  REQUIRE(s.ok());
  return std::unique_ptr<leveldb::DB>(db);
}

}  // namespace

TEST_CASE("leveldb on posix: open, put, reopen, read; memtable flushes and compaction",
          "[leveldb][posix]") {
  Rig rig;
  constexpr int kKeys = 3000;  // ~650 KiB of values: several memtable flushes
  {
    model::LeveldbEnv env(rig.env());
    leveldb::Options options = SmallOptions(&env);
    auto db = MustOpen(options, "db");
    leveldb::WriteOptions sync;
    sync.sync = true;
    for (int i = 0; i < kKeys; ++i) {
      // Keys in a scattered order, so memtables overlap and stay in level 0 until compacted.
      const int k = (i * 7919) % kKeys;
      leveldb::Status s = db->Put(i % 100 == 0 ? sync : leveldb::WriteOptions(),
                                  fmt::format("k{:06d}", k), Value(k));
      REQUIRE(s.ok());
    }
    db->CompactRange(nullptr, nullptr);  // a full compaction through Schedule's task
    std::string value;
    REQUIRE(db->Get(leveldb::ReadOptions(), "k000007", &value).ok());
    CHECK(value == Value(7));
    db.reset();  // clean close, then the Env ends its background task
    const model::LeveldbEnvStats stats = env.stats();
    CHECK(stats.jobs_run >= 5);  // memtable flushes and compactions
    CHECK(stats.jobs_run == stats.jobs_scheduled);
    CHECK(stats.threads_started == 0);
  }
  // One background task, started by the first Schedule.
  CHECK(rig.runtime.spawned() == std::vector<std::string>{"leveldb-bg"});
  const std::vector<std::string> notes = rig.runtime.notes();
  CHECK(CountPrefix(notes, "leveldb: Level-0 table #") > 0);  // the info log as notes
  CHECK(CountPrefix(notes, "leveldb: Compacting ") > 0);  // automatic level-0 compactions
  CHECK(CountPrefix(notes, "leveldb: Manual compaction") > 0);
  const std::vector<std::string> points = rig.runtime.crash_points();
  for (const char* p : {"leveldb.log.sync.before", "leveldb.log.sync.after",
                        "leveldb.manifest.sync.before", "leveldb.manifest.dirsync.after",
                        "leveldb.manifest.sync.after", "leveldb.table.sync.before",
                        "leveldb.table.sync.after", "leveldb.current.sync.before",
                        "leveldb.current.sync.after", "leveldb.current.rename.before",
                        "leveldb.current.rename.after"}) {
    INFO(p);
    CHECK(Contains(points, p));
  }
  auto listed = rig.posix.fs()->List("db");
  REQUIRE(listed.ok());
  CHECK(Contains(*listed, "CURRENT"));
  CHECK(Contains(*listed, "LOCK"));
  CHECK_FALSE(Contains(*listed, "LOG"));  // no info log file: notes instead
  CHECK(CountPrefix(*listed, "MANIFEST-") == 1);

  // Reopen: LevelDB replays its log and reads its tables through a fresh Env.
  model::LeveldbEnv env(rig.env());
  auto db = MustOpen(SmallOptions(&env), "db");
  for (int i = 0; i < kKeys; ++i) {
    std::string value;
    leveldb::Status s = db->Get(leveldb::ReadOptions(), fmt::format("k{:06d}", i), &value);
    INFO(i << ": " << s.ToString());
    REQUIRE(s.ok());
    REQUIRE(value == Value(i));
  }
  std::string missing;
  CHECK(db->Get(leveldb::ReadOptions(), "k999999", &missing).IsNotFound());
}

TEST_CASE("leveldb on posix: concurrent writers on real threads, unsynced writes survive a close",
          "[leveldb][posix]") {
  Rig rig;
  constexpr int kThreads = 4, kPerThread = 500;
  {
    model::LeveldbEnv env(rig.env());
    auto db = MustOpen(SmallOptions(&env), "db");
    std::vector<std::thread> writers;
    std::atomic<int> failures{0};
    for (int t = 0; t < kThreads; ++t)
      writers.emplace_back([&, t] {
        for (int i = 0; i < kPerThread; ++i)
          if (!db->Put(leveldb::WriteOptions(), fmt::format("t{}-{:04d}", t, i), Value(i)).ok())
            failures.fetch_add(1);
      });
    for (std::thread& w : writers) w.join();
    CHECK(failures.load() == 0);
  }
  model::LeveldbEnv env(rig.env());
  auto db = MustOpen(SmallOptions(&env), "db");
  std::unique_ptr<leveldb::Iterator> it(db->NewIterator(leveldb::ReadOptions()));
  int n = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next()) ++n;
  CHECK(it->status().ok());
  CHECK(n == kThreads * kPerThread);
}

TEST_CASE("leveldb env: a 64 KiB write buffer; Flush, Sync and Close write it", "[leveldb][posix]") {
  Rig rig;
  model::LeveldbEnv env(rig.env());
  REQUIRE(env.CreateDir("d").ok());
  leveldb::WritableFile* raw = nullptr;
  REQUIRE(env.NewWritableFile("d/000007.log", &raw).ok());
  std::unique_ptr<leveldb::WritableFile> file(raw);
  rig.fs.Clear();
  const std::string chunk(1000, 'x');
  for (int i = 0; i < 65; ++i) REQUIRE(file->Append(chunk).ok());  // 65,000 bytes: all buffered
  CHECK(rig.fs.log().empty());
  REQUIRE(file->Append(chunk).ok());  // 66,000: the full buffer is written, 464 stay behind
  CHECK(rig.fs.log() == std::vector<std::string>{"append d/000007.log 65536"});
  REQUIRE(file->Append(std::string(70'000, 'y')).ok());  // fills, flushes, then 4,928 buffered
  CHECK(rig.fs.log().size() == 2);
  // Fills the buffer (60,608 of it), flushes; the 139,392 left are >= 64 KiB: written at once.
  REQUIRE(file->Append(std::string(200'000, 'z')).ok());
  REQUIRE(file->Flush().ok());  // nothing buffered: no write
  REQUIRE(file->Sync().ok());
  CHECK(rig.fs.log() == std::vector<std::string>{
                            "append d/000007.log 65536", "append d/000007.log 65536",
                            "append d/000007.log 65536", "append d/000007.log 139392",
                            "sync d/000007.log"});
  REQUIRE(file->Append("tail").ok());
  REQUIRE(file->Close().ok());
  CHECK(rig.fs.log().back() == "append d/000007.log 4");
  auto size = model::ReadWholeFile(*rig.posix.fs(), "d/000007.log");
  REQUIRE(size.ok());
  CHECK(size->size() == 66'000 + 70'000 + 200'000 + 4);
}

TEST_CASE("leveldb env: only a MANIFEST's Sync syncs a directory, before the file", "[leveldb][posix]") {
  Rig rig;
  model::LeveldbEnv env(rig.env());
  REQUIRE(env.CreateDir("db").ok());
  for (const char* name : {"db/000004.log", "db/000005.ldb", "db/000006.dbtmp", "db/MANIFEST-000002"}) {
    leveldb::WritableFile* raw = nullptr;
    REQUIRE(env.NewWritableFile(name, &raw).ok());
    std::unique_ptr<leveldb::WritableFile> file(raw);
    REQUIRE(file->Append("record").ok());
    REQUIRE(file->Sync().ok());
    REQUIRE(file->Close().ok());
  }
  REQUIRE(env.RenameFile("db/000006.dbtmp", "db/CURRENT").ok());
  REQUIRE(env.RemoveFile("db/000004.log").ok());
  CHECK(rig.fs.log() == std::vector<std::string>{
                            "append db/000004.log 6", "sync db/000004.log",
                            "append db/000005.ldb 6", "sync db/000005.ldb",
                            "append db/000006.dbtmp 6", "sync db/000006.dbtmp",
                            "syncdir db", "append db/MANIFEST-000002 6", "sync db/MANIFEST-000002",
                            "rename db/000006.dbtmp db/CURRENT", "remove db/000004.log"});
  CHECK(env.stats().dir_syncs == 1);
  CHECK(rig.runtime.crash_points() ==
        std::vector<std::string>{
            "leveldb.log.sync.before", "leveldb.log.sync.after", "leveldb.table.sync.before",
            "leveldb.table.sync.after", "leveldb.current.sync.before", "leveldb.current.sync.after",
            "leveldb.manifest.sync.before", "leveldb.manifest.dirsync.after",
            "leveldb.manifest.sync.after", "leveldb.current.rename.before",
            "leveldb.current.rename.after"});
}

TEST_CASE("leveldb env: the lock table refuses a second lock in the process", "[leveldb][posix]") {
  Rig rig;
  model::LeveldbEnv env(rig.env());
  auto db = MustOpen(SmallOptions(&env), "db");
  leveldb::DB* second = nullptr;
  leveldb::Status s = leveldb::DB::Open(SmallOptions(&env), "db", &second);
  CHECK(s.IsIOError());
  CHECK(s.ToString().find("already held by process") != std::string::npos);
  CHECK(second == nullptr);
  db.reset();
  auto again = MustOpen(SmallOptions(&env), "db");  // unlocked by the close
  leveldb::FileLock* lock = nullptr;
  CHECK_FALSE(env.LockFile("db/LOCK", &lock).ok());
  REQUIRE(env.LockFile("other-LOCK", &lock).ok());
  REQUIRE(env.UnlockFile(lock).ok());
}

TEST_CASE("leveldb env: Schedule runs one job at a time, in order, on one task", "[leveldb][posix]") {
  Rig rig;
  struct Job {
    std::mutex* mu;
    std::vector<int>* order;
    std::atomic<int>* active;
    std::atomic<int>* overlap;
    int id;
  };
  std::mutex mu;
  std::vector<int> order;
  std::atomic<int> active{0}, overlap{0};
  std::vector<Job> jobs;
  for (int i = 0; i < 8; ++i) jobs.push_back(Job{&mu, &order, &active, &overlap, i});
  {
    model::LeveldbEnv env(rig.env());
    for (Job& job : jobs)
      env.Schedule(
          [](void* arg) {
            auto* j = static_cast<Job*>(arg);
            if (j->active->fetch_add(1) != 0) j->overlap->fetch_add(1);
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
            {
              std::lock_guard<std::mutex> lock(*j->mu);
              j->order->push_back(j->id);
            }
            j->active->fetch_sub(1);
          },
          &job);
    env.SleepForMicroseconds(100'000);  // plenty for 8 x 2 ms
    CHECK(env.stats().jobs_scheduled == 8);
  }  // ~LeveldbEnv: stops and joins the task once the queue is empty
  CHECK(order == std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7});
  CHECK(overlap.load() == 0);
  CHECK(rig.runtime.spawned() == std::vector<std::string>{"leveldb-bg"});
}

TEST_CASE("leveldb env: paths, kinds, NotFound and IOError", "[leveldb][posix]") {
  CHECK(model::LeveldbEnv::ToPath("/db//x/") == "db/x");
  CHECK(model::LeveldbEnv::ToPath("./db/CURRENT") == "db/CURRENT");
  CHECK(model::LeveldbEnv::ToPath(".") == "");
  CHECK(model::LeveldbEnv::Kind("db/000012.log") == "log");
  CHECK(model::LeveldbEnv::Kind("db/MANIFEST-000003") == "manifest");
  CHECK(model::LeveldbEnv::Kind("db/000009.ldb") == "table");
  CHECK(model::LeveldbEnv::Kind("db/000009.sst") == "table");
  CHECK(model::LeveldbEnv::Kind("db/000009.dbtmp") == "current");
  CHECK(model::LeveldbEnv::Kind("db/CURRENT") == "current");
  CHECK(model::LeveldbEnv::Kind("db/LOCK") == "");
  CHECK(model::LeveldbEnv::Kind("db/LOG.old") == "");

  Rig rig;
  model::LeveldbEnv env(rig.env());
  leveldb::SequentialFile* seq = nullptr;
  CHECK(env.NewSequentialFile("nope", &seq).IsNotFound());
  uint64_t size = 1;
  CHECK(env.GetFileSize("nope", &size).IsNotFound());
  CHECK(size == 0);
  CHECK_FALSE(env.FileExists("nope"));
  REQUIRE(env.CreateDir("d").ok());
  CHECK(env.CreateDir("d").IsIOError());  // mkdir EEXIST
  REQUIRE(leveldb::WriteStringToFile(&env, "hello", "d/f").ok());
  CHECK(env.RemoveDir("d").IsIOError());  // rmdir of a non-empty directory
  std::string contents;
  REQUIRE(leveldb::ReadFileToString(&env, "d/f", &contents).ok());
  CHECK(contents == "hello");
  REQUIRE(env.GetFileSize("d/f", &size).ok());
  CHECK(size == 5);
  leveldb::RandomAccessFile* raf = nullptr;
  REQUIRE(env.NewRandomAccessFile("d/f", &raf).ok());
  std::unique_ptr<leveldb::RandomAccessFile> random(raf);
  char scratch[8];
  leveldb::Slice got;
  REQUIRE(random->Read(1, 3, &got, scratch).ok());
  CHECK(got.ToString() == "ell");
  CHECK(random->Read(3, 3, &got, scratch).IsIOError());  // past the end, as the mmap env
  std::vector<std::string> children;
  REQUIRE(env.GetChildren("d", &children).ok());
  CHECK(children == std::vector<std::string>{"f"});
  REQUIRE(env.RemoveFile("d/f").ok());
  REQUIRE(env.RemoveDir("d").ok());
  CHECK_FALSE(env.FileExists("d"));
  const uint64_t before = env.NowMicros();
  env.SleepForMicroseconds(2000);
  CHECK(env.NowMicros() >= before + 2000);
}
