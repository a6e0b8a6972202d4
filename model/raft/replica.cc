#include "model/raft/replica.h"

#include <algorithm>
#include <cassert>

#include "absl/strings/str_cat.h"
#include "fmt/format.h"
#include "model/coding.h"
#include "model/env/status.h"
#include "model/raft/observer.h"

namespace model::raft {
namespace {

constexpr std::string_view kVoteMagic = "SBRVOTE1";

std::string EncodeVote(uint64_t term, std::string_view voted_for) {
  std::string out(kVoteMagic);
  coding::PutFixed64(out, term);
  coding::PutBytes(out, voted_for);
  coding::PutFixed64(out, coding::Fnv1a64(out));
  return out;
}

absl::Status DecodeVote(std::string_view bytes, uint64_t& term, std::string& voted_for) {
  const absl::Status bad = absl::DataLossError("raft: corrupt vote file");
  if (bytes.size() < kVoteMagic.size() + 8) return bad;
  coding::Reader tail(bytes.substr(bytes.size() - 8));
  uint64_t checksum = 0;
  const std::string_view body = bytes.substr(0, bytes.size() - 8);
  if (!tail.GetFixed64(checksum) || checksum != coding::Fnv1a64(body)) return bad;
  coding::Reader r(body);
  if (!r.Skip(kVoteMagic) || !r.GetFixed64(term) || !r.GetBytes(voted_for) || r.remaining() != 0)
    return bad;
  return absl::OkStatus();
}

// Creates every missing component of `path` and syncs every parent, present or not: a halted
// incarnation may have created a directory whose parent sync then failed.
absl::Status EnsureDirs(FileSystem& fs, std::string_view path) {
  size_t pos = 0;
  for (int guard = 0; guard < 64 && pos != std::string_view::npos; ++guard) {
    pos = path.find('/', pos + 1);
    const std::string_view prefix = path.substr(0, pos);
    ASSIGN_OR_RETURN(bool exists, fs.Exists(prefix));
    if (!exists) {
      absl::Status created = fs.CreateDir(prefix);
      if (!created.ok() && !absl::IsAlreadyExists(created)) return created;
    }
    const size_t slash = prefix.rfind('/');
    RETURN_IF_ERROR(fs.SyncDir(slash == std::string_view::npos ? std::string_view()
                                                               : prefix.substr(0, slash)));
  }
  return absl::OkStatus();
}

EntryInfo Info(const Entry& e) { return EntryInfo{e.index, e.term, coding::Fnv1a64(e.data)}; }

}  // namespace

Replica::Replica(Env env, const RaftOptions& options, std::string dir, GroupConfig config)
    : env_(env),
      options_(options),
      dir_(std::move(dir)),
      config_(std::move(config)),
      self_(env.transport->self()) {
  for (const std::string& m : config_.members) {
    if (m != self_) peers_.push_back(m);
    if (m < self_) ++rank_;  // members whose name sorts before ours
  }
  inbox_mu_ = env_.runtime->NewMutex(fmt::format("raft.g{}.inbox", config_.id));
  inbox_cv_ = env_.runtime->NewCondVar(fmt::format("raft.g{}.inbox", config_.id));
  state_mu_ = env_.runtime->NewMutex(fmt::format("raft.g{}.state", config_.id));
}

Replica::~Replica() = default;

// ---------------------------------------------------------------- inbox side

void Replica::Post(Item item) {
  MutexLock lock(*inbox_mu_);
  if (stopping_) return;
  inbox_.push_back(std::move(item));
  inbox_cv_->NotifyAll();
}

void Replica::PostMessage(std::string from, RaftMessage message) {
  Item item;
  item.kind = Item::Kind::kPeer;
  item.from = std::move(from);
  item.message = std::move(message);
  Post(std::move(item));
}

std::shared_ptr<Replica::Waiter> Replica::NewWaiter() {
  auto waiter = std::make_shared<Waiter>();
  waiter->cv = env_.runtime->NewCondVar(fmt::format("raft.g{}.waiter", config_.id));
  return waiter;
}

void Replica::Finish(const std::shared_ptr<Waiter>& waiter, ClientResult result, RaftMessage reply) {
  MutexLock lock(*inbox_mu_);
  if (waiter->done) return;
  waiter->done = true;
  waiter->result = std::move(result);
  waiter->reply = std::move(reply);
  waiter->cv->NotifyAll();
}

ClientResult Replica::Submit(Command command, int64_t timeout_ns) {
  auto waiter = NewWaiter();
  const int64_t deadline = env_.runtime->NowNanos() + timeout_ns;
  MutexLock lock(*inbox_mu_);
  if (stopping_) return ClientResult{ClientCode::kNotLeader, "", std::nullopt, "stopped"};
  Item item;
  item.kind = Item::Kind::kLocal;
  item.message.command = std::move(command);
  item.waiter = waiter;
  inbox_.push_back(std::move(item));
  inbox_cv_->NotifyAll();
  while (!waiter->done) {
    const int64_t now = env_.runtime->NowNanos();
    if (now >= deadline) return ClientResult{ClientCode::kUnknown, "", std::nullopt, "timeout"};
    waiter->cv->WaitFor(*inbox_mu_, deadline - now);
  }
  return waiter->result;
}

void Replica::ServeSnapshot(Stream& stream, const RaftMessage& header) {
  std::string bytes;
  bool complete = false;
  const uint64_t chunks_max = (64u << 20) / std::max<uint32_t>(1, options_.snapshot_chunk_bytes) + 2;
  for (uint64_t i = 0; i < chunks_max; ++i) {
    absl::StatusOr<std::string> frame = stream.Read(options_.snapshot_timeout_ns);
    if (!frame.ok()) return;
    absl::StatusOr<RaftMessage> m = DecodeMessage(*frame);
    if (!m.ok()) return;
    if (m->type == MessageType::kSnapshotChunk) {
      bytes += m->bytes;
    } else if (m->type == MessageType::kSnapshotEnd) {
      complete = m->checksum == coding::Fnv1a64(bytes) && m->checksum == header.checksum;
      break;
    } else {
      return;
    }
  }
  if (!complete) return;
  auto waiter = NewWaiter();
  Item item;
  item.kind = Item::Kind::kSnapshotOffered;
  item.from = std::string(stream.peer());
  item.message = header;
  item.bytes = std::move(bytes);
  item.waiter = waiter;
  Post(std::move(item));
  RaftMessage reply;
  {
    const int64_t deadline = env_.runtime->NowNanos() + options_.snapshot_timeout_ns;
    MutexLock lock(*inbox_mu_);
    while (!waiter->done) {
      const int64_t now = env_.runtime->NowNanos();
      if (now >= deadline || stopping_) return;
      waiter->cv->WaitFor(*inbox_mu_, deadline - now);
    }
    reply = waiter->reply;
  }
  (void)stream.Write(EncodeMessage(reply));
}

void Replica::RequestStop() {
  MutexLock lock(*inbox_mu_);
  stopping_ = true;
  inbox_cv_->NotifyAll();
}

void Replica::JoinTasks() {
  std::vector<std::unique_ptr<TaskHandle>> tasks;
  {
    MutexLock lock(*inbox_mu_);
    tasks.swap(tasks_);
  }
  for (auto& task : tasks) task->Join();
}

ReplicaStatus Replica::Status() {
  MutexLock lock(*state_mu_);
  ReplicaStatus s;
  s.role = role_;
  s.halted = halted_;
  s.term = term_;
  s.leader = leader_;
  s.commit_index = commit_;
  s.applied_index = sm_.applied_index();
  s.last_index = halted_ ? 0 : LastIndex();
  s.snapshot_index = snapshot_index_;
  s.log_first_index = log_ != nullptr ? log_->first_index() : 0;
  s.recoveries = recoveries_;
  s.state_digest = sm_.Digest();
  return s;
}

std::optional<std::string> Replica::LocalRead(const std::string& key) {
  MutexLock lock(*state_mu_);
  return sm_.Get(key);
}

// ---------------------------------------------------------------- the worker

void Replica::Run() {
  for (;;) {
    std::deque<Item> batch;
    {
      MutexLock lock(*inbox_mu_);
      // Bounded by time: leaves at the next timer at the latest.
      while (!stopping_ && inbox_.empty()) {
        const int64_t now = env_.runtime->NowNanos();
        if (now >= next_wake_ns_) break;
        inbox_cv_->WaitFor(*inbox_mu_, next_wake_ns_ - now);
      }
      if (stopping_) return;
      batch.swap(inbox_);
    }
    MutexLock lock(*state_mu_);
    for (Item& item : batch) Handle(item);
    OnTimers();
    if (replicate_now_ && role_ == Role::kLeader && !halted_) BroadcastAppend();
    replicate_now_ = false;
    next_wake_ns_ = NextWakeNs();
    ShowState();
  }
}

void Replica::ShowState() {
  const char* role = halted_ ? "halted" : role_ == Role::kLeader ? "leader" : role_ == Role::kCandidate ? "candidate" : "follower";
  std::string state = fmt::format("{} term {}", role, term_);
  if (state == shown_state_) return;
  shown_state_ = std::move(state);
  env_.runtime->State(fmt::format("raft g{}", config_.id), shown_state_);
  // A leader's term as a lease on the timeline, from its election to stepping down (or its crash):
  // "raft g1 leader term 3".
  std::string lease = role_ == Role::kLeader && !halted_ ? fmt::format("raft g{} leader term {}", config_.id, term_) : "";
  if (lease == leader_lease_) return;
  if (!leader_lease_.empty()) env_.runtime->HoldEnd(leader_lease_);
  leader_lease_ = std::move(lease);
  if (!leader_lease_.empty()) env_.runtime->HoldBegin(leader_lease_);
}

int64_t Replica::NextWakeNs() const {
  if (halted_) return restart_at_ns_;
  if (role_ == Role::kLeader) return heartbeat_due_ns_;
  return election_deadline_ns_;
}

void Replica::OnTimers() {
  const int64_t now = env_.runtime->NowNanos();
  if (halted_) {
    if (now >= restart_at_ns_) Recover();
    return;
  }
  if (role_ == Role::kLeader) {
    if (now >= heartbeat_due_ns_) {
      BroadcastAppend();
      heartbeat_due_ns_ = now + options_.heartbeat_interval_ns;
    }
  } else if (now >= election_deadline_ns_) {
    StartElection();
  }
}

void Replica::Handle(Item& item) {
  if (halted_) {  // fail-stopped: refuse everything until recovered
    if (item.kind == Item::Kind::kLocal) {
      Finish(item.waiter, ClientResult{ClientCode::kNotLeader, "", std::nullopt, "replica halted"});
    } else if (item.kind == Item::Kind::kPeer &&
               item.message.type == MessageType::kClientRequest) {
      RaftMessage reply;
      reply.type = MessageType::kClientReply;
      reply.group = config_.id;
      reply.request_id = item.message.request_id;
      reply.code = ClientCode::kNotLeader;
      Reply(item.from, reply);
    }
    return;
  }
  switch (item.kind) {
    case Item::Kind::kPeer:
      HandlePeer(item.from, item.message);
      break;
    case Item::Kind::kLocal: {
      Pending pending;
      pending.waiter = item.waiter;
      Propose(item.message.command, std::move(pending));
      break;
    }
    case Item::Kind::kSnapshotOffered:
      HandleSnapshotOffered(item);
      break;
    case Item::Kind::kSnapshotSent:
      HandleSnapshotSent(item);
      break;
  }
}

void Replica::Reply(const std::string& to, const RaftMessage& m) {
  (void)env_.transport->Send(to, EncodeMessage(m));
}

void Replica::HandlePeer(const std::string& from, const RaftMessage& m) {
  if (m.type == MessageType::kClientRequest) {
    Pending pending;
    pending.client = from;
    pending.request_id = m.request_id;
    Propose(m.command, std::move(pending));
    return;
  }
  if (m.term > term_ && !StepDown(m.term)) return;
  switch (m.type) {
    case MessageType::kRequestVote:
      HandleRequestVote(from, m);
      break;
    case MessageType::kRequestVoteReply:
      HandleVoteReply(from, m);
      break;
    case MessageType::kAppendEntries:
      HandleAppendEntries(from, m);
      break;
    case MessageType::kAppendEntriesReply:
      HandleAppendReply(from, m);
      break;
    default:
      break;  // client replies and stream frames do not arrive as datagrams here
  }
}

// ---------------------------------------------------------------- elections

// The random draw is rotated by the node's rank, so each node's timeout is still uniform over
// [min, max) but a draw of 0 on every node (a simulation's default, the shrinker's floor) staggers
// the nodes instead of timing them all out together: identical timeouts split every vote forever,
// a livelock real Raft avoids by randomising, which a shrunk run should not mistake for a bug.
void Replica::ResetElectionTimer() {
  const uint64_t spread = static_cast<uint64_t>(
      std::max<int64_t>(1, options_.election_timeout_ns_max - options_.election_timeout_ns_min));
  const uint64_t members = std::max<uint64_t>(1, config_.members.size());
  const uint64_t offset = spread / members * rank_;
  election_deadline_ns_ = env_.runtime->NowNanos() + options_.election_timeout_ns_min +
                          static_cast<int64_t>((env_.runtime->Random(spread) + offset) % spread);
}

bool Replica::StepDown(uint64_t term) {
  if (term > term_) {
    term_ = term;
    voted_for_.clear();
    if (IoFailed(PersistVote(), "vote")) return false;
  }
  if (role_ != Role::kFollower) {
    role_ = Role::kFollower;
    ResetElectionTimer();
  }
  if (leader_ == self_) leader_.clear();
  votes_.clear();
  return true;
}

void Replica::StartElection() {
  ++term_;
  role_ = Role::kCandidate;
  voted_for_ = self_;
  leader_.clear();
  votes_ = {self_};
  env_.runtime->Note(fmt::format("raft g{}: {} starts election for term {}", config_.id, self_, term_));
  if (IoFailed(PersistVote(), "vote")) return;
  ResetElectionTimer();
  if (votes_.size() >= Majority()) {
    BecomeLeader();
    return;
  }
  RaftMessage m;
  m.type = MessageType::kRequestVote;
  m.group = config_.id;
  m.term = term_;
  m.last_log_index = LastIndex();
  m.last_log_term = LastTerm();
  for (const std::string& peer : peers_) Reply(peer, m);
}

void Replica::HandleRequestVote(const std::string& from, const RaftMessage& m) {
  const bool up_to_date = m.last_log_term > LastTerm() ||
                          (m.last_log_term == LastTerm() && m.last_log_index >= LastIndex());
  RaftMessage reply;
  reply.type = MessageType::kRequestVoteReply;
  reply.group = config_.id;
  if (m.term == term_ && (voted_for_.empty() || voted_for_ == from) && up_to_date) {
    if (voted_for_ != from) {
      voted_for_ = from;
      // Durable before the answer (kIgnore grants a vote it may forget at a restart).
      if (IoFailed(PersistVote(), "vote")) return;
    }
    reply.granted = true;
    ResetElectionTimer();
  }
  reply.term = term_;
  Reply(from, reply);
}

void Replica::HandleVoteReply(const std::string& from, const RaftMessage& m) {
  if (role_ != Role::kCandidate || m.term != term_ || !m.granted) return;
  votes_.insert(from);
  if (votes_.size() >= Majority()) BecomeLeader();
}

void Replica::BecomeLeader() {
  role_ = Role::kLeader;
  leader_ = self_;
  votes_.clear();
  progress_.clear();
  for (const std::string& peer : peers_) progress_[peer] = Progress{LastIndex() + 1, 0, false, 0};
  env_.runtime->Note(fmt::format("raft g{}: {} leads term {}", config_.id, self_, term_));
  if (options_.observer != nullptr)
    options_.observer->OnLeaderElected(config_.id, term_, self_, snapshot_index_, LogInfo());
  // A no-op of the new term lets earlier entries commit (Raft §5.4.2) and reads proceed.
  Propose(Command{}, Pending{});
  if (halted_) return;
  BroadcastAppend();
  heartbeat_due_ns_ = env_.runtime->NowNanos() + options_.heartbeat_interval_ns;
}

// ---------------------------------------------------------------- replication (leader)

void Replica::Propose(const Command& command, Pending pending) {
  if (role_ != Role::kLeader) {
    ClientResult result{ClientCode::kNotLeader, leader_, std::nullopt, "not the leader"};
    if (pending.waiter != nullptr) {
      Finish(pending.waiter, result);
    } else if (!pending.client.empty()) {
      RaftMessage reply;
      reply.type = MessageType::kClientReply;
      reply.group = config_.id;
      reply.request_id = pending.request_id;
      reply.code = ClientCode::kNotLeader;
      reply.leader_hint = leader_;
      Reply(pending.client, reply);
    }
    return;
  }
  Entry entry{LastIndex() + 1, term_, EncodeCommand(command)};
  // Only an earlier ignored I/O error (kIgnore) can leave the log behind the snapshot point.
  const bool contiguous = log_->empty() || entry.index == log_->last_index() + 1;
  absl::Status appended = contiguous ? log_->Append({entry})
                                     : absl::DataLossError("raft: log behind the snapshot point");
  if (!appended.ok()) {
    if (IoFailed(appended, "append")) {
      Complete(entry.index, pending, ClientResult{ClientCode::kUnknown, "", std::nullopt,
                                                  "replica halted"});
      return;
    }
    // Ignored: the entry is not in the log; a cut-back that failed may leave it on disk.
    Complete(entry.index, pending, ClientResult{ClientCode::kUnknown, "", std::nullopt,
                                                "log append failed"});
    return;
  }
  pending.term = term_;
  if (pending.waiter != nullptr || !pending.client.empty()) pending_[entry.index] = std::move(pending);
  replicate_now_ = true;
  AdvanceCommit();
  (void)ApplyCommitted();
}

void Replica::BroadcastAppend() {
  for (const std::string& peer : peers_) SendAppend(peer);
}

void Replica::SendAppend(const std::string& peer) {
  Progress& p = progress_[peer];
  if (p.snapshot_active && env_.runtime->NowNanos() < p.snapshot_deadline_ns) return;
  p.snapshot_active = false;
  const uint64_t prev = p.next - 1;
  const std::optional<uint64_t> prev_term = TermAt(prev);
  const bool have_next = p.next > LastIndex() || log_->Find(p.next) != nullptr;
  if (!prev_term.has_value() || !have_next) {  // compacted away: stream the snapshot
    StartSnapshotTransfer(peer);
    return;
  }
  RaftMessage m;
  m.type = MessageType::kAppendEntries;
  m.group = config_.id;
  m.term = term_;
  m.prev_index = prev;
  m.prev_term = *prev_term;
  m.leader_commit = commit_;
  m.entries = log_->Slice(p.next, p.next + options_.append_entries_max - 1);
  Reply(peer, m);
}

void Replica::HandleAppendReply(const std::string& from, const RaftMessage& m) {
  if (role_ != Role::kLeader || m.term != term_) return;
  auto it = progress_.find(from);
  if (it == progress_.end()) return;
  Progress& p = it->second;
  if (m.success) {
    p.match = std::max(p.match, m.match_index);
    p.next = std::max(p.next, p.match + 1);
    AdvanceCommit();
    if (!ApplyCommitted()) return;
    if (p.next <= LastIndex()) SendAppend(from);
    return;
  }
  // Back off towards the follower's log end, never below what it already matched.
  const uint64_t before = p.next;
  const uint64_t next = std::min(p.next > 1 ? p.next - 1 : 1, m.hint_index + 1);
  p.next = std::max(next, p.match + 1);
  // Probe again at once only on progress; otherwise the next heartbeat retries (no ping-pong at
  // zero latency with a follower that keeps rejecting, e.g. one that acknowledged a failed append).
  if (p.next < before) SendAppend(from);
}

void Replica::AdvanceCommit() {
  if (role_ != Role::kLeader) return;
  const uint64_t old_commit = commit_;
  for (uint64_t n = LastIndex(); n > commit_; --n) {
    const std::optional<uint64_t> t = TermAt(n);
    if (!t.has_value() || *t != term_) break;  // only entries of this term count (§5.4.2)
    size_t count = 1;                          // this leader
    for (const auto& [peer, p] : progress_)
      if (p.match >= n) ++count;
    if (count >= Majority()) {
      commit_ = n;
      break;
    }
  }
  if (options_.observer == nullptr) return;
  for (uint64_t i = old_commit + 1; i <= commit_; ++i)
    if (const Entry* e = log_->Find(i)) options_.observer->OnCommitted(config_.id, term_, self_, Info(*e));
}

// ---------------------------------------------------------------- replication (follower)

void Replica::HandleAppendEntries(const std::string& from, const RaftMessage& m) {
  RaftMessage reply;
  reply.type = MessageType::kAppendEntriesReply;
  reply.group = config_.id;
  reply.term = term_;
  if (m.term < term_) {
    reply.hint_index = LastIndex();
    Reply(from, reply);
    return;
  }
  if (role_ != Role::kFollower) {
    role_ = Role::kFollower;  // a candidate meets the leader of its term
    votes_.clear();
  }
  leader_ = from;
  ResetElectionTimer();
  for (size_t i = 0; i < m.entries.size(); ++i)
    if (m.entries[i].index != m.prev_index + 1 + i) return;  // malformed: drop
  const std::optional<uint64_t> prev_term = TermAt(m.prev_index);
  if (m.prev_index > snapshot_index_ && (!prev_term.has_value() || *prev_term != m.prev_term)) {
    reply.hint_index = std::min(LastIndex(), m.prev_index - 1);
    Reply(from, reply);
    return;
  }
  std::vector<Entry> fresh;
  for (size_t i = 0; i < m.entries.size(); ++i) {
    const Entry& e = m.entries[i];
    if (e.index <= snapshot_index_) continue;
    const std::optional<uint64_t> t = TermAt(e.index);
    if (t.has_value() && *t == e.term) continue;
    if (t.has_value()) {  // conflict: drop our suffix from here
      if (IoFailed(log_->TruncateSuffix(e.index), "truncate")) return;
      FailPendingFrom(e.index, "entry overwritten by a newer leader");
    }
    fresh.assign(m.entries.begin() + static_cast<std::ptrdiff_t>(i), m.entries.end());
    break;
  }
  if (!fresh.empty()) {
    const bool contiguous = log_->empty() ? fresh.front().index == snapshot_index_ + 1
                                          : fresh.front().index == log_->last_index() + 1;
    absl::Status appended = contiguous ? log_->Append(fresh)
                                       : absl::DataLossError("raft: log not contiguous");
    if (!appended.ok()) {
      if (IoFailed(appended, "append")) return;
      // The defect (kIgnore): acknowledge entries that are neither on disk nor in the log.
      env_.runtime->Probe("raft.append_error_acknowledged");
    }
  }
  const uint64_t msg_last = m.prev_index + m.entries.size();
  reply.success = true;
  reply.match_index = msg_last;
  Reply(from, reply);
  if (m.leader_commit > commit_) {
    commit_ = std::max(commit_, std::min({m.leader_commit, msg_last, LastIndex()}));
    (void)ApplyCommitted();
  }
}

// ---------------------------------------------------------------- apply and flush

void Replica::Complete(uint64_t index, Pending& pending, ClientResult result) {
  (void)index;
  if (pending.waiter != nullptr) {
    Finish(pending.waiter, std::move(result));
  } else if (!pending.client.empty()) {
    RaftMessage reply;
    reply.type = MessageType::kClientReply;
    reply.group = config_.id;
    reply.request_id = pending.request_id;
    reply.code = result.code;
    reply.leader_hint = result.leader_hint;
    reply.value = result.value;
    Reply(pending.client, reply);
  }
}

void Replica::FailPendingFrom(uint64_t index, std::string_view why) {
  // Truncated here, but another replica may still hold the entry and commit it: outcome unknown.
  for (auto it = pending_.lower_bound(index); it != pending_.end();) {
    Complete(it->first, it->second,
             ClientResult{ClientCode::kUnknown, leader_, std::nullopt, std::string(why)});
    it = pending_.erase(it);
  }
}

bool Replica::ApplyCommitted() {
  const uint64_t before = sm_.applied_index();
  for (uint64_t guard = 0; sm_.applied_index() < commit_ && guard < (1u << 20); ++guard) {
    const uint64_t index = sm_.applied_index() + 1;
    const Entry* e = log_->Find(index);
    if (e == nullptr) {
      env_.runtime->Probe("raft.apply_entry_missing");
      break;
    }
    absl::StatusOr<Command> command = DecodeCommand(e->data);
    assert(command.ok());
    const ApplyResult result = sm_.Apply(index, e->term, command.ok() ? *command : Command{});
    if (options_.observer != nullptr) options_.observer->OnApplied(config_.id, self_, Info(*e));
    auto it = pending_.find(index);
    if (it == pending_.end()) continue;
    if (it->second.term == e->term) {
      Complete(index, it->second, ClientResult{ClientCode::kOk, "", result.value, ""});
    } else {
      Complete(index, it->second, ClientResult{ClientCode::kFailed, leader_, std::nullopt,
                                               "another entry committed at its index"});
    }
    pending_.erase(it);
  }
  if (sm_.applied_index() > before && sm_.applied_index() > log_->applied_marker()) {
    if (IoFailed(log_->MarkApplied(sm_.applied_index()), "apply")) return false;
  }
  return MaybeFlush();
}

bool Replica::MaybeFlush() {
  if (options_.snapshot_every_entries == 0 ||
      sm_.applied_index() < snapshot_index_ + options_.snapshot_every_entries) {
    return true;
  }
  const SnapshotData data = sm_.Capture();
  auto bytes = std::make_shared<const std::string>(EncodeSnapshot(data));
  env_.runtime->CrashPoint("raft.flush.before_snapshot");
  if (IoFailed(WriteFileAtomically(*env_.fs, dir_ + "/snapshot", *bytes), "flush")) return false;
  // Under kIgnore a failed write lands here too: the code believes the flush is on disk.
  snapshot_index_ = data.last_index;
  snapshot_term_ = data.last_term;
  snapshot_bytes_ = std::move(bytes);
  env_.runtime->CrashPoint("raft.flush.before_prefix_delete");
  if (IoFailed(log_->DeletePrefix(snapshot_index_), "delete prefix")) return false;
  env_.runtime->Note(fmt::format("raft g{}: {} flushed memtable at {}", config_.id, self_,
                                 snapshot_index_));
  return true;
}

// ---------------------------------------------------------------- InstallSnapshot

void Replica::StartSnapshotTransfer(const std::string& peer) {
  Progress& p = progress_[peer];
  if (snapshot_bytes_ == nullptr) {
    env_.runtime->Probe("raft.snapshot_needed_but_none");
    return;
  }
  p.snapshot_active = true;
  p.snapshot_deadline_ns = env_.runtime->NowNanos() + options_.snapshot_timeout_ns;
  env_.runtime->Probe("raft.install_snapshot_sent");
  auto task = env_.runtime->Spawn(
      fmt::format("raft-g{}-snap-{}", config_.id, peer),
      [this, peer, bytes = snapshot_bytes_, term = term_, epoch = epoch_,
       last_index = snapshot_index_, last_term = snapshot_term_] {
        SendSnapshot(peer, bytes, term, epoch, last_index, last_term);
      });
  MutexLock lock(*inbox_mu_);
  tasks_.push_back(std::move(task));
}

// Runs on its own task: streams the snapshot, then reports to the worker.
void Replica::SendSnapshot(std::string peer, std::shared_ptr<const std::string> bytes,
                           uint64_t term, uint64_t epoch, uint64_t last_index, uint64_t last_term) {
  Item item;
  item.kind = Item::Kind::kSnapshotSent;
  item.from = peer;
  item.epoch = epoch;
  item.term = term;
  item.message.type = MessageType::kSnapshotReply;
  item.message.success = false;
  absl::StatusOr<std::unique_ptr<Stream>> stream = env_.transport->Connect(peer);
  if (stream.ok()) {
    RaftMessage header;
    header.type = MessageType::kSnapshotHeader;
    header.group = config_.id;
    header.term = term;
    header.last_log_index = last_index;
    header.last_log_term = last_term;
    header.checksum = coding::Fnv1a64(*bytes);
    absl::Status status = (*stream)->Write(EncodeMessage(header));
    const size_t chunk = std::max<uint32_t>(1, options_.snapshot_chunk_bytes);
    for (size_t offset = 0; status.ok() && offset < bytes->size(); offset += chunk) {
      RaftMessage m;
      m.type = MessageType::kSnapshotChunk;
      m.group = config_.id;
      m.term = term;
      m.bytes = bytes->substr(offset, chunk);
      status = (*stream)->Write(EncodeMessage(m));
    }
    if (status.ok()) {
      RaftMessage end;
      end.type = MessageType::kSnapshotEnd;
      end.group = config_.id;
      end.term = term;
      end.checksum = header.checksum;
      status = (*stream)->Write(EncodeMessage(end));
    }
    if (status.ok()) {
      absl::StatusOr<std::string> frame = (*stream)->Read(options_.snapshot_timeout_ns);
      if (frame.ok()) {
        absl::StatusOr<RaftMessage> reply = DecodeMessage(*frame);
        if (reply.ok() && reply->type == MessageType::kSnapshotReply) item.message = *reply;
      }
    }
    (void)(*stream)->Close();
  }
  Post(std::move(item));
}

void Replica::HandleSnapshotSent(const Item& item) {
  const RaftMessage& m = item.message;
  if (m.term > term_) {
    (void)StepDown(m.term);
    return;
  }
  if (item.epoch != epoch_ || item.term != term_ || role_ != Role::kLeader) return;
  auto it = progress_.find(item.from);
  if (it == progress_.end()) return;
  Progress& p = it->second;
  if (!m.success) {  // back off one heartbeat before the next attempt (the peer may be down)
    p.snapshot_deadline_ns = env_.runtime->NowNanos() + options_.heartbeat_interval_ns;
    return;
  }
  p.snapshot_active = false;
  p.match = std::max(p.match, m.match_index);
  p.next = std::max(p.next, p.match + 1);
  AdvanceCommit();
  if (!ApplyCommitted()) return;
  SendAppend(item.from);
}

void Replica::HandleSnapshotOffered(Item& item) {
  const RaftMessage& header = item.message;
  RaftMessage reply;
  reply.type = MessageType::kSnapshotReply;
  reply.group = config_.id;
  if (header.term > term_ && !StepDown(header.term)) return;  // the halt answers nobody: it times out
  reply.term = term_;
  if (header.term < term_) {
    Finish(item.waiter, ClientResult{}, reply);
    return;
  }
  if (role_ != Role::kFollower) {
    role_ = Role::kFollower;
    votes_.clear();
  }
  leader_ = item.from;
  ResetElectionTimer();
  if (header.last_log_index <= commit_ || header.last_log_index <= snapshot_index_) {
    reply.success = true;  // we already hold everything it covers
    reply.match_index = header.last_log_index;
    Finish(item.waiter, ClientResult{}, reply);
    return;
  }
  absl::StatusOr<SnapshotData> data = DecodeSnapshot(item.bytes);
  if (!data.ok() || data->last_index != header.last_log_index ||
      data->last_term != header.last_log_term) {
    Finish(item.waiter, ClientResult{}, reply);
    return;
  }
  if (IoFailed(WriteFileAtomically(*env_.fs, dir_ + "/snapshot", item.bytes), "install snapshot"))
    return;
  // Keep the log after the snapshot point if it agrees there (Raft §7); otherwise drop it all.
  const std::optional<uint64_t> t = TermAt(data->last_index);
  absl::Status trimmed = (t.has_value() && *t == data->last_term && log_->Find(data->last_index))
                             ? log_->DeletePrefix(data->last_index)
                             : log_->Clear();
  if (IoFailed(trimmed, "install snapshot log trim")) return;
  if (!t.has_value() || *t != data->last_term) FailPendingFrom(0, "replaced by a snapshot");
  snapshot_index_ = data->last_index;
  snapshot_term_ = data->last_term;
  snapshot_bytes_ = std::make_shared<const std::string>(std::move(item.bytes));
  commit_ = std::max(commit_, snapshot_index_);
  sm_.Restore(*std::move(data));
  for (auto it = pending_.begin(); it != pending_.end() && it->first <= snapshot_index_;) {
    Complete(it->first, it->second,
             ClientResult{ClientCode::kUnknown, "", std::nullopt, "covered by a snapshot"});
    it = pending_.erase(it);
  }
  if (options_.observer != nullptr)
    options_.observer->OnSnapshotRestored(config_.id, self_, snapshot_index_, snapshot_term_);
  env_.runtime->Probe("raft.install_snapshot_installed");
  reply.success = true;
  reply.match_index = snapshot_index_;
  Finish(item.waiter, ClientResult{}, reply);
  (void)ApplyCommitted();
}

// ---------------------------------------------------------------- I/O errors, halt, recovery

bool Replica::IoFailed(const absl::Status& status, std::string_view what) {
  if (status.ok()) return false;
  const bool halt = options_.io_error_policy == IoErrorPolicy::kFailStop;
  env_.runtime->Note(fmt::format("raft g{}: {} I/O error on {}: {} ({})", config_.id, self_, what,
                                 std::string(status.message()), halt ? "fail-stop" : "ignored"));
  if (options_.observer != nullptr) options_.observer->OnIoError(config_.id, self_, what, halt);
  if (!halt) {
    env_.runtime->Probe("raft.io_error_ignored");
    return false;
  }
  Halt(what);
  return true;
}

void Replica::Halt(std::string_view what) {
  (void)what;
  env_.runtime->Probe("raft.halt");
  halted_ = true;
  restart_at_ns_ = env_.runtime->NowNanos() + options_.restart_delay_ns;
  ++epoch_;
  role_ = Role::kFollower;
  leader_.clear();
  votes_.clear();
  progress_.clear();
  for (auto& [index, pending] : pending_)
    Complete(index, pending, ClientResult{ClientCode::kUnknown, "", std::nullopt, "replica halted"});
  pending_.clear();
}

absl::Status Replica::PersistVote() {
  return WriteFileAtomically(*env_.fs, dir_ + "/vote", EncodeVote(term_, voted_for_));
}

absl::Status Replica::LoadState() {
  RETURN_IF_ERROR(EnsureDirs(*env_.fs, dir_));
  // What we are about to load must be what a crash keeps: a vote or snapshot rename whose
  // directory sync failed (and halted the last incarnation) becomes durable here.
  RETURN_IF_ERROR(env_.fs->SyncDir(dir_));
  term_ = 0;
  voted_for_.clear();
  ASSIGN_OR_RETURN(bool has_vote, env_.fs->Exists(dir_ + "/vote"));
  if (has_vote) {
    ASSIGN_OR_RETURN(std::string bytes, ReadWholeFile(*env_.fs, dir_ + "/vote"));
    RETURN_IF_ERROR(DecodeVote(bytes, term_, voted_for_));
  }
  sm_ = StateMachine();
  snapshot_index_ = 0;
  snapshot_term_ = 0;
  snapshot_bytes_.reset();
  ASSIGN_OR_RETURN(bool has_snapshot, env_.fs->Exists(dir_ + "/snapshot"));
  if (has_snapshot) {
    ASSIGN_OR_RETURN(std::string bytes, ReadWholeFile(*env_.fs, dir_ + "/snapshot"));
    ASSIGN_OR_RETURN(SnapshotData data, DecodeSnapshot(bytes));
    snapshot_index_ = data.last_index;
    snapshot_term_ = data.last_term;
    snapshot_bytes_ = std::make_shared<const std::string>(std::move(bytes));
    sm_.Restore(std::move(data));
  }
  log_ = std::make_unique<LogStore>(*env_.fs, dir_ + "/log", options_.segment_bytes_max);
  RETURN_IF_ERROR(log_->Open());
  if (log_->dropped_torn_tail()) env_.runtime->Probe("raft.recover.torn_tail");
  // The log must continue the snapshot: no gap after it, and not end before it.
  if (!log_->empty() &&
      (log_->first_index() > snapshot_index_ + 1 || log_->last_index() < snapshot_index_)) {
    env_.runtime->Probe("raft.recover.log_does_not_continue_snapshot");
    RETURN_IF_ERROR(log_->Clear());
  }
  return absl::OkStatus();
}

void Replica::Recover() {
  ++recoveries_;
  role_ = Role::kFollower;
  leader_.clear();
  votes_.clear();
  progress_.clear();
  pending_.clear();
  commit_ = 0;
  absl::Status loaded = LoadState();
  if (!loaded.ok()) {  // stay down and try again later (both policies: nothing to carry on with)
    env_.runtime->Note(fmt::format("raft g{}: {} recovery failed: {}", config_.id, self_,
                                   std::string(loaded.message())));
    env_.runtime->Probe("raft.recover.failed");
    restart_at_ns_ = env_.runtime->NowNanos() + options_.restart_delay_ns;
    return;
  }
  halted_ = false;
  ++epoch_;
  if (options_.observer != nullptr && snapshot_index_ > 0)
    options_.observer->OnSnapshotRestored(config_.id, self_, snapshot_index_, snapshot_term_);
  // Re-apply what this replica had applied before (known committed); the rest waits for a leader.
  commit_ = std::max(snapshot_index_, std::min(log_->applied_marker(), LastIndex()));
  env_.runtime->Note(fmt::format("raft g{}: {} recovered: term {}, snapshot {}, log [{}, {}], "
                                 "re-apply through {}",
                                 config_.id, self_, term_, snapshot_index_, log_->first_index(),
                                 log_->last_index(), commit_));
  ResetElectionTimer();
  (void)ApplyCommitted();
}

// ---------------------------------------------------------------- log views

uint64_t Replica::LastIndex() const {
  return std::max(snapshot_index_, log_ != nullptr ? log_->last_index() : 0);
}

uint64_t Replica::LastTerm() const {
  if (log_ != nullptr && !log_->empty() && log_->last_index() >= snapshot_index_)
    return log_->Find(log_->last_index())->term;
  return snapshot_term_;
}

std::optional<uint64_t> Replica::TermAt(uint64_t index) const {
  if (index == 0) return 0;
  if (log_ != nullptr) {
    if (const Entry* e = log_->Find(index)) return e->term;
  }
  if (index == snapshot_index_) return snapshot_term_;
  return std::nullopt;
}

std::vector<EntryInfo> Replica::LogInfo() const {
  std::vector<EntryInfo> out;
  if (log_ == nullptr || log_->empty()) return out;
  for (uint64_t i = std::max(log_->first_index(), snapshot_index_ + 1); i <= log_->last_index(); ++i)
    out.push_back(Info(*log_->Find(i)));
  return out;
}

}  // namespace model::raft
