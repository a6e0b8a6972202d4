#include "model/env/posix/posix_transport.h"

#include <algorithm>
#include <chrono>

#include "absl/strings/str_cat.h"
#include "model/env/status.h"

namespace model {
namespace posix_transport_internal {

// One attached (or once attached) name. Its condition variables wait on the network's mutex.
struct Endpoint {
  uint64_t incarnation = 0;  // of the endpoint attached now; 0: detached
  std::deque<Message> inbox;
  std::deque<std::shared_ptr<StreamState>> accept_queue;
  std::condition_variable inbox_cv;
  std::condition_variable accept_cv;
};

// One stream: end 0 connected, end 1 accepted. Guarded by the network's mutex.
struct StreamState {
  uint64_t id = 0;
  std::string end_name[2];
  std::deque<std::string> queue[2];  // queue[i]: written towards end i, not yet read
  bool eof[2] = {false, false};      // eof[i]: the other end closed (after queue[i]'s contents)
  bool closed[2] = {false, false};
  bool broken = false;
  std::string broken_reason;
  std::condition_variable cv;  // any change
};

}  // namespace posix_transport_internal

namespace {

using posix_transport_internal::Endpoint;
using posix_transport_internal::StreamState;
using Clock = std::chrono::steady_clock;

constexpr int kMaxWaits = 1'000'000;  // bound on wake-ups per blocking call (spurious included)

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
      .count();
}

// Waits on `cv` until notified or `deadline_ns` (NowNs() scale; < 0: no deadline). False on
// timeout.
bool WaitUntil(std::condition_variable& cv, std::unique_lock<std::mutex>& lock,
               int64_t deadline_ns) {
  if (deadline_ns < 0) {
    cv.wait(lock);
    return true;
  }
  const int64_t now = NowNs();
  if (now >= deadline_ns) return false;
  cv.wait_for(lock, std::chrono::nanoseconds(deadline_ns - now));
  return true;  // the caller re-checks its condition, then the deadline
}

int64_t Deadline(int64_t timeout_ns) { return timeout_ns < 0 ? -1 : NowNs() + timeout_ns; }

}  // namespace

// --- a stream end ---

class PosixStream final : public Stream {
 public:
  PosixStream(PosixNetwork& net, std::shared_ptr<StreamState> state, int end)
      : net_(net), s_(std::move(state)), end_(end) {}
  ~PosixStream() override { (void)Close(); }

  absl::Status Write(std::string bytes) override {
    std::lock_guard<std::mutex> lock(net_.mu_);
    if (s_->closed[end_]) return absl::FailedPreconditionError("stream closed");
    if (!s_->broken && (net_.BlockedLocked(self(), peer()) || net_.BlockedLocked(peer(), self())))
      net_.BreakLocked(*s_, "partition");
    if (s_->broken)
      return absl::UnavailableError(absl::StrCat("stream broken: ", s_->broken_reason));
    s_->queue[1 - end_].push_back(std::move(bytes));
    s_->cv.notify_all();
    return absl::OkStatus();
  }

  absl::StatusOr<std::string> Read(int64_t timeout_ns) override {
    const int64_t deadline = Deadline(timeout_ns);
    std::unique_lock<std::mutex> lock(net_.mu_);
    for (int i = 0; i < kMaxWaits; ++i) {
      if (s_->closed[end_]) return absl::FailedPreconditionError("stream closed");
      if (!s_->queue[end_].empty()) {
        std::string data = std::move(s_->queue[end_].front());
        s_->queue[end_].pop_front();
        return data;
      }
      if (s_->broken)
        return absl::UnavailableError(absl::StrCat("stream broken: ", s_->broken_reason));
      if (s_->eof[end_]) return absl::OutOfRangeError("end of stream");
      if (!WaitUntil(s_->cv, lock, deadline))
        return absl::DeadlineExceededError("stream read timed out");
    }
    return absl::DeadlineExceededError("stream read: too many wake-ups");
  }

