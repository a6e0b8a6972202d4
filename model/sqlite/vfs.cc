// The sqlite3_vfs over model::Env. Each method names the os_unix.c (or os_win.c) function whose
// behaviour it copies; the copy is of behaviour, written here against model::FileSystem.
#include "model/sqlite/vfs.h"

#include <sqlite3.h>

#include <cassert>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <new>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace model::sqlite {
namespace {

constexpr int kMaxPathname = 512;
constexpr int kSectorBytes = 4096;  // SQLITE_DEFAULT_SECTOR_SIZE (os_unix.c and os_win.c)
// os_win.c: winIoerrRetry / winIoerrRetryDelay (SQLITE_WIN32_IOERR_RETRY, ..._RETRY_DELAY).
constexpr int kWinRetries = 10;
constexpr int64_t kWinRetryDelayNs = 25'000'000;
// The simulated wall clock starts at 2026-01-01T00:00:00Z; as os_unix.c's unixCurrentTimeInt64,
// time is milliseconds since the Julian epoch.
constexpr int64_t kUnixEpochJulianMs = 24405875LL * 8640000LL;
constexpr int64_t kStartUnixMs = 1767225600000LL;

enum class Kind : uint8_t { kDb, kJournal, kWal, kSuperJournal, kTemp };

const char* KindName(Kind kind) {
  switch (kind) {
    case Kind::kDb: return "db";
    case Kind::kJournal: return "journal";
    case Kind::kWal: return "wal";
    case Kind::kSuperJournal: return "super-journal";
    case Kind::kTemp: return "temp";
  }
  return "?";
}

Kind KindOfFlags(int flags) {
  if (flags & SQLITE_OPEN_MAIN_JOURNAL) return Kind::kJournal;
  if (flags & SQLITE_OPEN_WAL) return Kind::kWal;
  if (flags & SQLITE_OPEN_SUPER_JOURNAL) return Kind::kSuperJournal;
  if (flags & SQLITE_OPEN_MAIN_DB) return Kind::kDb;
  return Kind::kTemp;
}

Kind KindOfPath(std::string_view path) {
  auto ends = [&](std::string_view suffix) {
    return path.size() >= suffix.size() && path.substr(path.size() - suffix.size()) == suffix;
  };
  if (ends("-journal")) return Kind::kJournal;
  if (ends("-wal")) return Kind::kWal;
  if (path.find("-mj") != std::string_view::npos) return Kind::kSuperJournal;
  return Kind::kDb;
}

// model::FileSystem paths: '/'-separated, relative to the process's root, no "." or "..".
bool NormalizePath(std::string_view in, std::string* out) {
  out->clear();
  for (absl::string_view part : absl::StrSplit(absl::string_view(in.data(), in.size()), '/')) {
    if (part.empty() || part == ".") continue;
    if (part == "..") return false;
    if (!out->empty()) out->push_back('/');
    out->append(part.data(), part.size());
  }
  return !out->empty();
}

std::string ParentDir(std::string_view path) {
  const size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? std::string() : std::string(path.substr(0, slash));
}

}  // namespace

// unixInodeInfo's lock part: the process's lock level on a file and how many of its connections
// hold SHARED or more. Connections of one process share it, so a lock held by one is seen by all.
struct Vfs::LockNode {
  int level = SQLITE_LOCK_NONE;
  int shared = 0;
  int refs = 0;
};

// unixShmNode: one database's wal-index, shared by the process's connections. Memory only: a
// crash loses it, as the unix VFS's -shm file is rebuilt by the first connection after a crash
// (unixLockSharedMemory truncates it when it gets the DMS lock exclusively).
struct Vfs::ShmNode {
  std::vector<std::unique_ptr<char[]>> regions;
  int region_bytes = 0;
  int refs = 0;
  int shared[SQLITE_SHM_NLOCK] = {};
  const File* exclusive[SQLITE_SHM_NLOCK] = {};
};

struct Vfs::File {
  sqlite3_file base;  // first: SQLite hands us this pointer
  Vfs* vfs = nullptr;
  Kind kind = Kind::kTemp;
  std::string path;                  // empty for a temp file
  std::unique_ptr<model::File> file; // null: a memory-only temp file
  std::string memory;                // a temp file's bytes
  bool dir_sync_pending = false;     // os_unix.c UNIXFILE_DIRSYNC
  bool powersafe_overwrite = true;   // os_unix.c UNIXFILE_PSOW (SQLITE_POWERSAFE_OVERWRITE=1)
  bool persist_wal = false;          // SQLITE_FCNTL_PERSIST_WAL
  int lock = SQLITE_LOCK_NONE;
  LockNode* lock_node = nullptr;
  ShmNode* shm = nullptr;
  uint16_t shm_shared = 0;  // bit i: holds slot i shared
  uint16_t shm_excl = 0;    // bit i: holds slot i exclusively
};

