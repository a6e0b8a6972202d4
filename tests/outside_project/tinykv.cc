#include "tinykv.h"

#include "fmt/format.h"

namespace tinykv {

absl::Status Store::Put(std::string_view key, std::string_view value) {
  for (int attempt = 0; attempt < 20; ++attempt) {  // each conflict with another writer: a retry
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

absl::StatusOr<std::string> Store::Get(std::string_view key) {
  auto listed = env_.store->List("log/");
  if (!listed.ok()) return listed.status();
  for (auto it = listed->rbegin(); it != listed->rend(); ++it) {  // newest first
    auto object = env_.store->Get(it->path);
    if (!object.ok()) return object.status();
    std::string_view entry = object->bytes;
    if (entry.substr(0, key.size() + 1) == fmt::format("{}=", key)) return std::string(entry.substr(key.size() + 1));
  }
  return absl::NotFoundError(fmt::format("tinykv: no {}", key));
}

}  // namespace tinykv
