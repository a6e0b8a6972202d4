// model/sqlite/vfs: each VFS method against the simulated disk (lock-level transitions, the
// one-time directory sync of a created journal, xDelete's syncDir, xAccess of an empty file,
// Windows delete retries, shared memory, sleep/time/randomness in simulated time), and SQLite end
// to end through it on the real disk (model/env/posix) and on the simulated one.
#include <catch2/catch.hpp>
#include <sqlite3.h>

#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "model/env/posix/posix_env.h"
#include "model/sqlite/vfs.h"
#include "sim/world/world.h"
#include "tests/model/test_util.h"

namespace {

using model::sqlite::Semantics;
using model::sqlite::Vfs;
using model::sqlite::VfsOptions;

constexpr int64_t kMs = 1'000'000;

// One raw file of the VFS, opened and closed through its sqlite3_io_methods.
class RawFile {
 public:
  RawFile(Vfs& vfs, const char* path, int flags) : vfs_(sqlite3_vfs_find(vfs.name().c_str())) {
    REQUIRE(vfs_ != nullptr);
    storage_.resize(vfs_->szOsFile);
    rc_ = vfs_->xOpen(vfs_, path, f(), flags, &out_flags_);
  }
  ~RawFile() { Close(); }
  int Close() {
    if (rc_ != SQLITE_OK || closed_) return SQLITE_OK;
    closed_ = true;
    return f()->pMethods->xClose(f());
  }
  int open_rc() const { return rc_; }
  sqlite3_file* f() { return reinterpret_cast<sqlite3_file*>(storage_.data()); }
  const sqlite3_io_methods& m() { return *f()->pMethods; }
  int Write(const std::string& s, int64_t offset) { return m().xWrite(f(), s.data(), s.size(), offset); }
  int Lock(int level) { return m().xLock(f(), level); }
  int Unlock(int level) { return m().xUnlock(f(), level); }
  int Reserved() {
    int out = -1;
    REQUIRE(m().xCheckReservedLock(f(), &out) == SQLITE_OK);
    return out;
  }

 private:
  sqlite3_vfs* vfs_;
  std::vector<char> storage_;
  int rc_ = SQLITE_ERROR;
  int out_flags_ = 0;
  bool closed_ = false;
};

constexpr int kDbFlags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_MAIN_DB;
constexpr int kJournalFlags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_MAIN_JOURNAL;

// A world with one process "node" whose boot task runs `body` with a registered Vfs; `check`
// runs afterwards in kernel context (it may crash the process and inspect its disk).
struct SimRun {
  uint64_t seed = 1;
  seedbed::FaultPlan plan;
  seedbed::SharingMode sharing = seedbed::SharingMode::kPosix;
  VfsOptions options;
};

uint64_t RunSim(const SimRun& run, const std::function<void(seedbed::Process&, Vfs&)>& body,
                const std::function<void(seedbed::World&, seedbed::Process&)>& check = {},
                const seedbed::DecisionList* replay = nullptr,
                seedbed::DecisionList* recorded = nullptr) {
  seedbed::KernelConfig config;
  config.seed = run.seed;
  config.replay = replay;
  config.stack_bytes = 256 * 1024;
  seedbed::World world(config);
  world.SetFaults(run.plan);
  seedbed::ProcessOptions po;
  po.sharing = run.sharing;
  static int serial = 0;  // VFS names must be unique among live ones; never reaches the trace
  const std::string name = absl::StrCat("seedbed-test-", ++serial);
  VfsOptions options = run.options;
  seedbed::Process& node = world.AddProcess("node", [&, options](seedbed::Process& p) {
    auto vfs = Vfs::Register(p.env(), name, options);
    REQUIRE(vfs.ok());
    body(p, **vfs);
  }, po);
  world.kernel().Run();
  if (check) check(world, node);
  if (recorded != nullptr) *recorded = world.kernel().decisions().recorded();
  return world.kernel().trace().hash();
}

bool Durable(seedbed::World& w, seedbed::Process& p, const std::string& path) {
  return w.disk(p).durable().contains(path);
}

// --- SQL helpers ---
void Exec(sqlite3* db, const std::string& sql) {
  char* err = nullptr;
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
  INFO(sql << ": " << (err ? err : "") << " " << model::sqlite::ResultName(rc));
  sqlite3_free(err);
  REQUIRE(rc == SQLITE_OK);
}

std::vector<std::string> Column(sqlite3* db, const std::string& sql) {
  sqlite3_stmt* stmt = nullptr;
  REQUIRE(sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK);
  std::vector<std::string> out;
  int rc;
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
    out.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)));
  sqlite3_finalize(stmt);
  REQUIRE(rc == SQLITE_DONE);
  return out;
}