// --- SQLite's allocator: every block is filed under the Vfs current when it was made ---
struct Vfs::Block {
  Vfs* owner;  // null: not filed (made outside any Vfs, e.g. by sqlite3_initialize)
  Block* prev;
  Block* next;
  uint64_t size;
};
static_assert(sizeof(Vfs::Block) % 16 == 0, "keeps SQLite's blocks 16-byte aligned");

// The one current Vfs: SQLite's allocator is process-global, so this is too (set only from the
// simulation's one thread; fibers switch only inside VFS calls, which set it again on return).
Vfs* g_current = nullptr;
bool g_filing = false;  // SQLITE_CONFIG_MALLOC succeeded

struct Allocator {
  static void Link(Vfs::Block* b, Vfs* owner) {
    b->owner = owner;
    b->prev = nullptr;
    b->next = nullptr;
    if (owner == nullptr) return;
    b->next = owner->block_list_;
    if (b->next != nullptr) b->next->prev = b;
    owner->block_list_ = b;
    ++owner->blocks_;
  }
  static void Unlink(Vfs::Block* b) {
    if (b->owner == nullptr) return;
    if (b->prev != nullptr) b->prev->next = b->next;
    else b->owner->block_list_ = b->next;
    if (b->next != nullptr) b->next->prev = b->prev;
    --b->owner->blocks_;
  }
  static void* Malloc(int n) {
    auto* b = static_cast<Vfs::Block*>(std::malloc(sizeof(Vfs::Block) + static_cast<size_t>(n)));
    if (b == nullptr) return nullptr;
    b->size = static_cast<uint64_t>(n);
    Link(b, g_current);
    return b + 1;
  }
  static void Free(void* p) {
    if (p == nullptr) return;
    Vfs::Block* b = static_cast<Vfs::Block*>(p) - 1;
    Unlink(b);
    std::free(b);
  }
  static void* Realloc(void* p, int n) {
    if (p == nullptr) return Malloc(n);
    Vfs::Block* b = static_cast<Vfs::Block*>(p) - 1;
    Vfs* owner = b->owner;
    Unlink(b);
    auto* moved = static_cast<Vfs::Block*>(std::realloc(b, sizeof(Vfs::Block) + static_cast<size_t>(n)));
    if (moved == nullptr) {
      Link(b, owner);  // the old block stays valid
      return nullptr;
    }
    moved->size = static_cast<uint64_t>(n);
    Link(moved, owner);
    return moved + 1;
  }
  static int Size(void* p) { return static_cast<int>((static_cast<Vfs::Block*>(p) - 1)->size); }
  static int Roundup(int n) { return (n + 7) & ~7; }
  static int Init(void*) { return SQLITE_OK; }
  static void Shutdown(void*) {}
  static void FreeAll(Vfs& vfs) {
    while (vfs.block_list_ != nullptr) Free(vfs.block_list_ + 1);
  }
};

// Sets the current Vfs again when a VFS call returns (it may have yielded to another task),
// unless the call is being unwound by a crash.
struct Resume {
  Vfs& vfs;
  ~Resume() {
    if (std::uncaught_exceptions() == 0) vfs.Enter();
  }
};

// The C entry points. Static member functions of a friend, so they reach Vfs's privates.
struct VfsCallbacks {
  using File = Vfs::File;
  static Vfs& Of(sqlite3_vfs* v) { return *static_cast<Vfs*>(v->pAppData); }
  static File& Of(sqlite3_file* f) { return *reinterpret_cast<File*>(f); }

  static void Point(Vfs& vfs, Kind kind, const char* what) {
    if (vfs.options_.crash_point_prefix.empty()) return;
    vfs.env_.runtime->CrashPoint(absl::StrCat(vfs.options_.crash_point_prefix, ".", KindName(kind),
                                              ".", what));
  }
  static int IoError(Vfs& vfs, int code) {
    ++vfs.stats_.io_errors;
    return code;
  }

  // --- sqlite3_io_methods ---
  static int Close(sqlite3_file* f) {
    File& file = Of(f);
    Resume resume{*file.vfs};
    Vfs& vfs = *file.vfs;
    if (file.lock != SQLITE_LOCK_NONE) Unlock(f, SQLITE_LOCK_NONE);  // unixClose -> unixUnlock
    if (file.shm != nullptr) ShmUnmap(f, 0);
    if (file.lock_node != nullptr && --file.lock_node->refs == 0) vfs.locks_.erase(file.path);
    std::erase(vfs.files_, &file);
    int rc = SQLITE_OK;
    if (file.file != nullptr && !file.file->Close().ok()) rc = IoError(vfs, SQLITE_IOERR_CLOSE);
    file.~File();
    return rc;
  }

