#include "model/env/posix/posix_object_store.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <optional>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "model/env/posix/posix_errors.h"
#include "model/env/status.h"

namespace model {
namespace {

using posix_internal::ErrnoStatus;
namespace fs = std::filesystem;

constexpr char kMagic[8] = {'S', 'B', 'O', 'B', 'J', '1', '\0', '\0'};
constexpr size_t kHeaderBytes = 16;

absl::Status ValidatePath(std::string_view path) {
  if (path.empty() || path.front() == '/' || path.back() == '/')
    return absl::InvalidArgumentError(absl::StrCat("bad object path '", Av(path), "'"));
  for (absl::string_view part : absl::StrSplit(Av(path), '/')) {
    if (part.empty() || part == "." || part == "..")
      return absl::InvalidArgumentError(absl::StrCat("bad object path '", Av(path), "'"));
  }
  return absl::OkStatus();
}

absl::Status MakeParents(const std::string& file) {
  std::error_code ec;
  fs::create_directories(fs::path(file).parent_path(), ec);
  if (ec) return ErrnoStatus(ec.value(), "mkdir -p for", file);
  return absl::OkStatus();
}

absl::Status WriteAll(int fd, std::string_view data, const std::string& what) {
  size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus(errno, "write", what);
    }
    done += static_cast<size_t>(n);
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> ReadAll(int fd, const std::string& what) {
  std::string out;
  char buf[65536];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus(errno, "read", what);
    }
    if (n == 0) return out;
    out.append(buf, static_cast<size_t>(n));
  }
}

absl::Status SyncDirOf(const std::string& file) {
  const std::string dir = fs::path(file).parent_path().string();
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus(errno, "open dir", dir);
  const int rc = ::fsync(fd);
  const int err = errno;
  ::close(fd);
  if (rc != 0) return ErrnoStatus(err, "fsync dir", dir);
  return absl::OkStatus();
}

std::string EncodeHeader(uint64_t version) {
  std::string header(kMagic, sizeof(kMagic));
  for (int i = 0; i < 8; ++i) header.push_back(static_cast<char>((version >> (8 * i)) & 0xff));
  return header;
}

absl::StatusOr<uint64_t> DecodeHeader(std::string_view data, const std::string& what) {
  if (data.size() < kHeaderBytes || std::memcmp(data.data(), kMagic, sizeof(kMagic)) != 0)
    return absl::DataLossError(absl::StrCat("bad object header in ", what));
  uint64_t version = 0;
  for (int i = 0; i < 8; ++i)
    version |= uint64_t{static_cast<unsigned char>(data[8 + i])} << (8 * i);
  return version;
}

// Reads the object file: (version, bytes). kNotFound if missing.
absl::StatusOr<GetResult> ReadObject(const std::string& file, bool header_only,
                                     uint64_t* size_out) {
  const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus(errno, "open", file);
  absl::StatusOr<std::string> data;
  struct stat st {};
  if (header_only) {
    std::string head(kHeaderBytes, '\0');
    const ssize_t n = ::pread(fd, head.data(), kHeaderBytes, 0);
    const int err = errno;
    if (n < 0) {
      ::close(fd);
      return ErrnoStatus(err, "read", file);
    }
    head.resize(static_cast<size_t>(n));
    data = std::move(head);
    if (::fstat(fd, &st) != 0) st.st_size = 0;
  } else {
    data = ReadAll(fd, file);
  }
  ::close(fd);
  if (!data.ok()) return data.status();
  ASSIGN_OR_RETURN(uint64_t version, DecodeHeader(*data, file));
  GetResult result;
  result.version = version;
  if (header_only) {
    if (size_out) *size_out = static_cast<uint64_t>(st.st_size) - kHeaderBytes;
  } else {
    result.bytes = data->substr(kHeaderBytes);
    if (size_out) *size_out = result.bytes.size();
  }
  return result;
}

// An exclusive flock on a path's lock file, which also stores the last version issued.
class PathLock {
 public:
  ~PathLock() {
    if (fd_ >= 0) ::close(fd_);  // releases the flock
  }
  absl::Status Acquire(const std::string& file) {
    RETURN_IF_ERROR(MakeParents(file));
    fd_ = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0) return ErrnoStatus(errno, "open lock", file);
    while (::flock(fd_, LOCK_EX) != 0) {
      if (errno != EINTR) return ErrnoStatus(errno, "flock", file);
    }
    file_ = file;
    return absl::OkStatus();
  }
  absl::StatusOr<uint64_t> LastVersion() {
    std::string text(32, '\0');
    const ssize_t n = ::pread(fd_, text.data(), text.size(), 0);
    if (n < 0) return ErrnoStatus(errno, "read lock", file_);
    text.resize(static_cast<size_t>(n));
    uint64_t version = 0;
    if (!text.empty() && !absl::SimpleAtoi(text, &version))
      return absl::DataLossError(absl::StrCat("bad version in ", file_));
    return version;
  }
  absl::Status SetLastVersion(uint64_t version) {
    const std::string text = absl::StrCat(version);
    if (::ftruncate(fd_, 0) != 0) return ErrnoStatus(errno, "truncate lock", file_);
    if (::pwrite(fd_, text.data(), text.size(), 0) != static_cast<ssize_t>(text.size()))
      return ErrnoStatus(errno, "write lock", file_);
    if (::fsync(fd_) != 0) return ErrnoStatus(errno, "fsync lock", file_);
    return absl::OkStatus();
  }

 private:
  int fd_ = -1;
  std::string file_;
};

}  // namespace

PosixObjectStore::PosixObjectStore(std::string root) : root_(std::move(root)) {
  std::error_code ec;
  fs::create_directories(fs::path(root_) / "data", ec);
  fs::create_directories(fs::path(root_) / "locks", ec);
  fs::create_directories(fs::path(root_) / "tmp", ec);
}

