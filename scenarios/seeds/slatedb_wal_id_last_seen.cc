// slatedb.wal_id_last_seen: the manifest runs ahead of the WAL (slatedb/slatedb #433, PR #448;
// regressed as #1018, fixed again by #1885). Freezing the WAL buffer assigned id X and advanced
// next_wal_id at once; while the put of WAL X stalls or fails, a memtable flush writes a manifest
// with wal_id_last_seen = X; after a crash, recovery finds WAL X missing. Fixed: the flush takes
// the id when it writes and advances next_wal_id only after the put succeeds.
#include <memory>

#include "scenarios/bundled/db_node.h"
#include "scenarios/checks/history_checks.h"
#include "scenarios/harness/scenario.h"
#include "scenarios/checks/store_checks.h"
#include "scenarios/bundled/workloads.h"

namespace seedbed {
namespace {

class WalIdLastSeen : public Scenario {
 public:
  ScenarioInfo info() const override {
    return {"slatedb.wal_id_last_seen",
            "A SlateDB writer assigns WAL ids at freeze; a manifest written while a WAL put stalls "
            "or fails records wal_id_last_seen ahead of the durable WAL, and recovery after a crash "
            "finds a gap (slatedb/slatedb #433, PR #448; regression #1018, PR #1885).",
            {"buggy", "fixed"},
            {"buggy"},
            "",
            {{"buggy", {"manifest-not-ahead-of-wal", "recoverable"}}}};
  }

  void Build(World& world, const RunConfig& run) override {
    model::Options options = model::Options::SlateDb();
    if (run.variant == "buggy") options.wal_id_assignment = model::WalIdAssignment::kAtFreeze;
    options.flush_interval_ns = 100'000'000;  // SlateDB flushes the WAL every 100 ms
    options.memtable_bytes_max = 256;         // small memtables: frequent L0 flushes and manifests
    node_ = MakeNode(world, "writer", options);
    SwarmRanges ranges = StoreSwarm();
    ranges.store_error_probability = {0.01, 0.1};  // the upstream regression test injects put errors
    world.SetSwarm(ranges);
  }

  void Workload(World& world, History& history) override {
    WriterLoad load;
    load.think_ns_max = 20'000'000;
    SpawnWriters(world, history, {node_.get()}, load);
  }

  void Liveness(World& world, History& history) override {
    SpawnFinalReads(world, history, *node_, 5, verdict());
  }

  void Check(const World& world, const History& history, Verdict& verdict) override {
    checks::ManifestNotAheadOfWal(world.store(), "cluster/", verdict);
    checks::NoLostAcknowledgedWrites(history, verdict);
    checks::Linearizable(history, verdict);
  }

 private:
  std::unique_ptr<DbNode> node_;
};

SEEDBED_SCENARIO(WalIdLastSeen);

}  // namespace
}  // namespace seedbed
