// errno -> absl::Status for the real backend, with the codes model/env documents. Never yields.
#pragma once

#include <string_view>

#include "absl/status/status.h"

namespace model::posix_internal {

// ENOENT -> kNotFound, EEXIST -> kAlreadyExists, ENOTEMPTY/ENOTDIR/EISDIR -> kFailedPrecondition,
// EACCES/EPERM -> kPermissionDenied, EIO/ENOSPC/EAGAIN/EINTR -> kUnavailable, else kInternal.
absl::Status ErrnoStatus(int err, std::string_view what, std::string_view path);

}  // namespace model::posix_internal
