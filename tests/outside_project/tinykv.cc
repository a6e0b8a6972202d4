#include "tinykv.h"

#include <string>

#include "fmt/format.h"

namespace tinykv {

absl::Status Store::Put(std::string_view key, std::string_view value) {
  constexpr int kAttemptsMax = 20;  // conflicts with other writers, each one a retry
  for (int attempt = 0; attempt < kAttemptsMax; ++attempt) {
    auto listed = env_.store->List("log/");
    if (!listed.ok()) return listed.status();
    uint64_t seq = listed->empty() ? 0 : std::stoull(listed->back().path.substr(4)) + 1;
    model::PutOptions options;
    options.mode = create_mode_ ? model::PutMode::kCreate : model::PutMode::kOverwrite;
    auto put = env_.store->Put(fmt::format("log/{:010}", seq), fmt::format("{}={}", key, value), options);
    if (put.ok()) return absl::OkStatus();
    if (!absl::IsAlreadyExists(put.status())) return put.status();
  }
  return absl::AbortedError("tinykv: too many conflicting puts");
}

}  // namespace tinykv
