#include "sim/world/object_store.h"

#include <cassert>
#include <utility>

#include "absl/strings/str_cat.h"
#include "model/env/status.h"
#include "sim/world/status_names.h"

namespace seedbed {

const char* StoreOpName(StoreOpType type) {
  switch (type) {
    case StoreOpType::kPut: return "put";
    case StoreOpType::kGet: return "get";
    case StoreOpType::kHead: return "head";
    case StoreOpType::kDelete: return "delete";
    case StoreOpType::kList: return "list";
  }
  return "?";
}

const char* PutModeName(model::PutMode mode) {
  switch (mode) {
    case model::PutMode::kOverwrite: return "overwrite";
    case model::PutMode::kCreate: return "create";
    case model::PutMode::kUpdate: return "update";
  }
  return "?";
}

// --- state machine ---

absl::StatusOr<uint64_t> SimObjectStore::ApplyPut(std::string_view path,
                                                  std::shared_ptr<const std::string> bytes,
                                                  model::PutOptions options, uint64_t op,
                                                  Nanos at_ns, uint32_t process) {
  auto it = objects_.find(path);
  const bool exists = it != objects_.end();
  if (options.mode == model::PutMode::kCreate && exists)
    return absl::AlreadyExistsError(absl::StrCat(model::Av(path), " already exists"));
  if (options.mode == model::PutMode::kUpdate) {
    if (!exists)
      return absl::FailedPreconditionError(absl::StrCat(model::Av(path), " does not exist"));
    if (it->second.version != options.version)
      return absl::FailedPreconditionError(absl::StrCat(model::Av(path), " is at version ",
                                                        it->second.version, ", not ",
                                                        options.version));
  }
  const uint64_t version = next_version_++;
  const uint64_t hash = ContentHash(*bytes);
  Object object{bytes, version, hash};
  if (exists) {
    it->second = object;
  } else {
    objects_.emplace(std::string(path), object);
  }
  versions_[std::string(path)].push_back(ObjectVersion{version, false, std::move(bytes), hash, op, at_ns, process});
  Applied(path);
  return version;
}

void SimObjectStore::Applied(std::string_view path) {
  if (version_hooks_.empty()) return;
  auto it = versions_.find(path);
  for (const VersionHook& hook : version_hooks_) hook(it->first, it->second);
}

absl::StatusOr<model::GetResult> SimObjectStore::ApplyGet(std::string_view path) const {
  auto it = objects_.find(path);
  if (it == objects_.end()) return absl::NotFoundError(absl::StrCat(model::Av(path), " not found"));
  return model::GetResult{*it->second.bytes, it->second.version};
}

absl::StatusOr<model::ObjectMeta> SimObjectStore::ApplyHead(std::string_view path) const {
  auto it = objects_.find(path);
  if (it == objects_.end()) return absl::NotFoundError(absl::StrCat(model::Av(path), " not found"));
  return model::ObjectMeta{it->first, it->second.bytes->size(), it->second.version};
}

absl::Status SimObjectStore::ApplyDelete(std::string_view path, uint64_t op, Nanos at_ns,
                                         uint32_t process) {
  auto it = objects_.find(path);
  if (it == objects_.end()) return absl::NotFoundError(absl::StrCat(model::Av(path), " not found"));
  objects_.erase(it);
  versions_[std::string(path)].push_back(ObjectVersion{0, true, nullptr, 0, op, at_ns, process});
  Applied(path);
  return absl::OkStatus();
}

std::vector<model::ObjectMeta> SimObjectStore::ApplyList(std::string_view prefix,
                                                         std::string_view start_after) const {
  std::vector<model::ObjectMeta> out;
  // btree_map iterates in byte order: lower_bound at the prefix, stop at the first non-match.
  for (auto it = objects_.lower_bound(prefix); it != objects_.end(); ++it) {
    const std::string& path = it->first;
    if (path.compare(0, prefix.size(), prefix) != 0) break;
    if (!start_after.empty() && path <= start_after) continue;
    out.push_back(model::ObjectMeta{path, it->second.bytes->size(), it->second.version});
  }
  return out;
}

uint64_t SimObjectStore::Begin(StoreOpRecord record) {
  record.id = history_.size();
  history_.push_back(std::move(record));
  return history_.back().id;
}

const SimObjectStore::Object* SimObjectStore::Current(std::string_view path) const {
  auto it = objects_.find(path);
  return it == objects_.end() ? nullptr : &it->second;
}

const std::vector<ObjectVersion>& SimObjectStore::Versions(std::string_view path) const {
  static const std::vector<ObjectVersion> kNone;
  auto it = versions_.find(path);
  return it == versions_.end() ? kNone : it->second;
}

// --- one op in flight: latency, faults, the record and the trace ---

class StoreOp {
 public:
  StoreOp(ObjectStoreView& view, StoreOpRecord record, OpKind kind)
      : core_(view.core_), store_(view.store_), kind_(kind) {
    Kernel& k = core_.kernel();
    record.start_ns = k.Now();
    record.process = core_.CurrentProcessId();
    record.task = core_.CurrentTaskId();
    if (record.process != kKernelId) {
      Process& p = k.process(record.process);
      record.process_name = p.name();
      record.incarnation = p.incarnation();
    } else {
      record.process_name = "kernel";
    }
    describe_ = absl::StrCat(StoreOpName(record.type), " ", record.path);
    if (record.type == StoreOpType::kPut) {
      absl::StrAppend(&describe_, " ", PutModeName(record.mode));
      if (record.mode == model::PutMode::kUpdate)
        absl::StrAppend(&describe_, " v", record.expected_version);
    }
    if (!record.start_after.empty()) absl::StrAppend(&describe_, " after ", record.start_after);
    id_ = store_.Begin(std::move(record));
    task_ = core_.CurrentTaskId();
    core_.BeginOp();
  }

