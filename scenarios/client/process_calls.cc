#include "scenarios/client/process_calls.h"

#include <algorithm>
#include <utility>

namespace seedbed {

ProcessCalls::ProcessCalls(World& world, Process& process) : world_(world), process_(process) {
  process_.OnCrash([this] { OnCrash(); });
}

void ProcessCalls::OnCrash() {
  Kernel& kernel = world_.kernel();
  for (const std::shared_ptr<Pending>& p : pending_) {
    if (p->done) continue;
    p->done = true;
    kernel.Wake(p->waiter);
  }
  pending_.clear();
}

bool ProcessCalls::Call(std::string name, std::function<void()> fn) {
  Kernel& kernel = world_.kernel();
  if (process_.crashed()) return false;
  auto pending = std::make_shared<Pending>();
  pending->waiter = kernel.current_task();
  pending_.push_back(pending);
  kernel.Spawn(process_, std::move(name), [&kernel, pending, fn = std::move(fn)] {
    fn();
    if (pending->done) return;
    pending->done = true;
    pending->returned = true;
    kernel.Wake(pending->waiter);
  });
  const std::string waits_on = "a call into " + process_.name();
  while (!pending->done && !kernel.CurrentTaskDoomed()) kernel.Block(waits_on);
  pending_.erase(std::remove(pending_.begin(), pending_.end(), pending), pending_.end());
  return pending->returned;
}

}  // namespace seedbed