  static int Read(sqlite3_file* f, void* out, int n, sqlite3_int64 offset) {
    File& file = Of(f);
    Resume resume{*file.vfs};
    std::string got;
    if (file.file == nullptr) {
      if (static_cast<uint64_t>(offset) < file.memory.size())
        got = file.memory.substr(offset, n);
    } else {
      absl::StatusOr<std::string> r = file.file->Read(offset, n);
      if (!r.ok()) return IoError(*file.vfs, SQLITE_IOERR_READ);
      got = std::move(*r);
    }
    std::memcpy(out, got.data(), got.size());
    if (got.size() == static_cast<size_t>(n)) return SQLITE_OK;
    // unixRead: a short read zero-fills the rest (SQLite relies on it).
    std::memset(static_cast<char*>(out) + got.size(), 0, n - got.size());
    return SQLITE_IOERR_SHORT_READ;
  }

  static int Write(sqlite3_file* f, const void* data, int n, sqlite3_int64 offset) {
    File& file = Of(f);
    Resume resume{*file.vfs};
    std::string_view bytes(static_cast<const char*>(data), n);
    if (file.file == nullptr) {
      if (file.memory.size() < static_cast<size_t>(offset) + n) file.memory.resize(offset + n);
      file.memory.replace(offset, n, bytes);
      return SQLITE_OK;
    }
    if (!file.file->Write(offset, bytes).ok()) return IoError(*file.vfs, SQLITE_IOERR_WRITE);
    return SQLITE_OK;
  }

  static int Truncate(sqlite3_file* f, sqlite3_int64 size) {
    File& file = Of(f);
    Resume resume{*file.vfs};
    if (file.file == nullptr) {
      if (file.memory.size() > static_cast<size_t>(size)) file.memory.resize(size);
      return SQLITE_OK;
    }
    if (!file.file->Truncate(size).ok()) return IoError(*file.vfs, SQLITE_IOERR_TRUNCATE);
    return SQLITE_OK;
  }

  // unixSync: fsync (fdatasync for SQLITE_SYNC_DATAONLY; model::File::Sync makes data and size
  // durable, which is what fdatasync promises: the two differ only in metadata not modelled),
  // then, once, the directory of a created journal / WAL, ignoring errors as os_unix.c does.
  static int Sync(sqlite3_file* f, int flags) {
    File& file = Of(f);
    Resume resume{*file.vfs};
    Vfs& vfs = *file.vfs;
    ++vfs.stats_.syncs;
    if ((flags & 0x0F) == SQLITE_SYNC_FULL) ++vfs.stats_.syncs_full;
    if (flags & SQLITE_SYNC_DATAONLY) ++vfs.stats_.syncs_dataonly;
    if (file.file == nullptr) return SQLITE_OK;
    Point(vfs, file.kind, "sync.before");
    if (!file.file->Sync().ok()) return IoError(vfs, SQLITE_IOERR_FSYNC);
    if (file.dir_sync_pending) {
      file.dir_sync_pending = false;
      ++vfs.stats_.dir_syncs;
      (void)vfs.env_.fs->SyncDir(ParentDir(file.path));
    }
    Point(vfs, file.kind, "sync.after");
    return SQLITE_OK;
  }

  static int FileSize(sqlite3_file* f, sqlite3_int64* size) {
    File& file = Of(f);
    Resume resume{*file.vfs};
    if (file.file == nullptr) {
      *size = static_cast<sqlite3_int64>(file.memory.size());
      return SQLITE_OK;
    }
    absl::StatusOr<uint64_t> s = file.file->Size();
    if (!s.ok()) return IoError(*file.vfs, SQLITE_IOERR_FSTAT);
    *size = static_cast<sqlite3_int64>(*s);
    return SQLITE_OK;
  }

