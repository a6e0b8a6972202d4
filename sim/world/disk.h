// sim/world/disk.h: one process's simulated local disk. SimDisk is the state machine: a namespace
// of files and directories over inodes, open handles, POSIX or Windows sharing, and what survives
// a crash (in the spirit of FoundationDB's AsyncFileNonDurable and RocksDB's fault_injection_fs):
// each inode keeps its data and its data as of the last Sync; directory entry changes (create,
// rename, remove) are journaled until they are durable. At every crash all handles close. A
// process crash (CrashProcess) keeps everything else: the OS page cache survives, so unsynced data
// and entries are still there, and still not durable. A machine crash (Crash) keeps what the
// durability profile says, and synced state is never lost:
//  - kDurable: everything.
//  - strict POSIX (kDropUnsynced, kRandom): an entry change is durable once every directory it
//    touches was SyncDir'ed after it; File::Sync makes only that file's data durable. Non-durable
//    entry changes are all rolled back (drop-unsynced) or each kept or rolled back (random; a
//    change that no longer applies after an earlier one was rolled back is rolled back too).
//    Unsynced data is lost back to the last sync (drop-unsynced), or kept, lost, or torn at a
//    block boundary (random: new blocks before the cut, synced blocks after).
//  - ext4 data=ordered (kExt4Ordered): entry changes persist in the order made, so what survives
//    is a prefix of them; a Sync of any file or a SyncDir of any directory commits every earlier
//    entry change of the disk (the journal transaction), plus that file's data. Unsynced data
//    keeps a block-aligned prefix of its changes: appends lose a tail of whole blocks, never
//    replaced by garbage (a block past the cut keeps its synced bytes).
// The loss lines a crash returns say which entry rolled back, and for data whether it was cut
// (a tail lost) or torn, and where.
// SimFileSystem / SimFile are the model::FileSystem / model::File views of one process: latency,
// injected I/O errors (kUnavailable, nothing done) and kIo trace events. SimDisk never yields; the
// views' calls may. Single-threaded.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/btree_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "faults/fault_plan.h"
#include "model/env/file_system.h"
#include "sim/decisions.h"
#include "sim/world/core.h"

namespace seedbed {

class SimDisk {
 public:
  struct Inode {
    std::string data;
    std::string synced;  // the data as of the last Sync (what a crash can fall back to)
    bool dirty = false;  // data != synced
    // Bytes [dirty_lo, dirty_hi) hold every difference between data and synced (a superset), so
    // a write compares and a sync copies only what changed since the last sync, not the file.
    uint64_t dirty_lo = UINT64_MAX;
    uint64_t dirty_hi = 0;
  };
  struct Entry {
    bool dir = false;
    uint64_t inode = 0;  // files only
  };
  struct Handle {
    uint64_t inode = 0;
    std::string path;    // as opened
    bool write = false;
    bool share_delete = false;
    std::string holder;  // "process/task", named in sharing violations
  };
  // A directory-entry change not yet durable.
  struct MetaOp {
    enum class Type : uint8_t { kCreate, kMkdir, kRename, kRemove, kRemoveAll };
    Type type = Type::kCreate;
    std::string path;
    std::string to;      // kRename
    uint64_t inode = 0;  // kCreate
    std::vector<std::string> pending_dirs;  // directories still to be synced (empty: durable)
    bool committed = false;  // ext4: a later Sync or SyncDir committed it
  };
  using Namespace = absl::btree_map<std::string, Entry, std::less<>>;

  SimDisk(std::string owner, SharingMode sharing, uint64_t block_bytes = 4096);

  // --- files through handles ---
  absl::StatusOr<uint64_t> Open(std::string_view path, const model::OpenOptions& options,
                                std::string holder);
  absl::StatusOr<std::string> Read(uint64_t handle, uint64_t offset, size_t n) const;
  absl::Status Write(uint64_t handle, uint64_t offset, std::string_view data);
  absl::Status Append(uint64_t handle, std::string_view data);
  absl::Status Truncate(uint64_t handle, uint64_t size);
  absl::Status Sync(uint64_t handle);
  absl::StatusOr<uint64_t> Size(uint64_t handle) const;
  absl::Status Close(uint64_t handle);  // kFailedPrecondition if not open (e.g. closed by a crash)

