#include "sim/world/network.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "model/env/status.h"

namespace seedbed {
namespace {

using model::Av;
constexpr int kMaxWaits = 1'000'000;  // bound on wake-ups per blocking call (spurious included)

}  // namespace

// Moves every in-flight item due by now into the receiving end's queue, in write order.
void DeliverDue(SimNetwork& net, const std::shared_ptr<StreamState>& s, int to, Nanos now) {
  if (s->broken) return;
  StreamState::Direction& dir = s->to_end[to];
  bool any = false;
  while (!dir.in_flight.empty() && dir.in_flight.front().at_ns <= now) {
    StreamState::InFlight& item = dir.in_flight.front();
    if (item.eof) {
      dir.eof = true;
    } else {
      dir.queue.push_back(std::move(item.data));
    }
    dir.in_flight.pop_front();
    any = true;
  }
  if (any) net.WakeAll(dir.readers);
}

// --- a stream end ---

class SimStream final : public model::Stream {
 public:
  SimStream(SimNetwork& net, std::shared_ptr<StreamState> state, int end)
      : net_(net), s_(std::move(state)), end_(end) {}
  ~SimStream() override { (void)Close(); }

  absl::Status Write(std::string bytes) override {
    WorldCore& core = net_.core_;
    if (core.Doomed()) return absl::AbortedError("process crashed");
    if (s_->closed[end_]) return absl::FailedPreconditionError("stream closed");
    const std::string what = absl::StrCat("stream ", s_->id, " ", Av(self()), " -> ", Av(peer()), " ",
                                          bytes.size(), "B");
    if (!s_->broken && core.DrawError(OpKind::kNetStream)) {
      core.TraceFault(absl::StrCat(what, ": injected connection reset"));
      net_.Break(*s_, "connection reset (injected)");
    }
    if (!s_->broken && (net_.Blocked(self(), peer()) || net_.Blocked(peer(), self())))
      net_.Break(*s_, "partition");
    if (s_->broken) {
      core.TraceIo(absl::StrCat(what, " -> Unavailable (", s_->broken_reason, ")"));
      return absl::UnavailableError(absl::StrCat("stream broken: ", s_->broken_reason));
    }
    StreamState::Direction& dir = s_->to_end[1 - end_];
    const Nanos at = std::max(core.kernel().Now() + core.DrawLatency(OpKind::kNetStream),
                              dir.last_delivery_ns);
    dir.last_delivery_ns = at;
    dir.in_flight.push_back(StreamState::InFlight{at, false, std::move(bytes)});
    std::shared_ptr<StreamState> s = s_;
    SimNetwork* net = &net_;
    const int to = 1 - end_;
    core.kernel().ScheduleAt(at, [s, net, to, at] { DeliverDue(*net, s, to, at); });
    core.TraceIo(absl::StrCat(what, " -> ok"));
    core.Wait(0);  // a scheduling point, like every other I/O call
    return absl::OkStatus();
  }

  absl::StatusOr<std::string> Read(int64_t timeout_ns) override {
    WorldCore& core = net_.core_;
    const Nanos deadline = timeout_ns < 0 ? -1 : core.kernel().Now() + timeout_ns;
    StreamState::Direction& dir = s_->to_end[end_];
    for (int i = 0; i < kMaxWaits; ++i) {
      if (core.Doomed()) return absl::AbortedError("process crashed");
      if (s_->closed[end_]) return absl::FailedPreconditionError("stream closed");
      if (!dir.queue.empty()) {
        std::string data = std::move(dir.queue.front());
        dir.queue.pop_front();
        return data;
      }
      if (s_->broken) return absl::UnavailableError(absl::StrCat("stream broken: ", s_->broken_reason));
      if (dir.eof) return absl::OutOfRangeError("end of stream");
      if (!net_.WaitOn(dir.readers, absl::StrCat("stream ", s_->id, " read from ", Av(peer())), deadline))
        return absl::DeadlineExceededError("stream read timed out");
    }
    return absl::DeadlineExceededError("stream read: too many wake-ups");
  }