  // unixLock over the process's LockNode (there is no other process on this disk; with Windows
  // semantics os_win.c's per-handle byte-range locks give the same answers: SHARED is refused
  // while another holds PENDING or more, RESERVED while another holds RESERVED or more, EXCLUSIVE
  // while another holds SHARED, and a refused EXCLUSIVE leaves PENDING to keep new readers out).
  static int Lock(sqlite3_file* f, int level) {
    File& file = Of(f);
    Resume resume{*file.vfs};
    Vfs& vfs = *file.vfs;
    if (file.lock >= level) return SQLITE_OK;
    assert(level != SQLITE_LOCK_PENDING);
    assert(file.lock_node != nullptr);
    if (vfs.options_.yield_before_lock) vfs.env_.runtime->Yield();
    Vfs::LockNode& node = *file.lock_node;
    if (file.lock != node.level &&
        (node.level >= SQLITE_LOCK_PENDING || level > SQLITE_LOCK_SHARED)) {
      ++vfs.stats_.lock_busy;
      return SQLITE_BUSY;
    }
    if (level == SQLITE_LOCK_SHARED &&
        (node.level == SQLITE_LOCK_SHARED || node.level == SQLITE_LOCK_RESERVED)) {
      file.lock = SQLITE_LOCK_SHARED;
      ++node.shared;
      return SQLITE_OK;
    }
    if (level == SQLITE_LOCK_SHARED) {  // node.level == NONE: the first reader
      node.shared = 1;
    } else if (level == SQLITE_LOCK_EXCLUSIVE && node.shared > 1) {
      // unixLock: another connection of this process still reads. Keep PENDING.
      file.lock = SQLITE_LOCK_PENDING;
      node.level = SQLITE_LOCK_PENDING;
      ++vfs.stats_.lock_busy;
      return SQLITE_BUSY;
    }
    file.lock = level;
    node.level = level;
    return SQLITE_OK;
  }

  static int Unlock(sqlite3_file* f, int level) {
    File& file = Of(f);
    Resume resume{*file.vfs};
    if (file.lock <= level) return SQLITE_OK;
    Vfs::LockNode& node = *file.lock_node;
    if (file.lock > SQLITE_LOCK_SHARED) {
      assert(node.level == file.lock);
      node.level = SQLITE_LOCK_SHARED;
    }
    if (level == SQLITE_LOCK_NONE) {
      --node.shared;
      if (node.shared == 0) node.level = SQLITE_LOCK_NONE;
    }
    file.lock = level;
    return SQLITE_OK;
  }

  static int CheckReservedLock(sqlite3_file* f, int* out) {
    File& file = Of(f);
    Resume resume{*file.vfs};
    *out = file.lock_node != nullptr && file.lock_node->level > SQLITE_LOCK_SHARED;
    return SQLITE_OK;
  }

  // unixFileControl, the parts with meaning here; SQLITE_NOTFOUND for the rest, as SQLite expects.
  static int FileControl(sqlite3_file* f, int op, void* arg) {
    File& file = Of(f);
    Resume resume{*file.vfs};
    switch (op) {
      case SQLITE_FCNTL_LOCKSTATE:
        *static_cast<int*>(arg) = file.lock;
        return SQLITE_OK;
      case SQLITE_FCNTL_VFSNAME:
        *static_cast<char**>(arg) = sqlite3_mprintf("%s", file.vfs->name_.c_str());
        return SQLITE_OK;
      case SQLITE_FCNTL_POWERSAFE_OVERWRITE: return Flag(arg, &file.powersafe_overwrite);
      case SQLITE_FCNTL_PERSIST_WAL: return Flag(arg, &file.persist_wal);
      case SQLITE_FCNTL_SIZE_HINT:   // unix: a no-op without a chunk size
      case SQLITE_FCNTL_CHUNK_SIZE:  // accepted, not modelled (it only rounds file sizes up)
        return SQLITE_OK;
      default: return SQLITE_NOTFOUND;
    }
  }
  static int Flag(void* arg, bool* flag) {  // unixModeBit
    int* v = static_cast<int*>(arg);
    if (*v < 0) {
      *v = *flag ? 1 : 0;
    } else {
      *flag = *v != 0;
    }
    return SQLITE_OK;
  }

  static int SectorSize(sqlite3_file*) { return kSectorBytes; }

  // unixDeviceCharacteristics (Linux, not F2FS): POWERSAFE_OVERWRITE; winDeviceCharacteristics
  // adds UNDELETABLE_WHEN_OPEN.
  static int DeviceCharacteristics(sqlite3_file* f) {
    File& file = Of(f);
    Resume resume{*file.vfs};
    int caps = file.powersafe_overwrite ? SQLITE_IOCAP_POWERSAFE_OVERWRITE : 0;
    if (file.vfs->options_.semantics == Semantics::kWindows)
      caps |= SQLITE_IOCAP_UNDELETABLE_WHEN_OPEN;
    return caps;
  }

  // --- shared memory (unixShmMap / unixShmLock / unixShmBarrier / unixShmUnmap) ---
  static int ShmMap(sqlite3_file* f, int region, int region_bytes, int extend, void volatile** out) {
    File& file = Of(f);
    Resume resume{*file.vfs};
    Vfs& vfs = *file.vfs;
    if (file.shm == nullptr) {
      std::unique_ptr<Vfs::ShmNode>& node = vfs.shms_[file.path];
      if (node == nullptr) node = std::make_unique<Vfs::ShmNode>();
      file.shm = node.get();
      ++file.shm->refs;
    }
    Vfs::ShmNode& shm = *file.shm;
    assert(shm.region_bytes == 0 || shm.region_bytes == region_bytes);
    shm.region_bytes = region_bytes;
    if (static_cast<size_t>(region) >= shm.regions.size()) {
      if (!extend) {
        *out = nullptr;
        return SQLITE_OK;
      }
      while (shm.regions.size() <= static_cast<size_t>(region)) {
        shm.regions.push_back(std::make_unique<char[]>(region_bytes));  // zeroed
      }
    }
    *out = shm.regions[region].get();
    return SQLITE_OK;
  }

