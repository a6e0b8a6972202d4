// A node for any engine: a crashable simulated process whose boot opens the engine (retrying as a
// supervisor would) and keeps it, and the calls clients make into it. A call from a client task
// runs as a task of the node's process (an application's thread calling its embedded engine), so
// a crash of the node ends it as it ends the engine, and the caller learns that the outcome is
// unknown instead of waiting on a lock whose owner the crash removed. Kernel-thread only; calls
// yield. The bundled model::Db's DbNode (scenarios/bundled/db_node.h) is one of these.
//
//   seedbed::NodeConfig config;
//   config.name = "node";
//   seedbed::EngineNode<tinykv::Store> node(world, config,
//       [](seedbed::Process& p) -> absl::StatusOr<std::unique_ptr<tinykv::Store>> {
//         return tinykv::Store::Open(p.env());
//       });
//   // from a client task:
//   absl::Status s = node.Call("put k", [](tinykv::Store& s) { return s.Put("k", "v"); });
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "sim/world/world.h"

namespace seedbed {

struct NodeConfig {
  std::string name;                   // the process's name
  ProcessOptions process;
  int open_attempts_max = 30;         // after the heal, the boot retries a failed open this often
                                      // (during chaos it retries until the phase ends)...
  Nanos open_retry_delay_ns = 1'000'000'000;  // ...this far apart
  Nanos call_timeout_ns = 30'000'000'000;     // a call gives up after this (outcome unknown)
  // The first boot waits a drawn time in [min, max] before opening (a second writer arriving while
  // the first already writes); restarts open at once.
  Nanos first_boot_delay_ns_min = 0;
  Nanos first_boot_delay_ns_max = 0;
};

// An error a call returns when the node was down before the call: the engine never saw it, so a
// write that got it definitely did not happen (the history records it as failed, not unknown).
bool IsNotReached(const absl::Status& status);

// The engine-independent part: the process, the boot loop and the calls.
class Node {
 public:
  // `open` runs in the boot task of each incarnation: OK once the engine is open (and the process
  // keeps it, see Process::Keep), or the error. `give_up(error)` true ends the boot's retries (for
  // example: a newer writer fenced this one); default: retry.
  using OpenFn = std::function<absl::Status(Process&)>;
  using GiveUpFn = std::function<bool(const absl::Status&)>;
  // Adds the process to `world` (booting now). The node must outlive the world's run.
  Node(World& world, NodeConfig config, OpenFn open, GiveUpFn give_up = nullptr);
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;
  virtual ~Node() = default;

  Process& process() { return *process_; }
  const std::string& name() const { return config_.name; }
  const NodeConfig& config() const { return config_; }
  bool up() const { return up_ && !process_->crashed(); }  // open, not crashed
  // The last error of an open that failed (e.g. fenced), ok otherwise.
  const absl::Status& open_status() const { return open_status_; }

  // --- from a client task (may yield) ---
  // Waits until the engine is open; false if it is not within `timeout_ns` (or the boot gave up).
  bool AwaitOpen(Nanos timeout_ns);
  // Runs `fn` as a task named `what` of the node's process and waits for its answer. Errors of its
  // own: IsNotReached (the node was down), Aborted (it crashed during the call), DeadlineExceeded
  // (no answer within call_timeout_ns). `fn` runs on the node's stack: capture by value.
  absl::StatusOr<std::string> Call(std::string what, std::function<absl::StatusOr<std::string>()> fn);

 protected:
  virtual void OnDown() {}  // the process crashed: drop pointers into the engine

 private:
  struct Pending;
  void Boot(Process& process);
  void OnCrash();

  World& world_;
  NodeConfig config_;
  OpenFn open_;
  GiveUpFn give_up_;
  Process* process_ = nullptr;
  bool up_ = false;
  absl::Status open_status_;
  std::vector<std::shared_ptr<Pending>> pending_;
};

// A node whose engine is an `Engine` object, opened by a function that returns it.
template <typename Engine>
class EngineNode : public Node {
 public:
  using EngineOpenFn = std::function<absl::StatusOr<std::unique_ptr<Engine>>(Process&)>;
  EngineNode(World& world, NodeConfig config, EngineOpenFn open, GiveUpFn give_up = nullptr)
      : Node(world, std::move(config),
             [this, open = std::move(open)](Process& process) -> absl::Status {
               engine_ = nullptr;
               absl::StatusOr<std::unique_ptr<Engine>> engine = open(process);
               if (!engine.ok()) return engine.status();
               engine_ = process.Keep(std::move(*engine));
               return absl::OkStatus();
             },
             std::move(give_up)) {}

  Engine* engine() { return up() ? engine_ : nullptr; }  // null while down or opening

  // From a client task: `fn(engine)` as a task of the node's process (see Node::Call). `fn`
  // returns absl::Status or absl::StatusOr<std::string>.
  template <typename Fn>
  absl::StatusOr<std::string> Call(std::string what, Fn fn) {
    Engine* engine = engine_;
    return Node::Call(std::move(what), [engine, fn = std::move(fn)]() -> absl::StatusOr<std::string> {
      if constexpr (std::is_same_v<std::invoke_result_t<Fn&, Engine&>, absl::Status>) {
        absl::Status s = fn(*engine);
        if (!s.ok()) return s;
        return std::string();
      } else {
        return fn(*engine);
      }
    });
  }

 protected:
  void OnDown() override { engine_ = nullptr; }

 private:
  Engine* engine_ = nullptr;
};

}  // namespace seedbed
