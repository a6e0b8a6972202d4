// tinykv.lost_put: three clients put at once; the buggy store can pick the same log/<seq> twice
// and the later put overwrites the earlier one, whose write was acknowledged.
#include <memory>
#include <set>

#include "fmt/format.h"
#include "scenarios/harness/scenario.h"
#include "sim/world/world.h"
#include "tinykv.h"

class LostPut : public seedbed::Scenario {
 public:
  seedbed::ScenarioInfo info() const override {
    return {"tinykv.lost_put", "Racing puts pick the same log/<seq>; a plain put loses one.",
            {"buggy", "fixed"}, {"buggy"}, "", {{"buggy", {"no-lost-acknowledged-writes"}}}};
  }
  void Build(seedbed::World& world, const seedbed::RunConfig& run) override {
    node_ = &world.AddProcess("node", [](seedbed::Process&) {});
    store_ = std::make_unique<tinykv::Store>(node_->env(), /*create_mode=*/run.variant == "fixed");
    seedbed::FaultPlan plan;  // slow, flaky puts and lists: the race window opens wide
    plan.StoreLatency(seedbed::LatencyModel::Uniform(1'000'000, 20'000'000)).StoreErrors(0.05, 0);
    world.SetFaults(plan);
  }
  void Workload(seedbed::World& world, seedbed::History& history) override {
    for (int c = 0; c < 3; ++c)
      world.SpawnClient(*node_, fmt::format("client-{}", c), [this, &world, &history, c] {
        for (int i = 0; i < 4; ++i) {
          std::string client = fmt::format("client-{}", c), key = fmt::format("k{}.{}", c, i);
          uint64_t op = history.Invoke(client, seedbed::OpType::kPut, key, "v", world.kernel().Now());
          absl::Status s = store_->Put(key, "v");
          if (s.ok()) history.Ok(op, world.kernel().Now());
          else history.Fail(op, world.kernel().Now(), std::string(s.message()));
        }
      });
  }
  void Check(const seedbed::World& world, const seedbed::History& history, seedbed::Verdict& v) override {
    std::set<std::string> stored;
    for (const auto& [path, object] : world.store().objects()) stored.insert(*object.bytes);
    for (const seedbed::Op& op : history.ops())
      if (op.status == seedbed::OpStatus::kOk && !stored.count(op.key + "=" + op.value))
        v.Fail("no-lost-acknowledged-writes", fmt::format("acknowledged put of {} is not stored", op.key));
  }

 private:
  seedbed::Process* node_ = nullptr;
  std::unique_ptr<tinykv::Store> store_;
};
SEEDBED_SCENARIO(LostPut);