  absl::Status Close() override {
    std::lock_guard<std::mutex> lock(net_.mu_);
    if (s_->closed[end_]) return absl::OkStatus();
    s_->closed[end_] = true;
    if (!s_->broken) s_->eof[1 - end_] = true;  // after everything written before the close
    s_->cv.notify_all();
    return absl::OkStatus();
  }

  std::string_view peer() const override { return s_->end_name[1 - end_]; }
  std::string_view self() const { return s_->end_name[end_]; }

 private:
  PosixNetwork& net_;
  std::shared_ptr<StreamState> s_;
  const int end_;
};

// --- an endpoint ---

class PosixTransport final : public Transport {
 public:
  PosixTransport(PosixNetwork& net, std::string self, uint64_t incarnation)
      : net_(net), self_(std::move(self)), incarnation_(incarnation) {}
  ~PosixTransport() override {
    std::lock_guard<std::mutex> lock(net_.mu_);
    if (net_.CurrentLocked(self_, incarnation_) != nullptr) net_.DetachLocked(self_);
  }

  std::string_view self() const override { return self_; }

  absl::Status Send(std::string_view to, std::string bytes) override {
    std::lock_guard<std::mutex> lock(net_.mu_);
    if (net_.CurrentLocked(self_, incarnation_) == nullptr) return Detached();
    if (net_.endpoints_.find(to) == net_.endpoints_.end())
      return absl::NotFoundError(absl::StrCat("no node ", Av(to)));
    ++net_.stats_.sent;
    const std::string dest(to);
    if (net_.BlockedLocked(self_, dest)) {
      ++net_.stats_.partitioned;
      return absl::OkStatus();
    }
    if (net_.DrawLocked(net_.options_.loss_probability)) {
      ++net_.stats_.lost;
      return absl::OkStatus();
    }
    const bool duplicate = net_.DrawLocked(net_.options_.duplicate_probability);
    net_.ScheduleLocked(self_, dest, bytes);
    if (duplicate) {
      ++net_.stats_.duplicated;
      net_.ScheduleLocked(self_, dest, bytes);
    }
    return absl::OkStatus();
  }

  absl::StatusOr<Message> Receive(int64_t timeout_ns) override {
    return PopWhenReady(&Endpoint::inbox, &Endpoint::inbox_cv, timeout_ns, "receive", "nothing received");
  }

  absl::StatusOr<std::unique_ptr<Stream>> Connect(std::string_view to) override {
    std::lock_guard<std::mutex> lock(net_.mu_);
    if (net_.CurrentLocked(self_, incarnation_) == nullptr) return Detached();
    auto it = net_.endpoints_.find(to);
    if (it == net_.endpoints_.end()) return absl::NotFoundError(absl::StrCat("no node ", Av(to)));
    Endpoint& peer = *it->second;
    std::string refused;
    if (peer.incarnation == 0) refused = "peer down";
    if (net_.BlockedLocked(self_, to) || net_.BlockedLocked(to, self_)) refused = "partition";
    if (!refused.empty())
      return absl::UnavailableError(absl::StrCat("connect to ", Av(to), ": ", refused));
    auto s = std::make_shared<StreamState>();
    s->id = net_.next_stream_++;
    s->end_name[0] = self_;
    s->end_name[1] = std::string(to);
    std::erase_if(net_.streams_, [](const std::weak_ptr<StreamState>& w) { return w.expired(); });
    net_.streams_.push_back(s);
    peer.accept_queue.push_back(s);
    peer.accept_cv.notify_all();
    return std::unique_ptr<Stream>(new PosixStream(net_, std::move(s), 0));
  }

  absl::StatusOr<std::unique_ptr<Stream>> Accept(int64_t timeout_ns) override {
    absl::StatusOr<std::shared_ptr<StreamState>> s =
        PopWhenReady(&Endpoint::accept_queue, &Endpoint::accept_cv, timeout_ns, "accept",
                     "nothing to accept");
    if (!s.ok()) return s.status();
    return std::unique_ptr<Stream>(new PosixStream(net_, *std::move(s), 1));
  }

 private:
  absl::Status Detached() const {
    return absl::AbortedError(absl::StrCat(self_, ": endpoint detached"));
  }

