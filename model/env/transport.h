// Messages and ordered streams between processes. Implementations: sim/world/network (simulated
// latency, loss, duplication, reordering, partitions) and model/env/posix/posix_transport (nodes of
// one real process on real threads). Bound to one process.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace model {

struct Message {
  std::string from;
  std::string bytes;
};

// An ordered, reliable byte-message stream; it breaks (kUnavailable) on a partition or crash.
class Stream {
 public:
  virtual ~Stream() = default;
  virtual absl::Status Write(std::string bytes) = 0;                  // May yield.
  virtual absl::StatusOr<std::string> Read(int64_t timeout_ns) = 0;   // May yield. kOutOfRange at end.
  virtual absl::Status Close() = 0;                                  // Idempotent.
  virtual std::string_view peer() const = 0;
};

class Transport {
 public:
  virtual ~Transport() = default;
  virtual std::string_view self() const = 0;
  // Datagram: may be lost, duplicated, delayed or reordered. Never yields.
  virtual absl::Status Send(std::string_view to, std::string bytes) = 0;
  // May yield. kDeadlineExceeded when nothing arrived within timeout_ns.
  virtual absl::StatusOr<Message> Receive(int64_t timeout_ns) = 0;
  // May yield.
  virtual absl::StatusOr<std::unique_ptr<Stream>> Connect(std::string_view to) = 0;
  // May yield. kDeadlineExceeded on timeout.
  virtual absl::StatusOr<std::unique_ptr<Stream>> Accept(int64_t timeout_ns) = 0;
};

}  // namespace model