  // --- the namespace ---
  absl::Status Rename(std::string_view from, std::string_view to);
  absl::Status Remove(std::string_view path);
  absl::Status CreateDir(std::string_view path);
  absl::Status RemoveAll(std::string_view path);
  absl::StatusOr<std::vector<std::string>> List(std::string_view dir) const;
  bool Exists(std::string_view path) const;
  absl::Status SyncDir(std::string_view dir);

  // --- crash ---
  // A machine crash: closes every handle and keeps what `mode` says survives; kDisk decisions for
  // kRandom and kExt4Ordered (0 = nothing lost). Returns one line per loss, for the trace
  // ("data wal.log: torn at 4096 (new data before, synced data after; 8192 -> 8192 bytes)").
  std::vector<std::string> Crash(DiskDurability mode, Decisions& decisions);
  // A process crash: closes every handle; data and entries stay as they are (the page cache).
  void CrashProcess() { handles_.clear(); }

  // --- inspection (tests, checkers, demos) ---
  const std::string& owner() const { return owner_; }
  SharingMode sharing() const { return sharing_; }
  void set_sharing(SharingMode mode) { sharing_ = mode; }
  uint64_t block_bytes() const { return block_bytes_; }
  void set_block_bytes(uint64_t bytes) { block_bytes_ = bytes == 0 ? 1 : bytes; }
  std::optional<std::string> Contents(std::string_view path) const;  // nullopt: no such file
  size_t open_handles() const { return handles_.size(); }
  bool IsOpen(uint64_t handle) const { return handles_.contains(handle); }
  const Namespace& live() const { return live_; }
  const Namespace& durable() const { return durable_; }
  const std::vector<MetaOp>& journal() const { return journal_; }

 private:
  static void MarkChanged(Inode& node, uint64_t lo, uint64_t hi);
  static void RecheckDirty(Inode& node);
  const Handle* FindHandle(uint64_t handle) const;
  Inode* WritableInode(uint64_t handle, absl::Status* error);
  absl::Status CheckParent(std::string_view path) const;
  // Windows: kPermissionDenied if a file at or below `path` is open without share_delete.
  absl::Status CheckSharing(std::string_view op, std::string_view path) const;
  void Journal(MetaOp op);
  // What of `inode`'s data survives a machine crash; `how` says what was lost ("" if nothing).
  std::string Survive(const Inode& inode, DiskDurability mode, Decisions& decisions,
                      std::string* how) const;
  void CommitJournal();  // ext4: a Sync or SyncDir commits every entry change made so far

  std::string owner_;
  SharingMode sharing_;
  uint64_t block_bytes_;
  Namespace live_;
  Namespace durable_;  // the namespace a crash starts from; journal_ is replayed over it
  std::vector<MetaOp> journal_;
  absl::btree_map<uint64_t, Inode> inodes_;
  absl::btree_map<uint64_t, Handle> handles_;
  uint64_t next_inode_ = 1;
  uint64_t next_handle_ = 1;
};

// One process's model::FileSystem over its SimDisk. REQUIRES: core and disk outlive it and every
// File it opened.
class SimFileSystem final : public model::FileSystem {
 public:
  SimFileSystem(WorldCore& core, SimDisk& disk) : core_(core), disk_(disk) {}

  absl::StatusOr<std::unique_ptr<model::File>> Open(std::string_view path,
                                                    model::OpenOptions options) override;
  absl::Status Rename(std::string_view from, std::string_view to) override;
  absl::Status Remove(std::string_view path) override;
  absl::Status CreateDir(std::string_view path) override;
  absl::Status RemoveAll(std::string_view path) override;
  absl::StatusOr<std::vector<std::string>> List(std::string_view dir) override;
  absl::StatusOr<bool> Exists(std::string_view path) override;
  absl::Status SyncDir(std::string_view dir) override;

  SimDisk& disk() { return disk_; }
  // Latency, doom check and injected error before an op of `kind`; non-ok: do not perform it.
  absl::Status Before(OpKind kind, std::string_view what);
  // The kIo trace event after an op.
  void Done(std::string_view what, const absl::Status& status, std::string_view ok_detail = {});
  WorldCore& core() { return core_; }

 private:
  WorldCore& core_;
  SimDisk& disk_;
};

}  // namespace seedbed