sqlite3* OpenDb(const Vfs& vfs, const char* path) {
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
                                                SQLITE_OPEN_NOMUTEX, vfs.name().c_str());
  INFO(model::sqlite::ResultName(rc));
  REQUIRE(rc == SQLITE_OK);
  sqlite3_busy_timeout(db, 60'000);
  return db;
}

}  // namespace

TEST_CASE("sqlite vfs: read, write, short read zero-fills, truncate, size", "[sqlite]") {
  RunSim({}, [](seedbed::Process&, Vfs& vfs) {
    RawFile db(vfs, "dir/../x", kDbFlags);
    CHECK(db.open_rc() == SQLITE_CANTOPEN);  // ".." has no meaning on model::FileSystem
    RawFile file(vfs, "/data.db", kDbFlags);
    REQUIRE(file.open_rc() == SQLITE_OK);
    REQUIRE(file.Write("hello", 0) == SQLITE_OK);
    REQUIRE(file.Write("world", 10) == SQLITE_OK);  // a hole: zero-filled
    sqlite3_int64 size = 0;
    REQUIRE(file.m().xFileSize(file.f(), &size) == SQLITE_OK);
    CHECK(size == 15);
    char buf[20];
    std::memset(buf, 'x', sizeof buf);
    CHECK(file.m().xRead(file.f(), buf, 20, 0) == SQLITE_IOERR_SHORT_READ);
    CHECK(std::string(buf, 20) == std::string("hello\0\0\0\0\0world\0\0\0\0\0", 20));
    REQUIRE(file.m().xRead(file.f(), buf, 5, 10) == SQLITE_OK);
    CHECK(std::string(buf, 5) == "world");
    REQUIRE(file.m().xTruncate(file.f(), 5) == SQLITE_OK);
    REQUIRE(file.m().xFileSize(file.f(), &size) == SQLITE_OK);
    CHECK(size == 5);
    CHECK(file.m().xSectorSize(file.f()) == 4096);
    CHECK(file.m().xDeviceCharacteristics(file.f()) == SQLITE_IOCAP_POWERSAFE_OVERWRITE);
    char* name = nullptr;
    REQUIRE(file.m().xFileControl(file.f(), SQLITE_FCNTL_VFSNAME, &name) == SQLITE_OK);
    CHECK(std::string(name) == vfs.name());
    sqlite3_free(name);
    CHECK(file.Close() == SQLITE_OK);
    // A nameless (temp) file lives in memory only.
    RawFile temp(vfs, nullptr, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
                                   SQLITE_OPEN_DELETEONCLOSE | SQLITE_OPEN_TEMP_JOURNAL);
    REQUIRE(temp.open_rc() == SQLITE_OK);
    REQUIRE(temp.Write("tmp", 0) == SQLITE_OK);
    REQUIRE(temp.m().xRead(temp.f(), buf, 3, 0) == SQLITE_OK);
    CHECK(std::string(buf, 3) == "tmp");
  }, [](seedbed::World& w, seedbed::Process& p) {
    CHECK(w.disk(p).Contents("data.db") == std::optional<std::string>("hello"));
    CHECK(w.disk(p).live().size() == 1);  // the temp file never reached the disk
  });
}