  static int ShmLock(sqlite3_file* f, int offset, int n, int flags) {
    File& file = Of(f);
    Resume resume{*file.vfs};
    Vfs& vfs = *file.vfs;
    assert(file.shm != nullptr);
    Vfs::ShmNode& shm = *file.shm;
    assert(offset >= 0 && n >= 1 && offset + n <= SQLITE_SHM_NLOCK);
    const uint16_t mask = static_cast<uint16_t>((1u << (offset + n)) - (1u << offset));
    const bool checkpoint_lock = offset == 1 && n == 1;  // WAL_CKPT_LOCK
    if (flags & SQLITE_SHM_UNLOCK) {
      const bool held_ckpt = checkpoint_lock && (file.shm_excl & mask) != 0;
      for (int i = offset; i < offset + n; ++i) {
        if (file.shm_excl & (1u << i)) shm.exclusive[i] = nullptr;
        if (file.shm_shared & (1u << i)) --shm.shared[i];
      }
      file.shm_excl &= ~mask;
      file.shm_shared &= ~mask;
      if (held_ckpt && !vfs.options_.crash_point_prefix.empty())
        vfs.env_.runtime->CrashPoint(absl::StrCat(vfs.options_.crash_point_prefix,
                                                  ".wal.checkpoint.after"));
      return SQLITE_OK;
    }
    if (flags & SQLITE_SHM_SHARED) {
      assert(n == 1);
      if (file.shm_shared & mask) return SQLITE_OK;
      if (shm.exclusive[offset] != nullptr && shm.exclusive[offset] != &file) {
        ++vfs.stats_.shm_lock_busy;
        return SQLITE_BUSY;
      }
      ++shm.shared[offset];
      file.shm_shared |= mask;
      return SQLITE_OK;
    }
    for (int i = offset; i < offset + n; ++i) {  // exclusive
      const int others_shared = shm.shared[i] - ((file.shm_shared >> i) & 1);
      if ((shm.exclusive[i] != nullptr && shm.exclusive[i] != &file) || others_shared > 0) {
        ++vfs.stats_.shm_lock_busy;
        return SQLITE_BUSY;
      }
    }
    for (int i = offset; i < offset + n; ++i) shm.exclusive[i] = &file;
    file.shm_excl |= mask;
    if (checkpoint_lock && !vfs.options_.crash_point_prefix.empty())
      vfs.env_.runtime->CrashPoint(absl::StrCat(vfs.options_.crash_point_prefix,
                                                ".wal.checkpoint.before"));
    return SQLITE_OK;
  }

  static void ShmBarrier(sqlite3_file*) {}  // one OS thread: nothing to order

  static int ShmUnmap(sqlite3_file* f, int delete_flag) {
    File& file = Of(f);
    Resume resume{*file.vfs};
    if (file.shm == nullptr) return SQLITE_OK;
    (void)delete_flag;  // the node goes when its last user leaves, deleted or not (see ShmNode)
    if (file.shm_excl | file.shm_shared) ShmLock(f, 0, SQLITE_SHM_NLOCK, SQLITE_SHM_UNLOCK);
    Vfs::ShmNode* shm = file.shm;
    file.shm = nullptr;
    if (--shm->refs == 0) file.vfs->shms_.erase(file.path);
    return SQLITE_OK;
  }

  static const sqlite3_io_methods* Methods() {
    static const sqlite3_io_methods methods = {
        2,     Close,      Read,       Write,    Truncate,    Sync,
        FileSize, Lock,    Unlock,     CheckReservedLock,     FileControl,
        SectorSize, DeviceCharacteristics, ShmMap, ShmLock, ShmBarrier, ShmUnmap,
        nullptr, nullptr};
    return &methods;
  }

