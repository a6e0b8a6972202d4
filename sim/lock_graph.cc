#include "sim/lock_graph.h"

#include <algorithm>

#include "fmt/format.h"

namespace seedbed {

LockId LockGraph::NewLock(std::string_view name) {
  locks_.push_back(Lock{std::string(name)});
  return static_cast<LockId>(locks_.size() - 1);
}

bool LockGraph::Reaches(LockId from, LockId to, std::vector<LockId>& path) const {
  // Depth-first over the order edges; the graph holds at most a few hundred locks per run and
  // this runs only when a new edge appears.
  std::vector<std::pair<LockId, size_t>> stack{{from, 0}};
  absl::btree_set<LockId> seen{from};
  while (!stack.empty()) {
    auto& [lock, next] = stack.back();
    if (lock == to) {
      path.clear();
      for (const auto& [l, n] : stack) path.push_back(l);
      return true;
    }
    auto it = after_.find(lock);
    if (it == after_.end() || next >= it->second.size()) {
      stack.pop_back();
      continue;
    }
    const LockId child = it->second[next++];
    if (seen.insert(child).second) stack.push_back({child, 0});
  }
  return false;
}

void LockGraph::Acquired(uint32_t task, LockId lock) {
  if (held_.size() <= task) held_.resize(task + 1);
  held_[task].push_back(lock);
}

std::optional<LockOrderInversion> LockGraph::Acquiring(uint32_t task, LockId lock,
                                                       absl::FunctionRef<std::string()> label, int64_t now_ns) {
  std::optional<LockOrderInversion> found;
  if (!order_checks_ || task >= held_.size() || held_[task].empty()) return found;
  std::string who;
  {
    for (LockId before : held_[task]) {
      if (before == lock || witnesses_.contains({before, lock})) continue;
      if (who.empty()) who = label();
      witnesses_.emplace(std::make_pair(before, lock), Witness{who, now_ns});
      after_[before].push_back(lock);
      std::vector<LockId> path;  // lock -> ... -> before: an earlier order the new edge inverts
      if (found.has_value() || !Reaches(lock, before, path)) continue;
      if (!reported_.insert({std::min(before, lock), std::max(before, lock)}).second) continue;
      LockOrderInversion inv;
      inv.message = fmt::format("potential deadlock: {} takes mutex {} while holding {}, but mutex {} has been "
                                "taken while holding {} (opposite orders)",
                                who, locks_[lock].name, locks_[before].name, locks_[before].name,
                                locks_[lock].name);
      inv.evidence.push_back(fmt::format("{:.6f}s {} holds {} and takes {}", now_ns / 1e9, who,
                                         locks_[before].name, locks_[lock].name));
      for (size_t i = 0; i + 1 < path.size(); ++i) {
        const Witness& w = witnesses_.at({path[i], path[i + 1]});
        inv.evidence.push_back(fmt::format("{:.6f}s {} held {} and took {}", w.at_ns / 1e9, w.who,
                                           locks_[path[i]].name, locks_[path[i + 1]].name));
      }
      found = std::move(inv);
    }
  }
  return found;
}

void LockGraph::Released(uint32_t task, LockId lock) {
  if (task >= held_.size()) return;
  std::vector<LockId>& held = held_[task];
  auto it = std::find(held.rbegin(), held.rend(), lock);
  if (it != held.rend()) held.erase(std::next(it).base());
}

void LockGraph::TaskEnded(uint32_t task) {
  if (task < held_.size()) held_[task].clear();
}

std::vector<std::string> LockGraph::Held(uint32_t task) const {
  std::vector<std::string> out;
  if (task >= held_.size()) return out;
  for (LockId l : held_[task]) out.push_back(locks_[l].name);
  return out;
}

}  // namespace seedbed
