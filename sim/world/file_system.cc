// The model::FileSystem / model::File views of a SimDisk (declared in sim/world/disk.h).
#include <utility>

#include "absl/strings/str_cat.h"
#include "model/env/status.h"
#include "sim/world/disk.h"
#include "sim/world/status_names.h"

namespace seedbed {
namespace {

using model::Av;

std::string HolderLabel(WorldCore& core) {
  if (!core.InTask()) return "kernel";
  Kernel& k = core.kernel();
  const TaskId t = k.current_task();
  return absl::StrCat(k.process(k.task_process(t)).name(), "/", k.task_name(t));
}

class SimFile final : public model::File {
 public:
  SimFile(SimFileSystem& fs, uint64_t handle, std::string path)
      : fs_(fs), handle_(handle), path_(std::move(path)) {}
  ~SimFile() override {
    // No yield in a destructor: close at once (a crash may already have closed the handle).
    if (!closed_) (void)fs_.disk().Close(handle_);
  }

  absl::StatusOr<std::string> Read(uint64_t offset, size_t n) override {
    const std::string what = absl::StrCat("read ", path_, " @", offset, " n=", n);
    RETURN_IF_ERROR(fs_.Before(OpKind::kDiskRead, what));
    absl::StatusOr<std::string> data = fs_.disk().Read(handle_, offset, n);
    fs_.Done(what, data.status(), data.ok() ? absl::StrCat(data->size(), "B") : "");
    return data;
  }
  absl::Status Write(uint64_t offset, std::string_view data) override {
    const std::string what = absl::StrCat("write ", path_, " @", offset, " ", data.size(), "B");
    RETURN_IF_ERROR(fs_.Before(OpKind::kDiskWrite, what));
    absl::Status s = fs_.disk().Write(handle_, offset, data);
    fs_.Done(what, s);
    return s;
  }
  absl::Status Append(std::string_view data) override {
    const std::string what = absl::StrCat("append ", path_, " ", data.size(), "B");
    RETURN_IF_ERROR(fs_.Before(OpKind::kDiskWrite, what));
    absl::Status s = fs_.disk().Append(handle_, data);
    fs_.Done(what, s);
    return s;
  }
  absl::Status Truncate(uint64_t size) override {
    const std::string what = absl::StrCat("truncate ", path_, " ", size);
    RETURN_IF_ERROR(fs_.Before(OpKind::kDiskWrite, what));
    absl::Status s = fs_.disk().Truncate(handle_, size);
    fs_.Done(what, s);
    return s;
  }
  absl::Status Sync() override {
    const std::string what = absl::StrCat("fsync ", path_);
    RETURN_IF_ERROR(fs_.Before(OpKind::kDiskSync, what));
    absl::Status s = fs_.disk().Sync(handle_);
    fs_.Done(what, s);
    return s;
  }
  absl::StatusOr<uint64_t> Size() override {
    if (fs_.core().Doomed()) return absl::AbortedError("process crashed");
    return fs_.disk().Size(handle_);
  }
  absl::Status Close() override {
    if (closed_) return absl::OkStatus();
    closed_ = true;
    absl::Status s = fs_.disk().Close(handle_);
    if (!s.ok()) return absl::OkStatus();  // already closed by a crash: idempotent
    fs_.Done(absl::StrCat("close ", path_), s);
    return s;
  }