  ~StoreOp() {
    if (!done_) core_.EndOp(task_);
    if (done_ || core_.shutting_down()) return;
    // The caller's process crashed while the op was in flight: no answer, never applied later.
    StoreOpRecord& r = rec();
    r.aborted = true;
    r.code = absl::StatusCode::kAborted;
    r.end_ns = core_.kernel().Now();
    r.done = true;
    core_.TraceIo(absl::StrCat(describe_, " -> Aborted (crash", r.applied ? ", applied)" : ")"));
  }

  StoreOpRecord& rec() { return store_.mutable_record(id_); }
  uint64_t id() const { return id_; }
  Nanos now() { return core_.kernel().Now(); }

  // Waits up to the apply instant. Non-ok: the op must not apply (the record is finished).
  absl::Status BeforeApply() {
    if (core_.Doomed()) return Finish(absl::AbortedError("process crashed"), false);
    total_ns_ = core_.DrawLatency(kind_);
    // Tagged: the span is itself drawn, so the site must not depend on it (sim/decisions.h).
    constexpr uint32_t kApplyPointTag = 0x61707074;  // "appt"
    before_ns_ = total_ns_ > 0
                     ? core_.kernel().decisions().Between(0, total_ns_, DecisionKind::kLatency, kApplyPointTag)
                     : 0;
    Kernel& k = core_.kernel();
    if (k.tracks_accesses()) {
      const StoreOpType type = rec().type;
      k.WillAccess(Kernel::ResourceKey("object", rec().path), type == StoreOpType::kPut || type == StoreOpType::kDelete);
    }
    core_.Wait(before_ns_);
    if (core_.Doomed()) return Finish(absl::AbortedError("process crashed"), false);
    if (core_.DrawError(kind_)) {
      rec().injected_error = true;
      core_.TraceFault(absl::StrCat(describe_, ": injected transient error"));
      core_.Wait(total_ns_ - before_ns_);
      return Finish(absl::UnavailableError("injected: service unavailable (not applied)"), false);
    }
    return absl::OkStatus();
  }

  // Marks the instant the op took effect (or was evaluated, for reads and refused puts).
  void Applied(const absl::Status& effect, bool changed, uint64_t version) {
    StoreOpRecord& r = rec();
    r.applied_ns = now();
    r.effect_code = effect.code();
    r.applied = changed;
    r.version = version;
  }

  // After the apply: the rest of the latency, maybe an ambiguous outcome. Returns what the caller
  // sees.
  absl::Status After(absl::Status effect) {
    const bool ambiguous = core_.DrawAmbiguous(kind_);
    if (ambiguous) {
      rec().ambiguous = true;
      core_.TraceFault(absl::StrCat(describe_, ": ambiguous outcome (",
                                    effect.ok() ? "ok" : CodeName(effect.code()), " hidden)"));
    }
    core_.Wait(total_ns_ - before_ns_);
    if (core_.Doomed()) return Finish(absl::AbortedError("process crashed"), true);
    if (ambiguous)
      return Finish(absl::DeadlineExceededError("injected: timed out (the op may have applied)"),
                    true);
    return Finish(std::move(effect), true);
  }

