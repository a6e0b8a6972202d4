// sqlite.crash_recovery: Debian's libsqlite3, unmodified, through model/sqlite's VFS on a
// simulated disk, checked against SQLite's documented durability contract mode by mode.
// One process "app" holds the database t.db; three client tasks of it, each with its own
// connection, run ~200 transactions in all (BEGIN IMMEDIATE; one or more inserts of unique rows,
// sometimes an update of an earlier row; COMMIT). Every transaction also inserts a marker row
// "txn-<id>", so after a crash each transaction is found present or absent by its marker.
// Faults: random crashes of the process (with restart) and the VFS's crash points (before and
// after each sync, journal or WAL delete, and WAL checkpoint). The variant's crash kind says what
// survives: `process` (kill -9: the OS page cache survives: durability kDurable) or `machine`
// (power loss, strict POSIX: unsynced data and un-dir-synced directory entries may each survive or
// not: kRandom), `ext4` (power loss on ext4 data=ordered: directory operations survive as a
// prefix, an fsync commits every earlier one). `windows`: process crashes, Windows sharing.
// Crash mode: the default forced unwind (it runs nothing of SQLite, which is C with unwind tables
// and no cleanups), so each incarnation's kept Vfs is destroyed and frees its memory.
// Restart: a fresh VFS and connection; SQLite's own recovery (hot journal rollback, WAL replay)
// runs on first access; then PRAGMA integrity_check and a read of every row.
// Invariants: sqlite-integrity (integrity_check says ok, the rows read without error);
// transaction-atomic (each transaction's rows are there in full or absent in full, and no row
// that no transaction wrote appears); no-lost-acknowledged-transaction (every transaction whose
// COMMIT returned SQLITE_OK before the crash is there).
// Set-up: SQLite never syncs a new database file's directory (unixOpen sets DIRSYNC for journals
// and WALs only); the set-up syncs it once, as an installer must, else a machine crash before the
// first journal sync can lose the whole database.
#include <sqlite3.h>

#include <algorithm>
#include <cassert>
#include <memory>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/btree_map.h"
#include "absl/container/btree_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "fmt/format.h"
#include "model/sqlite/vfs.h"
#include "scenarios/harness/scenario.h"
#include "sim/world/world.h"

