// Workload pieces the bundled scenarios share, on the generic client plumbing
// (scenarios/client/client.h): writer clients, final reads after the heal, and the swarm ranges
// for engines on an object store. Kernel-thread only.
#pragma once

#include <string>
#include <vector>

#include "faults/swarm.h"
#include "scenarios/bundled/db_node.h"
#include "scenarios/harness/history.h"
#include "scenarios/harness/verdict.h"
#include "sim/world/world.h"

namespace seedbed {

struct WriterLoad {
  int clients = 4;
  int writes = 20;      // per client
  int keys = 5;         // keys k0..k{keys-1}
  Nanos think_ns_max = 50'000'000;  // pause between a client's writes: uniform [0, max] (a decision)
  Nanos node_wait_ns_max = 5'000'000'000;  // how long a client waits for a down node before a put
};

// Client c writes `{c}:{i}` to key k{i % keys} through nodes[c % nodes.size()], one write at a time.
void SpawnWriters(World& world, History& history, std::vector<DbNode*> nodes, WriterLoad load);

// From a client task: waits for `node` to open (recovery) and reads k0..k{keys-1} as final reads.
// If the node cannot open within `open_timeout_ns`, reports "recoverable" with the open error.
void FinalReads(World& world, History& history, DbNode& node, int keys, Verdict& verdict,
                Nanos open_timeout_ns = 60'000'000'000);
// The same in a new client task "final-read".
void SpawnFinalReads(World& world, History& history, DbNode& node, int keys, Verdict& verdict,
                     Nanos open_timeout_ns = 60'000'000'000);

// Swarm ranges for engines on the object store: latency, transient errors, ambiguous outcomes,
// process crashes and crash points; no network or disk faults.
SwarmRanges StoreSwarm();

}  // namespace seedbed
