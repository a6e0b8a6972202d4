// The client-visible history of a run, Jepsen style: every operation's invocation and completion
// (ok / failed / unknown) with simulated times. Workloads write it; checkers only read it.
// Not thread-safe (one simulation thread); never yields.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace seedbed {

enum class OpType : uint8_t { kPut, kDelete, kGet };
enum class OpStatus : uint8_t {
  kPending,  // invoked, never completed (its client crashed or the run ended): like kUnknown
  kOk,       // acknowledged
  kFailed,   // definitely did not happen (the system said so before applying anything)
  kUnknown,  // may or may not have happened (timeout, crash, shutdown after the write was queued)
};
std::string_view OpTypeName(OpType type);
std::string_view OpStatusName(OpStatus status);

struct Op {
  uint64_t id = 0;          // index in History::ops()
  std::string client;       // who invoked it ("client-0", or "final-read")
  OpType type = OpType::kPut;
  std::string key;
  std::string value;        // put: the value written
  std::optional<std::string> read;  // get: the value read (nullopt = absent)
  int64_t invoke_ns = 0;
  int64_t complete_ns = -1; // -1 while pending
  OpStatus status = OpStatus::kPending;
  std::string error;        // the error text for kFailed / kUnknown
  bool final_read = false;  // a read made after the heal and recovery, to check durability
  uint32_t task = ~0u;      // the client task that invoked it

  bool completed() const { return status != OpStatus::kPending; }
  // Whether the operation may have taken effect.
  bool may_have_happened() const { return status != OpStatus::kFailed; }
};

class History {
 public:
  // `task` (a TaskId) places the op on the client's lane in timelines.
  uint64_t Invoke(std::string_view client, OpType type, std::string_view key,
                  std::string_view value, int64_t now_ns, uint32_t task = ~0u);
  void Ok(uint64_t id, int64_t now_ns, std::optional<std::string> read = std::nullopt);
  void Fail(uint64_t id, int64_t now_ns, std::string_view error);
  void Unknown(uint64_t id, int64_t now_ns, std::string_view error);
  void MarkFinalRead(uint64_t id) { ops_[id].final_read = true; }
  // Room for n more ops without moving the ones recorded (a workload that knows its size).
  void Reserve(size_t n) { ops_.reserve(ops_.size() + n); }

  const std::vector<Op>& ops() const { return ops_; }
  const Op& op(uint64_t id) const { return ops_[id]; }
  size_t acknowledged_writes() const;
  std::string Describe(const Op& op) const;

 private:
  std::vector<Op> ops_;
};

}  // namespace seedbed