namespace seedbed {
namespace {

using model::sqlite::ResultName;

constexpr const char* kDbPath = "t.db";
constexpr int kClients = 3;
constexpr int kTransactions = 200;

struct Mode {
  std::string journal;  // delete | wal
  std::string sync;     // off | normal | full | extra
  std::string crash;    // process | machine | windows
};

std::vector<std::string> Variants() {
  std::vector<std::string> out;
  for (const char* journal : {"wal", "delete"})
    for (const char* sync : {"full", "extra", "normal", "off"})
      for (const char* crash : {"machine", "process"})
        out.push_back(absl::StrCat(journal, "-", sync, "-", crash));
  // ext4 data=ordered: the cells SQLite's documentation speaks to.
  for (const char* cell : {"wal-full", "wal-normal", "delete-full", "delete-extra"})
    out.push_back(absl::StrCat(cell, "-ext4"));
  out.push_back("delete-full-windows");
  out.push_back("wal-full-windows");
  return out;
}

// SQLite's documentation, mode by mode (PRAGMA synchronous, WAL, journal_mode): what a machine
// crash on strict POSIX may do. Process crashes lose nothing in any mode.
std::vector<std::string> FailingVariants() {
  return {"wal-normal-machine",    // the latest commits may roll back (never corrupt)
          "wal-off-machine",       // may lose or corrupt
          "delete-full-machine",   // the journal's unlink is not dir-synced: the last commit may
                                   // roll back (why EXTRA exists)
          "delete-normal-machine", // as FULL, with fewer syncs
          "delete-off-machine",    // may lose or corrupt
          // ext4 data=ordered: the unlink persists only with the next fsync (journal commit)
          "delete-full-ext4", "wal-normal-ext4"};
}

// What each failing variant may break, by the same documentation: a rollback of acknowledged
// commits, and for synchronous=off a corrupt database or a torn transaction as well.
std::map<std::string, std::vector<std::string>> ExpectedInvariants() {
  const std::vector<std::string> lost = {"no-lost-acknowledged-transaction"};
  const std::vector<std::string> any = {"no-lost-acknowledged-transaction", "transaction-atomic",
                                        "sqlite-integrity"};
  return {{"wal-normal-machine", lost},
          {"wal-off-machine", any},
          {"delete-full-machine", lost},
          {"delete-normal-machine", lost},
          {"delete-off-machine", any},
          {"delete-full-ext4", lost},
          {"wal-normal-ext4", lost}};
}

std::optional<Mode> ParseVariant(const std::string& variant) {
  std::vector<std::string> parts = absl::StrSplit(variant, '-');
  if (parts.size() != 3) return std::nullopt;
  return Mode{parts[0], parts[1], parts[2]};
}

// One row as the scenario expects it: (value, id of the transaction that wrote it last).
struct Row {
  int64_t v = 0;
  int64_t txn = 0;
  bool operator==(const Row&) const = default;
};
using Rows = absl::btree_map<std::string, Row>;

enum class TxnState : uint8_t { kRunning, kAcked, kFailed, kUnknown };

struct Txn {
  int64_t id = 0;
  int client = 0;
  std::vector<std::pair<std::string, Row>> writes;  // in statement order (inserts and updates)
  TxnState state = TxnState::kRunning;
  int64_t commit_seq = 0;     // order of COMMIT's return (acked or failed), 0 while running
  Nanos acked_ns = -1;
  std::string error;          // a failed COMMIT's result
};

class CrashRecovery : public Scenario {
 public:
  ScenarioInfo info() const override {
    return {"sqlite.crash_recovery",
            "Debian's libsqlite3 through model/sqlite's VFS: three connections run ~200 "
            "transactions, the process crashes (kill -9 or power loss on strict POSIX) at random "
            "and at VFS crash points, restart runs SQLite's recovery, then integrity_check and a "
            "read of every row. Variants JOURNAL-SYNC-CRASH: journal_mode wal|delete x "
            "synchronous full|extra|normal|off x crash process|machine (strict POSIX), ext4 "
            "(data=ordered) for wal-full, wal-normal, delete-full, delete-extra, plus windows "
            "(process crashes, Windows sharing). Expected (SQLite docs): process crashes lose nothing in "
            "any mode; on machine crashes wal-full, wal-extra and delete-extra keep every "
            "acknowledged transaction; wal-normal may lose the latest ones but never corrupts; "
            "delete-full and delete-normal can roll back the last one (the journal's unlink is "
            "not dir-synced); off may lose or corrupt.",
            Variants(), FailingVariants(), "", ExpectedInvariants()};
  }

  void Build(World& world, const RunConfig& run) override {
    world_ = &world;
    std::optional<Mode> mode = ParseVariant(run.variant);
    assert(mode.has_value());
    mode_ = *mode;
    ProcessOptions options;
    options.network = false;
    options.sharing = mode_.crash == "windows" ? SharingMode::kWindows : SharingMode::kPosix;
    process_ = &world.AddProcess("app", [this](Process& p) { Boot(p); }, options);
    process_->OnCrash([this] { OnCrash(); });
    Decisions& d = world.kernel().decisions();
    FaultPlan plan;
    // Every injected crash is of the variant's kind: process crashes keep the page cache (the
    // disk's entries stay as they were, durable or not); machine crashes apply the profile.
    const bool machine = mode_.crash == "machine" || mode_.crash == "ext4";
    plan.machine_crash_probability = machine ? 1 : 0;
    plan.durability = mode_.crash == "ext4" ? DiskDurability::kExt4Ordered : DiskDurability::kRandom;
    const int64_t median_ns = d.Between(20'000, 200'000, DecisionKind::kUser);
    for (OpKind kind : {OpKind::kDiskOpen, OpKind::kDiskRead, OpKind::kDiskWrite, OpKind::kDiskSync,
                        OpKind::kDiskSyncDir, OpKind::kDiskMeta})
      plan.op(kind).latency = LatencyModel::LogNormal(static_cast<double>(median_ns), 0.6);
    // Random crashes in 9 seeds of 10 (an all-zero schedule, the shrinker's floor, has none: a
    // zero gap would crash the process at once, again and again).
    if (d.Bernoulli(0.9, DecisionKind::kCrash))
      plan.crash_interval_ns_mean = d.Between(50'000'000, 400'000'000, DecisionKind::kUser);
    plan.restart_delay_ns_min = 1'000'000;
    plan.restart_delay_ns_max = 50'000'000;
    plan.crash_point_arm_probability = 0.3;
    plan.crash_point_fire_probability = 0.05;
    world.SetFaults(plan);
  }