  // Waits until this endpoint's `queue` has an item (taken and returned), the deadline passes, or
  // the endpoint is detached: Receive's mailbox and Accept's queue of incoming streams.
  template <typename T>
  absl::StatusOr<T> PopWhenReady(std::deque<T> Endpoint::*queue, std::condition_variable Endpoint::*cv,
                                 int64_t timeout_ns, const char* op, const char* nothing) {
    const int64_t deadline = Deadline(timeout_ns);
    std::unique_lock<std::mutex> lock(net_.mu_);
    for (int i = 0; i < kMaxWaits; ++i) {
      Endpoint* e = net_.CurrentLocked(self_, incarnation_);
      if (e == nullptr) return Detached();
      std::deque<T>& q = e->*queue;
      if (!q.empty()) {
        T item = std::move(q.front());
        q.pop_front();
        return item;
      }
      if (!WaitUntil(e->*cv, lock, deadline)) return absl::DeadlineExceededError(nothing);
    }
    return absl::DeadlineExceededError(absl::StrCat(op, ": too many wake-ups"));
  }

  PosixNetwork& net_;
  const std::string self_;
  const uint64_t incarnation_;
};

// --- the network ---

PosixNetwork::PosixNetwork(PosixNetworkOptions options)
    : options_(options), rng_state_(options.seed), delivery_([this] { DeliveryLoop(); }) {}

PosixNetwork::~PosixNetwork() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  delivery_cv_.notify_all();
  delivery_.join();
}

std::unique_ptr<Transport> PosixNetwork::Attach(std::string name) {
  std::lock_guard<std::mutex> lock(mu_);
  DetachLocked(name);
  std::unique_ptr<Endpoint>& slot = endpoints_[name];
  if (slot == nullptr) slot = std::make_unique<Endpoint>();
  slot->incarnation = next_incarnation_++;
  return std::make_unique<PosixTransport>(*this, std::move(name), slot->incarnation);
}

void PosixNetwork::Detach(std::string_view name) {
  std::lock_guard<std::mutex> lock(mu_);
  DetachLocked(name);
}

void PosixNetwork::DetachLocked(std::string_view name) {
  auto it = endpoints_.find(name);
  if (it == endpoints_.end() || it->second->incarnation == 0) return;
  Endpoint& e = *it->second;
  e.incarnation = 0;
  e.inbox.clear();
  e.accept_queue.clear();
  e.inbox_cv.notify_all();
  e.accept_cv.notify_all();
  BreakStreamsLocked(name);
}

PosixNetwork::Endpoint* PosixNetwork::CurrentLocked(std::string_view name, uint64_t incarnation) {
  auto it = endpoints_.find(name);
  if (it == endpoints_.end() || it->second->incarnation != incarnation) return nullptr;
  return it->second.get();
}

void PosixNetwork::SetOptions(const PosixNetworkOptions& options) {
  std::lock_guard<std::mutex> lock(mu_);
  const uint64_t rng = rng_state_;
  options_ = options;
  rng_state_ = rng;
}

uint64_t PosixNetwork::Partition(std::string_view a, std::string_view b, bool one_way) {
  std::lock_guard<std::mutex> lock(mu_);
  std::set<std::pair<std::string, std::string>> cuts;
  cuts.emplace(std::string(a), std::string(b));
  if (!one_way) cuts.emplace(std::string(b), std::string(a));
  return AddCutsLocked(std::move(cuts));
}

uint64_t PosixNetwork::Isolate(std::string_view name, bool one_way) {
  std::lock_guard<std::mutex> lock(mu_);
  std::set<std::pair<std::string, std::string>> cuts;
  for (const auto& [other, e] : endpoints_) {
    if (other == name) continue;
    cuts.emplace(std::string(name), other);
    if (!one_way) cuts.emplace(other, std::string(name));
  }
  return AddCutsLocked(std::move(cuts));
}

uint64_t PosixNetwork::AddCutsLocked(std::set<std::pair<std::string, std::string>> cuts) {
  const uint64_t id = next_partition_++;
  cuts_[id] = std::move(cuts);
  BreakStreamsLocked("");
  return id;
}

