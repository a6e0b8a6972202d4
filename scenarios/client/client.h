// Client plumbing for any engine: a client that records each operation in the History around a
// user's call (invoke, then ok / failed / unknown, with its task and simulated times), think times
// drawn from the run's decisions, client tasks that outlive a node's crash, and final reads through
// a user's read function. Kernel-thread only; calls yield.
//
//   seedbed::SpawnClients(world, history, 3, [&](seedbed::Client& client, int c) {
//     for (int i = 0; i < 4; ++i) {
//       client.AwaitNode(node, 5'000'000'000);   // down (restarting)? wait, then try anyway
//       client.Put(fmt::format("k{}", i), "v", [&] { return node.Call("put", ...).status(); });
//       client.Think(50'000'000);
//     }
//   });
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "scenarios/client/node.h"
#include "scenarios/harness/history.h"
#include "scenarios/harness/verdict.h"
#include "sim/world/world.h"

namespace seedbed {

class Client {
 public:
  Client(World& world, History& history, std::string name)
      : world_(world), history_(history), name_(std::move(name)) {}

  const std::string& name() const { return name_; }

  // A write (put or delete) through `call`, recorded in the history: ok is acknowledged; an error
  // for which IsNotReached holds failed (the engine never saw it); any other error is unknown (the
  // engine may have made it durable before failing). True if acknowledged.
  bool Write(OpType type, std::string_view key, std::string_view value,
                     const std::function<absl::Status()>& call);
  bool Put(std::string_view key, std::string_view value, const std::function<absl::Status()>& call) {
    return Write(OpType::kPut, key, value, call);
  }
  bool Delete(std::string_view key, const std::function<absl::Status()>& call) {
    return Write(OpType::kDelete, key, "", call);
  }
  // A read through `call`: its value, or absent when it returns kNotFound; any other error failed.
  // `final_read`: a read after the heal that the durability checks look at.
  // `invoked_ns` (when >= 0) is recorded as the read's invocation instead of now: a read whose
  // answer may reflect an earlier moment (a node that recovered from the store, as of its open).
  absl::StatusOr<std::string> Get(std::string_view key, const std::function<absl::StatusOr<std::string>()>& call,
                                  bool final_read = false, Nanos invoked_ns = -1);

  // Pauses a time drawn from the run's decisions, uniform in [0, max_ns] (nothing when max_ns <= 0).
  void Think(Nanos max_ns);
  // A client whose node is down (opening, or restarting after a crash) waits for it up to
  // `max_ns`, as a client with a connection retry would. True if the node is up.
  bool AwaitNode(Node& node, Nanos max_ns);

 private:
  World& world_;
  History& history_;
  std::string name_;
};

// Spawns `clients` client tasks "client-0".."client-<n-1>"; each runs body(its Client, c). Client
// tasks belong to no node, so a node's crash does not end them: they wait for the restart and go
// on (AwaitNode), and their calls in flight come back as unknown.
void SpawnClients(World& world, History& history, int clients, std::function<void(Client&, int)> body);

// From a client task: waits for `node` to open (recovery) and reads every key through `read` as
// final reads of the client "final-read". If the node cannot open within `open_timeout_ns`, fails
// "recoverable" with the open's error and returns false.
// Each read is recorded as invoked when FinalReads was called: a node opened for the final reads
// recovers the store as it was during its open, and writers may still be putting meanwhile (their
// acknowledgements after that moment may or may not be in what it read). Call it when the node's
// open begins or later than that.
bool FinalReads(World& world, History& history, Node& node, const std::vector<std::string>& keys,
                const std::function<absl::StatusOr<std::string>(const std::string& key)>& read,
                Verdict& verdict, Nanos open_timeout_ns = 60'000'000'000);

}  // namespace seedbed
