#include "model/errors.h"

#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "model/env/status.h"

namespace model {

absl::Status FencedError(std::string_view detail) {
  return absl::FailedPreconditionError(absl::StrCat("fenced: ", Av(detail)));
}
absl::Status ShutdownError(std::string_view detail) {
  return absl::CancelledError(absl::StrCat("shutdown: ", Av(detail)));
}
absl::Status ClosedError(std::string_view detail) {
  return absl::FailedPreconditionError(absl::StrCat("closed: ", Av(detail)));
}
bool IsFenced(const absl::Status& status) {
  return status.code() == absl::StatusCode::kFailedPrecondition &&
         absl::StartsWith(status.message(), "fenced: ");
}
bool IsShutdown(const absl::Status& status) {
  return status.code() == absl::StatusCode::kCancelled &&
         absl::StartsWith(status.message(), "shutdown: ");
}
bool IsClosed(const absl::Status& status) {
  return status.code() == absl::StatusCode::kFailedPrecondition &&
         absl::StartsWith(status.message(), "closed: ");
}

}  // namespace model
