// kvapp.power_loss: kvapp (an application on Debian's unmodified libleveldb, with a commit thread of
// its own) in a simulated machine that loses power at random, on an ext4 data=ordered disk. Three
// clients put unique keys; after each restart kvapp reopens LevelDB; after the heal every key is
// read back. "nosync" commits with WriteOptions::sync = false: an acknowledged put can be lost.
// "sync" fsyncs LevelDB's log at every commit: nothing acknowledged is lost.
#include <map>
#include <memory>
#include <string>

#include <seedbed/seedbed.h>

#include "fmt/format.h"
#include "kvapp.h"
#include "model/leveldb/leveldb_env.h"

class PowerLoss : public seedbed::Scenario {
 public:
  seedbed::ScenarioInfo info() const override {
    seedbed::ScenarioInfo info{"kvapp.power_loss",
                               "kvapp on LevelDB loses power (ext4): unsynced commits are lost.",
                               {"nosync", "sync"}, {"nosync"}, ""};
    info.expected_invariants = {{"nosync", {"no-lost-acknowledged-writes"}}};  // what its bug breaks
    info.crash_mode = seedbed::CrashMode::kAbandon;  // nothing of a crashed process runs again
    return info;
  }

  void Build(seedbed::World& world, const seedbed::RunConfig& run) override {
    sync_ = run.variant == "sync";
    clients_ = &world.AddClientProcess("clients");
    app_ = &world.AddProcess("app", [this](seedbed::Process& p) {
      // One leveldb::Env per incarnation over this process's simulated disk, clock and tasks; a
      // crash abandons it with the Store (see OnCrash below).
      auto* env = new model::LeveldbEnv(p.env());
      std::unique_ptr<kvapp::Store> store;
      if (kvapp::Store::Open(env, "db", sync_, &store).ok()) store_ = store.release();
    });
    app_->OnCrash([this] { store_ = nullptr; });  // abandoned, never deleted
    calls_ = std::make_unique<seedbed::ProcessCalls>(world, *app_);
    seedbed::FaultPlan plan;
    plan.op(seedbed::OpKind::kDiskSync).latency = seedbed::LatencyModel::Uniform(100'000, 2'000'000);
    plan.crash_interval_ns_mean = 100'000'000;  // power losses, ~10 a second
    plan.restart_delay_ns_min = 1'000'000;
    plan.restart_delay_ns_max = 10'000'000;
    plan.machine_crash_probability = 1;
    plan.durability = seedbed::DiskDurability::kExt4Ordered;
    world.SetFaults(plan);
  }

  void Workload(seedbed::World& world, seedbed::History& history) override {
    for (int c = 0; c < 3; ++c)
      world.SpawnClient(*clients_, fmt::format("client-{}", c), [this, &world, &history, c] {
        for (int i = 0; i < 40; ++i) Put(world, history, fmt::format("client-{}", c), fmt::format("k{}.{}", c, i));
      });
  }

  void Liveness(seedbed::World& world, seedbed::History& history) override {
    world.SpawnClient(*clients_, "final-read", [this, &world, &history] {
      seedbed::Kernel& k = world.kernel();
      while (store_ == nullptr) k.SleepFor(1'000'000);
      for (const seedbed::Op& op : std::vector<seedbed::Op>(history.ops())) {
        if (op.type != seedbed::OpType::kPut) continue;
        uint64_t id = history.Invoke("final-read", seedbed::OpType::kGet, op.key, "", k.Now());
        history.MarkFinalRead(id);
        std::string value;
        leveldb::Status s = store_->Get(op.key, &value);
        history.Ok(id, k.Now(), s.ok() ? std::optional<std::string>(value) : std::nullopt);
      }
      delete store_;  // a clean close: joins kvapp's commit thread, closes LevelDB
      store_ = nullptr;
    });
  }

  void Check(const seedbed::World&, const seedbed::History& history, seedbed::Verdict& v) override {
    seedbed::checks::NoLostAcknowledgedWrites(history, v);
  }

 private:
  void Put(seedbed::World& world, seedbed::History& history, const std::string& client,
           const std::string& key) {
    seedbed::Kernel& k = world.kernel();
    while (store_ == nullptr) k.SleepFor(1'000'000);  // the app is restarting
    uint64_t id = history.Invoke(client, seedbed::OpType::kPut, key, "v", k.Now(), k.current_task());
    auto status = std::make_shared<leveldb::Status>();
    kvapp::Store* store = store_;
    // The put runs as a task of the app (its caller's thread); a crash ends it: outcome unknown.
    if (calls_->Call("put", [store, key, status] { *status = store->Put(key, "v"); }) && status->ok())
      history.Ok(id, k.Now());
    else
      history.Unknown(id, k.Now(), "the app crashed or failed during the put");
  }

  bool sync_ = false;
  seedbed::Process* clients_ = nullptr;
  seedbed::Process* app_ = nullptr;
  kvapp::Store* store_ = nullptr;
  std::unique_ptr<seedbed::ProcessCalls> calls_;
};
SEEDBED_SCENARIO(PowerLoss);
