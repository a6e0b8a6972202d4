// A Raft safety checker fed by the Observer reports of every replica of a run: election safety (at
// most one leader per group and term), log matching (entries with one index and term carry one
// payload, across leaders' logs, commits and applies), leader completeness (a new leader's log
// holds every entry committed in an earlier term), and state machine safety (replicas apply one entry per
// index). It only records and compares; it never steers the run. Not thread-safe (one simulation
// thread, or guard it); never yields.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "model/raft/observer.h"

namespace model::raft {

struct SafetyViolation {
  std::string invariant;  // "election-safety", "log-matching", "leader-completeness",
                          // "state-machine-safety"
  std::string detail;
};

class SafetyChecker : public Observer {
 public:
  void OnLeaderElected(uint64_t group, uint64_t term, std::string_view node, uint64_t snapshot_index,
                       const std::vector<EntryInfo>& log) override;
  void OnCommitted(uint64_t group, uint64_t term, std::string_view node,
                   const EntryInfo& entry) override;
  void OnApplied(uint64_t group, std::string_view node, const EntryInfo& entry) override;
  void OnSnapshotRestored(uint64_t group, std::string_view node, uint64_t last_index,
                          uint64_t last_term) override;
  void OnIoError(uint64_t group, std::string_view node, std::string_view what, bool halted) override;

  const std::vector<SafetyViolation>& violations() const { return violations_; }
  // The leader of the highest term seen for `group` ("" if none yet).
  std::string LatestLeader(uint64_t group) const;
  uint64_t LatestTerm(uint64_t group) const;
  // Highest index committed in `group` (any leader's report).
  uint64_t CommittedIndex(uint64_t group) const;
  // Highest index `node` applied in `group` (reset by a restore below it).
  uint64_t AppliedIndex(uint64_t group, std::string_view node) const;
  uint64_t io_errors_halted() const { return io_errors_halted_; }
  uint64_t io_errors_ignored() const { return io_errors_ignored_; }

 private:
  void Add(std::string invariant, std::string detail);
  void NoteEntry(uint64_t group, const EntryInfo& entry, std::string_view where);

  std::map<std::pair<uint64_t, uint64_t>, std::string> leaders_;        // (group, term) -> node
  std::map<std::tuple<uint64_t, uint64_t, uint64_t>, uint64_t> seen_;  // (group, index, term) -> hash
  std::map<std::pair<uint64_t, uint64_t>, EntryInfo> committed_;       // (group, index)
  std::map<std::pair<uint64_t, uint64_t>, uint64_t> commit_term_;      // (group, index) -> first
                                                                       // leader term committing it
  std::map<std::pair<uint64_t, uint64_t>, EntryInfo> applied_;         // (group, index), any node
  std::map<std::pair<uint64_t, std::string>, uint64_t> applied_index_;  // (group, node)
  std::vector<SafetyViolation> violations_;
  uint64_t io_errors_halted_ = 0;
  uint64_t io_errors_ignored_ = 0;
};

}  // namespace model::raft