absl::StatusOr<uint64_t> PosixObjectStore::Put(std::string_view path, std::string bytes,
                                               PutOptions options) {
  RETURN_IF_ERROR(ValidatePath(path));
  const std::string file = absl::StrCat(root_, "/data/", Av(path));
  PathLock lock;
  RETURN_IF_ERROR(lock.Acquire(absl::StrCat(root_, "/locks/", Av(path), ".lock")));
  ASSIGN_OR_RETURN(uint64_t last, lock.LastVersion());
  uint64_t size = 0;
  absl::StatusOr<GetResult> current = ReadObject(file, /*header_only=*/true, &size);
  if (!current.ok() && !absl::IsNotFound(current.status())) return current.status();
  if (current.ok()) last = std::max(last, current->version);  // a put that died before recording
  if (options.mode == PutMode::kCreate && current.ok())
    return absl::AlreadyExistsError(absl::StrCat("object exists: ", Av(path)));
  if (options.mode == PutMode::kUpdate) {
    if (!current.ok())
      return absl::FailedPreconditionError(absl::StrCat("update of missing object: ", Av(path)));
    if (current->version != options.version)
      return absl::FailedPreconditionError(absl::StrCat("version mismatch on ", Av(path), ": stored ",
                                                        current->version, ", expected ",
                                                        options.version));
  }
  const uint64_t version = last + 1;
  RETURN_IF_ERROR(MakeParents(file));
  std::string temp = absl::StrCat(root_, "/tmp/put.XXXXXX");
  const int fd = ::mkstemp(temp.data());
  if (fd < 0) return ErrnoStatus(errno, "mkstemp", temp);
  absl::Status status = WriteAll(fd, EncodeHeader(version), temp);
  if (status.ok()) status = WriteAll(fd, bytes, temp);
  if (status.ok() && ::fsync(fd) != 0) status = ErrnoStatus(errno, "fsync", temp);
  ::close(fd);
  if (status.ok()) {
    if (options.mode == PutMode::kCreate) {
      if (::link(temp.c_str(), file.c_str()) != 0) status = ErrnoStatus(errno, "link", file);
      ::unlink(temp.c_str());
    } else if (::rename(temp.c_str(), file.c_str()) != 0) {
      status = ErrnoStatus(errno, "rename", file);
    }
  }
  if (!status.ok()) {
    ::unlink(temp.c_str());
    return status;
  }
  RETURN_IF_ERROR(SyncDirOf(file));
  RETURN_IF_ERROR(lock.SetLastVersion(version));
  return version;
}

absl::StatusOr<GetResult> PosixObjectStore::Get(std::string_view path) {
  RETURN_IF_ERROR(ValidatePath(path));
  return ReadObject(absl::StrCat(root_, "/data/", Av(path)), /*header_only=*/false, nullptr);
}

absl::StatusOr<ObjectMeta> PosixObjectStore::Head(std::string_view path) {
  RETURN_IF_ERROR(ValidatePath(path));
  ObjectMeta meta;
  ASSIGN_OR_RETURN(GetResult head,
                   ReadObject(absl::StrCat(root_, "/data/", Av(path)), /*header_only=*/true,
                              &meta.size));
  meta.path = std::string(path);
  meta.version = head.version;
  return meta;
}

absl::Status PosixObjectStore::Delete(std::string_view path) {
  RETURN_IF_ERROR(ValidatePath(path));
  const std::string file = absl::StrCat(root_, "/data/", Av(path));
  PathLock lock;
  RETURN_IF_ERROR(lock.Acquire(absl::StrCat(root_, "/locks/", Av(path), ".lock")));
  uint64_t size = 0;
  absl::StatusOr<GetResult> current = ReadObject(file, /*header_only=*/true, &size);
  if (current.ok()) {  // keep the version counter past what is deleted
    ASSIGN_OR_RETURN(uint64_t last, lock.LastVersion());
    if (current->version > last) RETURN_IF_ERROR(lock.SetLastVersion(current->version));
  }
  if (::unlink(file.c_str()) != 0) return ErrnoStatus(errno, "delete", file);
  return SyncDirOf(file);
}

absl::StatusOr<std::vector<ObjectMeta>> PosixObjectStore::List(std::string_view prefix,
                                                               std::string_view start_after) {
  const std::string data_root = absl::StrCat(root_, "/data");
  const size_t slash = prefix.rfind('/');
  const std::string dir = slash == std::string_view::npos
                              ? data_root
                              : absl::StrCat(data_root, "/", Av(prefix.substr(0, slash)));
  std::vector<ObjectMeta> out;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return out;
  fs::recursive_directory_iterator it(dir, ec), end;
  if (ec) return ErrnoStatus(ec.value(), "list", dir);
  for (; it != end; it.increment(ec)) {
    if (ec) break;  // a directory vanished under us: what we have is still sorted below
    std::error_code type_ec;
    if (!it->is_regular_file(type_ec)) continue;
    std::string path = it->path().string().substr(data_root.size() + 1);
    if (path.compare(0, prefix.size(), prefix) != 0) continue;
    if (!start_after.empty() && path <= start_after) continue;
    ObjectMeta meta;
    absl::StatusOr<GetResult> head =
        ReadObject(it->path().string(), /*header_only=*/true, &meta.size);
    if (absl::IsNotFound(head.status())) continue;  // deleted while we listed
    if (!head.ok()) return head.status();
    meta.path = std::move(path);
    meta.version = head->version;
    out.push_back(std::move(meta));
  }
  std::sort(out.begin(), out.end(),
            [](const ObjectMeta& a, const ObjectMeta& b) { return a.path < b.path; });
  return out;
}

}  // namespace model
