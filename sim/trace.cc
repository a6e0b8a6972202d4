// The trace's running hash mixes every field of every event with a few multiplies and rotates; it is
// a divergence detector, not a cryptographic digest. Detail strings are hashed 8 bytes at a time.
#include "sim/trace.h"

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

namespace seedbed {
namespace {

inline uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

inline uint64_t Fold(uint64_t x) {
  x *= 0xff51afd7ed558ccdull;
  return x ^ (x >> 32);
}

uint64_t HashBytes(std::string_view s) {
  uint64_t h = 0x27d4eb2f165667c5ull ^ s.size();
  size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    uint64_t word;
    std::memcpy(&word, s.data() + i, 8);
    h = Fold(Rotl(h, 29) ^ word);
  }
  uint64_t tail = 0;
  std::memcpy(&tail, s.data() + i, s.size() - i);
  return Fold(Rotl(h, 29) ^ tail);
}

}  // namespace

std::string_view EventKindName(EventKind kind) {
  switch (kind) {
    case EventKind::kStep: return "step";
    case EventKind::kSpawn: return "spawn";
    case EventKind::kTaskEnd: return "task_end";
    case EventKind::kTimer: return "timer";
    case EventKind::kBlock: return "block";
    case EventKind::kWake: return "wake";
    case EventKind::kCrash: return "crash";
    case EventKind::kRestart: return "restart";
    case EventKind::kIo: return "io";
    case EventKind::kFault: return "fault";
    case EventKind::kCrashPoint: return "crash_point";
    case EventKind::kProbe: return "probe";
    case EventKind::kNote: return "note";
    case EventKind::kViolation: return "violation";
  }
  return "unknown";
}

uint64_t Trace::HashDetail(std::string_view detail) { return HashBytes(detail); }

void Trace::Keep(int64_t time_ns, uint32_t process, uint32_t task, EventKind kind,
                 std::string_view detail) {
  events_.push_back(TraceEvent{time_ns, process, task, kind, std::string(detail)});
}

std::optional<size_t> Trace::FirstDivergence(const Trace& a, const Trace& b) {
  if (!a.keep_events_ || !b.keep_events_) {
    // Without events only the summary can be compared; a difference is placed at event 0.
    if (a.hash_ == b.hash_ && a.count_ == b.count_) return std::nullopt;
    return size_t{0};
  }
  const size_t n = std::min(a.events_.size(), b.events_.size());
  for (size_t i = 0; i < n; ++i) {
    const TraceEvent& x = a.events_[i];
    const TraceEvent& y = b.events_[i];
    if (x.time_ns != y.time_ns || x.process != y.process || x.task != y.task || x.kind != y.kind ||
        x.detail != y.detail) {
      return i;
    }
  }
  if (a.events_.size() != b.events_.size()) return n;
  return std::nullopt;
}

std::string Trace::Describe(const TraceEvent& event) {
  std::string who = event.process == ~0u ? "kernel" : fmt::format("p{}", event.process);
  if (event.task != ~0u) who += fmt::format("/t{}", event.task);
  std::string out = fmt::format("t={}ns {} {}", event.time_ns, who, EventKindName(event.kind));
  if (!event.detail.empty()) out += fmt::format(" {}", event.detail);
  return out;
}

}  // namespace seedbed
