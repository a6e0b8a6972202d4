// influxdb3.ambiguous_retry: the case PR #26203 (influxdata/influxdb #26161) leaves open. A lone
// InfluxDB 3 writer puts wal/N with Create; the put applies but its answer is lost (a timeout);
// the retry loop puts again, meets AlreadyExists, and the writer concludes another process wrote
// ahead of it and shuts itself down, with no rival anywhere. Our fix: on AlreadyExists after an
// ambiguous attempt, read the object back and treat it as success when it is byte-equal.
#include <memory>

#include "scenarios/bundled/db_node.h"
#include "scenarios/checks/history_checks.h"
#include "scenarios/harness/scenario.h"
#include "scenarios/checks/store_checks.h"
#include "scenarios/bundled/workloads.h"
#include "scenarios/bundled/writer_watch.h"

namespace seedbed {
namespace {

class AmbiguousRetry : public Scenario {
 public:
  ScenarioInfo info() const override {
    return {"influxdb3.ambiguous_retry",
            "A lone InfluxDB 3 writer whose WAL put applies but times out retries, meets its own "
            "object (AlreadyExists) and shuts itself down (the case influxdata/influxdb PR #26203 "
            "leaves open). Fixed: read the object back and accept it when byte-equal.",
            {"buggy", "fixed"},
            {"buggy"},
            "",
            {{"buggy", {"lone-writer-never-stops"}}}};
  }

  void Build(World& world, const RunConfig& run) override {
    watch_ = std::make_unique<WriterWatch>(world.kernel());
    model::Options options = model::Options::InfluxDb3();
    options.ambiguous_retry =
        run.variant == "buggy" ? model::AmbiguousRetryAction::kConflict : model::AmbiguousRetryAction::kReadBack;
    options.observer = watch_.get();
    node_ = MakeNode(world, "node-a", options);
    SwarmRanges ranges = StoreSwarm();
    ranges.store_ambiguous_probability = {0.01, 0.15};  // the fault this scenario is about
    world.SetSwarm(ranges);
  }

  void Workload(World& world, History& history) override {
    WriterLoad load;
    SpawnWriters(world, history, {node_.get()}, load);
  }

  void Liveness(World& world, History& history) override {
    // After the heal the lone writer must still take a write; then a fresh process recovers and
    // reads everything back.
    world.SpawnClient("liveness", [this, &world, &history] {
      if (node_->AwaitOpen(60'000'000'000)) {
        liveness_put_ = history.ops().size();
        node_->ClientPut(history, "liveness", "k0", "liveness:0");
      }
      verifier_ = MakeVerifier(world, model::Options::InfluxDb3());
      FinalReads(world, history, *verifier_, 5, verdict());
    });
  }

  void Check(const World& world, const History& history, Verdict& verdict) override {
    watch_->CheckStopsHaveRivals("lone-writer-never-stops", verdict);
    if (liveness_put_ && history.op(*liveness_put_).status != OpStatus::kOk) {
      const Op& op = history.op(*liveness_put_);
      Violation& v = verdict.Fail("lone-writer-never-stops",
                                  "after the heal the lone writer refused a write: " + op.error, op.complete_ns);
      v.ops.push_back(op.id);
      v.evidence.push_back(history.Describe(op));
    }
    checks::NoObjectOverwritten(world.store(), "cluster/wal/", verdict);
    checks::NoLostAcknowledgedWrites(history, verdict);
    checks::Linearizable(history, verdict);
  }

 private:
  std::unique_ptr<WriterWatch> watch_;
  std::unique_ptr<DbNode> node_;
  std::unique_ptr<DbNode> verifier_;
  std::optional<uint64_t> liveness_put_;
};

SEEDBED_SCENARIO(AmbiguousRetry);

}  // namespace
}  // namespace seedbed
