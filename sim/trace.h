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

  void Add(int64_t time_ns, uint32_t process, uint32_t task, EventKind kind,
           std::string_view detail = {});
  uint64_t hash() const { return hash_; }
  uint64_t count() const { return count_; }
  bool keeps_events() const { return keep_events_; }
  const std::vector<TraceEvent>& events() const { return events_; }

  // Index of the first event that differs (or where one log ends early); nullopt if equal.
  static std::optional<size_t> FirstDivergence(const Trace& a, const Trace& b);
  static std::string Describe(const TraceEvent& event);

 private:
  bool keep_events_;
  uint64_t hash_ = 0xcbf29ce484222325ull;
  uint64_t count_ = 0;
  std::vector<TraceEvent> events_;
};

}  // namespace seedbed
