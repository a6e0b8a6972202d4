// tinykv.lost_put: three clients put at once; the buggy store can pick the same log/<seq> twice
// and the later put overwrites the earlier one, whose write was acknowledged.
#include <memory>
#include <string>
#include <vector>

#include <seedbed/seedbed.h>

#include "fmt/format.h"
#include "tinykv.h"

class LostPut : public seedbed::Scenario {
 public:
  seedbed::ScenarioInfo info() const override {
    return {"tinykv.lost_put", "Racing puts pick the same log/<seq>; a plain put loses one.",
            {"buggy", "fixed"}, {"buggy"}, "", {{"buggy", {"no-lost-acknowledged-writes"}}}};
  }
  void Build(seedbed::World& world, const seedbed::RunConfig& run) override {
    seedbed::NodeConfig node;  // a process that opens the store at each boot, crash or not
    node.name = "node";
    bool create_mode = run.variant == "fixed";
    node_ = std::make_unique<seedbed::EngineNode<tinykv::Store>>(world, node, [create_mode](seedbed::Process& p) {
      return std::make_unique<tinykv::Store>(p.env(), create_mode);
    });
    seedbed::FaultPlan plan;  // slow, flaky puts and lists: the race window opens wide
    plan.StoreLatency(seedbed::LatencyModel::Uniform(1'000'000, 20'000'000)).StoreErrors(0.05, 0);
    world.SetFaults(plan);
  }
  void Workload(seedbed::World& world, seedbed::History& history) override {
    seedbed::SpawnClients(world, history, 3, [this](seedbed::Client& client, int c) {
      for (int i = 0; i < 4; ++i) {
        std::string key = fmt::format("k{}.{}", c, i);
        keys_.push_back(key);
        client.Put(key, "v", [&] { return node_->Call("put", [key](tinykv::Store& s) { return s.Put(key, "v"); }).status(); });
        client.Think(5'000'000);  // up to 5 ms, drawn from the run's decisions
      }
    });
  }
  void Liveness(seedbed::World& world, seedbed::History& history) override {
    world.SpawnClient("final-read", [this, &world, &history] {
      seedbed::FinalReads(world, history, *node_, keys_, [this](const std::string& key) {
        return node_->Call("get", [key](tinykv::Store& s) { return s.Get(key); });
      }, verdict());
    });
  }
  void Check(const seedbed::World&, const seedbed::History& history, seedbed::Verdict& verdict) override {
    seedbed::checks::NoLostAcknowledgedWrites(history, verdict);
  }

 private:
  std::unique_ptr<seedbed::EngineNode<tinykv::Store>> node_;
  std::vector<std::string> keys_;
};
SEEDBED_SCENARIO(LostPut);