  // --- sqlite3_vfs ---
  // unixOpen: a created journal, super-journal or WAL gets UNIXFILE_DIRSYNC; a delete-on-close
  // or nameless file (temp databases, statement journals) is served from memory, as it never
  // needs to outlive the connection.
  static int Open(sqlite3_vfs* v, const char* name, sqlite3_file* f, int flags, int* out_flags) {
    Vfs& vfs = Of(v);
    Resume resume{vfs};
    f->pMethods = nullptr;
    File* file = new (f) File();
    file->vfs = &vfs;
    file->kind = KindOfFlags(flags);
    ++vfs.stats_.opens;
    if (out_flags != nullptr) *out_flags = flags;
    if (name == nullptr || (flags & SQLITE_OPEN_DELETEONCLOSE)) {
      file->kind = Kind::kTemp;
      file->base.pMethods = Methods();
      vfs.files_.push_back(file);
      return SQLITE_OK;
    }
    if (!NormalizePath(name, &file->path)) {
      file->~File();
      return SQLITE_CANTOPEN;
    }
    model::OpenOptions options;
    options.write = (flags & SQLITE_OPEN_READWRITE) != 0;
    options.create = options.write && (flags & SQLITE_OPEN_CREATE) != 0;
    options.exclusive = options.create && (flags & SQLITE_OPEN_EXCLUSIVE) != 0;
    // os_win.c opens with FILE_SHARE_READ | FILE_SHARE_WRITE only: no FILE_SHARE_DELETE.
    options.share_delete = false;
    absl::StatusOr<std::unique_ptr<model::File>> opened = vfs.env_.fs->Open(file->path, options);
    if (!opened.ok()) {
      file->~File();
      return SQLITE_CANTOPEN;
    }
    file->file = std::move(*opened);
    const bool sync_dir = options.create && vfs.options_.semantics == Semantics::kPosix &&
                          (file->kind == Kind::kJournal || file->kind == Kind::kWal ||
                           file->kind == Kind::kSuperJournal);
    file->dir_sync_pending = sync_dir;
    if (file->kind == Kind::kDb) {
      std::unique_ptr<Vfs::LockNode>& node = vfs.locks_[file->path];
      if (node == nullptr) node = std::make_unique<Vfs::LockNode>();
      file->lock_node = node.get();
      ++node->refs;
    }
    file->base.pMethods = Methods();
    vfs.files_.push_back(file);
    return SQLITE_OK;
  }

  // unixDelete (syncDir: fsync the directory after the unlink) / winDelete (retry a sharing
  // violation kWinRetries times, 25 ms * attempt apart; never a directory sync).
  static int Delete(sqlite3_vfs* v, const char* name, int sync_dir) {
    Vfs& vfs = Of(v);
    Resume resume{vfs};
    std::string path;
    if (!NormalizePath(name, &path)) return SQLITE_IOERR_DELETE;
    const Kind kind = KindOfPath(path);
    ++vfs.stats_.deletes;
    Point(vfs, kind, "delete.before");
    absl::Status s = vfs.env_.fs->Remove(path);
    if (vfs.options_.semantics == Semantics::kWindows) {
      for (int attempt = 0; absl::IsPermissionDenied(s) && attempt < kWinRetries; ++attempt) {
        ++vfs.stats_.delete_retries;
        vfs.env_.runtime->Note(absl::StrCat("sqlite vfs: delete ", path, ": ", s.message(),
                                            "; retry ", attempt + 1, " of ", kWinRetries));
        vfs.env_.runtime->SleepFor(kWinRetryDelayNs * (attempt + 1));
        s = vfs.env_.fs->Remove(path);
      }
      if (absl::IsPermissionDenied(s)) {
        ++vfs.stats_.deletes_failed_sharing;
        vfs.env_.runtime->Note(absl::StrCat("sqlite vfs: delete ", path,
                                            " failed: SQLITE_IOERR_DELETE (", s.message(), ")"));
      }
    }
    if (absl::IsNotFound(s)) return SQLITE_IOERR_DELETE_NOENT;
    if (!s.ok()) return IoError(vfs, SQLITE_IOERR_DELETE);
    if ((sync_dir & 1) && vfs.options_.semantics == Semantics::kPosix) {
      ++vfs.stats_.deletes_dir_synced;
      ++vfs.stats_.dir_syncs;
      if (!vfs.env_.fs->SyncDir(ParentDir(path)).ok()) return IoError(vfs, SQLITE_IOERR_DIR_FSYNC);
    }
    Point(vfs, kind, "delete.after");
    return SQLITE_OK;
  }

