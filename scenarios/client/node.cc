#include "scenarios/client/node.h"

#include <algorithm>

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "fmt/format.h"

namespace seedbed {

namespace {
constexpr char kNotReachedPayload[] = "seedbed/not-reached";
}  // namespace

bool IsNotReached(const absl::Status& status) {
  return absl::IsUnavailable(status) && status.GetPayload(kNotReachedPayload).has_value();
}

struct Node::Pending {
  TaskId waiter = kNoTask;
  bool done = false;
  bool abandoned = false;  // the caller timed out and left: never wake it
  absl::StatusOr<std::string> result = absl::UnknownError("no answer");
};

Node::Node(World& world, NodeConfig config, OpenFn open, GiveUpFn give_up)
    : world_(world), config_(std::move(config)), open_(std::move(open)), give_up_(std::move(give_up)) {
  process_ = &world_.AddProcess(config_.name, [this](Process& p) { Boot(p); }, config_.process);
  process_->OnCrash([this] { OnCrash(); });
}

void Node::Boot(Process& process) {
  up_ = false;
  open_status_ = absl::OkStatus();
  if (process.incarnation() == 0 && config_.first_boot_delay_ns_max > 0) {
    Kernel& kernel = world_.kernel();
    kernel.SleepFor(kernel.decisions().Between(
        std::min(config_.first_boot_delay_ns_min, config_.first_boot_delay_ns_max),
        config_.first_boot_delay_ns_max, DecisionKind::kUser));
  }
  // A node keeps trying to open until it does (or give_up says stop), as a supervisor would
  // restart it; an open that still fails after the heal is the engine's fault and shows in the
  // final reads. Bounded by open_attempts_max after the heal.
  int attempts_after_heal = 0;
  while (attempts_after_heal < config_.open_attempts_max) {
    if (world_.healed()) ++attempts_after_heal;
    absl::Status opened = open_(process);
    if (opened.ok()) {
      up_ = true;
      return;
    }
    open_status_ = opened;
    if (give_up_ && give_up_(opened)) return;
    process.env().runtime->Note(fmt::format("open failed: {}", std::string(opened.message())));
    process.env().runtime->SleepFor(config_.open_retry_delay_ns);
  }
}

void Node::OnCrash() {
  up_ = false;
  OnDown();
  Kernel& kernel = world_.kernel();
  for (const std::shared_ptr<Pending>& call : pending_) {
    if (call->done) continue;
    call->done = true;
    call->result = absl::AbortedError(fmt::format("{} crashed during the call", config_.name));
    if (!call->abandoned) kernel.Wake(call->waiter);
  }
  pending_.clear();
}

absl::StatusOr<std::string> Node::Call(std::string what, std::function<absl::StatusOr<std::string>()> fn) {
  Kernel& kernel = world_.kernel();
  if (!up()) {
    absl::Status down = absl::UnavailableError(fmt::format("{} is down", config_.name));
    down.SetPayload(kNotReachedPayload, absl::Cord("1"));
    return down;
  }
  auto call = std::make_shared<Pending>();
  call->waiter = kernel.current_task();
  pending_.push_back(call);
  kernel.Spawn(*process_, what, [&kernel, call, fn = std::move(fn)] {
    absl::StatusOr<std::string> result = fn();
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

bool Node::AwaitOpen(Nanos timeout_ns) {
  Kernel& kernel = world_.kernel();
  constexpr Nanos kPoll = 10'000'000;
  for (Nanos waited = 0; waited <= timeout_ns; waited += kPoll) {
    if (up()) return true;
    if (kernel.CurrentTaskDoomed()) return false;
    kernel.SleepFor(kPoll);
  }
  return false;
}

}  // namespace seedbed
