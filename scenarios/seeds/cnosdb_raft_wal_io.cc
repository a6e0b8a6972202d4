// cnosdb.raft_wal_io: CnosDB 2.4 replicates each vnode with its own Raft group (multi-raft on
// openraft) and keeps the Raft log in the vnode's WAL; apply writes the memtable, whose flush is the
// snapshot point. Its write-up leaves open what an I/O error while writing the log or applying does.
// Buggy variant (IoErrorPolicy::kIgnore): the error is logged and the node carries on, e.g. a
// follower acknowledges AppendEntries whose append failed, so a leader counts it in the quorum,
// acknowledges the write, and a leader crash then loses it. Fixed (kFailStop): the replica halts,
// restarts and recovers from its snapshot and WAL.
#include <cinttypes>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "fmt/format.h"
#include "model/raft/client.h"
#include "model/raft/node.h"
#include "model/raft/safety_checker.h"
#include "scenarios/checks/history_checks.h"
#include "scenarios/harness/scenario.h"
#include "sim/world/world.h"

namespace seedbed {
namespace {

constexpr int kNodes = 3;
constexpr uint64_t kGroups = 2;
constexpr int kClients = 3;
constexpr int kWritesPerClient = 40;
constexpr int kKeysPerGroup = 4;

std::string KeyName(uint64_t group, int k) { return fmt::format("g{}/k{}", group, k); }

class RaftWalIo : public Scenario {
 public:
  ScenarioInfo info() const override {
    return {"cnosdb.raft_wal_io",
            "Multi-raft whose log is each node's WAL (CnosDB 2.4 on openraft). Buggy: an I/O error on "
            "log append or apply is ignored (a follower acknowledges an append that failed; a failed "
            "memtable flush still deletes the log prefix), so a leader crash can lose an "
            "acknowledged write. Fixed: fail-stop, restart and recover from snapshot + WAL.",
            {"buggy", "fixed"},
            {"buggy"},
            "",
            // A failed append acknowledged anyway can also leave a group that never commits again
            // after the heal (commit-after-heal); the fixed variant never does.
            {{"buggy", {"no-lost-acknowledged-writes", "election-safety", "log-matching", "leader-completeness",
                        "state-machine-safety", "commit-after-heal"}}}};
  }

  void Build(World& world, const RunConfig& run) override {
    options_.io_error_policy =
        run.variant == "buggy" ? model::raft::IoErrorPolicy::kIgnore : model::raft::IoErrorPolicy::kFailStop;
    options_.observer = &checker_;
    options_.snapshot_every_entries = 16;
    options_.segment_bytes_max = 2048;
    for (int i = 1; i <= kNodes; ++i) members_.push_back(fmt::format("n{}", i));
    for (uint64_t g = 1; g <= kGroups; ++g) {
      groups_.push_back(model::raft::GroupConfig{g, members_});
      membership_[g] = members_;
    }
    for (const std::string& name : members_) {
      world.AddProcess(name, [this](Process& p) {
        p.Keep(model::raft::RaftNode::Start(p.env(), "raft", groups_, options_));
      });
    }
    SwarmRanges ranges;
    ranges.store_latency_median_ns = {};
    ranges.store_error_probability = {};
    ranges.store_ambiguous_probability = {};
    ranges.crash_point_arm_probability = {};
    ranges.crash_point_fire_probability = {};
    ranges.disk_error_probability = {0.002, 0.03};
    ranges.crash_interval_ns_mean = {3e9, 20e9};
    ranges.partition_interval_ns_mean = {3e9, 15e9};
    ranges.partition_duration_ns_max = 5'000'000'000;
    world.SetSwarm(ranges);
  }

  void Workload(World& world, History& history) override {
    for (int c = 0; c < kClients; ++c) {
      const std::string name = fmt::format("client-{}", c);
      Process& process = world.AddClientProcess(name);
      // Processes may move as more are added: look ours up when the task runs.
      world.SpawnClient(process, name, [this, &world, &history, name, c] {
        model::raft::RaftClient client(world.FindProcess(name)->env(), membership_,
                                       static_cast<uint64_t>(c + 1));
        Kernel& kernel = world.kernel();
        for (int i = 0; i < kWritesPerClient; ++i) {
          const uint64_t group = 1 + static_cast<uint64_t>(i) % kGroups;
          const std::string key = KeyName(group, (i / 2) % kKeysPerGroup);
          const std::string value = fmt::format("{}:{}", c, i);
          Put(client, history, kernel, name, group, key, value);
          kernel.SleepFor(kernel.decisions().Between(0, 200'000'000, DecisionKind::kUser));
        }
        ++writers_done_;
      });
    }
  }