 private:
  SimFileSystem& fs_;
  uint64_t handle_;
  std::string path_;
  bool closed_ = false;
};

std::string OpenFlags(const model::OpenOptions& o) {
  std::string flags = o.write ? "w" : "r";
  if (o.create) flags += o.exclusive ? "+excl" : "+create";
  if (o.truncate) flags += "+trunc";
  if (o.share_delete) flags += "+share_delete";
  return flags;
}

}  // namespace

absl::Status SimFileSystem::Before(OpKind kind, std::string_view what) {
  if (core_.Doomed()) return absl::AbortedError("process crashed");
  core_.BeginOp();
  struct InFlight {
    WorldCore& core;
    uint32_t task;
    ~InFlight() { core.EndOp(task); }
  } in_flight{core_, core_.CurrentTaskId()};
  const Nanos latency_ns = core_.DrawLatency(kind);
  Kernel& k = core_.kernel();
  if (k.tracks_accesses()) {
    // `what` is "verb path ...": the file is the word after the verb, on this process's disk.
    std::string_view rest = what.substr(std::min(what.find(' '), what.size()));
    rest.remove_prefix(rest.empty() ? 0 : 1);
    const std::string_view path = rest.substr(0, rest.find(' '));
    k.WillAccess(Kernel::ResourceKey("file", absl::StrCat(disk_.owner(), ":", Av(path))), kind != OpKind::kDiskRead);
  }
  core_.Wait(latency_ns);
  if (core_.Doomed()) return absl::AbortedError("process crashed");
  if (core_.DrawError(kind)) {
    core_.TraceFault(absl::StrCat("disk ", disk_.owner(), ": ", Av(what), ": injected I/O error"));
    core_.TraceIo(absl::StrCat("disk ", Av(what), " -> Unavailable (injected)"));
    return absl::UnavailableError(absl::StrCat("injected I/O error: ", Av(what)));
  }
  return absl::OkStatus();
}

void SimFileSystem::Done(std::string_view what, const absl::Status& status,
                         std::string_view ok_detail) {
  if (status.ok()) {
    core_.TraceIo(absl::StrCat("disk ", Av(what), " -> ok", ok_detail.empty() ? "" : " ",
                               Av(ok_detail)));
  } else if (status.code() == absl::StatusCode::kPermissionDenied) {
    core_.TraceIo(absl::StrCat("disk ", Av(what), " -> PermissionDenied (", status.message(), ")"));
  } else {
    core_.TraceIo(absl::StrCat("disk ", Av(what), " -> ", CodeName(status.code())));
  }
}

absl::StatusOr<std::unique_ptr<model::File>> SimFileSystem::Open(std::string_view path,
                                                                 model::OpenOptions options) {
  const std::string what = absl::StrCat("open ", Av(path), " ", OpenFlags(options));
  RETURN_IF_ERROR(Before(OpKind::kDiskOpen, what));
  absl::StatusOr<uint64_t> handle = disk_.Open(path, options, HolderLabel(core_));
  Done(what, handle.status(), handle.ok() ? absl::StrCat("h", *handle) : "");
  if (!handle.ok()) return handle.status();
  return std::unique_ptr<model::File>(new SimFile(*this, *handle, std::string(path)));
}

absl::Status SimFileSystem::Rename(std::string_view from, std::string_view to) {
  const std::string what = absl::StrCat("rename ", Av(from), " -> ", Av(to));
  RETURN_IF_ERROR(Before(OpKind::kDiskMeta, what));
  absl::Status s = disk_.Rename(from, to);
  Done(what, s);
  return s;
}

absl::Status SimFileSystem::Remove(std::string_view path) {
  const std::string what = absl::StrCat("remove ", Av(path));
  RETURN_IF_ERROR(Before(OpKind::kDiskMeta, what));
  absl::Status s = disk_.Remove(path);
  Done(what, s);
  return s;
}

absl::Status SimFileSystem::CreateDir(std::string_view path) {
  const std::string what = absl::StrCat("mkdir ", Av(path));
  RETURN_IF_ERROR(Before(OpKind::kDiskMeta, what));
  absl::Status s = disk_.CreateDir(path);
  Done(what, s);
  return s;
}

absl::Status SimFileSystem::RemoveAll(std::string_view path) {
  const std::string what = absl::StrCat("remove-all ", Av(path));
  RETURN_IF_ERROR(Before(OpKind::kDiskMeta, what));
  absl::Status s = disk_.RemoveAll(path);
  Done(what, s);
  return s;
}

absl::StatusOr<std::vector<std::string>> SimFileSystem::List(std::string_view dir) {
  const std::string what = absl::StrCat("list ", Av(dir), "/");
  RETURN_IF_ERROR(Before(OpKind::kDiskMeta, what));
  absl::StatusOr<std::vector<std::string>> names = disk_.List(dir);
  Done(what, names.status(), names.ok() ? absl::StrCat(names->size(), " entries") : "");
  return names;
}

absl::StatusOr<bool> SimFileSystem::Exists(std::string_view path) {
  const std::string what = absl::StrCat("exists ", Av(path));
  RETURN_IF_ERROR(Before(OpKind::kDiskMeta, what));
  const bool exists = disk_.Exists(path);
  Done(what, absl::OkStatus(), exists ? "yes" : "no");
  return exists;
}

absl::Status SimFileSystem::SyncDir(std::string_view dir) {
  const std::string what = absl::StrCat("fsync-dir ", Av(dir), "/");
  RETURN_IF_ERROR(Before(OpKind::kDiskSyncDir, what));
  absl::Status s = disk_.SyncDir(dir);
  Done(what, s);
  return s;
}

}  // namespace seedbed