TEST_CASE("sqlite vfs: a created journal's directory is synced once, at its first xSync; a db's never",
          "[sqlite]") {
  SimRun run;
  run.plan.durability = seedbed::DiskDurability::kDropUnsynced;
  RunSim(run, [](seedbed::Process&, Vfs& vfs) {
    RawFile db(vfs, "db", kDbFlags);
    REQUIRE(db.Write("page", 0) == SQLITE_OK);
    REQUIRE(db.m().xSync(db.f(), SQLITE_SYNC_NORMAL) == SQLITE_OK);
    CHECK(vfs.stats().dir_syncs == 0);  // unixOpen sets DIRSYNC for journals and WALs only
    RawFile journal(vfs, "db-journal", kJournalFlags);
    REQUIRE(journal.Write("journal", 0) == SQLITE_OK);
    REQUIRE(journal.m().xSync(journal.f(), SQLITE_SYNC_FULL | SQLITE_SYNC_DATAONLY) == SQLITE_OK);
    CHECK(vfs.stats().dir_syncs == 1);
    REQUIRE(journal.m().xSync(journal.f(), SQLITE_SYNC_NORMAL) == SQLITE_OK);
    CHECK(vfs.stats().dir_syncs == 1);  // a one-time occurrence
    CHECK(vfs.stats().syncs == 3);
    CHECK(vfs.stats().syncs_full == 1);
    CHECK(vfs.stats().syncs_dataonly == 1);
    // The same journal opened without SQLITE_OPEN_CREATE (a hot-journal rollback) syncs no dir.
    RawFile again(vfs, "db-journal", SQLITE_OPEN_READWRITE | SQLITE_OPEN_MAIN_JOURNAL);
    REQUIRE(again.m().xSync(again.f(), SQLITE_SYNC_NORMAL) == SQLITE_OK);
    CHECK(vfs.stats().dir_syncs == 1);
  }, [](seedbed::World& w, seedbed::Process& p) {
    // Only the journal's name was made durable (by its DIRSYNC), and that sync also covered the
    // db's entry, which sits in the same directory.
    CHECK(Durable(w, p, "db-journal"));
    CHECK(Durable(w, p, "db"));
  });
  RunSim(run, [](seedbed::Process&, Vfs& vfs) {
    RawFile db(vfs, "db", kDbFlags);
    REQUIRE(db.Write("page", 0) == SQLITE_OK);
    REQUIRE(db.m().xSync(db.f(), SQLITE_SYNC_FULL) == SQLITE_OK);
  }, [](seedbed::World& w, seedbed::Process& p) {
    CHECK_FALSE(Durable(w, p, "db"));  // SQLite never syncs a new database file's directory
    w.Crash(p);
    CHECK_FALSE(w.disk(p).Contents("db").has_value());
  });
}

TEST_CASE("sqlite vfs: xDelete syncs the directory only when SQLite passes syncDir", "[sqlite]") {
  SimRun run;
  run.plan.durability = seedbed::DiskDurability::kDropUnsynced;
  for (int sync_dir : {0, 1}) {
    RunSim(run, [sync_dir](seedbed::Process&, Vfs& vfs) {
      {
        RawFile journal(vfs, "db-journal", kJournalFlags);
        REQUIRE(journal.Write("j", 0) == SQLITE_OK);
        REQUIRE(journal.m().xSync(journal.f(), SQLITE_SYNC_NORMAL) == SQLITE_OK);
      }
      sqlite3_vfs* v = sqlite3_vfs_find(vfs.name().c_str());
      REQUIRE(v->xDelete(v, "db-journal", sync_dir) == SQLITE_OK);
      CHECK(v->xDelete(v, "db-journal", sync_dir) == SQLITE_IOERR_DELETE_NOENT);
      CHECK(vfs.stats().deletes_dir_synced == static_cast<uint64_t>(sync_dir));
    }, [sync_dir](seedbed::World& w, seedbed::Process& p) {
      CHECK_FALSE(w.disk(p).live().contains("db-journal"));
      // Without the directory sync, a machine crash can bring the deleted journal back.
      CHECK(Durable(w, p, "db-journal") == (sync_dir == 0));
      w.Crash(p);
      CHECK(w.disk(p).Contents("db-journal").has_value() == (sync_dir == 0));
    });
  }
}

TEST_CASE("sqlite vfs: xAccess(EXISTS) is false for a missing or empty file", "[sqlite]") {
  RunSim({}, [](seedbed::Process&, Vfs& vfs) {
    sqlite3_vfs* v = sqlite3_vfs_find(vfs.name().c_str());
    int out = -1;
    REQUIRE(v->xAccess(v, "db-journal", SQLITE_ACCESS_EXISTS, &out) == SQLITE_OK);
    CHECK(out == 0);
    RawFile journal(vfs, "db-journal", kJournalFlags);
    REQUIRE(v->xAccess(v, "db-journal", SQLITE_ACCESS_EXISTS, &out) == SQLITE_OK);
    CHECK(out == 0);  // unixAccess: a zero-length journal is not a hot journal
    REQUIRE(v->xAccess(v, "db-journal", SQLITE_ACCESS_READWRITE, &out) == SQLITE_OK);
    CHECK(out == 1);
    REQUIRE(journal.Write("x", 0) == SQLITE_OK);
    REQUIRE(v->xAccess(v, "db-journal", SQLITE_ACCESS_EXISTS, &out) == SQLITE_OK);
    CHECK(out == 1);
    char full[64];
    REQUIRE(v->xFullPathname(v, "/a//./b.db", sizeof full, full) == SQLITE_OK);
    CHECK(std::string(full) == "a/b.db");
    CHECK(v->xFullPathname(v, "a/../b", sizeof full, full) == SQLITE_CANTOPEN);
  });
}

