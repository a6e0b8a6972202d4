// slatedb.zombie_writer: a second SlateDB writer opens while the first still writes. Fencing must
// stop the older one before it acknowledges anything the newer one will not see. Two defects:
// PR #271 (an open race found by the FizzBee spec #266: writing the epoch before reading the next
// WAL id lets two openers both finish opening) and #1622 / PR #1672 (WAL garbage collection
// deleted a fence WAL below the replay point, so a stale writer's Create succeeded and its
// acknowledged write was lost).
//
// The world: object-store latency is always on (a log-normal with a heavy tail, its median drawn
// per seed), since both races need store operations that overlap; the swarm adds the rest. Each
// seed draws one of two arrivals of the second writer:
//  - together: both writers open within a few milliseconds of each other (a failover that starts
//    the new writer while the old one restarts). With the epoch written before the next WAL id is
//    read (#271), the older opener can list the WAL after the newer one's fence and fence the slot
//    above it: the newer writer then meets the older one's fence, while the older one writes on.
//  - while idle: the old writer's clients write a burst, then go quiet for seconds; the new writer
//    opens in that gap, writes, flushes its memtable (the replay point moves past its fence) and
//    garbage-collects; then the old writer's clients write again. With fences collected (#1622)
//    the old writer's Create of its next WAL id (the fence's id) succeeds below the replay point.
// Invariants: single-writer (an older writer acknowledges nothing above a newer writer's fence;
// WriterWatch::CheckOlderWritersFenced) and no lost acknowledged writes (read back by a verifier
// that opens after the heal).
#include <memory>
#include <string>

#include "fmt/format.h"
#include "model/errors.h"
#include "scenarios/bundled/db_node.h"
#include "scenarios/checks/history_checks.h"
#include "scenarios/harness/scenario.h"
#include "scenarios/bundled/workloads.h"
#include "scenarios/bundled/writer_watch.h"

namespace seedbed {
namespace {

// One client's writes through one node: `writes` puts, a pause of up to think_ns_max between two,
// and after the write numbered pause_after a long pause of pause_ns (the client goes idle).
struct ClientPlan {
  std::string name;
  DbNode* node = nullptr;
  int writes = 10;
  Nanos think_ns_max = 100'000'000;
  int pause_after = -1;
  Nanos pause_ns = 0;
  Nanos await_open_ns = 5'000'000'000;  // wait this long for a node that is not open yet
};

constexpr int kKeys = 5;

// `*running` counts the clients still writing.
void SpawnPlannedClient(World& world, History& history, ClientPlan plan, int* running) {
  ++*running;
  world.SpawnClient(plan.name, [&world, &history, plan, running] {
    Kernel& kernel = world.kernel();
    struct Done {
      int* running;
      ~Done() { --*running; }
    } done{running};
    for (int i = 0; i < plan.writes; ++i) {
      if (plan.node->db() == nullptr) plan.node->AwaitOpen(plan.await_open_ns);
      // A newer writer fenced this node's open and it gave up: its clients stop too.
      if (plan.node->db() == nullptr && model::IsFenced(plan.node->open_status())) return;
      plan.node->ClientPut(history, plan.name, fmt::format("k{}", i % kKeys),
                           fmt::format("{}:{}", plan.name, i));
      Nanos pause = kernel.decisions().Between(0, plan.think_ns_max, DecisionKind::kUser);
      if (i == plan.pause_after) pause += plan.pause_ns;
      kernel.SleepFor(pause);
    }
  });
}

class ZombieWriter : public Scenario {
 public:
  ScenarioInfo info() const override {
    return {"slatedb.zombie_writer",
            "Two SlateDB writers on one prefix; the newer must fence the older before it loses "
            "acknowledged writes. buggy-271: epoch written before reading the next WAL id (PR #271, "
            "FizzBee #266); buggy-1622: WAL GC deletes fences (slatedb/slatedb #1622, PR #1672).",
            {"buggy-271", "buggy-1622", "fixed"},
            {"buggy-271", "buggy-1622"},
            "",
            {{"buggy-271", {"single-writer", "no-lost-acknowledged-writes"}},
             {"buggy-1622", {"single-writer", "no-lost-acknowledged-writes"}}}};
  }