  absl::Status Finish(absl::Status seen, bool evaluated) {
    StoreOpRecord& r = rec();
    r.done = true;
    r.end_ns = now();
    r.code = seen.code();
    r.message = std::string(seen.message());
    r.aborted = seen.code() == absl::StatusCode::kAborted;
    done_ = true;
    core_.EndOp(task_);
    std::string detail = absl::StrCat(describe_, " -> ");
    if (seen.ok()) {
      absl::StrAppend(&detail, "ok");
      if (r.type == StoreOpType::kPut || r.type == StoreOpType::kGet ||
          r.type == StoreOpType::kHead)
        absl::StrAppend(&detail, " v", r.version);
      if (r.type == StoreOpType::kList) absl::StrAppend(&detail, " ", r.listed, " objects");
    } else {
      absl::StrAppend(&detail, CodeName(seen.code()));
      if (evaluated && r.ambiguous)
        absl::StrAppend(&detail, " (ambiguous: ",
                        r.effect_code == absl::StatusCode::kOk ? "applied" : CodeName(r.effect_code),
                        r.type == StoreOpType::kPut && r.applied ? absl::StrCat(" v", r.version) : "",
                        ")");
    }
    core_.TraceIo(detail);
    return seen;
  }

 private:
  WorldCore& core_;
  SimObjectStore& store_;
  OpKind kind_;
  uint64_t id_ = 0;
  uint32_t task_ = 0;
  std::string describe_;
  Nanos total_ns_ = 0;
  Nanos before_ns_ = 0;
  bool done_ = false;
};

absl::StatusOr<uint64_t> ObjectStoreView::Put(std::string_view path, std::string bytes,
                                              model::PutOptions options) {
  auto data = std::make_shared<const std::string>(std::move(bytes));
  StoreOpRecord r;
  r.type = StoreOpType::kPut;
  r.path = std::string(path);
  r.mode = options.mode;
  r.expected_version = options.version;
  r.size = data->size();
  r.content_hash = ContentHash(*data);
  r.bytes = data;
  StoreOp op(*this, std::move(r), OpKind::kStorePut);
  RETURN_IF_ERROR(op.BeforeApply());
  absl::StatusOr<uint64_t> v =
      store_.ApplyPut(path, data, options, op.id(), op.now(), core_.CurrentProcessId());
  op.Applied(v.status(), v.ok(), v.ok() ? *v : 0);
  RETURN_IF_ERROR(op.After(v.status()));
  return v;
}

absl::StatusOr<model::GetResult> ObjectStoreView::Get(std::string_view path) {
  StoreOpRecord r;
  r.type = StoreOpType::kGet;
  r.path = std::string(path);
  StoreOp op(*this, std::move(r), OpKind::kStoreGet);
  RETURN_IF_ERROR(op.BeforeApply());
  absl::StatusOr<model::GetResult> got = store_.ApplyGet(path);
  op.Applied(got.status(), true, got.ok() ? got->version : 0);
  if (got.ok()) {
    StoreOpRecord& rec = op.rec();
    rec.size = got->bytes.size();
    rec.content_hash = ContentHash(got->bytes);
    const SimObjectStore::Object* current = store_.Current(path);
    if (current != nullptr) rec.bytes = current->bytes;
  }
  RETURN_IF_ERROR(op.After(got.status()));
  return got;
}

absl::StatusOr<model::ObjectMeta> ObjectStoreView::Head(std::string_view path) {
  StoreOpRecord r;
  r.type = StoreOpType::kHead;
  r.path = std::string(path);
  StoreOp op(*this, std::move(r), OpKind::kStoreHead);
  RETURN_IF_ERROR(op.BeforeApply());
  absl::StatusOr<model::ObjectMeta> meta = store_.ApplyHead(path);
  op.Applied(meta.status(), true, meta.ok() ? meta->version : 0);
  RETURN_IF_ERROR(op.After(meta.status()));
  return meta;
}

absl::Status ObjectStoreView::Delete(std::string_view path) {
  StoreOpRecord r;
  r.type = StoreOpType::kDelete;
  r.path = std::string(path);
  StoreOp op(*this, std::move(r), OpKind::kStoreDelete);
  RETURN_IF_ERROR(op.BeforeApply());
  absl::Status deleted = store_.ApplyDelete(path, op.id(), op.now(), core_.CurrentProcessId());
  op.Applied(deleted, deleted.ok(), 0);
  return op.After(deleted);
}

absl::StatusOr<std::vector<model::ObjectMeta>> ObjectStoreView::List(std::string_view prefix,
                                                                     std::string_view start_after) {
  StoreOpRecord r;
  r.type = StoreOpType::kList;
  r.path = std::string(prefix);
  r.start_after = std::string(start_after);
  StoreOp op(*this, std::move(r), OpKind::kStoreList);
  RETURN_IF_ERROR(op.BeforeApply());
  std::vector<model::ObjectMeta> listed = store_.ApplyList(prefix, start_after);
  op.Applied(absl::OkStatus(), true, 0);
  op.rec().listed = listed.size();
  RETURN_IF_ERROR(op.After(absl::OkStatus()));
  return listed;
}

}  // namespace seedbed