  // unixAccess: EXISTS means "exists and, if a regular file, is not empty" (a zero-length journal
  // is not hot). The size is read through a handle that shares delete, so it never makes another
  // connection's delete fail under Windows semantics (winAccess reads attributes, no handle).
  static int Access(sqlite3_vfs* v, const char* name, int flags, int* out) {
    Vfs& vfs = Of(v);
    Resume resume{vfs};
    *out = 0;
    std::string path;
    if (!NormalizePath(name, &path)) return SQLITE_OK;
    absl::StatusOr<bool> exists = vfs.env_.fs->Exists(path);
    if (!exists.ok()) return IoError(vfs, SQLITE_IOERR_ACCESS);
    if (!*exists) return SQLITE_OK;
    if (flags != SQLITE_ACCESS_EXISTS) {
      *out = 1;
      return SQLITE_OK;
    }
    model::OpenOptions options;
    options.share_delete = true;
    absl::StatusOr<std::unique_ptr<model::File>> file = vfs.env_.fs->Open(path, options);
    if (!file.ok()) {  // a directory, or removed meanwhile
      absl::StatusOr<bool> still = vfs.env_.fs->Exists(path);
      *out = still.ok() && *still;
      return SQLITE_OK;
    }
    absl::StatusOr<uint64_t> size = (*file)->Size();
    (void)(*file)->Close();
    *out = size.ok() && *size > 0;
    return SQLITE_OK;
  }

  static int FullPathname(sqlite3_vfs*, const char* name, int n, char* out) {
    std::string path;
    if (!NormalizePath(name, &path) || path.size() + 1 > static_cast<size_t>(n))
      return SQLITE_CANTOPEN;
    std::memcpy(out, path.c_str(), path.size() + 1);
    return SQLITE_OK;
  }

  static void* DlOpen(sqlite3_vfs*, const char*) { return nullptr; }
  static void DlError(sqlite3_vfs*, int n, char* out) {
    if (n > 0) std::snprintf(out, n, "%s", "loadable extensions are not supported");
  }
  static void (*DlSym(sqlite3_vfs*, void*, const char*))(void) { return nullptr; }
  static void DlClose(sqlite3_vfs*, void*) {}

  static int Randomness(sqlite3_vfs* v, int n, char* out) {
    Vfs& vfs = Of(v);
    for (int i = 0; i < n; i += 4) {
      const uint32_t word = static_cast<uint32_t>(vfs.env_.runtime->Random(1ull << 32));
      std::memcpy(out + i, &word, n - i < 4 ? n - i : 4);
    }
    return n;
  }

  static int Sleep(sqlite3_vfs* v, int microseconds) {
    Resume resume{Of(v)};
    Of(v).env_.runtime->SleepFor(static_cast<int64_t>(microseconds) * 1000);
    return microseconds;
  }

  static int CurrentTimeInt64(sqlite3_vfs* v, sqlite3_int64* out) {
    *out = kUnixEpochJulianMs + kStartUnixMs + Of(v).env_.runtime->NowNanos() / 1'000'000;
    return SQLITE_OK;
  }
  static int CurrentTime(sqlite3_vfs* v, double* out) {
    sqlite3_int64 ms = 0;
    CurrentTimeInt64(v, &ms);
    *out = static_cast<double>(ms) / 86400000.0;
    return SQLITE_OK;
  }
  static int GetLastError(sqlite3_vfs*, int, char*) { return 0; }
};

Vfs::Vfs(Env env, std::string name, VfsOptions options)
    : env_(env), name_(std::move(name)), options_(std::move(options)) {}

absl::StatusOr<std::unique_ptr<Vfs>> Vfs::Register(Env env, std::string name, VfsOptions options) {
  if (env.fs == nullptr || env.runtime == nullptr)
    return absl::InvalidArgumentError("sqlite vfs: the env needs a file system and a runtime");
  static const bool filing = [] {
    const sqlite3_mem_methods methods = {Allocator::Malloc, Allocator::Free, Allocator::Realloc,
                                         Allocator::Size,   Allocator::Roundup, Allocator::Init,
                                         Allocator::Shutdown, nullptr};
    return sqlite3_config(SQLITE_CONFIG_MALLOC, &methods) == SQLITE_OK;
  }();
  g_filing = filing;
  if (int rc = sqlite3_initialize(); rc != SQLITE_OK)
    return absl::InternalError(absl::StrCat("sqlite3_initialize: ", ResultName(rc)));
  if (sqlite3_vfs_find(name.c_str()) != nullptr)
    return absl::AlreadyExistsError(absl::StrCat("sqlite vfs: ", name, " is registered already"));
  std::unique_ptr<Vfs> vfs(new Vfs(env, std::move(name), std::move(options)));
  vfs->vfs_ = std::make_unique<sqlite3_vfs>();
  sqlite3_vfs& v = *vfs->vfs_;
  std::memset(&v, 0, sizeof v);
  v.iVersion = 2;
  v.szOsFile = sizeof(File);
  v.mxPathname = kMaxPathname;
  v.zName = vfs->name_.c_str();
  v.pAppData = vfs.get();
  v.xOpen = VfsCallbacks::Open;
  v.xDelete = VfsCallbacks::Delete;
  v.xAccess = VfsCallbacks::Access;
  v.xFullPathname = VfsCallbacks::FullPathname;
  v.xDlOpen = VfsCallbacks::DlOpen;
  v.xDlError = VfsCallbacks::DlError;
  v.xDlSym = VfsCallbacks::DlSym;
  v.xDlClose = VfsCallbacks::DlClose;
  v.xRandomness = VfsCallbacks::Randomness;
  v.xSleep = VfsCallbacks::Sleep;
  v.xCurrentTime = VfsCallbacks::CurrentTime;
  v.xGetLastError = VfsCallbacks::GetLastError;
  v.xCurrentTimeInt64 = VfsCallbacks::CurrentTimeInt64;
  if (int rc = sqlite3_vfs_register(&v, /*makeDflt=*/0); rc != SQLITE_OK)
    return absl::InternalError(absl::StrCat("sqlite3_vfs_register: ", ResultName(rc)));
  // SQLite's PRNG (journal nonces, WAL salts, random rowids) is one per OS process and seeds
  // itself from the default VFS: reseed it from this run's decisions (SQLITE_TESTCTRL_PRNG_SEED).
  const int seed = static_cast<int>(env.runtime->Random(0x7FFFFFFE)) + 1;
  sqlite3_test_control(SQLITE_TESTCTRL_PRNG_SEED, seed, static_cast<sqlite3*>(nullptr));
  return vfs;
}

