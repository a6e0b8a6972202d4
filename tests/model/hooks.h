// Test-only decorators that script a schedule on the real backend: an ObjectStore whose puts can
// be delayed, failed, or made ambiguous per path; a FileSystem with Windows sharing (rename or
// remove of a file open without share_delete fails kPermissionDenied); a one-shot latch.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "model/env/file_system.h"
#include "model/env/object_store.h"
#include "model/env/status.h"

namespace model_test {

class Latch {
 public:
  void Open() {
    std::lock_guard<std::mutex> lock(mu_);
    open_ = true;
    cv_.notify_all();
  }
  // True if opened within timeout_ms.
  bool Wait(int timeout_ms) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, std::chrono::milliseconds(timeout_ms), [&] { return open_; });
  }
  bool is_open() {
    std::lock_guard<std::mutex> lock(mu_);
    return open_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = false;
};

class HookStore final : public model::ObjectStore {
 public:
  explicit HookStore(model::ObjectStore& base) : base_(base) {}
  // Before a put: may block; a returned status is injected instead of the put (not applied).
  std::function<std::optional<absl::Status>(const std::string& path)> before_put;
  // After a put applied (or failed): may replace what the caller sees.
  std::function<absl::StatusOr<uint64_t>(const std::string& path, absl::StatusOr<uint64_t>)>
      after_put;

  absl::StatusOr<uint64_t> Put(std::string_view path, std::string bytes,
                               model::PutOptions options) override {
    const std::string p(path);
    if (before_put) {
      if (std::optional<absl::Status> injected = before_put(p)) return *injected;
    }
    absl::StatusOr<uint64_t> r = base_.Put(path, std::move(bytes), options);
    return after_put ? after_put(p, r) : r;
  }
  absl::StatusOr<model::GetResult> Get(std::string_view path) override { return base_.Get(path); }
  absl::StatusOr<model::ObjectMeta> Head(std::string_view path) override {
    return base_.Head(path);
  }
  absl::Status Delete(std::string_view path) override { return base_.Delete(path); }
  absl::StatusOr<std::vector<model::ObjectMeta>> List(std::string_view prefix,
                                                      std::string_view start_after) override {
    return base_.List(prefix, start_after);
  }

 private:
  model::ObjectStore& base_;
};

// Windows sharing on top of a real FileSystem (files opened the Go way, without FILE_SHARE_DELETE).
class WindowsSharingFs final : public model::FileSystem {
 public:
  explicit WindowsSharingFs(model::FileSystem& base) : base_(base) {}

  absl::StatusOr<std::unique_ptr<model::File>> Open(std::string_view path,
                                                    model::OpenOptions options) override {
    auto file = base_.Open(path, options);
    if (!file.ok() || options.share_delete) return file;
    const std::string p(path);
    {
      std::lock_guard<std::mutex> lock(state_->mu);
      ++state_->open[p];
    }
    return std::unique_ptr<model::File>(new TrackedFile(std::move(*file), state_, p));
  }
  absl::Status Rename(std::string_view from, std::string_view to) override {
    RETURN_IF_ERROR(CheckNotOpen(from));
    RETURN_IF_ERROR(CheckNotOpen(to));
    return base_.Rename(from, to);
  }
  absl::Status Remove(std::string_view path) override {
    RETURN_IF_ERROR(CheckNotOpen(path));
    return base_.Remove(path);
  }
  absl::Status CreateDir(std::string_view path) override { return base_.CreateDir(path); }
  absl::Status RemoveAll(std::string_view path) override { return base_.RemoveAll(path); }
  absl::StatusOr<std::vector<std::string>> List(std::string_view dir) override {
    return base_.List(dir);
  }
  absl::StatusOr<bool> Exists(std::string_view path) override { return base_.Exists(path); }
  absl::Status SyncDir(std::string_view dir) override { return base_.SyncDir(dir); }

 private:
  struct State {
    std::mutex mu;
    std::map<std::string, int> open;
  };
  class TrackedFile final : public model::File {
   public:
    TrackedFile(std::unique_ptr<model::File> f, std::shared_ptr<State> s, std::string p)
        : f_(std::move(f)), s_(std::move(s)), p_(std::move(p)) {}
    ~TrackedFile() override { (void)Close(); }
    absl::StatusOr<std::string> Read(uint64_t o, size_t n) override { return f_->Read(o, n); }
    absl::Status Write(uint64_t o, std::string_view d) override { return f_->Write(o, d); }
    absl::Status Append(std::string_view d) override { return f_->Append(d); }
    absl::Status Truncate(uint64_t n) override { return f_->Truncate(n); }
    absl::Status Sync() override { return f_->Sync(); }
    absl::StatusOr<uint64_t> Size() override { return f_->Size(); }
    absl::Status Close() override {
      if (!closed_) {
        closed_ = true;
        std::lock_guard<std::mutex> lock(s_->mu);
        if (--s_->open[p_] == 0) s_->open.erase(p_);
      }
      return f_->Close();
    }

   private:
    std::unique_ptr<model::File> f_;
    std::shared_ptr<State> s_;
    std::string p_;
    bool closed_ = false;
  };

  absl::Status CheckNotOpen(std::string_view path) {
    std::lock_guard<std::mutex> lock(state_->mu);
    if (state_->open.count(std::string(path)))
      return absl::PermissionDeniedError(
          absl::StrCat("sharing violation: ", model::Av(path), " is open"));
    return absl::OkStatus();
  }

  model::FileSystem& base_;
  std::shared_ptr<State> state_ = std::make_shared<State>();
};

}  // namespace model_test