TEST_CASE("sqlite vfs: the five lock levels between connections of one process", "[sqlite]") {
  RunSim({}, [](seedbed::Process&, Vfs& vfs) {
    RawFile a(vfs, "db", kDbFlags), b(vfs, "db", kDbFlags), c(vfs, "db", kDbFlags);
    REQUIRE(a.Lock(SQLITE_LOCK_SHARED) == SQLITE_OK);
    REQUIRE(b.Lock(SQLITE_LOCK_SHARED) == SQLITE_OK);
    CHECK(vfs.SharedHolders("db") == 2);
    CHECK(a.Reserved() == 0);
    REQUIRE(a.Lock(SQLITE_LOCK_RESERVED) == SQLITE_OK);   // one writer-to-be among readers
    CHECK(b.Reserved() == 1);
    CHECK(b.Lock(SQLITE_LOCK_RESERVED) == SQLITE_BUSY);   // only one RESERVED
    CHECK(c.Lock(SQLITE_LOCK_SHARED) == SQLITE_OK);       // new readers still welcome
    CHECK(a.Lock(SQLITE_LOCK_EXCLUSIVE) == SQLITE_BUSY);  // readers remain: a keeps PENDING
    CHECK(vfs.ProcessLockLevel("db") == SQLITE_LOCK_PENDING);
    REQUIRE(c.Unlock(SQLITE_LOCK_NONE) == SQLITE_OK);
    CHECK(c.Lock(SQLITE_LOCK_SHARED) == SQLITE_BUSY);     // PENDING keeps new readers out
    REQUIRE(b.Unlock(SQLITE_LOCK_NONE) == SQLITE_OK);
    REQUIRE(a.Lock(SQLITE_LOCK_EXCLUSIVE) == SQLITE_OK);  // the last reader left
    CHECK(vfs.ProcessLockLevel("db") == SQLITE_LOCK_EXCLUSIVE);
    CHECK(b.Lock(SQLITE_LOCK_SHARED) == SQLITE_BUSY);
    REQUIRE(a.Unlock(SQLITE_LOCK_SHARED) == SQLITE_OK);   // commit done, still reading
    CHECK(vfs.ProcessLockLevel("db") == SQLITE_LOCK_SHARED);
    REQUIRE(b.Lock(SQLITE_LOCK_SHARED) == SQLITE_OK);
    REQUIRE(b.Lock(SQLITE_LOCK_RESERVED) == SQLITE_OK);
    REQUIRE(a.Unlock(SQLITE_LOCK_NONE) == SQLITE_OK);
    REQUIRE(b.Lock(SQLITE_LOCK_EXCLUSIVE) == SQLITE_OK);
    int state = -1;
    REQUIRE(b.m().xFileControl(b.f(), SQLITE_FCNTL_LOCKSTATE, &state) == SQLITE_OK);
    CHECK(state == SQLITE_LOCK_EXCLUSIVE);
    REQUIRE(b.Close() == SQLITE_OK);  // closing releases the lock, as unixClose does
    CHECK(vfs.ProcessLockLevel("db") == SQLITE_LOCK_NONE);
    CHECK(a.Lock(SQLITE_LOCK_SHARED) == SQLITE_OK);
  });
}