Vfs::~Vfs() {
  sqlite3_vfs_unregister(vfs_.get());
  // Files SQLite never closed (a crashed process's connections): release what they own (their
  // model::File closes without I/O), then every block SQLite made while this Vfs was current.
  for (File* file : files_) file->~File();
  files_.clear();
  shms_.clear();
  locks_.clear();
  Allocator::FreeAll(*this);
  if (g_current == this) g_current = nullptr;
}

void Vfs::Enter() {
  if (g_filing) g_current = this;
}

int Vfs::ProcessLockLevel(std::string_view path) const {
  auto it = locks_.find(path);
  return it == locks_.end() ? SQLITE_LOCK_NONE : it->second->level;
}

int Vfs::SharedHolders(std::string_view path) const {
  auto it = locks_.find(path);
  return it == locks_.end() ? 0 : it->second->shared;
}

std::string ResultName(int rc) {
  struct Name {
    int code;
    const char* name;
  };
  static constexpr Name kNames[] = {
      {SQLITE_OK, "SQLITE_OK"},
      {SQLITE_BUSY, "SQLITE_BUSY"},
      {SQLITE_BUSY_SNAPSHOT, "SQLITE_BUSY_SNAPSHOT"},
      {SQLITE_IOERR, "SQLITE_IOERR"},
      {SQLITE_IOERR_READ, "SQLITE_IOERR_READ"},
      {SQLITE_IOERR_SHORT_READ, "SQLITE_IOERR_SHORT_READ"},
      {SQLITE_IOERR_WRITE, "SQLITE_IOERR_WRITE"},
      {SQLITE_IOERR_FSYNC, "SQLITE_IOERR_FSYNC"},
      {SQLITE_IOERR_DIR_FSYNC, "SQLITE_IOERR_DIR_FSYNC"},
      {SQLITE_IOERR_TRUNCATE, "SQLITE_IOERR_TRUNCATE"},
      {SQLITE_IOERR_FSTAT, "SQLITE_IOERR_FSTAT"},
      {SQLITE_IOERR_DELETE, "SQLITE_IOERR_DELETE"},
      {SQLITE_IOERR_DELETE_NOENT, "SQLITE_IOERR_DELETE_NOENT"},
      {SQLITE_IOERR_ACCESS, "SQLITE_IOERR_ACCESS"},
      {SQLITE_IOERR_CLOSE, "SQLITE_IOERR_CLOSE"},
      {SQLITE_CORRUPT, "SQLITE_CORRUPT"},
      {SQLITE_NOTADB, "SQLITE_NOTADB"},
      {SQLITE_CANTOPEN, "SQLITE_CANTOPEN"},
      {SQLITE_FULL, "SQLITE_FULL"},
      {SQLITE_LOCKED, "SQLITE_LOCKED"},
      {SQLITE_CONSTRAINT, "SQLITE_CONSTRAINT"},
      {SQLITE_CONSTRAINT_PRIMARYKEY, "SQLITE_CONSTRAINT_PRIMARYKEY"},
      {SQLITE_ERROR, "SQLITE_ERROR"},
      {SQLITE_MISUSE, "SQLITE_MISUSE"},
      {SQLITE_ROW, "SQLITE_ROW"},
      {SQLITE_DONE, "SQLITE_DONE"},
  };
  for (const Name& n : kNames)
    if (n.code == rc) return absl::StrCat(n.name, " (", rc, ")");
  return absl::StrCat("SQLite result ", rc, " (", sqlite3_errstr(rc), ")");
}

}  // namespace model::sqlite
