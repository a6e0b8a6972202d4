// influxdb3.duplicate_writer: two InfluxDB 3 processes configured with the same node prefix
// (influxdata/influxdb #26161, fixed by PR #26203). Both load the same last WAL sequence number and
// both write `wal/N`; with a plain (overwrite) put the second silently replaces the first, whose
// writes were already acknowledged. The fix puts with Create: the loser gets AlreadyExists, fails
// its waiting writes and shuts down.
#include <memory>

#include "fmt/format.h"
#include "scenarios/bundled/db_node.h"
#include "scenarios/checks/history_checks.h"
#include "scenarios/harness/scenario.h"
#include "scenarios/checks/store_checks.h"
#include "scenarios/bundled/workloads.h"

namespace seedbed {
namespace {

class DuplicateWriter : public Scenario {
 public:
  ScenarioInfo info() const override {
    return {"influxdb3.duplicate_writer",
            "Two InfluxDB 3 writers on one node prefix both write wal/N; a plain put overwrites "
            "acknowledged writes (influxdata/influxdb #26161; fixed by PR #26203: put with Create, "
            "the loser shuts down).",
            {"buggy", "fixed"},
            {"buggy"},
            "",
            {{"buggy", {"wal-object-written-once", "no-lost-acknowledged-writes"}}}};
  }

  void Build(World& world, const RunConfig& run) override {
    model::Options options = model::Options::InfluxDb3();
    if (run.variant == "buggy") options.wal_put_mode = model::PutMode::kOverwrite;
    for (const char* name : {"node-a", "node-b"}) nodes_.push_back(MakeNode(world, name, options));
    world.SetSwarm(StoreSwarm());
    // Checked as each put applies: the run stops at the overwrite, not after the final reads.
    checks::WatchNoObjectOverwritten(world.store(), "cluster/wal/", verdict());
  }

  void Workload(World& world, History& history) override {
    SpawnWriters(world, history, {nodes_[0].get(), nodes_[1].get()}, {.clients = 4, .writes = 20, .keys = 5});
  }

  void Liveness(World& world, History& history) override {
    verifier_ = MakeVerifier(world, model::Options::InfluxDb3());
    SpawnFinalReads(world, history, *verifier_, 5, verdict());
  }

  void Check(const World&, const History& history, Verdict& verdict) override {
    checks::NoLostAcknowledgedWrites(history, verdict);
    checks::Linearizable(history, verdict);
  }

 private:
  std::vector<std::unique_ptr<DbNode>> nodes_;
  std::unique_ptr<DbNode> verifier_;
};

SEEDBED_SCENARIO(DuplicateWriter);

}  // namespace
}  // namespace seedbed
