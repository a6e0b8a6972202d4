// model::LeveldbEnv in a simulated world, with Debian's libleveldb and sim/foreign's interposed
// locks, condition variables and threads: LevelDB's writers and its background compaction run as
// tasks; a process crash (the page cache survives) and a reopen keep every acknowledged write; a
// machine crash on a strict-POSIX disk loses unsynced writes; the same seed gives the same trace.
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "fmt/format.h"
#include "leveldb/db.h"
#include "model/leveldb/leveldb_env.h"
#include "sim/foreign/foreign.h"
#include "sim/world/world.h"

namespace {

using seedbed::CrashKind;
using seedbed::Kernel;
using seedbed::Nanos;
using seedbed::Process;
using seedbed::World;

constexpr Nanos kMs = 1'000'000;
constexpr int kWriters = 4, kPuts = 150;

std::string Value(int w, int i) { return fmt::format("{}-{}-{}", w, i, std::string(400, 'x' + w)); }

// One run: writers put, the app crashes (kind), restarts, a reader checks every acknowledged put.
struct Run {
  bool sync = true;
  CrashKind kind = CrashKind::kProcess;
  seedbed::DiskDurability durability = seedbed::DiskDurability::kDropUnsynced;

  // Results.
  uint64_t hash = 0;
  uint64_t events = 0;
  std::set<std::string> acked;
  std::set<std::string> lost;
  seedbed::foreign::Counters counters;
  model::LeveldbEnvStats stats;  // of the first incarnation's Env
  std::vector<std::string> files;
  uint64_t process_crashes = 0, machine_crashes = 0;
  bool reopened = false;

  void Go(uint64_t seed) {
    seedbed::KernelConfig config;
    config.seed = seed;
    config.crash_mode = seedbed::CrashMode::kAbandon;
    World world(config);
    seedbed::FaultPlan plan;
    plan.op(seedbed::OpKind::kDiskWrite).latency = seedbed::LatencyModel::Uniform(2'000, 20'000);
    plan.op(seedbed::OpKind::kDiskSync).latency = seedbed::LatencyModel::Uniform(100'000, 1'000'000);
    plan.durability = durability;
    world.SetFaults(plan);
    leveldb::DB* db = nullptr;
    model::LeveldbEnv* env = nullptr;
    model::LeveldbEnv* first_env = nullptr;
    int writers_done = 0;
    Process& app = world.AddProcess("app", [&](Process& p) {
      env = new model::LeveldbEnv(p.env());  // abandoned at the crash
      if (first_env == nullptr) first_env = env;
      leveldb::Options options;
      options.env = env;
      options.create_if_missing = true;
      options.write_buffer_size = 64 << 10;
      leveldb::Status s = leveldb::DB::Open(options, "db", &db);
      REQUIRE(s.ok());
      if (p.incarnation() > 0) return;
      for (int w = 0; w < kWriters; ++w)
        world.kernel().Spawn(p, fmt::format("writer-{}", w), [&, w] {
          leveldb::WriteOptions wo;
          wo.sync = sync;
          for (int i = 0; i < kPuts; ++i) {
            const std::string key = fmt::format("w{}-{:03d}", w, (i * 37) % kPuts);
            if (db->Put(wo, key, Value(w, (i * 37) % kPuts)).ok()) acked.insert(key);
          }
          ++writers_done;
        });
    });
    Process& client = world.AddClientProcess("client");
    world.kernel().Spawn(client, "driver", [&] {
      Kernel& k = world.kernel();
      while (writers_done < kWriters) k.SleepFor(kMs);
      stats = first_env->stats();
      world.Crash(app, kind);  // the app's tasks (and LevelDB's background task) are abandoned
      db = nullptr;
      k.SleepFor(10 * kMs);
      world.Restart(app);
      while (db == nullptr) k.SleepFor(kMs);
      reopened = true;
      for (const std::string& key : acked) {
        std::string value;
        if (!db->Get(leveldb::ReadOptions(), key, &value).ok()) lost.insert(key);
      }
      delete db;  // a clean close of the second incarnation
      delete env;
    });
    world.kernel().Run();
    for (const auto& [path, entry] : world.disk(app).live()) files.push_back(path);
    counters = seedbed::foreign::CountersOf(world.kernel());
    process_crashes = world.crashes(CrashKind::kProcess);
    machine_crashes = world.crashes(CrashKind::kMachine);
    hash = world.kernel().trace().hash();
    events = world.kernel().trace().count();
  }
};

bool AnyEndsWith(const std::vector<std::string>& v, std::string_view suffix) {
  for (const std::string& s : v)
    if (s.ends_with(suffix)) return true;
  return false;
}

}  // namespace

TEST_CASE("leveldb in a world: writer tasks, background compaction, a process crash keeps every "
          "acknowledged write", "[leveldb][sim]") {
  REQUIRE(seedbed::foreign::Interposed());
  for (bool sync : {true, false}) {
    INFO("sync " << sync);
    Run run;
    run.sync = sync;
    run.kind = CrashKind::kProcess;
    run.Go(3);
    REQUIRE(run.reopened);
    CHECK(run.acked.size() == kWriters * kPuts);
    CHECK(run.lost.empty());
    CHECK(run.process_crashes == 1);
    CHECK(run.machine_crashes == 0);
    CHECK(run.stats.jobs_run >= 3);  // memtable flushes (and compactions) on the background task
    CHECK(run.counters.locks > 1000);  // LevelDB's std::mutex through the interposed calls
    CHECK(run.counters.waits > 0);    // port::CondVar: writers queue behind the group-commit leader
    CHECK(AnyEndsWith(run.files, ".ldb"));
    CHECK(AnyEndsWith(run.files, "CURRENT"));
  }
}

TEST_CASE("leveldb in a world: a machine crash on strict POSIX loses unsynced writes",
          "[leveldb][sim]") {
  Run run;
  run.sync = false;
  run.kind = CrashKind::kMachine;
  run.durability = seedbed::DiskDurability::kDropUnsynced;
  run.Go(5);
  REQUIRE(run.reopened);
  CHECK(run.acked.size() == kWriters * kPuts);
  CHECK_FALSE(run.lost.empty());  // WriteOptions::sync = false: the last log's data never synced
  CHECK(run.machine_crashes == 1);
}

TEST_CASE("leveldb in a world: the same seed gives the same trace", "[leveldb][sim]") {
  for (uint64_t seed : {1, 2, 3}) {
    Run a, b;
    a.Go(seed);
    b.Go(seed);
    INFO("seed " << seed);
    CHECK(a.hash == b.hash);
    CHECK(a.events == b.events);
  }
  Run c, d;
  c.Go(1);
  d.Go(2);
  CHECK(c.hash != d.hash);  // the seed decides the interleaving
}
