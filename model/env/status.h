// Status helpers shared by every layer: the Abseil on Debian 12 has no status macros, so we keep two.
// Header-only; nothing here yields.
#pragma once

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define SEEDBED_CONCAT_INNER_(a, b) a##b
#define SEEDBED_CONCAT_(a, b) SEEDBED_CONCAT_INNER_(a, b)

// RETURN_IF_ERROR(expr): evaluates expr (an absl::Status) and returns it from the caller if not ok.
#define RETURN_IF_ERROR(expr)                 \
  do {                                        \
    ::absl::Status seedbed_status_ = (expr);  \
    if (!seedbed_status_.ok()) return seedbed_status_; \
  } while (0)

// ASSIGN_OR_RETURN(lhs, expr): evaluates expr (an absl::StatusOr<T>); on error returns its status,
// otherwise moves the value into lhs (which may be a declaration: `auto x`).
#define ASSIGN_OR_RETURN(lhs, expr) \
  ASSIGN_OR_RETURN_IMPL_(SEEDBED_CONCAT_(seedbed_statusor_, __LINE__), lhs, expr)
#define ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                           \
  if (!tmp.ok()) return tmp.status();          \
  lhs = std::move(tmp).value()

#include <string_view>

namespace model {
// The Debian 12 Abseil keeps its own absl::string_view (not std::string_view): convert for
// absl::StrCat / absl::Status messages.
inline absl::string_view Av(std::string_view s) { return absl::string_view(s.data(), s.size()); }
}  // namespace model
