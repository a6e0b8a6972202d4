// One replica of one Raft group (internal to model/raft; RaftNode is the public face). Its worker
// task alone reads and writes the Raft state and the group's directory; other tasks talk to it
// through its inbox. Calls marked "May yield" may suspend the caller.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "model/env/env.h"
#include "model/raft/log_store.h"
#include "model/raft/messages.h"
#include "model/raft/node.h"
#include "model/raft/observer.h"
#include "model/raft/options.h"
#include "model/raft/state_machine.h"

namespace model::raft {

class Replica {
 public:
  Replica(Env env, const RaftOptions& options, std::string dir, GroupConfig config);
  ~Replica();

  // The worker: May yield; returns after RequestStop().
  void Run();
  void RequestStop();  // May yield.
  // May yield. Hands a datagram from `from` to the worker.
  void PostMessage(std::string from, RaftMessage message);
  // May yield. See RaftNode::Submit.
  ClientResult Submit(Command command, int64_t timeout_ns);
  // May yield. Reads the rest of an InstallSnapshot stream whose header was read, lets the worker
  // install it, and writes the reply frame.
  void ServeSnapshot(Stream& stream, const RaftMessage& header);
  // May yield. Joins the snapshot tasks this replica spawned.
  void JoinTasks();

  ReplicaStatus Status();                                  // May yield.
  std::optional<std::string> LocalRead(const std::string& key);  // May yield.

 private:
  struct Waiter {
    bool done = false;
    ClientResult result;
    RaftMessage reply;  // snapshot offers
    std::unique_ptr<CondVar> cv;
  };
  struct Item {
    enum class Kind : uint8_t { kPeer, kLocal, kSnapshotOffered, kSnapshotSent };
    Kind kind = Kind::kPeer;
    std::string from;
    RaftMessage message;
    std::shared_ptr<Waiter> waiter;
    std::string bytes;     // kSnapshotOffered
    uint64_t epoch = 0;    // kSnapshotSent: the replica epoch and term when sending began
    uint64_t term = 0;
  };
  struct Pending {
    uint64_t term = 0;
    std::shared_ptr<Waiter> waiter;  // local client, or
    std::string client;              // a remote one
    uint64_t request_id = 0;
  };
  struct Progress {
    uint64_t next = 1;
    uint64_t match = 0;
    bool snapshot_active = false;
    int64_t snapshot_deadline_ns = 0;
  };

  void Post(Item item);
  std::shared_ptr<Waiter> NewWaiter();
  void Finish(const std::shared_ptr<Waiter>& waiter, ClientResult result, RaftMessage reply = {});

  // ---- worker side (REQUIRES: state_mu_ held) ----
  void Handle(Item& item);
  void HandlePeer(const std::string& from, const RaftMessage& m);
  void HandleRequestVote(const std::string& from, const RaftMessage& m);
  void HandleVoteReply(const std::string& from, const RaftMessage& m);
  void HandleAppendEntries(const std::string& from, const RaftMessage& m);
  void HandleAppendReply(const std::string& from, const RaftMessage& m);
  void HandleSnapshotOffered(Item& item);
  void HandleSnapshotSent(const Item& item);
  void Propose(const Command& command, Pending pending);
  void OnTimers();
  int64_t NextWakeNs() const;
  // Tells the runtime this replica's role and term when they changed (a band on its timeline lane).
  void ShowState();

  void StartElection();
  void BecomeLeader();
  [[nodiscard]] bool StepDown(uint64_t term);  // false: halted
  void ResetElectionTimer();
  void SendAppend(const std::string& peer);
  void BroadcastAppend();
  void StartSnapshotTransfer(const std::string& peer);
  void SendSnapshot(std::string peer, std::shared_ptr<const std::string> bytes, uint64_t term,
                    uint64_t epoch, uint64_t last_index, uint64_t last_term);
  void AdvanceCommit();
  [[nodiscard]] bool ApplyCommitted();  // false: halted
  [[nodiscard]] bool MaybeFlush();      // false: halted
  void Complete(uint64_t index, Pending& pending, ClientResult result);
  void FailPendingFrom(uint64_t index, std::string_view why);
  void Reply(const std::string& to, const RaftMessage& m);

  // true: the caller must stop (the replica halted). false: ok, or the error was ignored.
  [[nodiscard]] bool IoFailed(const absl::Status& status, std::string_view what);
  void Halt(std::string_view what);
  void Recover();
  absl::Status LoadState();
  absl::Status PersistVote();

  uint64_t LastIndex() const;
  uint64_t LastTerm() const;
  std::optional<uint64_t> TermAt(uint64_t index) const;
  size_t Majority() const { return config_.members.size() / 2 + 1; }
  std::vector<EntryInfo> LogInfo() const;

  Env env_;
  const RaftOptions options_;
  const std::string dir_;
  const GroupConfig config_;
  const std::string self_;
  std::vector<std::string> peers_;
  size_t rank_ = 0;  // position of self_ among the group's members, by name

  // Inbox side: guarded by inbox_mu_.
  std::unique_ptr<Mutex> inbox_mu_;
  std::unique_ptr<CondVar> inbox_cv_;
  std::deque<Item> inbox_;
  bool stopping_ = false;
  std::vector<std::unique_ptr<TaskHandle>> tasks_;

  // Raft state: guarded by state_mu_, written only by the worker.
  std::unique_ptr<Mutex> state_mu_;
  bool halted_ = true;  // until the first recovery
  int64_t restart_at_ns_ = 0;
  uint64_t epoch_ = 0;  // +1 at every halt: stale task results are dropped
  uint64_t recoveries_ = 0;
  Role role_ = Role::kFollower;
  uint64_t term_ = 0;
  std::string shown_state_;  // what ShowState last told the runtime
  std::string leader_lease_;  // the leader term ShowState holds (Runtime::HoldBegin), or ""
  std::string voted_for_;
  std::string leader_;
  std::set<std::string> votes_;
  uint64_t commit_ = 0;
  std::unique_ptr<LogStore> log_;
  StateMachine sm_;
  uint64_t snapshot_index_ = 0;
  uint64_t snapshot_term_ = 0;
  std::shared_ptr<const std::string> snapshot_bytes_;
  std::map<std::string, Progress> progress_;
  std::map<uint64_t, Pending> pending_;
  int64_t election_deadline_ns_ = 0;
  int64_t heartbeat_due_ns_ = 0;
  bool replicate_now_ = false;
  int64_t next_wake_ns_ = 0;  // worker only
};

}  // namespace model::raft
