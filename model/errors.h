// The engine's own error kinds, as absl::Status values a caller can test. Never yields.
//   Fenced    kFailedPrecondition, message starting "fenced: ": a newer writer owns the prefix.
//   Shutdown  kCancelled, message starting "shutdown: ": this writer stopped itself (InfluxDB).
//   Closed    kFailedPrecondition, message starting "closed: ".
#pragma once

#include <string_view>

#include "absl/status/status.h"

namespace model {

absl::Status FencedError(std::string_view detail);
absl::Status ShutdownError(std::string_view detail);
absl::Status ClosedError(std::string_view detail);
bool IsFenced(const absl::Status& status);
bool IsShutdown(const absl::Status& status);
bool IsClosed(const absl::Status& status);

}  // namespace model
