#include "scenarios/harness/file_io.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstring>

#include "fmt/format.h"

namespace seedbed {
namespace {

std::string TempPathFor(const std::string& path) {
  size_t slash = path.find_last_of('/');
  std::string dir = slash == std::string::npos ? "" : path.substr(0, slash + 1);
  std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
  return fmt::format("{}.{}.tmp.{}", dir, name, static_cast<long>(getpid()));
}

absl::Status WriteError(const std::string& path, int err) {
  return absl::UnavailableError(fmt::format("cannot write {}: {}", path, std::strerror(err)));
}

}  // namespace

absl::StatusOr<std::string> ReadFileBounded(const std::string& path, size_t max_bytes) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return absl::NotFoundError(fmt::format("cannot open {}: {}", path, std::strerror(errno)));
  std::string text;
  char chunk[65536];
  while (true) {
    ssize_t n = read(fd, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      close(fd);
      return absl::DataLossError(fmt::format("cannot read {}: {}", path, std::strerror(err)));
    }
    if (n == 0) break;
    if (text.size() + static_cast<size_t>(n) > max_bytes) {
      close(fd);
      return absl::InvalidArgumentError(fmt::format("{} is larger than {} bytes: not a seedbed file", path, max_bytes));
    }
    text.append(chunk, static_cast<size_t>(n));
  }
  close(fd);
  return text;
}

absl::Status WriteFileAtomically(const std::string& path, std::string_view text) {
  const std::string temp = TempPathFor(path);
  int fd = open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return WriteError(path, errno);
  auto fail = [&](int err) {
    close(fd);
    unlink(temp.c_str());
    return WriteError(path, err);
  };
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail(errno);
    if (n == 0) return fail(ENOSPC);
    done += static_cast<size_t>(n);
  }
  // Full disks often report only here (delayed allocation, NFS): the rename waits for both.
  if (fsync(fd) != 0 && errno != EINVAL && errno != EROFS) return fail(errno);
  if (close(fd) != 0) {
    int err = errno;
    unlink(temp.c_str());
    return WriteError(path, err);
  }
  if (rename(temp.c_str(), path.c_str()) != 0) {
    int err = errno;
    unlink(temp.c_str());
    return WriteError(path, err);
  }
  return absl::OkStatus();
}

}  // namespace seedbed