  void Build(World& world, const RunConfig& run) override {
    Decisions& d = world.kernel().decisions();
    watch_ = std::make_unique<WriterWatch>(world.kernel());
    model::Options options = model::Options::SlateDb();
    if (run.variant == "buggy-271") options.open_order = model::OpenOrder::kEpochFirst;
    if (run.variant == "buggy-1622") options.wal_gc = model::WalGcMode::kDeleteAll;
    if (run.variant == "fixed") options.wal_gc = model::WalGcMode::kKeepFences;
    options.flush_interval_ns = 100'000'000;
    options.memtable_bytes_max = 64;  // flush to L0 often: the replay point moves, GC runs
    options.observer = watch_.get();
    together_ = d.Bernoulli(0.65, DecisionKind::kUser);  // the #271 race is the rarer
    // The old writer's burst lasts about old_burst_ns; then it is idle for idle_ns.
    idle_ns_ = d.Between(4'000'000'000, 10'000'000'000, DecisionKind::kUser);
    old_ = MakeNode(world, "writer-old", options);
    DbNode::Config config;
    config.name = "writer-new";
    config.options = options;
    // Together: within 30 ms of the old writer. While idle: after the old writer's burst.
    config.first_boot_delay_ns_min = together_ ? 0 : kOldBurstNs;
    config.first_boot_delay_ns_max = together_ ? 30'000'000 : kOldBurstNs + 1'000'000'000;
    new_ = std::make_unique<DbNode>(world, config);
    // Store latency always on: both races need overlapping store operations.
    const double median_ns = static_cast<double>(d.Between(2'000'000, 20'000'000, DecisionKind::kUser));
    FaultPlan base;
    base.StoreLatency(LatencyModel::LogNormal(median_ns, 1.0).WithTail(0.1, 10));
    world.SetSwarm(StoreSwarm(), base);
  }

  void Workload(World& world, History& history) override {
    // Old writer: a burst, an idle gap, then more writes (the zombie wakes up).
    for (int c = 0; c < 2; ++c) {
      ClientPlan plan;
      plan.name = fmt::format("old-{}", c);
      plan.node = old_.get();
      plan.writes = 12;
      plan.think_ns_max = kOldBurstNs / 6;
      plan.pause_after = 5;
      plan.pause_ns = idle_ns_;
      SpawnPlannedClient(world, history, plan, &running_);
    }
    // New writer: writes steadily once it is open.
    for (int c = 0; c < 2; ++c) {
      ClientPlan plan;
      plan.name = fmt::format("new-{}", c);
      plan.node = new_.get();
      plan.writes = 15;
      plan.think_ns_max = 300'000'000;
      plan.await_open_ns = 15'000'000'000;
      SpawnPlannedClient(world, history, plan, &running_);
    }
  }

  void Liveness(World& world, History& history) override {
    // The chaos phase may end (time limit) while clients still write: the verifier opens and
    // reads only once every write has an outcome, so each acknowledged write precedes the reads.
    world.SpawnClient("final-read", [this, &world, &history] {
      for (int i = 0; i < 10'000 && running_ > 0; ++i) world.kernel().SleepFor(10'000'000);
      verifier_ = MakeVerifier(world, model::Options::SlateDb());
      FinalReads(world, history, *verifier_, kKeys, verdict());
    });
  }

  void Check(const World&, const History& history, Verdict& verdict) override {
    watch_->CheckOlderWritersFenced("single-writer", verdict);
    checks::NoLostAcknowledgedWrites(history, verdict);
    checks::Linearizable(history, verdict);
  }

 private:
  static constexpr Nanos kOldBurstNs = 2'000'000'000;
  std::unique_ptr<WriterWatch> watch_;
  std::unique_ptr<DbNode> old_;
  std::unique_ptr<DbNode> new_;
  std::unique_ptr<DbNode> verifier_;
  bool together_ = false;
  Nanos idle_ns_ = 0;
  int running_ = 0;  // workload clients still writing
};

SEEDBED_SCENARIO(ZombieWriter);

}  // namespace
}  // namespace seedbed