  // After the heal: one write per group that must commit (liveness: a leader is elected and a
  // write commits), then every key read through its group's log (final reads).
  void Liveness(World& world, History& history) override {
    Process& process = world.AddClientProcess("final");
    world.SpawnClient(process, "final-read", [this, &world, &history] {
      model::raft::RaftClient client(world.FindProcess("final")->env(), membership_, 1000);
      Kernel& kernel = world.kernel();
      // First a write per group, right after the heal: a cluster that cannot commit is found
      // within the client's deadline, not after the writers' retries have run out too.
      for (uint64_t g = 1; g <= kGroups; ++g) {
        uint64_t op = 0;
        if (Put(client, history, kernel, "final-read", g, fmt::format("g{}/live", g), "final", &op) !=
            model::raft::ClientCode::kOk) {
          Violation& v = verdict().Fail(
              "commit-after-heal", fmt::format("after the heal, no write committed in group {}", g), kernel.Now());
          v.ops.push_back(op);
          v.objects.push_back(fmt::format("raft g{}", g));  // the group's state bands (Runtime::State)
        }
      }
      // Final reads start once the writers are done (the chaos phase may end before they are).
      for (int waited = 0; writers_done_ < kClients && waited < 600; ++waited) kernel.SleepFor(100'000'000);
      for (uint64_t g = 1; g <= kGroups; ++g) {
        for (int k = -1; k < kKeysPerGroup; ++k) {  // -1: the liveness write's own key
          const std::string key = k < 0 ? fmt::format("g{}/live", g) : KeyName(g, k);
          const uint64_t id = history.Invoke("final-read", OpType::kGet, key, "", kernel.Now(),
                                             kernel.current_task());
          history.MarkFinalRead(id);
          model::raft::ClientResult r = client.Get(g, key);
          if (r.code == model::raft::ClientCode::kOk) {
            history.Ok(id, kernel.Now(), r.value);
          } else {
            history.Unknown(id, kernel.Now(), r.error);
            verdict()
                .Fail("read-after-heal",
                      fmt::format("after the heal, a read of {} did not complete: {}", key, r.error), kernel.Now())
                .ops.push_back(id);
          }
        }
      }
    });
  }

  void Check(const World& world, const History& history, Verdict& verdict) override {
    (void)world;
    checks::NoLostAcknowledgedWrites(history, verdict);
    for (const model::raft::SafetyViolation& v : checker_.violations()) {
      Violation& out = verdict.Fail(v.invariant, v.detail);
      // "group 2: ...": the group's state bands (each node's role and term, Runtime::State).
      uint64_t group = 0;
      if (std::sscanf(v.detail.c_str(), "group %" SCNu64, &group) != 1) continue;
      out.objects.push_back(fmt::format("raft g{}", group));
      // "group 1: n2 leads term 2 without ...": that leadership's band ("raft g1 = leader term 2").
      char node[32] = {0};
      uint64_t term = 0;
      if (std::sscanf(v.detail.c_str(), "group %*u: %31s leads term %" SCNu64, node, &term) == 2) {
        out.objects.push_back(fmt::format("raft g{} = leader term {}", group, term));
        out.objects.push_back(fmt::format("lease raft g{} leader term {}", group, term));  // its lease span
      }
    }
  }

 private:
  model::raft::ClientCode Put(model::raft::RaftClient& client, History& history, Kernel& kernel,
                              const std::string& name, uint64_t group, const std::string& key,
                              const std::string& value, uint64_t* op = nullptr) {
    const uint64_t id = history.Invoke(name, OpType::kPut, key, value, kernel.Now(), kernel.current_task());
    if (op != nullptr) *op = id;
    model::raft::ClientResult r = client.Put(group, key, value);
    switch (r.code) {
      case model::raft::ClientCode::kOk:
        history.Ok(id, kernel.Now());
        break;
      case model::raft::ClientCode::kNotLeader:
      case model::raft::ClientCode::kFailed:
        history.Fail(id, kernel.Now(), r.error);
        break;
      case model::raft::ClientCode::kUnknown:
        history.Unknown(id, kernel.Now(), r.error);
        break;
    }
    return r.code;
  }

  model::raft::RaftOptions options_;
  model::raft::SafetyChecker checker_;
  std::vector<std::string> members_;
  std::vector<model::raft::GroupConfig> groups_;
  std::map<uint64_t, std::vector<std::string>> membership_;
  int writers_done_ = 0;
};

SEEDBED_SCENARIO(RaftWalIo);

}  // namespace
}  // namespace seedbed
