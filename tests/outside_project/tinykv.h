// tinykv: a toy key-value log on an object store, standing in for "your own engine". Each put
// writes one object log/<seq>, the next sequence number taken from a listing of log/. Written only
// against model::Env, so it runs on the simulated world and on a real directory alike.
#pragma once

#include <string>
#include <string_view>

#include <seedbed/env.h>

namespace tinykv {

class Store {
 public:
  // create_mode false is the deliberate bug: a plain put, so two puts that listed the same last
  // sequence number write the same object and the later one silently replaces the earlier.
  // true is the fix: put-if-absent; the loser gets AlreadyExists, lists again and retries.
  Store(model::Env env, bool create_mode) : env_(env), create_mode_(create_mode) {}

  // May yield. Ok once key=value is durable in its own log object.
  absl::Status Put(std::string_view key, std::string_view value);
  // May yield. The newest value of `key`; kNotFound if none.
  absl::StatusOr<std::string> Get(std::string_view key);

 private:
  model::Env env_;
  bool create_mode_;
};

}  // namespace tinykv
