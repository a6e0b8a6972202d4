#include "sim/world/core.h"

#include <algorithm>
#include <cmath>

namespace seedbed {

uint64_t ContentHash(std::string_view bytes) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  return h;
}

uint32_t WorldCore::CurrentProcessId() const {
  if (!InTask()) return kKernelId;
  return kernel_.task_process(kernel_.current_task());
}

uint32_t WorldCore::CurrentTaskId() const {
  const TaskId t = kernel_.current_task();
  return t == kNoTask ? kKernelId : t;
}

Nanos WorldCore::DrawLatency(OpKind kind) {
  return DrawLatency(plan_.op(kind).latency, kLatencyTag + static_cast<uint32_t>(kind));
}

Nanos WorldCore::DrawLatency(const LatencyModel& m, uint32_t tag) {
  Decisions& d = kernel_.decisions();
  // The delay strategy's stalls hit what faults hit (not clients, not after the heal), and only an
  // operation that overlaps a store or disk operation of another non-client task: the operations
  // that can race. Whether a draw may be stretched does not depend on the strategy, so a stretched
  // list replays under any.
  const double stretch = CallerExempt() || !Contended() ? 0.0 : 1.0;
  Nanos ns = 0;
  bool stretched = false;
  switch (m.shape) {
    case LatencyModel::Shape::kNone: return 0;
    case LatencyModel::Shape::kFixed: ns = m.fixed_ns; break;
    case LatencyModel::Shape::kUniform:
      ns = d.Between(m.min_ns, m.max_ns, DecisionKind::kLatency, tag, stretch);
      stretched = stretch > 0 && d.last_stretched();
      break;
    case LatencyModel::Shape::kLogNormal:
      ns = d.LogNormal(m.median_ns, m.sigma, DecisionKind::kLatency, tag, stretch);
      stretched = stretch > 0 && d.last_stretched();
      break;
  }
  // A stretched draw takes no tail (the draw is made and recorded as "no tail"), so a stalled
  // operation stays within the stall's bound: a 2 s stall times a 20x tail outlived the heal.
  if (m.tail_probability > 0 && d.Bernoulli(m.tail_probability, DecisionKind::kLatency,
                                            tag - kLatencyTag + kLatencyTailTag, stretched))
    ns = static_cast<Nanos>(std::llround(static_cast<double>(ns) * m.tail_factor));
  if (m.cap_ns > 0 && ns > m.cap_ns) ns = m.cap_ns;
  return ns < 0 ? 0 : ns;
}

void WorldCore::BeginOp() {
  if (InTask() && !IsClient(CurrentProcessId())) in_flight_.push_back(CurrentTaskId());
}

void WorldCore::EndOp(uint32_t task) {
  auto it = std::find(in_flight_.begin(), in_flight_.end(), task);
  if (it == in_flight_.end()) return;  // a client's op: never counted
  *it = in_flight_.back();
  in_flight_.pop_back();
}

bool WorldCore::Contended() const {
  const uint32_t me = CurrentTaskId();
  // A task of a crashed process may be abandoned (marked done, never unwound): its ops end.
  for (uint32_t task : in_flight_)
    if (task != me && !kernel_.TaskDone(task)) return true;
  return false;
}

bool WorldCore::CallerExempt() const {
  return !faults_active_ || (InTask() && IsClient(CurrentProcessId()));
}

bool WorldCore::DrawError(OpKind kind) {
  return DrawFault(plan_.op(kind).error_probability, DecisionKind::kFault, kErrorTag + static_cast<uint32_t>(kind));
}

bool WorldCore::DrawAmbiguous(OpKind kind) {
  return DrawFault(plan_.op(kind).ambiguous_probability, DecisionKind::kFault,
                   kAmbiguousTag + static_cast<uint32_t>(kind));
}

bool WorldCore::DrawFault(double probability, DecisionKind kind, uint32_t tag) {
  if (probability <= 0 || CallerExempt()) return false;
  return kernel_.decisions().Bernoulli(probability, kind, tag);
}

void WorldCore::Wait(Nanos ns) {
  if (!InTask()) return;  // kernel context (set-up): ops complete at once
  if (ns > 0) {
    kernel_.SleepFor(ns);
  } else {
    kernel_.Yield();
  }
}

void WorldCore::TraceFault(std::string_view detail) {
  ++faults_injected_;
  Add(EventKind::kFault, detail);
}

void WorldCore::Add(EventKind kind, std::string_view detail) {
  if (shutting_down_) return;
  kernel_.trace().Add(kernel_.Now(), CurrentProcessId(), CurrentTaskId(), kind, detail);
}

void WorldCore::Mark(MarkKind kind, uint64_t id, std::string_view key, std::string_view value) {
  if (shutting_down_ || !kernel_.trace().keeps_events()) return;
  kernel_.trace().Mark(kernel_.Now(), CurrentProcessId(), CurrentTaskId(), kind, id, key, value);
}

}  // namespace seedbed
