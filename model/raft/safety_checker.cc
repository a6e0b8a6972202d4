#include "model/raft/safety_checker.h"

#include "fmt/format.h"

namespace model::raft {
namespace {
std::string Show(const EntryInfo& e) {
  return fmt::format("(index {}, term {}, payload {:016x})", e.index, e.term, e.payload_hash);
}
}  // namespace

void SafetyChecker::Add(std::string invariant, std::string detail) {
  if (violations_.size() < 100) violations_.push_back({std::move(invariant), std::move(detail)});
}

void SafetyChecker::NoteEntry(uint64_t group, const EntryInfo& e, std::string_view where) {
  auto [it, inserted] = seen_.emplace(std::make_tuple(group, e.index, e.term), e.payload_hash);
  if (!inserted && it->second != e.payload_hash) {
    Add("log-matching", fmt::format("group {}: {} holds {} but another log has payload {:016x} "
                                    "at that index and term",
                                    group, where, Show(e), it->second));
  }
}

void SafetyChecker::OnLeaderElected(uint64_t group, uint64_t term, std::string_view node,
                                    uint64_t snapshot_index, const std::vector<EntryInfo>& log) {
  auto [it, inserted] = leaders_.emplace(std::make_pair(group, term), std::string(node));
  if (!inserted && it->second != node) {
    Add("election-safety",
        fmt::format("group {} term {}: both {} and {} became leader", group, term, it->second, node));
  }
  std::map<uint64_t, EntryInfo> by_index;
  for (const EntryInfo& e : log) {
    NoteEntry(group, e, fmt::format("leader {}'s log", node));
    by_index[e.index] = e;
  }
  for (auto c = committed_.lower_bound({group, snapshot_index + 1});
       c != committed_.end() && c->first.first == group; ++c) {
    // Raft §5.4: a leader of term T holds every entry committed in terms before T (a late leader
    // of an older term need not hold what a newer term committed).
    if (commit_term_.at(c->first) >= term) continue;
    auto found = by_index.find(c->first.second);
    if (found == by_index.end() || found->second != c->second) {
      Add("leader-completeness",
          fmt::format("group {}: {} leads term {} without committed entry {}", group, node, term,
                      Show(c->second)));
      break;
    }
  }
}

void SafetyChecker::OnCommitted(uint64_t group, uint64_t term, std::string_view node,
                                const EntryInfo& e) {
  NoteEntry(group, e, fmt::format("{}'s commit", node));
  auto [term_it, first] = commit_term_.emplace(std::make_pair(group, e.index), term);
  if (!first) term_it->second = std::min(term_it->second, term);
  auto [it, inserted] = committed_.emplace(std::make_pair(group, e.index), e);
  if (!inserted && it->second != e) {
    Add("state-machine-safety", fmt::format("group {}: {} committed {} where {} was committed",
                                            group, node, Show(e), Show(it->second)));
  }
}

void SafetyChecker::OnApplied(uint64_t group, std::string_view node, const EntryInfo& e) {
  NoteEntry(group, e, fmt::format("{}'s apply", node));
  auto [it, inserted] = applied_.emplace(std::make_pair(group, e.index), e);
  if (!inserted && it->second != e) {
    Add("state-machine-safety", fmt::format("group {}: {} applied {} where {} was applied",
                                            group, node, Show(e), Show(it->second)));
  }
  applied_index_[{group, std::string(node)}] = e.index;
}

void SafetyChecker::OnSnapshotRestored(uint64_t group, std::string_view node, uint64_t last_index,
                                       uint64_t last_term) {
  (void)last_term;
  applied_index_[{group, std::string(node)}] = last_index;
}

void SafetyChecker::OnIoError(uint64_t group, std::string_view node, std::string_view what,
                              bool halted) {
  (void)group, (void)node, (void)what;
  ++(halted ? io_errors_halted_ : io_errors_ignored_);
}

std::string SafetyChecker::LatestLeader(uint64_t group) const {
  std::string leader;
  for (auto it = leaders_.lower_bound({group, 0}); it != leaders_.end() && it->first.first == group; ++it)
    leader = it->second;
  return leader;
}

uint64_t SafetyChecker::LatestTerm(uint64_t group) const {
  uint64_t term = 0;
  for (auto it = leaders_.lower_bound({group, 0}); it != leaders_.end() && it->first.first == group; ++it)
    term = it->first.second;
  return term;
}

uint64_t SafetyChecker::CommittedIndex(uint64_t group) const {
  uint64_t index = 0;
  for (auto it = committed_.lower_bound({group, 0}); it != committed_.end() && it->first.first == group; ++it)
    index = it->first.second;
  return index;
}

uint64_t SafetyChecker::AppliedIndex(uint64_t group, std::string_view node) const {
  auto it = applied_index_.find({group, std::string(node)});
  return it == applied_index_.end() ? 0 : it->second;
}

}  // namespace model::raft