TEST_CASE("sqlite vfs: Windows semantics: a delete meeting an open handle retries, then fails",
          "[sqlite]") {
  SimRun run;
  run.sharing = seedbed::SharingMode::kWindows;
  run.options.semantics = Semantics::kWindows;
  RunSim(run, [](seedbed::Process& p, Vfs& vfs) {
    sqlite3_vfs* v = sqlite3_vfs_find(vfs.name().c_str());
    RawFile journal(vfs, "db-journal", kJournalFlags);
    REQUIRE(journal.Write("j", 0) == SQLITE_OK);
    REQUIRE(journal.m().xSync(journal.f(), SQLITE_SYNC_NORMAL) == SQLITE_OK);
    CHECK(vfs.stats().dir_syncs == 0);  // os_win.c never syncs a directory
    CHECK((journal.m().xDeviceCharacteristics(journal.f()) & SQLITE_IOCAP_UNDELETABLE_WHEN_OPEN) != 0);
    RawFile reader(vfs, "db-journal", SQLITE_OPEN_READONLY | SQLITE_OPEN_MAIN_JOURNAL);
    REQUIRE(journal.Close() == SQLITE_OK);
    const int64_t start = p.env().runtime->NowNanos();
    CHECK(v->xDelete(v, "db-journal", 1) == SQLITE_IOERR_DELETE);
    CHECK(vfs.stats().delete_retries == 10);
    CHECK(vfs.stats().deletes_failed_sharing == 1);
    CHECK(p.env().runtime->NowNanos() - start >= 1375 * kMs);  // 25 ms * (1 + ... + 10)
    // The holder closes during the retries: the delete then succeeds.
    REQUIRE(reader.Close() == SQLITE_OK);
    RawFile holder(vfs, "db-journal", SQLITE_OPEN_READONLY | SQLITE_OPEN_MAIN_JOURNAL);
    RawFile* h = &holder;
    auto task = p.env().runtime->Spawn("closer", [&] {
      p.env().runtime->SleepFor(60 * kMs);
      h->Close();
    });
    CHECK(v->xDelete(v, "db-journal", 0) == SQLITE_OK);
    CHECK(vfs.stats().delete_retries > 10);
    CHECK(vfs.stats().delete_retries < 20);
    task->Join();
  });
}

TEST_CASE("sqlite vfs: shared memory is one per database and process, with WAL lock slots",
          "[sqlite]") {
  RunSim({}, [](seedbed::Process&, Vfs& vfs) {
    RawFile a(vfs, "db", kDbFlags), b(vfs, "db", kDbFlags);
    void volatile* pa = nullptr;
    void volatile* pb = nullptr;
    REQUIRE(a.m().xShmMap(a.f(), 0, 32768, 0, &pa) == SQLITE_OK);
    CHECK(pa == nullptr);  // not extended: no region yet
    REQUIRE(a.m().xShmMap(a.f(), 0, 32768, 1, &pa) == SQLITE_OK);
    REQUIRE(b.m().xShmMap(b.f(), 0, 32768, 0, &pb) == SQLITE_OK);
    REQUIRE(pa != nullptr);
    CHECK(pa == pb);
    static_cast<volatile char*>(pa)[100] = 7;
    CHECK(static_cast<volatile char*>(pb)[100] == 7);
    REQUIRE(a.m().xShmLock(a.f(), 3, 1, SQLITE_SHM_LOCK | SQLITE_SHM_SHARED) == SQLITE_OK);
    REQUIRE(b.m().xShmLock(b.f(), 3, 1, SQLITE_SHM_LOCK | SQLITE_SHM_SHARED) == SQLITE_OK);
    CHECK(b.m().xShmLock(b.f(), 3, 1, SQLITE_SHM_LOCK | SQLITE_SHM_EXCLUSIVE) == SQLITE_BUSY);
    REQUIRE(b.m().xShmLock(b.f(), 0, 1, SQLITE_SHM_LOCK | SQLITE_SHM_EXCLUSIVE) == SQLITE_OK);
    CHECK(a.m().xShmLock(a.f(), 0, 1, SQLITE_SHM_LOCK | SQLITE_SHM_SHARED) == SQLITE_BUSY);
    CHECK(a.m().xShmLock(a.f(), 0, 2, SQLITE_SHM_LOCK | SQLITE_SHM_EXCLUSIVE) == SQLITE_BUSY);
    REQUIRE(b.m().xShmLock(b.f(), 0, 1, SQLITE_SHM_UNLOCK | SQLITE_SHM_EXCLUSIVE) == SQLITE_OK);
    REQUIRE(b.m().xShmLock(b.f(), 3, 1, SQLITE_SHM_UNLOCK | SQLITE_SHM_SHARED) == SQLITE_OK);
    REQUIRE(a.m().xShmLock(a.f(), 0, 8, SQLITE_SHM_LOCK | SQLITE_SHM_EXCLUSIVE) == SQLITE_OK);
    REQUIRE(a.m().xShmUnmap(a.f(), 0) == SQLITE_OK);  // releases a's locks
    REQUIRE(b.m().xShmLock(b.f(), 0, 8, SQLITE_SHM_LOCK | SQLITE_SHM_EXCLUSIVE) == SQLITE_OK);
    REQUIRE(b.m().xShmUnmap(b.f(), 1) == SQLITE_OK);
    // The last user left: the next map starts from zeroed memory (a fresh wal-index).
    REQUIRE(a.m().xShmMap(a.f(), 0, 32768, 1, &pa) == SQLITE_OK);
    CHECK(static_cast<volatile char*>(pa)[100] == 0);
    REQUIRE(a.m().xShmUnmap(a.f(), 0) == SQLITE_OK);
  });
}