  absl::Status Close() override {
    if (s_->closed[end_]) return absl::OkStatus();
    s_->closed[end_] = true;
    if (s_->broken || net_.core_.shutting_down()) return absl::OkStatus();
    // The peer sees end-of-stream after everything written before the close.
    StreamState::Direction& dir = s_->to_end[1 - end_];
    Kernel& k = net_.core_.kernel();
    const Nanos at = std::max(k.Now(), dir.last_delivery_ns);
    dir.last_delivery_ns = at;
    dir.in_flight.push_back(StreamState::InFlight{at, true, {}});
    std::shared_ptr<StreamState> s = s_;
    SimNetwork* net = &net_;
    const int to = 1 - end_;
    k.ScheduleAt(at, [s, net, to, at] { DeliverDue(*net, s, to, at); });
    return absl::OkStatus();
  }

  std::string_view peer() const override { return s_->end_name[1 - end_]; }
  std::string_view self() const { return s_->end_name[end_]; }

 private:
  SimNetwork& net_;
  std::shared_ptr<StreamState> s_;
  int end_;
};

// --- the network ---

SimTransport& SimNetwork::AddEndpoint(Process& process) {
  Endpoint& e = endpoints_[process.name()];
  e.process = &process;
  e.transport = std::make_unique<SimTransport>(*this, process.name());
  return *e.transport;
}

SimNetwork::Endpoint* SimNetwork::Find(std::string_view name) {
  auto it = endpoints_.find(name);
  return it == endpoints_.end() ? nullptr : &it->second;
}

bool SimNetwork::Blocked(std::string_view from, std::string_view to) const {
  for (const auto& [id, cuts] : partitions_)
    if (cuts.contains(std::pair<std::string, std::string>(from, to))) return true;
  return false;
}

uint64_t SimNetwork::Partition(const std::vector<std::string>& side_a,
                               std::vector<std::string> side_b, bool one_way) {
  if (side_b.empty()) {
    for (const auto& [name, e] : endpoints_)
      if (std::find(side_a.begin(), side_a.end(), name) == side_a.end()) side_b.push_back(name);
  }
  absl::btree_set<std::pair<std::string, std::string>> cuts;
  for (const std::string& a : side_a) {
    for (const std::string& b : side_b) {
      if (a == b) continue;
      cuts.emplace(a, b);
      if (!one_way) cuts.emplace(b, a);
    }
  }
  const uint64_t id = next_partition_++;
  std::string desc;
  for (const auto& [a, b] : cuts) absl::StrAppend(&desc, desc.empty() ? "" : ", ", a, "->", b);
  partitions_[id] = std::move(cuts);
  core_.TraceFault(absl::StrCat("partition ", id, " starts: ", desc));
  BreakCrossing();
  return id;
}

void SimNetwork::HealPartition(uint64_t id) {
  if (partitions_.erase(id) > 0) core_.Add(EventKind::kFault, absl::StrCat("partition ", id, " heals"));
}

void SimNetwork::HealAll() {
  if (partitions_.empty()) return;
  partitions_.clear();
  core_.Add(EventKind::kFault, "every partition heals");
}

void SimNetwork::Break(StreamState& s, std::string_view reason) {
  if (s.broken) return;
  s.broken = true;
  s.broken_reason = std::string(reason);
  ++stats_.streams_broken;
  core_.Add(EventKind::kIo, absl::StrCat("stream ", s.id, " ", s.end_name[0], " <-> ",
                                         s.end_name[1], " breaks: ", Av(reason)));
  WakeAll(s.to_end[0].readers);
  WakeAll(s.to_end[1].readers);
}

void SimNetwork::BreakCrossing() {
  std::erase_if(streams_, [](const std::weak_ptr<StreamState>& w) { return w.expired(); });
  for (const std::weak_ptr<StreamState>& w : streams_) {
    std::shared_ptr<StreamState> s = w.lock();
    if (s->broken) continue;
    if (Blocked(s->end_name[0], s->end_name[1]) || Blocked(s->end_name[1], s->end_name[0]))
      Break(*s, "partition");
  }
}

void SimNetwork::OnCrash(const Process& process) {
  Endpoint* e = Find(process.name());
  if (e != nullptr) {
    e->inbox.clear();
    e->inbox_ids.clear();
    e->accept_queue.clear();
    e->receivers.clear();
    e->acceptors.clear();
  }
  std::erase_if(streams_, [](const std::weak_ptr<StreamState>& w) { return w.expired(); });
  for (const std::weak_ptr<StreamState>& w : streams_) {
    std::shared_ptr<StreamState> s = w.lock();
    if (s->end_name[0] == process.name() || s->end_name[1] == process.name())
      Break(*s, absl::StrCat(process.name(), " crashed"));
  }
}

void SimNetwork::WakeAll(std::vector<TaskId>& tasks) {
  std::vector<TaskId> woken;
  woken.swap(tasks);
  for (TaskId t : woken) core_.kernel().Wake(t);
}

bool SimNetwork::WaitOn(std::vector<TaskId>& waiters, std::string_view what, Nanos deadline_ns) {
  Kernel& k = core_.kernel();
  const TaskId self = k.current_task();
  if (self == kNoTask) return false;  // kernel context cannot wait
  if (deadline_ns >= 0 && k.Now() >= deadline_ns) return false;
  waiters.push_back(self);
  // Removes this task from the waiters however the wait ends (a wake, a timeout, a crash unwind).
  struct Leave {
    std::vector<TaskId>& w;
    TaskId t;
    ~Leave() { std::erase(w, t); }
  } leave{waiters, self};
  if (k.tracks_accesses()) k.WillAccess(Kernel::ResourceKey("network", what), true);
  if (deadline_ns < 0) {
    k.Block(what);
    return true;
  }
  return k.BlockFor(what, deadline_ns - k.Now());
}

void SimNetwork::Deliver(std::string from, std::string to, std::string bytes, uint64_t id) {
  Endpoint* e = Find(to);
  if (e == nullptr || e->process->crashed()) return;
  if (Blocked(from, to)) {
    ++stats_.partitioned;
    return;
  }
  ++stats_.delivered;
  e->inbox.push_back(model::Message{std::move(from), std::move(bytes)});
  e->inbox_ids.push_back(id);
  WakeAll(e->receivers);
}

void SimNetwork::ScheduleDatagram(const std::string& from, const std::string& to,
                                  const std::string& bytes, uint64_t id) {
  const FaultPlan& plan = core_.plan();
  Nanos delay = core_.DrawLatency(OpKind::kNetSend);
  if (core_.DrawFault(plan.message_reorder_probability, DecisionKind::kNetwork, WorldCore::kFaultTag + 1)) {
    delay += core_.kernel().decisions().Between(0, plan.reorder_delay_ns_max, DecisionKind::kNetwork);
    core_.TraceFault(absl::StrCat("send ", from, " -> ", to, ": held back (reorder)"));
  }
  core_.kernel().ScheduleAt(core_.kernel().Now() + delay,
                            [this, from, to, bytes, id] { Deliver(from, to, bytes, id); });
}

// --- transport ---

absl::Status SimTransport::Send(std::string_view to, std::string bytes) {
  WorldCore& core = net_.core_;
  if (core.Doomed()) return absl::AbortedError("process crashed");
  if (net_.Find(to) == nullptr) return absl::NotFoundError(absl::StrCat("no process ", Av(to)));
  ++net_.stats_.sent;
  const std::string what = absl::StrCat("send ", self_, " -> ", Av(to), " ", bytes.size(), "B");
  const std::string dest(to);
  if (net_.Blocked(self_, to)) {
    ++net_.stats_.partitioned;
    core.TraceIo(absl::StrCat(what, " -> dropped (partition)"));
    return absl::OkStatus();
  }
  const FaultPlan& plan = core.plan();
  if (core.DrawFault(plan.message_loss_probability, DecisionKind::kNetwork, WorldCore::kFaultTag + 2)) {
    ++net_.stats_.lost;
    core.TraceFault(absl::StrCat(what, ": lost"));
    return absl::OkStatus();
  }
  const uint64_t id = net_.next_message_id_++;
  net_.ScheduleDatagram(self_, dest, bytes, id);
  if (core.DrawFault(plan.message_duplicate_probability, DecisionKind::kNetwork, WorldCore::kFaultTag + 3)) {
    ++net_.stats_.duplicated;
    core.TraceFault(absl::StrCat(what, ": duplicated"));
    net_.ScheduleDatagram(self_, dest, bytes, id);
  }
  core.TraceIo(absl::StrCat(what, " -> sent"));
  core.Mark(MarkKind::kSend, id, what);
  return absl::OkStatus();
}

absl::StatusOr<model::Message> SimTransport::Receive(int64_t timeout_ns) {
  WorldCore& core = net_.core_;
  const Nanos deadline = timeout_ns < 0 ? -1 : core.kernel().Now() + timeout_ns;
  for (int i = 0; i < kMaxWaits; ++i) {
    if (core.Doomed()) return absl::AbortedError("process crashed");
    SimNetwork::Endpoint* e = net_.Find(self_);
    if (!e->inbox.empty()) {
      model::Message m = std::move(e->inbox.front());
      e->inbox.pop_front();
      const uint64_t id = e->inbox_ids.front();
      e->inbox_ids.pop_front();
      core.TraceIo(absl::StrCat("receive ", self_, " <- ", m.from, " ", m.bytes.size(), "B"));
      core.Mark(MarkKind::kReceive, id, "");
      return m;
    }
    if (!net_.WaitOn(e->receivers, absl::StrCat("receive on ", self_), deadline))
      return absl::DeadlineExceededError("nothing received");
  }
  return absl::DeadlineExceededError("receive: too many wake-ups");
}

absl::StatusOr<std::unique_ptr<model::Stream>> SimTransport::Connect(std::string_view to) {
  WorldCore& core = net_.core_;
  if (core.Doomed()) return absl::AbortedError("process crashed");
  const std::string what = absl::StrCat("connect ", self_, " -> ", Av(to));
  core.Wait(core.DrawLatency(OpKind::kNetStream));
  if (core.Doomed()) return absl::AbortedError("process crashed");
  SimNetwork::Endpoint* peer = net_.Find(to);
  if (peer == nullptr) return absl::NotFoundError(absl::StrCat("no process ", Av(to)));
  std::string refused;
  if (peer->process->crashed()) refused = "peer down";
  if (net_.Blocked(self_, to) || net_.Blocked(to, self_)) refused = "partition";
  if (refused.empty() && core.DrawError(OpKind::kNetStream)) {
    core.TraceFault(absl::StrCat(what, ": injected connection failure"));
    refused = "injected";
  }
  if (!refused.empty()) {
    core.TraceIo(absl::StrCat(what, " -> Unavailable (", refused, ")"));
    return absl::UnavailableError(absl::StrCat("connect to ", Av(to), ": ", refused));
  }
  auto s = std::make_shared<StreamState>();
  s->id = net_.next_stream_++;
  s->end_name[0] = self_;
  s->end_name[1] = std::string(to);
  Kernel& k = core.kernel();
  if (core.InTask()) s->end_incarnation[0] = k.process(k.task_process(k.current_task())).incarnation();
  s->end_incarnation[1] = peer->process->incarnation();
  net_.streams_.push_back(s);
  peer->accept_queue.push_back(s);
  net_.WakeAll(peer->acceptors);
  core.TraceIo(absl::StrCat(what, " -> ok stream ", s->id));
  return std::unique_ptr<model::Stream>(new SimStream(net_, std::move(s), 0));
}

absl::StatusOr<std::unique_ptr<model::Stream>> SimTransport::Accept(int64_t timeout_ns) {
  WorldCore& core = net_.core_;
  const Nanos deadline = timeout_ns < 0 ? -1 : core.kernel().Now() + timeout_ns;
  for (int i = 0; i < kMaxWaits; ++i) {
    if (core.Doomed()) return absl::AbortedError("process crashed");
    SimNetwork::Endpoint* e = net_.Find(self_);
    if (!e->accept_queue.empty()) {
      std::shared_ptr<StreamState> s = std::move(e->accept_queue.front());
      e->accept_queue.pop_front();
      core.TraceIo(absl::StrCat("accept ", self_, " <- ", s->end_name[0], " stream ", s->id));
      return std::unique_ptr<model::Stream>(new SimStream(net_, std::move(s), 1));
    }
    if (!net_.WaitOn(e->acceptors, absl::StrCat("accept on ", self_), deadline))
      return absl::DeadlineExceededError("nothing to accept");
  }
  return absl::DeadlineExceededError("accept: too many wake-ups");
}

}  // namespace seedbed
