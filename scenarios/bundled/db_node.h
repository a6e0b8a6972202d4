// A node of the bundled scenarios: the generic EngineNode (scenarios/client/node.h) for the
// bundled model::Db, whose boot opens the Db on a prefix (recovery) and keeps it, and whose client
// helpers record every call in the History (scenarios/client/client.h). Kernel-thread only; calls
// yield.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "model/db/db.h"
#include "model/options.h"
#include "scenarios/client/node.h"
#include "scenarios/harness/history.h"
#include "sim/world/world.h"

namespace seedbed {

class DbNode : public EngineNode<model::Db> {
 public:
  struct Config {
    std::string name;                 // process name
    std::string prefix = "cluster/";  // object-store prefix of the database
    model::Options options;
    ProcessOptions process;
    int open_attempts_max = 30;       // see NodeConfig
    Nanos open_retry_delay_ns = 1'000'000'000;
    Nanos call_timeout_ns = 30'000'000'000;
    Nanos first_boot_delay_ns_max = 0;
    Nanos first_boot_delay_ns_min = 0;
    // A fenced open means a newer writer owns the prefix: give up (a writer node), or retry (a
    // verifier that must end up owning it after the heal).
    bool retry_when_fenced = false;
  };
  // Adds the process to `world` (booting now). The node must outlive the world's run.
  DbNode(World& world, Config config);

  model::Db* db() { return engine(); }  // null while down, opening, or after a failed open

  // --- from a client task (may yield) ---
  absl::Status Put(std::string_view key, std::string_view value);
  absl::StatusOr<std::string> Get(std::string_view key);  // kNotFound when absent
  absl::Status Flush();
  // The same, recorded in `history` as the client `client` (Client::Put / Client::Get).
  void ClientPut(History& history, std::string_view client, std::string_view key, std::string_view value);
  void ClientGet(History& history, std::string_view client, std::string_view key, bool final_read = false);

 private:
  World& world_;
};

// A node with the default config but for its name and options.
std::unique_ptr<DbNode> MakeNode(World& world, std::string name, model::Options options,
                                 ProcessOptions process = {});
// A node that opens last to read what survived: it retries an open that a newer writer fenced.
std::unique_ptr<DbNode> MakeVerifier(World& world, model::Options options);

}  // namespace seedbed