void PosixNetwork::HealPartition(uint64_t id) {
  std::lock_guard<std::mutex> lock(mu_);
  cuts_.erase(id);
}

void PosixNetwork::Heal() {
  std::lock_guard<std::mutex> lock(mu_);
  cuts_.clear();
}

bool PosixNetwork::Blocked(std::string_view from, std::string_view to) const {
  std::lock_guard<std::mutex> lock(mu_);
  return BlockedLocked(from, to);
}

bool PosixNetwork::BlockedLocked(std::string_view from, std::string_view to) const {
  const std::pair<std::string, std::string> pair(from, to);
  for (const auto& [id, cuts] : cuts_)
    if (cuts.count(pair) > 0) return true;
  return false;
}

PosixNetworkStats PosixNetwork::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

void PosixNetwork::BreakLocked(StreamState& s, std::string_view reason) {
  if (s.broken) return;
  s.broken = true;
  s.broken_reason = std::string(reason);
  ++stats_.streams_broken;
  s.cv.notify_all();
}

void PosixNetwork::BreakStreamsLocked(std::string_view only_name) {
  std::erase_if(streams_, [](const std::weak_ptr<StreamState>& w) { return w.expired(); });
  for (const std::weak_ptr<StreamState>& w : streams_) {
    std::shared_ptr<StreamState> s = w.lock();
    if (s == nullptr || s->broken) continue;
    if (!only_name.empty()) {
      if (s->end_name[0] == only_name || s->end_name[1] == only_name)
        BreakLocked(*s, absl::StrCat(Av(only_name), " detached"));
    } else if (BlockedLocked(s->end_name[0], s->end_name[1]) ||
               BlockedLocked(s->end_name[1], s->end_name[0])) {
      BreakLocked(*s, "partition");
    }
  }
}

uint64_t PosixNetwork::NextRandomLocked() {  // splitmix64
  uint64_t z = (rng_state_ += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

bool PosixNetwork::DrawLocked(double p) {
  if (p <= 0) return false;
  return static_cast<double>(NextRandomLocked() >> 11) * 0x1.0p-53 < p;
}

int64_t PosixNetwork::BetweenLocked(int64_t lo, int64_t hi) {
  if (hi <= lo) return lo;
  return lo + static_cast<int64_t>(NextRandomLocked() % static_cast<uint64_t>(hi - lo + 1));
}

void PosixNetwork::DeliverLocked(std::string from, const std::string& to, std::string bytes) {
  auto it = endpoints_.find(to);
  if (it == endpoints_.end() || it->second->incarnation == 0) return;  // down: lost
  if (BlockedLocked(from, to)) {
    ++stats_.partitioned;
    return;
  }
  ++stats_.delivered;
  it->second->inbox.push_back(Message{std::move(from), std::move(bytes)});
  it->second->inbox_cv.notify_all();
}

void PosixNetwork::ScheduleLocked(const std::string& from, const std::string& to,
                                  const std::string& bytes) {
  int64_t delay = BetweenLocked(options_.latency_ns_min, options_.latency_ns_max);
  if (DrawLocked(options_.reorder_probability))
    delay += BetweenLocked(0, options_.reorder_delay_ns_max);
  if (delay <= 0) {
    DeliverLocked(from, to, bytes);
    return;
  }
  const int64_t due = NowNs() + delay;
  scheduled_.emplace(std::make_pair(due, next_seq_++), Scheduled{from, to, bytes});
  delivery_cv_.notify_all();
}

// The delivery thread: hands each delayed datagram over when it is due.
void PosixNetwork::DeliveryLoop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    if (scheduled_.empty()) {
      delivery_cv_.wait(lock);
      continue;
    }
    const int64_t now = NowNs();
    auto first = scheduled_.begin();
    if (first->first.first > now) {
      delivery_cv_.wait_for(lock, std::chrono::nanoseconds(first->first.first - now));
      continue;
    }
    Scheduled item = std::move(first->second);
    scheduled_.erase(first);
    DeliverLocked(std::move(item.from), item.to, std::move(item.bytes));
  }
}

}  // namespace model
