// The run's event log: (time, process, task, kind, detail) and a running 64-bit hash over every
// event, details included. Two runs of one seed must give the same hash; FirstDivergence names where
// two logs part. Never yields.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace seedbed {

enum class EventKind : uint8_t {
  kStep,        // a task was resumed
  kSpawn,
  kTaskEnd,
  kTimer,       // a scheduled event fired
  kBlock,
  kWake,
  kCrash,
  kRestart,
  kIo,          // an object-store / disk / network operation (detail says which and how it ended)
  kFault,       // an injected fault
  kCrashPoint,  // a named crash point was reached (detail: name, fired or not)
  kProbe,       // a coverage probe was reached
  kNote,        // free-form annotation from the code under test or a scenario
  kViolation,   // an invariant failed
};
std::string_view EventKindName(EventKind kind);

// What the trace keeps beside its events for timelines, outside the hash (adding or changing one never
// changes a seed's trace hash or its replay): engine state ("raft g1" = "leader term 3"), the two ends
// of a message, mutex holds, and what a process says it holds (leases). Kept only when the trace
// keeps events.
enum class MarkKind : uint8_t {
  kState,      // key = what (e.g. "raft g1"), value = its new state
  kSend,       // id = the message; key = "from -> to"
  kReceive,    // id = the message it received
  kHoldBegin,  // key = the mutex's name; the task now holds it
  kHoldEnd,    // key = the mutex's name; the task released it (or died holding it)
  kLeaseBegin,  // key = what its process now holds (Runtime::HoldBegin: a lease, an epoch, a term)
  kLeaseEnd,    // key = what its process no longer holds (Runtime::HoldEnd)
};

struct TraceMark {
  uint64_t after = 0;  // events().size() when recorded: it follows the events before that index
  int64_t time_ns = 0;
  uint32_t process = 0;
  uint32_t task = 0;
  MarkKind kind = MarkKind::kState;
  uint64_t id = 0;
  std::string key;
  std::string value;
};

struct TraceEvent {
  int64_t time_ns = 0;
  uint32_t process = 0;  // ~0u for the kernel
  uint32_t task = 0;     // ~0u for the kernel
  EventKind kind = EventKind::kNote;
  std::string detail;
};

class Trace {
 public:
  // keep_events = false keeps only the hash and the count (campaigns); true keeps every event.
  explicit Trace(bool keep_events = true) : keep_events_(keep_events) {}

  // Inline: the scheduler calls it once per step.
  void Add(int64_t time_ns, uint32_t process, uint32_t task, EventKind kind,
           std::string_view detail = {}) {
    // Independent multiplies (they overlap in the pipeline), then one dependent fold.
    const uint64_t a = static_cast<uint64_t>(time_ns) * 0x9e3779b97f4a7c15ull;
    const uint64_t b = ((uint64_t{process} << 32) | task) * 0xc2b2ae3d27d4eb4full;
    uint64_t c = (static_cast<uint64_t>(kind) + 1) * 0x165667b19e3779f9ull;
    if (!detail.empty()) c ^= HashDetail(detail);
    uint64_t h = Rotl(hash_, 23) ^ a ^ Rotl(b, 17) ^ Rotl(c, 41);
    h *= 0xff51afd7ed558ccdull;
    hash_ = h ^ (h >> 32);
    ++count_;
    if (keep_events_) Keep(time_ns, process, task, kind, detail);
  }
  // A mark for timelines (see TraceMark): never hashed, dropped unless events are kept.
  void Mark(int64_t time_ns, uint32_t process, uint32_t task, MarkKind kind, uint64_t id,
            std::string_view key, std::string_view value = {}) {
    if (keep_events_)
      marks_.push_back(TraceMark{events_.size(), time_ns, process, task, kind, id, std::string(key),
                                 std::string(value)});
  }
  const std::vector<TraceMark>& marks() const { return marks_; }

  uint64_t hash() const { return hash_; }
  uint64_t count() const { return count_; }
  bool keeps_events() const { return keep_events_; }
  const std::vector<TraceEvent>& events() const { return events_; }

  // Index of the first event that differs (or where one log ends early); nullopt if equal.
  static std::optional<size_t> FirstDivergence(const Trace& a, const Trace& b);
  static std::string Describe(const TraceEvent& event);

 private:
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  static uint64_t HashDetail(std::string_view detail);
  void Keep(int64_t time_ns, uint32_t process, uint32_t task, EventKind kind,
            std::string_view detail);

  bool keep_events_;
  uint64_t hash_ = 0xcbf29ce484222325ull;
  uint64_t count_ = 0;
  std::vector<TraceEvent> events_;
  std::vector<TraceMark> marks_;
};

}  // namespace seedbed
