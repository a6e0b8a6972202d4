#include "scenarios/bundled/workloads.h"

#include "fmt/format.h"
#include "scenarios/client/client.h"

namespace seedbed {

void SpawnWriters(World& world, History& history, std::vector<DbNode*> nodes, WriterLoad load) {
  SpawnClients(world, history, load.clients, [nodes, load](Client& client, int c) {
    DbNode* node = nodes[static_cast<size_t>(c) % nodes.size()];
    for (int i = 0; i < load.writes; ++i) {
      client.AwaitNode(*node, load.node_wait_ns_max);  // a down node: wait a while, then try anyway
      std::string key = fmt::format("k{}", i % load.keys), value = fmt::format("{}:{}", c, i);
      client.Put(key, value, [&] { return node->Put(key, value); });
      client.Think(load.think_ns_max);
    }
  });
}

void FinalReads(World& world, History& history, DbNode& node, int keys, Verdict& verdict,
                Nanos open_timeout_ns) {
  std::vector<std::string> names;
  for (int k = 0; k < keys; ++k) names.push_back(fmt::format("k{}", k));
  seedbed::FinalReads(world, history, node, names, [&node](const std::string& key) { return node.Get(key); },
                      verdict, open_timeout_ns);
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
