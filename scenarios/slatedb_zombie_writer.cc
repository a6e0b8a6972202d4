// slatedb.zombie_writer: a second SlateDB writer opens while the first still writes. Fencing must
// stop the older one before it acknowledges anything the newer one will not see. Two defects:
// PR #271 (an open race found by the FizzBee spec #266: writing the epoch before reading the next
// WAL id lets two openers both finish opening) and #1622 / PR #1672 (WAL garbage collection
// deleted a fence WAL below the replay point, so a stale writer's Create succeeded and its
// acknowledged write was lost).
#include <memory>

#include "scenarios/db_node.h"
#include "scenarios/history_checks.h"
#include "scenarios/scenario.h"
#include "scenarios/workloads.h"

namespace seedbed {
namespace {

class ZombieWriter : public Scenario {
 public:
  ScenarioInfo info() const override {
    return {"slatedb.zombie_writer",
            "Two SlateDB writers on one prefix; the newer must fence the older before it loses "
            "acknowledged writes. buggy-271: epoch written before reading the next WAL id (PR #271, "
            "FizzBee #266); buggy-1622: WAL GC deletes fences (slatedb/slatedb #1622, PR #1672).",
            {"buggy-271", "buggy-1622", "fixed"},
            {"buggy-271", "buggy-1622"},
            ""};
  }

  void Build(World& world, const RunConfig& run) override {
    model::Options options = model::Options::SlateDb();
    if (run.variant == "buggy-271") options.open_order = model::OpenOrder::kEpochFirst;
    if (run.variant == "buggy-1622") options.wal_gc = model::WalGcMode::kDeleteAll;
    if (run.variant == "fixed") options.wal_gc = model::WalGcMode::kKeepFences;
    options.flush_interval_ns = 100'000'000;
    options.memtable_bytes_max = 64;  // flush to L0 often: the replay point moves, GC runs
    old_ = MakeNode(world, "writer-old", options);
    DbNode::Config config;
    config.name = "writer-new";
    config.options = options;
    // Half the runs open both at once (the #271 race), half later, while the old one writes.
    bool concurrent = world.kernel().decisions().Bernoulli(0.5, DecisionKind::kUser);
    config.first_boot_delay_ns_max = concurrent ? 100'000'000 : 8'000'000'000;
    new_ = std::make_unique<DbNode>(world, config);
    world.SetSwarm(StoreSwarm());
  }

  void Workload(World& world, History& history) override {
    WriterLoad load;
    load.think_ns_max = 1'500'000'000;  // bursty clients leave the old writer idle at times
    load.writes = 15;
    SpawnWriters(world, history, {old_.get(), new_.get()}, load);
  }

  void Liveness(World& world, History& history) override {
    verifier_ = MakeVerifier(world, model::Options::SlateDb());
    SpawnFinalReads(world, history, *verifier_, 5, verdict());
  }

  void Check(const World&, const History& history, Verdict& verdict) override {
    checks::NoLostAcknowledgedWrites(history, verdict);
  }

 private:
  std::unique_ptr<DbNode> old_;
  std::unique_ptr<DbNode> new_;
  std::unique_ptr<DbNode> verifier_;
};

SEEDBED_SCENARIO(ZombieWriter);

}  // namespace
}  // namespace seedbed
