// A node of a scenario: a simulated process whose boot opens a model::Db on a prefix (recovery) and
// keeps it, plus the client side: calls made from client tasks of other processes run as tasks of
// the node's process, so a crash of the node unwinds them and the caller learns the outcome is
// unknown. The client helpers record every call in the History. Kernel-thread only; calls yield.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "model/db/db.h"
#include "model/options.h"
#include "scenarios/harness/history.h"
#include "sim/world/world.h"

namespace seedbed {

class DbNode {
 public:
  struct Config {
    std::string name;                 // process name
    std::string prefix = "cluster/";  // object-store prefix of the database
    model::Options options;
    ProcessOptions process;
    int open_attempts_max = 30;       // after the heal, the boot retries a failed open this often
                                      // (during chaos it retries until the phase ends)...
    Nanos open_retry_delay_ns = 1'000'000'000;  // ...this far apart
    Nanos call_timeout_ns = 30'000'000'000;     // a client call gives up (outcome unknown)
    // The first boot waits a drawn time in [0, max] before opening (a second writer arriving
    // while the first already writes); restarts open at once.
    Nanos first_boot_delay_ns_max = 0;
    Nanos first_boot_delay_ns_min = 0;  // the draw's lower bound (<= max)
    // A fenced open means a newer writer owns the prefix: give up (a writer node), or retry (a
    // verifier that must end up owning it after the heal).
    bool retry_when_fenced = false;
  };

  // Adds the process to `world` (booting now). The node must outlive the world's run.
  DbNode(World& world, Config config);

  Process& process() { return *process_; }
  const std::string& name() const { return config_.name; }
  model::Db* db() { return db_; }  // null while down, opening, or after a failed open
  // The last error of an open that gave up (e.g. fenced), ok otherwise.
  const absl::Status& open_status() const { return open_status_; }

  // --- from a client task (may yield) ---
  // Waits until the node's Db is open; false if it is not within `timeout_ns` (or gave up).
  bool AwaitOpen(Nanos timeout_ns);
  absl::Status Put(std::string_view key, std::string_view value);
  absl::StatusOr<std::string> Get(std::string_view key);  // kNotFound when absent
  absl::Status Flush();

  // The same, recorded in `history` as the client `client`: writes that fail are "unknown" (the
  // engine may have made them durable before failing), reads that fail are "failed".
  void ClientPut(History& history, std::string_view client, std::string_view key, std::string_view value);
  void ClientGet(History& history, std::string_view client, std::string_view key, bool final_read = false);

 private:
  struct Call;
  absl::StatusOr<std::string> Invoke(std::string what,
                                     std::function<absl::StatusOr<std::string>(model::Db&)> fn);
  void Boot(Process& process);
  void OnCrash();

  World& world_;
  Config config_;
  Process* process_ = nullptr;
  model::Db* db_ = nullptr;
  absl::Status open_status_;
  std::vector<std::shared_ptr<Call>> pending_;
};

// A node with the default config but for its name and options.
std::unique_ptr<DbNode> MakeNode(World& world, std::string name, model::Options options,
                                 ProcessOptions process = {});
// A node that opens last to read what survived: it retries an open that a newer writer fenced.
std::unique_ptr<DbNode> MakeVerifier(World& world, model::Options options);

}  // namespace seedbed
