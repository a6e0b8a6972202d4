#include "absl/strings/str_cat.h"
#include "scenarios/bundled/db_node.h"

#include <algorithm>

#include "fmt/format.h"
#include "model/errors.h"

namespace seedbed {

struct DbNode::Call {
  TaskId waiter = kNoTask;
  bool done = false;
  bool abandoned = false;  // the caller timed out and left: never wake it
  absl::StatusOr<std::string> result = absl::UnknownError("no answer");
};

DbNode::DbNode(World& world, Config config) : world_(world), config_(std::move(config)) {
  process_ = &world_.AddProcess(config_.name, [this](Process& p) { Boot(p); }, config_.process);
  process_->OnCrash([this] { OnCrash(); });
}

void DbNode::Boot(Process& process) {
  db_ = nullptr;
  open_status_ = absl::OkStatus();
  if (process.incarnation() == 0 && config_.first_boot_delay_ns_max > 0) {
    Kernel& kernel = world_.kernel();
    kernel.SleepFor(kernel.decisions().Between(
        std::min(config_.first_boot_delay_ns_min, config_.first_boot_delay_ns_max),
        config_.first_boot_delay_ns_max, DecisionKind::kUser));
  }
  // A node keeps trying to open until it does (or a newer writer fenced it), as a supervisor
  // would restart it; an open that still fails after the heal is the engine's fault and shows as
  // "recoverable" in the final reads. Bounded by open_attempts_max after the heal.
  int attempts_after_heal = 0;
  for (int attempt = 0; attempts_after_heal < config_.open_attempts_max; ++attempt) {
    if (world_.healed()) ++attempts_after_heal;
    auto db = model::Db::Open(process.env(), config_.prefix, config_.options);
    if (db.ok()) {
      db_ = process.Keep(std::move(*db));
      return;
    }
    open_status_ = db.status();
    if (model::IsFenced(db.status()) && !config_.retry_when_fenced) return;  // a newer writer owns it
    process.env().runtime->Note(fmt::format("open failed: {}", std::string(db.status().message())));
    process.env().runtime->SleepFor(config_.open_retry_delay_ns);
  }
}

void DbNode::OnCrash() {
  db_ = nullptr;
  Kernel& kernel = world_.kernel();
  for (const std::shared_ptr<Call>& call : pending_) {
    if (call->done) continue;
    call->done = true;
    call->result = absl::AbortedError(fmt::format("{} crashed during the call", config_.name));
    if (!call->abandoned) kernel.Wake(call->waiter);
  }
  pending_.clear();
}

absl::StatusOr<std::string> DbNode::Invoke(std::string what,
                                           std::function<absl::StatusOr<std::string>(model::Db&)> fn) {
  Kernel& kernel = world_.kernel();
  if (process_->crashed() || db_ == nullptr)
    return absl::UnavailableError(fmt::format("{} is down", config_.name));
  auto call = std::make_shared<Call>();
  call->waiter = kernel.current_task();
  pending_.push_back(call);
  model::Db* db = db_;
  kernel.Spawn(*process_, what, [&kernel, call, db, fn = std::move(fn)] {
    absl::StatusOr<std::string> result = fn(*db);
    if (call->done) return;
    call->done = true;
    call->result = std::move(result);
    if (!call->abandoned) kernel.Wake(call->waiter);
  });
  Nanos deadline = kernel.Now() + config_.call_timeout_ns;
  std::string waits_on = absl::StrCat(what, " on ", config_.name);
  while (!call->done && !kernel.CurrentTaskDoomed()) {
    Nanos left = deadline - kernel.Now();
    if (left <= 0 || !kernel.BlockFor(waits_on, left)) break;
  }
  pending_.erase(std::remove(pending_.begin(), pending_.end(), call), pending_.end());
  if (!call->done) {
    call->abandoned = true;
    return absl::DeadlineExceededError(fmt::format("{} on {} timed out", what, config_.name));
  }
  return call->result;
}

bool DbNode::AwaitOpen(Nanos timeout_ns) {
  Kernel& kernel = world_.kernel();
  constexpr Nanos kPoll = 10'000'000;
  for (Nanos waited = 0; waited <= timeout_ns; waited += kPoll) {
    if (db_ != nullptr && !process_->crashed()) return true;
    if (kernel.CurrentTaskDoomed()) return false;
    kernel.SleepFor(kPoll);
  }
  return false;
}

absl::Status DbNode::Put(std::string_view key, std::string_view value) {
  return Invoke(absl::StrCat("put ", model::Av(key)),
                [k = std::string(key), v = std::string(value)](model::Db& db) -> absl::StatusOr<std::string> {
                  absl::Status s = db.Put(k, v);
                  if (!s.ok()) return s;
                  return std::string();
                })
      .status();
}

absl::StatusOr<std::string> DbNode::Get(std::string_view key) {
  return Invoke(absl::StrCat("get ", model::Av(key)), [k = std::string(key)](model::Db& db) { return db.Get(k); });
}

absl::Status DbNode::Flush() {
  return Invoke("flush", [](model::Db& db) -> absl::StatusOr<std::string> {
           absl::Status s = db.Flush();
           if (!s.ok()) return s;
           return std::string();
         })
      .status();
}

void DbNode::ClientPut(History& history, std::string_view client, std::string_view key,
                       std::string_view value) {
  Kernel& kernel = world_.kernel();
  uint64_t id = history.Invoke(client, OpType::kPut, key, value, kernel.Now(), kernel.current_task());
  absl::Status s = Put(key, value);
  if (kernel.CurrentTaskDoomed()) return;  // the client itself is being unwound: stays pending
  if (s.ok()) {
    history.Ok(id, kernel.Now());
  } else if (absl::IsUnavailable(s) && s.message().find("is down") != absl::string_view::npos) {
    history.Fail(id, kernel.Now(), std::string(s.message()));  // never reached the engine
  } else {
    history.Unknown(id, kernel.Now(), std::string(s.message()));
  }
}

void DbNode::ClientGet(History& history, std::string_view client, std::string_view key, bool final_read) {
  Kernel& kernel = world_.kernel();
  uint64_t id = history.Invoke(client, OpType::kGet, key, "", kernel.Now(), kernel.current_task());
  if (final_read) history.MarkFinalRead(id);
  absl::StatusOr<std::string> value = Get(key);
  if (kernel.CurrentTaskDoomed()) return;
  if (value.ok()) {
    history.Ok(id, kernel.Now(), *value);
  } else if (absl::IsNotFound(value.status())) {
    history.Ok(id, kernel.Now(), std::nullopt);
  } else {
    history.Fail(id, kernel.Now(), std::string(value.status().message()));
  }
}

std::unique_ptr<DbNode> MakeNode(World& world, std::string name, model::Options options,
                                 ProcessOptions process) {
  DbNode::Config config;
  config.name = std::move(name);
  config.options = options;
  config.process = process;
  return std::make_unique<DbNode>(world, std::move(config));
}

}  // namespace seedbed

namespace seedbed {

std::unique_ptr<DbNode> MakeVerifier(World& world, model::Options options) {
  DbNode::Config config;
  config.name = "verifier";
  config.options = options;
  config.options.observer = nullptr;
  config.retry_when_fenced = true;
  config.open_retry_delay_ns = 200'000'000;
  return std::make_unique<DbNode>(world, std::move(config));
}

}  // namespace seedbed
