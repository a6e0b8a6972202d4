#include "sim/world/disk.h"

#include <algorithm>
#include <cassert>
#include <utility>

#include "absl/strings/str_cat.h"
#include "model/env/status.h"
#include "sim/world/status_names.h"

namespace seedbed {
namespace {

using model::Av;

std::string_view Parent(std::string_view path) {
  const size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? std::string_view() : path.substr(0, slash);
}

std::string_view BaseName(std::string_view path) {
  const size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

// True if `path` is `root` or lies below it (the root "" contains everything).
bool IsUnder(std::string_view path, std::string_view root) {
  if (root.empty()) return true;
  if (path.size() < root.size() || path.compare(0, root.size(), root) != 0) return false;
  return path.size() == root.size() || path[root.size()] == '/';
}

absl::Status ValidPath(std::string_view path, bool root_ok) {
  if (path.empty()) {
    return root_ok ? absl::OkStatus() : absl::InvalidArgumentError("empty path");
  }
  if (path.front() == '/' || path.back() == '/')
    return absl::InvalidArgumentError(absl::StrCat("bad path: ", Av(path)));
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    std::string_view part = path.substr(start, end - start);
    if (part.empty() || part == "." || part == "..")
      return absl::InvalidArgumentError(absl::StrCat("bad path: ", Av(path)));
    start = end + 1;
  }
  return absl::OkStatus();
}

// Applies a directory-entry change to a namespace; false (and no change) if it no longer fits
// (a crash dropped an earlier change it depended on).
bool ApplyMeta(SimDisk::Namespace& ns, const SimDisk::MetaOp& op) {
  using Type = SimDisk::MetaOp::Type;
  auto parent_ok = [&ns](std::string_view path) {
    std::string_view parent = Parent(path);
    if (parent.empty()) return true;
    auto it = ns.find(parent);
    return it != ns.end() && it->second.dir;
  };
  auto erase_tree = [&ns](std::string_view root) {
    for (auto it = ns.lower_bound(root); it != ns.end() && IsUnder(it->first, root);)
      it = ns.erase(it);
  };
  switch (op.type) {
    case Type::kCreate:
    case Type::kMkdir:
      if (!parent_ok(op.path) || ns.contains(op.path)) return false;
      ns[op.path] = SimDisk::Entry{op.type == Type::kMkdir, op.inode};
      return true;
    case Type::kRemove:
      return ns.erase(op.path) > 0;
    case Type::kRemoveAll:
      if (!ns.contains(op.path)) return false;
      erase_tree(op.path);
      return true;
    case Type::kRename: {
      auto it = ns.find(op.path);
      if (it == ns.end() || !parent_ok(op.to)) return false;
      std::vector<std::pair<std::string, SimDisk::Entry>> moved;
      for (auto jt = it; jt != ns.end() && IsUnder(jt->first, op.path); ++jt)
        moved.emplace_back(op.to + jt->first.substr(op.path.size()), jt->second);
      erase_tree(op.path);
      erase_tree(op.to);
      for (auto& [path, entry] : moved) ns[path] = entry;
      return true;
    }
  }
  return false;
}

const char* MetaName(SimDisk::MetaOp::Type type) {
  switch (type) {
    case SimDisk::MetaOp::Type::kCreate: return "create";
    case SimDisk::MetaOp::Type::kMkdir: return "mkdir";
    case SimDisk::MetaOp::Type::kRename: return "rename";
    case SimDisk::MetaOp::Type::kRemove: return "remove";
    case SimDisk::MetaOp::Type::kRemoveAll: return "remove-all";
  }
  return "?";
}

}  // namespace

SimDisk::SimDisk(std::string owner, SharingMode sharing, uint64_t block_bytes)
    : owner_(std::move(owner)), sharing_(sharing), block_bytes_(block_bytes == 0 ? 1 : block_bytes) {}

// --- handles ---

const SimDisk::Handle* SimDisk::FindHandle(uint64_t handle) const {
  auto it = handles_.find(handle);
  return it == handles_.end() ? nullptr : &it->second;
}

SimDisk::Inode* SimDisk::WritableInode(uint64_t handle, absl::Status* error) {
  const Handle* h = FindHandle(handle);
  if (h == nullptr) {
    *error = absl::FailedPreconditionError("file handle is closed");
    return nullptr;
  }
  if (!h->write) {
    *error = absl::FailedPreconditionError(absl::StrCat(h->path, " is not open for writing"));
    return nullptr;
  }
  return &inodes_[h->inode];
}

absl::Status SimDisk::CheckParent(std::string_view path) const {
  std::string_view parent = Parent(path);
  if (parent.empty()) return absl::OkStatus();
  auto it = live_.find(parent);
  if (it == live_.end()) return absl::NotFoundError(absl::StrCat("no such directory: ", Av(parent)));
  if (!it->second.dir)
    return absl::FailedPreconditionError(absl::StrCat("not a directory: ", Av(parent)));
  return absl::OkStatus();
}

absl::StatusOr<uint64_t> SimDisk::Open(std::string_view path, const model::OpenOptions& options,
                                       std::string holder) {
  RETURN_IF_ERROR(ValidPath(path, false));
  if ((options.create || options.truncate) && !options.write)
    return absl::InvalidArgumentError("create/truncate require write");
  RETURN_IF_ERROR(CheckParent(path));
  auto it = live_.find(path);
  uint64_t inode = 0;
  if (it != live_.end()) {
    if (it->second.dir) return absl::FailedPreconditionError(absl::StrCat(Av(path), " is a directory"));
    if (options.create && options.exclusive)
      return absl::AlreadyExistsError(absl::StrCat(Av(path), " exists"));
    inode = it->second.inode;
  } else {
    if (!options.create) return absl::NotFoundError(absl::StrCat("no such file: ", Av(path)));
    inode = next_inode_++;
    inodes_[inode] = Inode{};
    MetaOp op;
    op.type = MetaOp::Type::kCreate;
    op.path = std::string(path);
    op.inode = inode;
    Journal(std::move(op));
  }
  if (options.truncate) {
    Inode& node = inodes_[inode];
    MarkChanged(node, 0, std::max(node.data.size(), node.synced.size()));
    node.data.clear();
    RecheckDirty(node);
  }
  const uint64_t handle = next_handle_++;
  handles_[handle] =
      Handle{inode, std::string(path), options.write, options.share_delete, std::move(holder)};
  return handle;
}

void SimDisk::MarkChanged(Inode& node, uint64_t lo, uint64_t hi) {
  node.dirty_lo = std::min(node.dirty_lo, lo);
  node.dirty_hi = std::max(node.dirty_hi, hi);
}

// dirty = (data != synced), comparing only the changed range (bytes outside it are equal).
void SimDisk::RecheckDirty(Inode& node) {
  if (node.data.size() != node.synced.size()) {
    node.dirty = true;
    return;
  }
  const uint64_t hi = std::min<uint64_t>(node.dirty_hi, node.data.size());
  node.dirty = node.dirty_lo < hi &&
               node.data.compare(node.dirty_lo, hi - node.dirty_lo, node.synced, node.dirty_lo,
                                 hi - node.dirty_lo) != 0;
}

absl::StatusOr<std::string> SimDisk::Read(uint64_t handle, uint64_t offset, size_t n) const {
  const Handle* h = FindHandle(handle);
  if (h == nullptr) return absl::FailedPreconditionError("file handle is closed");
  const std::string& data = inodes_.at(h->inode).data;
  if (offset >= data.size()) return std::string();
  return data.substr(offset, n);
}

absl::Status SimDisk::Write(uint64_t handle, uint64_t offset, std::string_view bytes) {
  absl::Status error;
  Inode* node = WritableInode(handle, &error);
  if (node == nullptr) return error;
  MarkChanged(*node, std::min<uint64_t>(offset, node->data.size()), offset + bytes.size());
  if (node->data.size() < offset + bytes.size()) node->data.resize(offset + bytes.size(), '\0');
  node->data.replace(offset, bytes.size(), bytes.data(), bytes.size());
  RecheckDirty(*node);
  return absl::OkStatus();
}

absl::Status SimDisk::Append(uint64_t handle, std::string_view bytes) {
  absl::Status error;
  Inode* node = WritableInode(handle, &error);
  if (node == nullptr) return error;
  MarkChanged(*node, node->data.size(), node->data.size() + bytes.size());
  node->data.append(bytes.data(), bytes.size());
  RecheckDirty(*node);
  return absl::OkStatus();
}

absl::Status SimDisk::Truncate(uint64_t handle, uint64_t size) {
  absl::Status error;
  Inode* node = WritableInode(handle, &error);
  if (node == nullptr) return error;
  MarkChanged(*node, std::min<uint64_t>(size, node->data.size()),
              std::max<uint64_t>({size, node->data.size(), node->synced.size()}));
  node->data.resize(size, '\0');
  RecheckDirty(*node);
  return absl::OkStatus();
}

absl::Status SimDisk::Sync(uint64_t handle) {
  const Handle* h = FindHandle(handle);
  if (h == nullptr) return absl::FailedPreconditionError("file handle is closed");
  Inode& node = inodes_[h->inode];
  // Only the changed range differs: copy that (a whole-file copy per sync made SQLite's WAL
  // syncs quadratic in the file's size).
  node.synced.resize(node.data.size());
  const uint64_t hi = std::min<uint64_t>(node.dirty_hi, node.data.size());
  if (node.dirty_lo < hi)
    node.synced.replace(node.dirty_lo, hi - node.dirty_lo, node.data, node.dirty_lo, hi - node.dirty_lo);
  node.dirty = false;
  node.dirty_lo = UINT64_MAX;
  node.dirty_hi = 0;
  CommitJournal();
  return absl::OkStatus();
}

void SimDisk::CommitJournal() {
  // Committed changes form a prefix of the journal: stop at the first one already committed from
  // the end.
  for (auto it = journal_.rbegin(); it != journal_.rend() && !it->committed; ++it) it->committed = true;
}

absl::StatusOr<uint64_t> SimDisk::Size(uint64_t handle) const {
  const Handle* h = FindHandle(handle);
  if (h == nullptr) return absl::FailedPreconditionError("file handle is closed");
  return static_cast<uint64_t>(inodes_.at(h->inode).data.size());
}

absl::Status SimDisk::Close(uint64_t handle) {
  if (handles_.erase(handle) == 0) return absl::FailedPreconditionError("file handle is closed");
  return absl::OkStatus();
}

// --- namespace ---

absl::Status SimDisk::CheckSharing(std::string_view op, std::string_view path) const {
  if (sharing_ != SharingMode::kWindows) return absl::OkStatus();
  for (auto it = live_.lower_bound(path); it != live_.end() && IsUnder(it->first, path); ++it) {
    if (it->second.dir) continue;
    for (const auto& [id, h] : handles_) {
      if (h.inode != it->second.inode || h.share_delete) continue;
      return absl::PermissionDeniedError(
          absl::StrCat("sharing violation: ", Av(op), " ", Av(path), ": ", it->first,
                       " is open by ", h.holder, " (handle ", id, ", no share_delete)"));
    }
  }
  return absl::OkStatus();
}

void SimDisk::Journal(MetaOp op) {
  op.pending_dirs.emplace_back(Parent(op.path));
  if (op.type == MetaOp::Type::kRename && Parent(op.to) != Parent(op.path))
    op.pending_dirs.emplace_back(Parent(op.to));
  const bool applied = ApplyMeta(live_, op);
  assert(applied);
  (void)applied;
  journal_.push_back(std::move(op));
}

absl::Status SimDisk::Rename(std::string_view from, std::string_view to) {
  RETURN_IF_ERROR(ValidPath(from, false));
  RETURN_IF_ERROR(ValidPath(to, false));
  auto src = live_.find(from);
  if (src == live_.end()) return absl::NotFoundError(absl::StrCat("no such file: ", Av(from)));
  RETURN_IF_ERROR(CheckParent(to));
  if (from == to) return absl::OkStatus();
  if (IsUnder(to, from))
    return absl::InvalidArgumentError(absl::StrCat("cannot move ", Av(from), " into itself"));
  auto dst = live_.find(to);
  if (dst != live_.end() && (dst->second.dir || src->second.dir))
    return absl::FailedPreconditionError(absl::StrCat("rename over ", Av(to), ": kinds differ or a directory"));
  RETURN_IF_ERROR(CheckSharing(absl::StrCat("rename ", Av(from), " ->"), to));
  RETURN_IF_ERROR(CheckSharing("rename", from));
  MetaOp op;
  op.type = MetaOp::Type::kRename;
  op.path = std::string(from);
  op.to = std::string(to);
  Journal(std::move(op));
  return absl::OkStatus();
}

absl::Status SimDisk::Remove(std::string_view path) {
  RETURN_IF_ERROR(ValidPath(path, false));
  auto it = live_.find(path);
  if (it == live_.end()) return absl::NotFoundError(absl::StrCat("no such file: ", Av(path)));
  if (it->second.dir) {
    auto next = std::next(it);
    if (next != live_.end() && IsUnder(next->first, path))
      return absl::FailedPreconditionError(absl::StrCat("directory not empty: ", Av(path)));
  }
  RETURN_IF_ERROR(CheckSharing("remove", path));
  MetaOp op;
  op.type = MetaOp::Type::kRemove;
  op.path = std::string(path);
  Journal(std::move(op));
  return absl::OkStatus();
}

absl::Status SimDisk::CreateDir(std::string_view path) {
  RETURN_IF_ERROR(ValidPath(path, false));
  RETURN_IF_ERROR(CheckParent(path));
  if (live_.contains(path)) return absl::AlreadyExistsError(absl::StrCat(Av(path), " exists"));
  MetaOp op;
  op.type = MetaOp::Type::kMkdir;
  op.path = std::string(path);
  Journal(std::move(op));
  return absl::OkStatus();
}

absl::Status SimDisk::RemoveAll(std::string_view path) {
  if (path.empty()) return absl::InvalidArgumentError("RemoveAll of the root");
  RETURN_IF_ERROR(ValidPath(path, false));
  if (!live_.contains(path)) return absl::NotFoundError(absl::StrCat("no such path: ", Av(path)));
  RETURN_IF_ERROR(CheckSharing("remove-all", path));
  MetaOp op;
  op.type = MetaOp::Type::kRemoveAll;
  op.path = std::string(path);
  Journal(std::move(op));
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::string>> SimDisk::List(std::string_view dir) const {
  RETURN_IF_ERROR(ValidPath(dir, true));
  if (!dir.empty()) {
    auto it = live_.find(dir);
    if (it == live_.end()) return absl::NotFoundError(absl::StrCat("no such directory: ", Av(dir)));
    if (!it->second.dir) return absl::FailedPreconditionError(absl::StrCat("not a directory: ", Av(dir)));
  }
  std::vector<std::string> names;  // btree order is byte order, so names come out sorted
  for (auto it = live_.lower_bound(dir); it != live_.end() && IsUnder(it->first, dir); ++it) {
    if (it->first == dir) continue;
    if (Parent(it->first) == dir) names.emplace_back(BaseName(it->first));
  }
  std::sort(names.begin(), names.end());
  return names;
}

bool SimDisk::Exists(std::string_view path) const { return path.empty() || live_.contains(path); }

absl::Status SimDisk::SyncDir(std::string_view dir) {
  RETURN_IF_ERROR(ValidPath(dir, true));
  if (!dir.empty()) {
    auto it = live_.find(dir);
    if (it == live_.end()) return absl::NotFoundError(absl::StrCat("no such directory: ", Av(dir)));
    if (!it->second.dir) return absl::FailedPreconditionError(absl::StrCat("not a directory: ", Av(dir)));
  }
  CommitJournal();
  for (MetaOp& op : journal_)
    std::erase(op.pending_dirs, std::string(dir));
  // Fold the durable prefix of the journal into the durable namespace.
  size_t n = 0;
  while (n < journal_.size() && journal_[n].pending_dirs.empty()) {
    ApplyMeta(durable_, journal_[n]);
    ++n;
  }
  journal_.erase(journal_.begin(), journal_.begin() + static_cast<ptrdiff_t>(n));
  return absl::OkStatus();
}

std::optional<std::string> SimDisk::Contents(std::string_view path) const {
  auto it = live_.find(path);
  if (it == live_.end() || it->second.dir) return std::nullopt;
  return inodes_.at(it->second.inode).data;
}

// --- crash ---

std::string SimDisk::Survive(const Inode& node, DiskDurability mode, Decisions& decisions,
                             std::string* how) const {
  how->clear();
  if (!node.dirty || mode == DiskDurability::kDurable) return node.data;
  // The first block where new and synced data differ: everything before it survives anyway.
  // Bytes before dirty_lo are equal (see Inode), so the scan starts there.
  const size_t shorter = std::min(node.data.size(), node.synced.size());
  size_t common = std::min<uint64_t>(node.dirty_lo, shorter);
  while (common < shorter && node.data[common] == node.synced[common]) ++common;
  const uint64_t first = common / block_bytes_ * block_bytes_;
  const uint64_t end = std::max(node.data.size(), node.synced.size());
  const uint64_t blocks = (end - first + block_bytes_ - 1) / block_bytes_;
  // New data before `cut`, synced data from it on.
  auto splice = [&node](uint64_t cut) {
    std::string out = node.data.substr(0, std::min<uint64_t>(cut, node.data.size()));
    if (node.synced.size() > cut) out.append(node.synced, cut);
    return out;
  };
  // Only appended since the last sync: the synced data is a prefix of the data.
  const bool append = node.data.size() > node.synced.size() && common == node.synced.size();
  if (mode == DiskDurability::kExt4Ordered) {
    // Value v: v blocks of changes lost from the end (0 = all kept).
    const uint64_t lost = decisions.Uniform(blocks + 1, DecisionKind::kDisk);
    if (lost == 0) return node.data;
    const uint64_t cut = first + (blocks - lost) * block_bytes_;
    *how = absl::StrCat("cut at ", cut,
                        append ? " (a block-aligned tail of unsynced appends lost)"
                               : " (unsynced changes from that block boundary on lost)");
    return splice(cut);
  }
  uint64_t choice = 1;  // kDropUnsynced: lose everything since the last sync
  if (mode == DiskDurability::kRandom) choice = decisions.Uniform(3, DecisionKind::kDisk);
  if (choice == 0) return node.data;  // the page cache happened to be written back
  if (choice == 1) {
    *how = append ? absl::StrCat("cut at ", node.synced.size(),
                                 " (unsynced appends lost, back to the last sync)")
                  : "rolled back to its last sync (unsynced changes lost)";
    return node.synced;
  }
  // Torn: blocks before a boundary hold the new data, blocks after it the old.
  const uint64_t cut = first + decisions.Uniform(blocks, DecisionKind::kDisk) * block_bytes_;
  *how = absl::StrCat("torn at ", cut, " (new data before, synced data after)");
  return splice(cut);
}

std::vector<std::string> SimDisk::Crash(DiskDurability mode, Decisions& decisions) {
  std::vector<std::string> losses;
  handles_.clear();
  // Directory entries: replay the journal over the durable namespace, keeping each change that is
  // durable, and each other one as the mode says.
  Namespace ns = durable_;
  size_t ext4_keep = journal_.size();  // ext4: the committed changes, then a prefix of the rest
  if (mode == DiskDurability::kExt4Ordered) {
    size_t committed = 0;
    while (committed < journal_.size() && journal_[committed].committed) ++committed;
    const size_t lost = decisions.Uniform(journal_.size() - committed + 1, DecisionKind::kDisk);
    ext4_keep = journal_.size() - lost;
  }
  for (size_t i = 0; i < journal_.size(); ++i) {
    const MetaOp& op = journal_[i];
    bool keep = false;
    std::string why;
    switch (mode) {
      case DiskDurability::kDurable: keep = true; break;
      case DiskDurability::kExt4Ordered:
        keep = i < ext4_keep;
        why = "not committed by any later fsync; lost with the journal's tail";
        break;
      case DiskDurability::kDropUnsynced:
      case DiskDurability::kRandom:
        keep = op.pending_dirs.empty() ||
               (mode == DiskDurability::kRandom && decisions.Bernoulli(0.5, DecisionKind::kDisk));
        if (!op.pending_dirs.empty()) {
          const std::string& dir = op.pending_dirs.front();
          why = absl::StrCat("directory ", dir.empty() ? "(root)" : dir, " not synced after it");
        }
        break;
    }
    if (keep && ApplyMeta(ns, op)) continue;
    if (keep) why = "no longer applies after an earlier change rolled back";
    losses.push_back(absl::StrCat("entry ", MetaName(op.type), " ", op.path,
                                  op.to.empty() ? "" : " -> ", op.to, ": rolled back (", why, ")"));
  }
  live_ = ns;
  durable_ = std::move(ns);
  journal_.clear();
  // File data, for inodes still reachable (others are gone with their last handle).
  absl::btree_map<uint64_t, std::string> reachable;  // inode -> a path, for messages
  for (const auto& [path, entry] : live_)
    if (!entry.dir && !reachable.contains(entry.inode)) reachable[entry.inode] = path;
  for (auto it = inodes_.begin(); it != inodes_.end();) {
    auto path = reachable.find(it->first);
    if (path == reachable.end()) {
      it = inodes_.erase(it);
      continue;
    }
    Inode& node = it->second;
    const size_t before = node.data.size();
    std::string how;
    std::string after = Survive(node, mode, decisions, &how);
    if (!how.empty())
      losses.push_back(absl::StrCat("data ", path->second, ": ", how, "; ", before, " -> ",
                                    after.size(), " bytes"));
    node.data = after;
    node.synced = std::move(after);
    node.dirty = false;
    node.dirty_lo = UINT64_MAX;
    node.dirty_hi = 0;
    ++it;
  }
  return losses;
}

}  // namespace seedbed
