// model/sqlite/vfs.h: a sqlite3_vfs over model::Env, so that Debian's unmodified libsqlite3 keeps
// its files on a model::FileSystem (the simulated disk, or the real one), sleeps and reads the time
// through model::Runtime and takes its randomness from the run's decision source. It mirrors what
// SQLite's default unix VFS (os_unix.c) does at every durability-relevant step: a journal, super-
// journal or WAL file created by xOpen has its directory synced once, at its first xSync
// (UNIXFILE_DIRSYNC); xDelete syncs the directory only when SQLite passes syncDir (synchronous=EXTRA
// for the rollback journal); xAccess(EXISTS) reports a zero-length file as missing. With Windows
// semantics it mirrors os_win.c instead: no directory syncs, files open without FILE_SHARE_DELETE,
// a delete that meets a sharing violation is retried 10 times 25 ms * n apart, then fails.
// A Vfs belongs to one process incarnation; its calls run on that process's tasks and may yield.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/btree_map.h"
#include "absl/status/statusor.h"
#include "model/env/env.h"

struct sqlite3_vfs;

namespace model::sqlite {

enum class Semantics : uint8_t {
  kPosix,    // os_unix.c: advisory locks, delete-while-open succeeds, directory syncs
  kWindows,  // os_win.c: a file open elsewhere cannot be deleted (the delete is retried, then fails)
};

struct VfsOptions {
  Semantics semantics = Semantics::kPosix;  // follow the process's disk sharing mode
  // Prefix of the crash points the VFS places (see below); empty: no crash points.
  std::string crash_point_prefix = "sqlite";
  // Before each xLock that changes the lock level, yield, so that which connection gets a
  // contended lock is a scheduling decision of the run (not the order the tasks were started).
  bool yield_before_lock = true;
};

// Counters a test or scenario reads; never steer anything.
struct VfsStats {
  uint64_t opens = 0;
  uint64_t syncs = 0;           // xSync calls
  uint64_t syncs_full = 0;      // ... with SQLITE_SYNC_FULL
  uint64_t syncs_dataonly = 0;  // ... with SQLITE_SYNC_DATAONLY
  uint64_t dir_syncs = 0;       // directory syncs (the one-time DIRSYNC of a created journal/WAL,
                                // and xDelete's syncDir)
  uint64_t deletes = 0;
  uint64_t deletes_dir_synced = 0;  // xDelete calls with syncDir set (POSIX: a SyncDir followed)
  uint64_t delete_retries = 0;      // Windows: retries after a sharing violation
  uint64_t deletes_failed_sharing = 0;  // Windows: deletes that gave up (SQLITE_IOERR_DELETE)
  uint64_t lock_busy = 0;           // xLock calls answered SQLITE_BUSY
  uint64_t shm_lock_busy = 0;
  uint64_t io_errors = 0;           // model::File / FileSystem errors turned into SQLITE_IOERR_*
};

// Crash points (model::Runtime::CrashPoint), with P = crash_point_prefix and K the file's kind
// (db, journal, wal, super-journal):
//   P.K.sync.before / P.K.sync.after        around every xSync (after: data and DIRSYNC done)
//   P.K.delete.before / P.K.delete.after    around every xDelete (after: the syncDir sync too)
//   P.wal.checkpoint.before / .after        taking / releasing the WAL checkpointer lock
class Vfs {
 public:
  // Registers a VFS called `name` (not the default one) and reseeds SQLite's PRNG from
  // env.runtime->Random (SQLite's PRNG is process-global and would otherwise read /dev/urandom
  // through the default VFS: journal nonces, WAL salts and temp names would not replay).
  // REQUIRES: env.fs and env.runtime outlive this Vfs; `name` is unique among live Vfs objects.
  static absl::StatusOr<std::unique_ptr<Vfs>> Register(Env env, std::string name,
                                                       VfsOptions options = {});
  // Unregisters. Connections still using it must never be used again (after a crash they are
  // abandoned, as a real crash abandons memory; closing them would write after the crash).
  ~Vfs();
  Vfs(const Vfs&) = delete;
  Vfs& operator=(const Vfs&) = delete;

  const std::string& name() const { return name_; }
  const VfsStats& stats() const { return stats_; }
  const VfsOptions& options() const { return options_; }
  Env& env() { return env_; }

  // Memory: at the first Register, SQLite's allocator is replaced (SQLITE_CONFIG_MALLOC) by one
  // that files every block under the Vfs current at the time (set by Enter, and again by every
  // VFS call after it may have yielded). Destroying a Vfs closes the files its connections left
  // open (without I/O: no SQLite code runs) and frees every block still filed under it: a crashed
  // process's abandoned connections, which must never be used again. Call Enter before calling
  // SQLite from a task of this Vfs's process (the VFS cannot see SQLite's own entry points).
  // If SQLite was initialized before the first Register, blocks are not filed (they leak).
  void Enter();
  size_t blocks() const { return blocks_; }  // SQLite blocks filed under this Vfs now

  // The lock level (SQLITE_LOCK_*) the process holds on `path` through any connection, and how
  // many connections hold at least SHARED: for tests.
  int ProcessLockLevel(std::string_view path) const;
  int SharedHolders(std::string_view path) const;

  // Implementation types (vfs.cc); public so the C callbacks can name them.
  struct LockNode;
  struct ShmNode;
  struct File;

 private:
  Vfs(Env env, std::string name, VfsOptions options);

  friend struct VfsCallbacks;
  Env env_;
  std::string name_;
  VfsOptions options_;
  VfsStats stats_;
  std::unique_ptr<sqlite3_vfs> vfs_;
  // By full path. Nodes live while a file refers to them (unix: unixInodeInfo / unixShmNode).
  absl::btree_map<std::string, std::unique_ptr<LockNode>, std::less<>> locks_;
  absl::btree_map<std::string, std::unique_ptr<ShmNode>, std::less<>> shms_;
  std::vector<File*> files_;  // open files (closed at destruction if SQLite never closed them)
 public:
  struct Block;  // an allocation's header (vfs.cc)
 private:
  friend struct Allocator;
  Block* block_list_ = nullptr;  // the blocks filed under this Vfs
  size_t blocks_ = 0;
};

// The text of a SQLite result code with its extended code, e.g. "SQLITE_IOERR_DELETE (3338)".
std::string ResultName(int rc);

}  // namespace model::sqlite