TEST_CASE("sqlite vfs: sleep and time are simulated; randomness comes from the run", "[sqlite]") {
  auto body = [](seedbed::Process& p, Vfs& vfs) {
    sqlite3_vfs* v = sqlite3_vfs_find(vfs.name().c_str());
    sqlite3_int64 t0 = 0, t1 = 0;
    REQUIRE(v->xCurrentTimeInt64(v, &t0) == SQLITE_OK);
    const int64_t start = p.env().runtime->NowNanos();
    CHECK(v->xSleep(v, 250'000) == 250'000);
    CHECK(p.env().runtime->NowNanos() - start == 250 * kMs);
    REQUIRE(v->xCurrentTimeInt64(v, &t1) == SQLITE_OK);
    CHECK(t1 - t0 == 250);
    char bytes[16];
    CHECK(v->xRandomness(v, sizeof bytes, bytes) == 16);
    p.env().runtime->Note(std::string(bytes, sizeof bytes));
    // SQLite's own PRNG was reseeded from the run: its output reaches the trace here.
    unsigned char prng[8];
    sqlite3_randomness(sizeof prng, prng);
    p.env().runtime->Note(std::string(reinterpret_cast<char*>(prng), sizeof prng));
  };
  seedbed::DecisionList first;
  SimRun run;
  const uint64_t h1 = RunSim(run, body, {}, nullptr, &first);
  CHECK(RunSim(run, body) == h1);
  run.seed = 2;
  CHECK(RunSim(run, body) != h1);
  run.seed = 99;
  CHECK(RunSim(run, body, {}, &first) == h1);  // a replay of the first run's decisions
}

namespace {

// Two connections of one process: each inserts its rows in BEGIN IMMEDIATE transactions.
void TwoWriters(seedbed::Process& p, Vfs& vfs, const std::string& journal_mode) {
  sqlite3* setup = OpenDb(vfs, "t.db");
  Exec(setup, "PRAGMA journal_mode=" + journal_mode);
  Exec(setup, "CREATE TABLE t(k TEXT PRIMARY KEY, v INTEGER)");
  std::vector<std::unique_ptr<model::TaskHandle>> tasks;
  for (int c = 0; c < 2; ++c) {
    tasks.push_back(p.env().runtime->Spawn(absl::StrCat("writer-", c), [&vfs, c] {
      sqlite3* db = OpenDb(vfs, "t.db");
      for (int i = 0; i < 5; ++i)
        Exec(db, absl::StrCat("BEGIN IMMEDIATE; INSERT INTO t VALUES('c", c, "-", i, "', ", i,
                              "); COMMIT"));
      REQUIRE(sqlite3_close(db) == SQLITE_OK);
    }));
  }
  for (auto& t : tasks) t->Join();
  CHECK(Column(setup, "PRAGMA integrity_check") == std::vector<std::string>{"ok"});
  CHECK(Column(setup, "SELECT count(*) FROM t") == std::vector<std::string>{"10"});
  REQUIRE(sqlite3_close(setup) == SQLITE_OK);
}

}  // namespace

TEST_CASE("sqlite vfs: SQLite end to end on the simulated disk, two connections, both journal modes",
          "[sqlite]") {
  for (const char* mode : {"delete", "wal"}) {
    INFO(mode);
    SimRun run;
    for (seedbed::OpKind kind : {seedbed::OpKind::kDiskRead, seedbed::OpKind::kDiskWrite,
                                 seedbed::OpKind::kDiskSync, seedbed::OpKind::kDiskMeta})
      run.plan.op(kind).latency = seedbed::LatencyModel::Uniform(10'000, 200'000);
    auto body = [mode](seedbed::Process& p, Vfs& vfs) {
      TwoWriters(p, vfs, mode);
      CHECK(vfs.stats().syncs > 0);
      if (std::string(mode) == "delete") {
        CHECK(vfs.stats().deletes >= 10);  // each commit deletes the journal
        CHECK(vfs.stats().deletes_dir_synced == 0);  // synchronous=FULL (the default): no syncDir
      }
    };
    const uint64_t h = RunSim(run, body, [mode](seedbed::World& w, seedbed::Process& p) {
      CHECK(w.disk(p).live().contains("t.db"));
      CHECK(w.disk(p).live().contains("t.db-wal") == false);  // the last close checkpointed it
      CHECK(w.disk(p).open_handles() == 0);
    });
    CHECK(RunSim(run, body) == h);
  }
}

TEST_CASE("sqlite vfs: synchronous=EXTRA passes syncDir to the journal's delete", "[sqlite]") {
  RunSim({}, [](seedbed::Process&, Vfs& vfs) {
    sqlite3* db = OpenDb(vfs, "t.db");
    Exec(db, "PRAGMA synchronous=EXTRA; CREATE TABLE t(k)");
    const uint64_t before = vfs.stats().deletes_dir_synced;
    Exec(db, "INSERT INTO t VALUES(1)");
    CHECK(vfs.stats().deletes_dir_synced == before + 1);
    REQUIRE(sqlite3_close(db) == SQLITE_OK);
  });
}

TEST_CASE("sqlite vfs: on the real disk, and the files read back with SQLite's own unix VFS",
          "[sqlite]") {
  model_test::TempDir dir;
  model::PosixEnv posix(dir.path());
  auto vfs = Vfs::Register(posix.env(), "seedbed-posix-test");
  REQUIRE(vfs.ok());
  for (const char* mode : {"delete", "wal"}) {
    INFO(mode);
    const std::string name = absl::StrCat(mode, ".db");
    sqlite3* db = OpenDb(**vfs, name.c_str());
    sqlite3* other = OpenDb(**vfs, name.c_str());
    Exec(db, absl::StrCat("PRAGMA journal_mode=", mode, "; CREATE TABLE t(k PRIMARY KEY, v)"));
    for (int i = 0; i < 50; ++i)
      Exec(i % 2 ? db : other, absl::StrCat("INSERT INTO t VALUES(", i, ", 'v", i, "')"));
    CHECK(Column(other, "SELECT count(*) FROM t") == std::vector<std::string>{"50"});
    REQUIRE(sqlite3_close(other) == SQLITE_OK);
    REQUIRE(sqlite3_close(db) == SQLITE_OK);
    sqlite3* unix_db = nullptr;
    REQUIRE(sqlite3_open_v2((dir.path() + "/disk/" + name).c_str(), &unix_db, SQLITE_OPEN_READONLY,
                            "unix") == SQLITE_OK);
    CHECK(Column(unix_db, "PRAGMA integrity_check") == std::vector<std::string>{"ok"});
    CHECK(Column(unix_db, "SELECT v FROM t WHERE k = 49") == std::vector<std::string>{"v49"});
    sqlite3_close(unix_db);
  }
  CHECK((*vfs)->stats().dir_syncs > 0);
}

TEST_CASE("sqlite vfs: a destroyed Vfs frees what connections left open on it (a crash)",
          "[sqlite]") {
  size_t filed = 0;
  RunSim({}, [&filed](seedbed::Process&, Vfs& vfs) {
    vfs.Enter();
    sqlite3* closed = OpenDb(vfs, "a.db");
    Exec(closed, "CREATE TABLE t(k); INSERT INTO t VALUES(1)");
    REQUIRE(sqlite3_close(closed) == SQLITE_OK);
    const size_t baseline = vfs.blocks();
    sqlite3* abandoned = OpenDb(vfs, "b.db");
    Exec(abandoned, "PRAGMA journal_mode=wal; CREATE TABLE t(k); BEGIN; INSERT INTO t VALUES(1)");
    filed = vfs.blocks();
    CHECK(filed > baseline);  // the open connection's memory is filed under this Vfs
    // Not closed: the Vfs's destruction (as at a crash) closes its files and frees its blocks;
    // under ASan a leak or a double free here fails the test.
  }, [](seedbed::World& w, seedbed::Process& p) {
    CHECK(w.disk(p).open_handles() == 0);
  });
  CHECK(filed > 0);
}
