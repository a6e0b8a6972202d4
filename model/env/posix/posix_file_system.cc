#include "model/env/posix/posix_file_system.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "model/env/posix/posix_errors.h"
#include "model/env/status.h"

namespace model {
namespace {

using posix_internal::ErrnoStatus;
namespace fs = std::filesystem;

class PosixFile final : public File {
 public:
  PosixFile(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  ~PosixFile() override { (void)Close(); }

  absl::StatusOr<std::string> Read(uint64_t offset, size_t n) override {
    if (fd_ < 0) return Closed();
    std::string out(n, '\0');
    size_t done = 0;
    while (done < n) {
      const ssize_t got = ::pread(fd_, out.data() + done, n - done, static_cast<off_t>(offset + done));
      if (got < 0) {
        if (errno == EINTR) continue;
        return ErrnoStatus(errno, "read", path_);
      }
      if (got == 0) break;
      done += static_cast<size_t>(got);
    }
    out.resize(done);
    return out;
  }
  absl::Status Write(uint64_t offset, std::string_view data) override {
    if (fd_ < 0) return Closed();
    size_t done = 0;
    while (done < data.size()) {
      const ssize_t put = ::pwrite(fd_, data.data() + done, data.size() - done,
                                   static_cast<off_t>(offset + done));
      if (put < 0) {
        if (errno == EINTR) continue;
        return ErrnoStatus(errno, "write", path_);
      }
      done += static_cast<size_t>(put);
    }
    return absl::OkStatus();
  }
  absl::Status Append(std::string_view data) override {
    absl::StatusOr<uint64_t> size = Size();
    if (!size.ok()) return size.status();
    return Write(*size, data);
  }
  absl::Status Truncate(uint64_t size) override {
    if (fd_ < 0) return Closed();
    if (::ftruncate(fd_, static_cast<off_t>(size)) != 0) return ErrnoStatus(errno, "truncate", path_);
    return absl::OkStatus();
  }
  absl::Status Sync() override {
    if (fd_ < 0) return Closed();
    if (::fsync(fd_) != 0) return ErrnoStatus(errno, "fsync", path_);
    return absl::OkStatus();
  }
  absl::StatusOr<uint64_t> Size() override {
    if (fd_ < 0) return Closed();
    struct stat st {};
    if (::fstat(fd_, &st) != 0) return ErrnoStatus(errno, "stat", path_);
    return static_cast<uint64_t>(st.st_size);
  }
  absl::Status Close() override {
    if (fd_ < 0) return absl::OkStatus();
    const int rc = ::close(fd_);
    fd_ = -1;
    if (rc != 0) return ErrnoStatus(errno, "close", path_);
    return absl::OkStatus();
  }

 private:
  absl::Status Closed() const {
    return absl::FailedPreconditionError(absl::StrCat("file closed: ", path_));
  }
  int fd_;
  std::string path_;
};

}  // namespace

PosixFileSystem::PosixFileSystem(std::string root) : root_(std::move(root)) {
  std::error_code ec;
  fs::create_directories(root_, ec);
}

absl::StatusOr<std::string> PosixFileSystem::Resolve(std::string_view path) const {
  if (path.empty() || path == ".") return root_;
  if (path.front() == '/')
    return absl::InvalidArgumentError(absl::StrCat("absolute path '", Av(path), "'"));
  for (absl::string_view part : absl::StrSplit(Av(path), '/')) {
    if (part.empty() || part == "." || part == "..")
      return absl::InvalidArgumentError(absl::StrCat("bad path '", Av(path), "'"));
  }
  return absl::StrCat(root_, "/", Av(path));
}

absl::StatusOr<std::unique_ptr<File>> PosixFileSystem::Open(std::string_view path,
                                                            OpenOptions options) {
  if (options.create && !options.write)
    return absl::InvalidArgumentError("OpenOptions.create requires write");
  if (options.truncate && !options.write)
    return absl::InvalidArgumentError("OpenOptions.truncate requires write");
  auto real = Resolve(path);
  if (!real.ok()) return real.status();
  int flags = (options.write ? O_RDWR : O_RDONLY) | O_CLOEXEC;
  if (options.create) flags |= O_CREAT;
  if (options.create && options.exclusive) flags |= O_EXCL;
  if (options.truncate) flags |= O_TRUNC;
  const int fd = ::open(real->c_str(), flags, 0644);
  if (fd < 0) return ErrnoStatus(errno, "open", path);
  struct stat st {};
  if (::fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
    ::close(fd);
    return absl::FailedPreconditionError(absl::StrCat("is a directory: ", Av(path)));
  }
  return std::unique_ptr<File>(new PosixFile(fd, std::string(path)));
}

absl::Status PosixFileSystem::Rename(std::string_view from, std::string_view to) {
  auto real_from = Resolve(from);
  if (!real_from.ok()) return real_from.status();
  auto real_to = Resolve(to);
  if (!real_to.ok()) return real_to.status();
  if (::rename(real_from->c_str(), real_to->c_str()) != 0)
    return ErrnoStatus(errno, "rename", absl::StrCat(Av(from), " -> ", Av(to)));
  return absl::OkStatus();
}

absl::Status PosixFileSystem::Remove(std::string_view path) {
  auto real = Resolve(path);
  if (!real.ok()) return real.status();
  struct stat st {};
  if (::lstat(real->c_str(), &st) == 0 && S_ISDIR(st.st_mode))
    return absl::FailedPreconditionError(absl::StrCat("is a directory: ", Av(path)));
  if (::unlink(real->c_str()) != 0) return ErrnoStatus(errno, "remove", path);
  return absl::OkStatus();
}

absl::Status PosixFileSystem::CreateDir(std::string_view path) {
  auto real = Resolve(path);
  if (!real.ok()) return real.status();
  if (::mkdir(real->c_str(), 0755) != 0) return ErrnoStatus(errno, "mkdir", path);
  return absl::OkStatus();
}

absl::Status PosixFileSystem::RemoveAll(std::string_view path) {
  if (path.empty() || path == ".") return absl::InvalidArgumentError("RemoveAll of the root");
  auto real = Resolve(path);
  if (!real.ok()) return real.status();
  std::error_code ec;
  if (!fs::exists(*real, ec)) return absl::NotFoundError(absl::StrCat("no such path: ", Av(path)));
  fs::remove_all(*real, ec);
  if (ec) return ErrnoStatus(ec.value(), "remove_all", path);
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::string>> PosixFileSystem::List(std::string_view dir) {
  auto real = Resolve(dir);
  if (!real.ok()) return real.status();
  std::error_code ec;
  fs::directory_iterator it(*real, ec), end;
  if (ec) return ErrnoStatus(ec.value(), "list", dir);
  std::vector<std::string> names;
  for (; it != end; it.increment(ec)) {
    if (ec) return ErrnoStatus(ec.value(), "list", dir);
    names.push_back(it->path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

absl::StatusOr<bool> PosixFileSystem::Exists(std::string_view path) {
  auto real = Resolve(path);
  if (!real.ok()) return real.status();
  struct stat st {};
  if (::lstat(real->c_str(), &st) == 0) return true;
  if (errno == ENOENT) return false;
  return ErrnoStatus(errno, "stat", path);
}

absl::Status PosixFileSystem::SyncDir(std::string_view dir) {
  auto real = Resolve(dir);
  if (!real.ok()) return real.status();
  const int fd = ::open(real->c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus(errno, "open dir", dir);
  const int rc = ::fsync(fd);
  const int err = errno;
  ::close(fd);
  if (rc != 0) return ErrnoStatus(err, "fsync dir", dir);
  return absl::OkStatus();
}

}  // namespace model
