#include "model/env/posix/posix_errors.h"
#include "model/env/status.h"

#include <cerrno>
#include <cstring>
#include <string>

#include "absl/strings/str_cat.h"

namespace model::posix_internal {

absl::Status ErrnoStatus(int err, std::string_view what, std::string_view path) {
  const std::string message = absl::StrCat(Av(what), " ", Av(path), ": ", std::strerror(err));
  switch (err) {
    case ENOENT:
      return absl::NotFoundError(message);
    case EEXIST:
      return absl::AlreadyExistsError(message);
    case ENOTEMPTY:
    case ENOTDIR:
    case EISDIR:
    case EBADF:
      return absl::FailedPreconditionError(message);
    case EACCES:
    case EPERM:
      return absl::PermissionDeniedError(message);
    case EIO:
    case ENOSPC:
    case EAGAIN:
    case EINTR:
      return absl::UnavailableError(message);
    default:
      return absl::InternalError(message);
  }
}

}  // namespace model::posix_internal
