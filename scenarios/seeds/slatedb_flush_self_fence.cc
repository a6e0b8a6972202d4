// slatedb.flush_self_fence: Db::flush() froze and wrote the WAL on the caller's task while the
// background flush task did the same on its timer; both took immutable WAL N and wrote wal/N with
// put-if-not-exists; the loser's AlreadyExists maps to Fenced, so a single writer reported itself
// fenced (slatedb/slatedb #235, PR #259). Fixed: one flush task owns WAL writes; flush() sends it a
// message and waits.
#include <memory>

#include "fmt/format.h"
#include "scenarios/bundled/db_node.h"
#include "scenarios/checks/history_checks.h"
#include "scenarios/harness/scenario.h"
#include "scenarios/bundled/workloads.h"
#include "scenarios/bundled/writer_watch.h"

namespace seedbed {
namespace {

class FlushSelfFence : public Scenario {
 public:
  ScenarioInfo info() const override {
    return {"slatedb.flush_self_fence",
            "A lone SlateDB writer's explicit flush() on the caller's task races the background "
            "flush task for the same WAL id; the loser's AlreadyExists becomes Fenced "
            "(slatedb/slatedb #235, PR #259: one flush task owns WAL writes).",
            {"buggy", "fixed"},
            {"buggy"},
            "",
            {{"buggy", {"writer-not-self-fenced"}}}};
  }

  void Build(World& world, const RunConfig& run) override {
    watch_ = std::make_unique<WriterWatch>(world.kernel());
    model::Options options = model::Options::SlateDb();
    if (run.variant == "buggy") options.explicit_flush = model::ExplicitFlushMode::kCallerTask;
    options.flush_interval_ns = 100'000'000;
    options.observer = watch_.get();
    node_ = MakeNode(world, "writer", options);
    world.SetSwarm(StoreSwarm());
  }

  void Workload(World& world, History& history) override {
    // Writers, and a client that calls flush() now and then (as an application awaiting
    // durability would).
    WriterLoad load;
    SpawnWriters(world, history, {node_.get()}, load);
    world.SpawnClient("flusher", [this, &world] {
      Kernel& kernel = world.kernel();
      for (int i = 0; i < 40; ++i) {
        kernel.SleepFor(kernel.decisions().Between(0, 200'000'000, DecisionKind::kUser));
        (void)node_->Flush();
      }
    });
  }

  void Liveness(World& world, History& history) override {
    SpawnFinalReads(world, history, *node_, 5, verdict());
  }

  void Check(const World&, const History& history, Verdict& verdict) override {
    watch_->CheckStopsHaveRivals("writer-not-self-fenced", verdict);
    checks::NoLostAcknowledgedWrites(history, verdict);
    checks::Linearizable(history, verdict);
  }

 private:
  std::unique_ptr<WriterWatch> watch_;
  std::unique_ptr<DbNode> node_;
};

SEEDBED_SCENARIO(FlushSelfFence);

}  // namespace
}  // namespace seedbed
