#include "scenarios/bundled/workloads.h"

#include "fmt/format.h"

namespace seedbed {

void SpawnWriters(World& world, History& history, std::vector<DbNode*> nodes, WriterLoad load) {
  for (int c = 0; c < load.clients; ++c) {
    std::string name = fmt::format("client-{}", c);
    DbNode* node = nodes[static_cast<size_t>(c) % nodes.size()];
    world.SpawnClient(name, [&world, &history, node, name, c, load] {
      Kernel& kernel = world.kernel();
      for (int i = 0; i < load.writes; ++i) {
        // A client whose node is down (opening, or restarting after a crash) waits for it a while,
        // as a client with a connection retry would; then the put is tried (and fails) anyway.
        if (node->db() == nullptr) node->AwaitOpen(load.node_wait_ns_max);
        node->ClientPut(history, name, fmt::format("k{}", i % load.keys), fmt::format("{}:{}", c, i));
        if (load.think_ns_max > 0) kernel.SleepFor(kernel.decisions().Between(0, load.think_ns_max, DecisionKind::kUser));
      }
    });
  }
}

void FinalReads(World& world, History& history, DbNode& node, int keys, Verdict& verdict,
                Nanos open_timeout_ns) {
  if (!node.AwaitOpen(open_timeout_ns)) {
    Violation& v = verdict.Fail(
        "recoverable",
        fmt::format("after the heal, {} could not open the database within {:.0f}s: {}", node.name(),
                    open_timeout_ns / 1e9,
                    node.open_status().ok() ? "still opening" : std::string(node.open_status().message())),
        world.kernel().Now());
    v.evidence.push_back(std::string(node.open_status().message()));
    return;
  }
  for (int k = 0; k < keys; ++k) node.ClientGet(history, "final-read", fmt::format("k{}", k), true);
}

void SpawnFinalReads(World& world, History& history, DbNode& node, int keys, Verdict& verdict,
                     Nanos open_timeout_ns) {
  world.SpawnClient("final-read", [&world, &history, &node, keys, &verdict, open_timeout_ns] {
    FinalReads(world, history, node, keys, verdict, open_timeout_ns);
  });
}

SwarmRanges StoreSwarm() {
  SwarmRanges ranges;
  ranges.message_loss_probability = {};
  ranges.message_duplicate_probability = {};
  ranges.message_reorder_probability = {};
  ranges.partition_interval_ns_mean = {};
  return ranges;
}

}  // namespace seedbed
