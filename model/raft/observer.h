// What a Raft replica reports to checkers: elections, commits, applies, snapshots, halts. Checkers
// only read these reports; nothing here steers the run. Calls come from the replica's tasks (one
// thread in simulation); an implementation must not yield or call back into the node.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace model::raft {

// One log entry, by identity: payload_hash = fnv1a64 of the entry's data.
struct EntryInfo {
  uint64_t index = 0;
  uint64_t term = 0;
  uint64_t payload_hash = 0;
  friend bool operator==(const EntryInfo&, const EntryInfo&) = default;
};

class Observer {
 public:
  virtual ~Observer() = default;
  // `node` became leader of `group` in `term`. `log` is its whole log (entries after
  // `snapshot_index`, ascending) at that moment, for leader-completeness and log-matching checks.
  virtual void OnLeaderElected(uint64_t group, uint64_t term, std::string_view node,
                               uint64_t snapshot_index, const std::vector<EntryInfo>& log) {
    (void)group, (void)term, (void)node, (void)snapshot_index, (void)log;
  }
  // Leader `node` of `term` advanced the commit index of `group` over `entry`.
  virtual void OnCommitted(uint64_t group, uint64_t term, std::string_view node,
                           const EntryInfo& entry) {
    (void)group, (void)term, (void)node, (void)entry;
  }
  // `node` applied `entry` to its state machine (again after a restart: re-apply from the WAL).
  virtual void OnApplied(uint64_t group, std::string_view node, const EntryInfo& entry) {
    (void)group, (void)node, (void)entry;
  }
  // `node`'s state machine was replaced by a snapshot through (last_index, last_term): at recovery
  // (from its own disk) or by InstallSnapshot.
  virtual void OnSnapshotRestored(uint64_t group, std::string_view node, uint64_t last_index,
                                  uint64_t last_term) {
    (void)group, (void)node, (void)last_index, (void)last_term;
  }
  // An I/O error on `what` ("append", "vote", "flush", ...): halted (fail-stop) or ignored.
  virtual void OnIoError(uint64_t group, std::string_view node, std::string_view what, bool halted) {
    (void)group, (void)node, (void)what, (void)halted;
  }
};

}  // namespace model::raft