  void Workload(World& world, History&) override {
    // The chaos phase lasts until the transactions are done (a crash restarts the clients).
    world.SpawnClient("driver", [this, &world] {
      for (int i = 0; i < 100'000 && (started_ < kTransactions || clients_active_ > 0); ++i)
        world.kernel().SleepFor(5'000'000);
      stop_ = true;
    });
  }

  void Liveness(World& world, History&) override {
    world.SpawnClient(*process_, "final-read", [this] {
      // After the heal's restart has run SQLite's recovery and its own check.
      for (int i = 0; i < 10'000 && !ready_; ++i) kernel().SleepFor(10'000'000);
      if (!ready_) return;  // "recovers" fails in Check
      sqlite3* db = Open();
      if (db == nullptr) return;
      Verify(db, "after the heal");
      if (!kernel().CurrentTaskDoomed()) sqlite3_close(db);
    });
  }

  void Check(const World&, const History&, Verdict& verdict) override {
    if (!final_verified_ && verdict.ok())
      verdict.Fail("recovers", "the final read after the heal never completed").objects.push_back(kDbPath);
  }

 private:
  Kernel& kernel() { return world_->kernel(); }
  Decisions& decisions() { return kernel().decisions(); }

  void OnCrash() {
    // The crashed incarnation's connections are abandoned, as a crash abandons memory (its Vfs,
    // kept by the process, frees them).
    vfs_ = nullptr;
    ready_ = false;
    ++crashes_;
    clients_active_ = 0;
    for (Txn& t : txns_)
      if (t.state == TxnState::kRunning) t.state = TxnState::kUnknown;
  }

  void Boot(Process& p) {
    auto vfs = model::sqlite::Vfs::Register(
        p.env(), absl::StrCat("seedbed-", ++vfs_serial_), MakeVfsOptions());
    assert(vfs.ok());
    // Kept by the process: destroyed at its crash, which frees the memory of the connections the
    // crash abandoned (none of SQLite's code runs again for them).
    vfs_ = p.Keep(std::move(*vfs));
    if (mode_.journal == "delete") {
      absl::StatusOr<bool> hot = p.env().fs->Exists("t.db-journal");
      if (hot.ok() && *hot && setup_done_) hot_journal_seen_ = true;
    }
    if (!setup_done_) {
      if (!SetUp(p)) return;
    } else {
      sqlite3* db = Open();
      if (db == nullptr) return;
      Verify(db, fmt::format("at restart {}", p.incarnation()));
      if (!kernel().CurrentTaskDoomed()) sqlite3_close(db);
      if (kernel().CurrentTaskDoomed() || !verdict().ok()) return;
    }
    ready_ = true;
    if (stop_) return;
    if (mode_.crash == "windows") kernel().Spawn(p, "scanner", [this, &p] { Scanner(p); });
    for (int c = 0; c < kClients; ++c) {
      ++clients_active_;
      kernel().Spawn(p, fmt::format("client-{}", c), [this, c] {
        Client(c);
        if (!kernel().CurrentTaskDoomed()) --clients_active_;
      });
    }
  }

  model::sqlite::VfsOptions MakeVfsOptions() const {
    model::sqlite::VfsOptions o;
    if (mode_.crash == "windows") o.semantics = model::sqlite::Semantics::kWindows;
    return o;
  }

  // A connection with the variant's settings; null (and a violation where it means one) if
  // SQLite cannot open the database.
  sqlite3* Open() {
    vfs_->Enter();
    sqlite3* db = nullptr;
    const int rc = sqlite3_open_v2(kDbPath, &db,
                                   SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                                   vfs_->name().c_str());
    if (rc != SQLITE_OK) {
      if (!kernel().CurrentTaskDoomed())
        NameFiles(verdict().Fail("sqlite-integrity", fmt::format("sqlite3_open_v2: {}", ResultName(rc)),
                                 kernel().Now()));
      return nullptr;
    }
    sqlite3_busy_timeout(db, 600'000);
    Exec(db, absl::StrCat("PRAGMA journal_mode=", mode_.journal));
    Exec(db, absl::StrCat("PRAGMA synchronous=", mode_.sync));
    return db;
  }

  int Exec(sqlite3* db, const std::string& sql, std::string* error = nullptr) {
    vfs_->Enter();
    char* err = nullptr;
    const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
    if (error != nullptr && rc != SQLITE_OK)
      *error = fmt::format("{}: {}", ResultName(sqlite3_extended_errcode(db)), err ? err : "");
    sqlite3_free(err);
    return rc;
  }

  bool SetUp(Process& p) {
    sqlite3* db = Open();
    if (db == nullptr) return false;
    std::string error;
    if (Exec(db, "CREATE TABLE IF NOT EXISTS t(k TEXT PRIMARY KEY, v INTEGER NOT NULL, "
                 "txn INTEGER NOT NULL)", &error) != SQLITE_OK) {
      if (!kernel().CurrentTaskDoomed())
        NameFiles(verdict().Fail("sqlite-integrity", "set-up: " + error, kernel().Now()));
      return false;
    }
    (void)p.env().fs->SyncDir("");  // see the file comment: SQLite never syncs it
    if (kernel().CurrentTaskDoomed()) return false;
    sqlite3_close(db);
    setup_done_ = true;
    return true;
  }

  // Windows: another program (an indexer, a virus scanner, a backup tool) opens the journal for
  // a moment without FILE_SHARE_DELETE, as such programs do.
  void Scanner(Process& p) {
    model::FileSystem& fs = *p.env().fs;
    const std::string journal = absl::StrCat(kDbPath, mode_.journal == "wal" ? "-wal" : "-journal");
    for (int i = 0; i < 100'000 && !stop_; ++i) {
      kernel().SleepFor(decisions().Between(1'000'000, 30'000'000, DecisionKind::kUser));
      absl::StatusOr<std::unique_ptr<model::File>> f = fs.Open(journal, model::OpenOptions{});
      if (!f.ok()) continue;
      // Mostly brief; sometimes longer than winDelete's 1.4 s of retries.
      const bool long_hold = decisions().Bernoulli(0.05, DecisionKind::kUser);
      kernel().SleepFor(long_hold ? decisions().Between(1'000'000'000, 2'000'000'000, DecisionKind::kUser)
                                  : decisions().Between(100'000, 20'000'000, DecisionKind::kUser));
      (void)(*f)->Close();
    }
  }

  // One connection's prepared statements (parsing each transaction's SQL anew cost more CPU
  // than running it).
  struct Statements {
    sqlite3_stmt* begin = nullptr;
    sqlite3_stmt* upsert = nullptr;
    sqlite3_stmt* commit = nullptr;
  };

  void Client(int c) {
    sqlite3* db = Open();
    if (db == nullptr) return;
    Statements st;
    const char* upsert = "INSERT INTO t(k, v, txn) VALUES(?1, ?2, ?3) ON CONFLICT(k) DO UPDATE "
                         "SET v = excluded.v, txn = excluded.txn";
    if (sqlite3_prepare_v2(db, "BEGIN IMMEDIATE", -1, &st.begin, nullptr) != SQLITE_OK ||
        sqlite3_prepare_v2(db, upsert, -1, &st.upsert, nullptr) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "COMMIT", -1, &st.commit, nullptr) != SQLITE_OK) {
      if (!kernel().CurrentTaskDoomed())
        NameFiles(verdict().Fail("sqlite-integrity", fmt::format("client-{}: preparing: {}", c,
                                                                 sqlite3_errmsg(db)), kernel().Now()));
      return;
    }
    for (int i = 0; i < kTransactions && !stop_ && started_ < kTransactions; ++i) {
      RunTxn(db, st, c);
      if (kernel().CurrentTaskDoomed() || !verdict().ok()) return;
    }
    sqlite3_finalize(st.begin);
    sqlite3_finalize(st.upsert);
    sqlite3_finalize(st.commit);
    sqlite3_close(db);
  }

  // Runs a prepared statement to completion; SQLITE_OK or its error, described in *error.
  int Step(sqlite3* db, sqlite3_stmt* stmt, std::string* error) {
    vfs_->Enter();
    int rc = sqlite3_step(stmt);
    sqlite3_reset(stmt);
    if (rc == SQLITE_DONE) return SQLITE_OK;
    *error = fmt::format("{}: {}", ResultName(sqlite3_extended_errcode(db)), sqlite3_errmsg(db));
    return rc;
  }

  void RunTxn(sqlite3* db, const Statements& st, int c) {
    Txn& t = txns_.emplace_back();
    const size_t index = txns_.size() - 1;
    t.id = ++started_;
    t.client = c;
    t.writes.push_back({absl::StrCat("txn-", t.id), Row{0, t.id}});
    const int kind = static_cast<int>(decisions().Uniform(100, DecisionKind::kUser));
    const int inserts = kind < 25 ? static_cast<int>(decisions().Between(2, 4, DecisionKind::kUser)) : 1;
    for (int r = 0; r < inserts; ++r) {
      const int64_t v = decisions().Between(0, 1'000'000, DecisionKind::kUser);
      t.writes.push_back({absl::StrCat("c", c, "-", t.id, "-", r), Row{v, t.id}});
    }
    if (kind >= 85) {  // an update of a row this client wrote in an acknowledged transaction
      for (size_t j = txns_.size() - 1; j-- > 0;) {
        if (txns_[j].client != c || txns_[j].state != TxnState::kAcked) continue;
        t.writes.push_back({txns_[j].writes.back().first,
                            Row{decisions().Between(0, 1'000'000, DecisionKind::kUser), t.id}});
        break;
      }
    }
    const std::vector<std::pair<std::string, Row>> writes = t.writes;  // t may move on a yield
    std::string error;
    int rc = Step(db, st.begin, &error);
    for (size_t w = 0; rc == SQLITE_OK && w < writes.size(); ++w) {
      const auto& [key, row] = writes[w];
      sqlite3_bind_text(st.upsert, 1, key.data(), static_cast<int>(key.size()), SQLITE_STATIC);
      sqlite3_bind_int64(st.upsert, 2, row.v);
      sqlite3_bind_int64(st.upsert, 3, row.txn);
      rc = Step(db, st.upsert, &error);
    }
    if (rc == SQLITE_OK) rc = Step(db, st.commit, &error);
    if (kernel().CurrentTaskDoomed()) return;  // unwinding: the txn stays kRunning -> kUnknown
    Txn& done = txns_[index];                  // txns_ may have grown meanwhile
    done.commit_seq = ++commit_seq_;
    if (rc == SQLITE_OK) {
      done.state = TxnState::kAcked;
      done.acked_ns = kernel().Now();
      return;
    }
    // Not acknowledged: it may have committed (e.g. COMMIT failed deleting the journal) or not.
    done.state = TxnState::kUnknown;
    done.error = error;
    vfs_->env().runtime->Note(fmt::format("txn {} failed: {}", done.id, error));
    (void)Exec(db, "ROLLBACK");
  }

  // What every verdict of this scenario is about: the database file, and its journal or WAL when
  // a hot journal came back at a restart (reports outline their disk ops and handles).
  void NameFiles(Violation& v) const {
    v.objects.push_back(kDbPath);
    if (hot_journal_seen_) v.objects.push_back(absl::StrCat(kDbPath, "-journal"));
  }

  // Reads the database as recovered and checks it against the transactions.
  void Verify(sqlite3* db, const std::string& when) {
    std::vector<std::string> integrity;
    std::string error;
    if (!Query(db, "PRAGMA integrity_check", &integrity, nullptr, &error)) {
      if (kernel().CurrentTaskDoomed()) return;
      NameFiles(verdict().Fail("sqlite-integrity", fmt::format("{}: integrity_check: {}", when, error),
                               kernel().Now()));
      return;
    }
    if (integrity != std::vector<std::string>{"ok"}) {
      Violation& v = verdict().Fail(
          "sqlite-integrity", fmt::format("{}: PRAGMA integrity_check: {}", when,
                                          integrity.empty() ? "(no rows)" : integrity[0]),
          kernel().Now());
      for (size_t i = 0; i < integrity.size() && i < 8; ++i) v.evidence.push_back(integrity[i]);
      NameFiles(v);
      return;
    }
    Rows rows;
    if (!Query(db, "SELECT k, v, txn FROM t ORDER BY k", nullptr, &rows, &error)) {
      if (kernel().CurrentTaskDoomed()) return;
      if (error.find("no such table") != std::string::npos) {
        NameFiles(verdict().Fail("no-lost-acknowledged-transaction",
                                 fmt::format("{}: the set-up's acknowledged CREATE TABLE is gone: the "
                                             "database is empty ({})", when, error),
                                 kernel().Now()));
        return;
      }
      NameFiles(verdict().Fail("sqlite-integrity", fmt::format("{}: reading every row: {}", when, error),
                               kernel().Now()));
      return;
    }
    if (kernel().CurrentTaskDoomed()) return;
    CheckRows(rows, when);
    NoteFailedCommits(when);
    if (when == "after the heal") final_verified_ = true;
  }

  // What SQLite did with commits that failed (e.g. Windows: the journal's delete met an open
  // handle): the run's notes say whether each one ended up committed.
  void NoteFailedCommits(const std::string& when) {
    for (const std::string& line : failed_commits_)
      verdict().Note(absl::StrCat(when, ": ", line));
    failed_commits_.clear();
  }

  bool Query(sqlite3* db, const char* sql, std::vector<std::string>* text, Rows* rows,
             std::string* error) {
    vfs_->Enter();
    sqlite3_stmt* stmt = nullptr;
    int rc = sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr);
    while (rc == SQLITE_OK || rc == SQLITE_ROW) {
      if ((rc = sqlite3_step(stmt)) != SQLITE_ROW) break;
      const char* c0 = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
      if (text != nullptr) text->emplace_back(c0 ? c0 : "");
      if (rows != nullptr)
        (*rows)[c0 ? c0 : ""] = Row{sqlite3_column_int64(stmt, 1), sqlite3_column_int64(stmt, 2)};
    }
    if (rc != SQLITE_DONE) *error = fmt::format("{}: {}", ResultName(sqlite3_extended_errcode(db)),
                                                sqlite3_errmsg(db));
    sqlite3_finalize(stmt);
    return rc == SQLITE_DONE;
  }

  // Each transaction is present iff its marker row is; the expected state applies the present
  // ones in commit order; it must equal what was read. Then the present set becomes the truth
  // the next crash is judged against.
  void CheckRows(const Rows& rows, const std::string& when) {
    std::vector<size_t> order;  // indexes of txns_ in commit order (running ones last, by id)
    for (size_t i = 0; i < txns_.size(); ++i) order.push_back(i);
    std::stable_sort(order.begin(), order.end(), [this](size_t a, size_t b) {
      auto key = [this](size_t i) { return txns_[i].commit_seq == 0 ? INT64_MAX : txns_[i].commit_seq; };
      return key(a) < key(b);
    });
    Rows expected;
    std::vector<const Txn*> lost;
    for (size_t i : order) {
      const Txn& t = txns_[i];
      const bool present = rows.contains(t.writes.front().first);
      if (!present) {
        if (t.state == TxnState::kAcked) lost.push_back(&t);
        continue;
      }
      for (const auto& [key, row] : t.writes) expected[key] = row;
    }
    if (rows != expected) {
      ReportMismatch(rows, expected, when);
      return;
    }
    for (size_t i : order) {
      const Txn& t = txns_[i];
      if (t.error.empty()) continue;
      failed_commits_.push_back(fmt::format("txn {} of client-{}: COMMIT failed ({}) and the "
                                            "transaction is {} after recovery", t.id, t.client,
                                            t.error, rows.contains(t.writes.front().first)
                                                         ? "present" : "absent"));
    }
    if (!lost.empty()) ReportLost(lost, when);
    // The recovered state is the truth from here on: drop the absent transactions.
    // Kept in commit order and renumbered: a transaction whose COMMIT never returned (the crash
    // came first) but that is present committed after every earlier one.
    std::vector<Txn> kept;
    for (size_t i : order) {
      Txn& t = txns_[i];
      if (!rows.contains(t.writes.front().first)) continue;
      t.state = TxnState::kAcked;  // durable now, whatever its COMMIT said
      t.error.clear();
      t.commit_seq = static_cast<int64_t>(kept.size()) + 1;
      kept.push_back(std::move(t));
    }
    commit_seq_ = static_cast<int64_t>(kept.size());
    txns_ = std::move(kept);
  }

  void ReportMismatch(const Rows& rows, const Rows& expected, const std::string& when) {
    std::vector<std::string> diff;
    for (const auto& [key, row] : rows) {
      auto it = expected.find(key);
      if (it == expected.end()) {
        diff.push_back(fmt::format("row {} = (v {}, txn {}) was never committed by a present "
                                   "transaction", key, row.v, row.txn));
      } else if (!(it->second == row)) {
        diff.push_back(fmt::format("row {} = (v {}, txn {}), expected (v {}, txn {})", key, row.v,
                                   row.txn, it->second.v, it->second.txn));
      }
    }
    for (const auto& [key, row] : expected)
      if (!rows.contains(key))
        diff.push_back(fmt::format("row {} of present transaction {} is missing (half a "
                                   "transaction)", key, row.txn));
    Violation& v = verdict().Fail(
        "transaction-atomic",
        fmt::format("{} ({} crashes): {} row(s) differ from the committed transactions: {}", when,
                    crashes_, diff.size(), diff.front()),
        kernel().Now());
    for (size_t i = 0; i < diff.size() && i < 10; ++i) v.evidence.push_back(diff[i]);
    NameFiles(v);
  }

  void ReportLost(const std::vector<const Txn*>& lost, const std::string& when) {
    std::vector<std::string> ids;
    for (const Txn* t : lost) ids.push_back(absl::StrCat(t->id));
    const Txn& last = *lost.back();
    std::string why;
    if (mode_.journal == "delete" && hot_journal_seen_)
      why = "; at restart t.db-journal was back (its delete was never dir-synced: synchronous=" +
            mode_.sync + " passes no syncDir) and SQLite rolled the commit back as a hot journal";
    Violation& v = verdict().Fail(
        "no-lost-acknowledged-transaction",
        fmt::format("{}: {} acknowledged transaction(s) lost: {} (the last, txn {} of client-{}, "
                    "acknowledged at {:.3f}ms){}",
                    when, lost.size(), absl::StrJoin(ids, ", "), last.id, last.client,
                    last.acked_ns / 1e6, why),
        kernel().Now());
    for (const Txn* t : lost)
      v.evidence.push_back(fmt::format("txn {} client-{} acknowledged at {:.3f}ms, {} rows", t->id,
                                       t->client, t->acked_ns / 1e6, t->writes.size()));
    NameFiles(v);
  }

  World* world_ = nullptr;
  Process* process_ = nullptr;
  Mode mode_;
  model::sqlite::Vfs* vfs_ = nullptr;
  inline static uint64_t vfs_serial_ = 0;  // VFS names must be unique process-wide; not traced
  std::vector<Txn> txns_;
  std::vector<std::string> failed_commits_;
  int64_t started_ = 0;
  int64_t commit_seq_ = 0;
  int crashes_ = 0;
  int clients_active_ = 0;
  bool setup_done_ = false;
  bool ready_ = false;  // this incarnation recovered and checked the database
  bool stop_ = false;
  bool final_verified_ = false;
  bool hot_journal_seen_ = false;
};

SEEDBED_SCENARIO(CrashRecovery);

}  // namespace
}  // namespace seedbed
