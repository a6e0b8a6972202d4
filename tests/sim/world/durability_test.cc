// Crash kinds and durability profiles, one rule per test (DESIGN.md, "Crash kinds and durability
// profiles"): a process crash keeps the page cache; a machine crash keeps what the profile says:
// strict POSIX (drop-unsynced, random) or ext4 data=ordered. Also: fault plans draw both kinds,
// and the crash and loss trace lines say what happened and where.
#include <catch2/catch.hpp>

#include <algorithm>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "sim/world/world.h"
#include "tests/sim/world/world_test_util.h"

namespace seedbed {
namespace {

using testing::kMs;
using testing::RunWorld;

model::OpenOptions Create() {
  model::OpenOptions o;
  o.write = true;
  o.create = true;
  return o;
}

// A disk with one synced, dir-synced file "base" holding `base`.
struct Disk {
  SimDisk disk{"node", SharingMode::kPosix, 4096};
  uint64_t Open(const std::string& path) { return *disk.Open(path, Create(), "node/t"); }
  void Put(const std::string& path, const std::string& data, bool sync) {
    const uint64_t h = Open(path);
    REQUIRE(disk.Append(h, data).ok());
    if (sync) REQUIRE(disk.Sync(h).ok());
    REQUIRE(disk.Close(h).ok());
  }
  bool Has(const std::string& path) const { return disk.Exists(path); }
};

std::vector<std::string> MachineCrash(SimDisk& disk, DiskDurability mode, uint64_t seed) {
  Decisions d(seed, nullptr);
  return disk.Crash(mode, d);
}

// --- process crashes ---

TEST_CASE("durability: a process crash keeps unsynced data and every directory operation",
          "[durability][process]") {
  Disk t;
  t.Put("synced", "A", true);
  REQUIRE(t.disk.SyncDir("").ok());
  t.Put("unsynced", "lost?", false);                 // neither data nor entry synced
  REQUIRE(t.disk.Rename("synced", "renamed").ok());  // never dir-synced
  const uint64_t open = t.Open("renamed");
  REQUIRE(t.disk.Append(open, "+more").ok());
  t.disk.CrashProcess();
  CHECK(t.disk.open_handles() == 0);
  CHECK(t.disk.Contents("unsynced") == std::optional<std::string>("lost?"));
  CHECK(t.disk.Contents("renamed") == std::optional<std::string>("A+more"));
  CHECK_FALSE(t.Has("synced"));
  // Still only in the page cache: a machine crash afterwards loses what was never synced.
  MachineCrash(t.disk, DiskDurability::kDropUnsynced, 1);
  CHECK(t.disk.Contents("synced") == std::optional<std::string>("A"));
  CHECK_FALSE(t.Has("renamed"));
  CHECK_FALSE(t.Has("unsynced"));
}

// --- strict POSIX ---

TEST_CASE("durability (strict POSIX): a file's fsync makes its data durable, not its name",
          "[durability][posix]") {
  for (DiskDurability mode : {DiskDurability::kDropUnsynced, DiskDurability::kRandom}) {
    int name_lost = 0;
    for (uint64_t seed = 1; seed <= 20; ++seed) {
      Disk t;
      t.Put("new.log", "record", true);  // fsynced, its directory never
      MachineCrash(t.disk, mode, seed);
      if (!t.Has("new.log")) {
        ++name_lost;
        continue;
      }
      CHECK(t.disk.Contents("new.log") == std::optional<std::string>("record"));
    }
    if (mode == DiskDurability::kDropUnsynced) CHECK(name_lost == 20);
    if (mode == DiskDurability::kRandom) CHECK((name_lost > 0 && name_lost < 20));
  }
}

TEST_CASE("durability (strict POSIX random): entries survive independently, not as a prefix",
          "[durability][posix]") {
  bool out_of_order = false;  // a later operation survived while an earlier one did not
  for (uint64_t seed = 1; seed <= 40 && !out_of_order; ++seed) {
    Disk t;
    for (const char* name : {"a", "b", "c", "d"}) t.Put(name, "x", false);
    MachineCrash(t.disk, DiskDurability::kRandom, seed);
    for (size_t i = 1; i < 4; ++i)
      if (!t.Has(std::string(1, char('a' + i - 1))) && t.Has(std::string(1, char('a' + i))))
        out_of_order = true;
  }
  CHECK(out_of_order);
}

// --- ext4 data=ordered ---

TEST_CASE("durability (ext4): directory operations survive as a prefix, in the order made",
          "[durability][ext4]") {
  std::set<int> prefixes;
  for (uint64_t seed = 1; seed <= 40; ++seed) {
    CAPTURE(seed);
    Disk t;
    REQUIRE(t.disk.CreateDir("d").ok());
    for (const char* name : {"d/a", "d/b", "d/c"}) t.Put(name, "x", false);
    REQUIRE(t.disk.Rename("d/a", "d/z").ok());
    // Operations in order: mkdir d, create a, create b, create c, rename a -> z.
    MachineCrash(t.disk, DiskDurability::kExt4Ordered, seed);
    const std::vector<bool> present = {t.Has("d"), t.Has("d/a") || t.Has("d/z"), t.Has("d/b"),
                                       t.Has("d/c"), t.Has("d/z")};
    int prefix = 0;
    while (prefix < 5 && present[prefix]) ++prefix;
    for (int i = prefix; i < 5; ++i) CHECK_FALSE(present[i]);  // nothing after the first loss
    if (prefix >= 2 && prefix < 5) CHECK(t.Has("d/a"));      // the rename was not kept
    prefixes.insert(prefix);
  }
  CHECK(prefixes.count(0) == 1);
  CHECK(prefixes.count(5) == 1);
  CHECK(prefixes.size() >= 4);
}

TEST_CASE("durability (ext4): an fsync of any file commits every earlier directory operation",
          "[durability][ext4]") {
  int log_data_lost = 0;
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    CAPTURE(seed);
    Disk t;
    REQUIRE(t.disk.CreateDir("db").ok());
    t.Put("db/000001.log", "record", false);
    t.Put("db/CURRENT.tmp", "MANIFEST-2", false);
    REQUIRE(t.disk.Rename("db/CURRENT.tmp", "db/CURRENT").ok());
    const uint64_t other = t.Open("unrelated");  // created before the fsync: committed too
    REQUIRE(t.disk.Append(other, "synced data").ok());
    REQUIRE(t.disk.Sync(other).ok());  // no directory is ever synced
    t.Put("db/after", "x", false);     // after the commit: may be lost
    MachineCrash(t.disk, DiskDurability::kExt4Ordered, seed);
    CHECK(t.Has("db/000001.log"));
    CHECK(t.Has("db/CURRENT"));
    CHECK_FALSE(t.Has("db/CURRENT.tmp"));
    CHECK(t.disk.Contents("unrelated") == std::optional<std::string>("synced data"));
    // Only the fsynced file's data is committed with it: the log's may be lost (never garbage).
    const std::optional<std::string> log = t.disk.Contents("db/000001.log");
    CHECK((log == std::optional<std::string>("") || log == std::optional<std::string>("record")));
    if (log == std::optional<std::string>("")) ++log_data_lost;
  }
  CHECK(log_data_lost > 0);
  // The same sequence under strict POSIX loses the names: "wrong only on strict POSIX".
  Disk posix;
  posix.Put("new.log", "record", true);
  MachineCrash(posix.disk, DiskDurability::kDropUnsynced, 1);
  CHECK_FALSE(posix.Has("new.log"));
  Disk ext4;
  ext4.Put("new.log", "record", true);
  MachineCrash(ext4.disk, DiskDurability::kExt4Ordered, 1);
  CHECK(ext4.disk.Contents("new.log") == std::optional<std::string>("record"));
}

TEST_CASE("durability (ext4): a SyncDir of any directory commits every earlier operation",
          "[durability][ext4]") {
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    Disk t;
    REQUIRE(t.disk.CreateDir("a").ok());
    REQUIRE(t.disk.CreateDir("b").ok());
    t.Put("a/x", "data", false);
    REQUIRE(t.disk.SyncDir("b").ok());  // another directory
    MachineCrash(t.disk, DiskDurability::kExt4Ordered, seed);
    CHECK(t.Has("a/x"));
  }
}

TEST_CASE("durability (ext4): unsynced appends lose a block-aligned tail, never gain garbage",
          "[durability][ext4]") {
  const std::string synced(5000, 'A');
  const std::string full = synced + std::string(7000, 'B');
  std::set<size_t> sizes;
  for (uint64_t seed = 1; seed <= 40; ++seed) {
    CAPTURE(seed);
    Disk t;
    t.Put("f", synced, true);
    REQUIRE(t.disk.SyncDir("").ok());
    const uint64_t h = t.Open("f");
    REQUIRE(t.disk.Append(h, full.substr(synced.size())).ok());
    std::vector<std::string> losses = MachineCrash(t.disk, DiskDurability::kExt4Ordered, seed);
    const std::optional<std::string> after = t.disk.Contents("f");
    REQUIRE(after.has_value());
    CHECK(full.compare(0, after->size(), *after) == 0);  // a prefix of what was written
    CHECK(after->size() >= synced.size());               // synced data is never lost
    CHECK((after->size() == full.size() || after->size() == synced.size() ||
           after->size() % 4096 == 0));                   // cut at a block boundary
    if (after->size() < full.size()) {
      REQUIRE(losses.size() == 1);
      CHECK_THAT(losses[0], Catch::StartsWith("data f: cut at "));
      CHECK_THAT(losses[0], Catch::Contains("tail of unsynced appends lost"));
    }
    sizes.insert(after->size());
  }
  CHECK(sizes == std::set<size_t>{5000, 8192, 12000});
}

// --- the loss lines ---

TEST_CASE("durability: loss lines say whether data was cut or torn, and where",
          "[durability][trace]") {
  Disk cut;
  cut.Put("wal", "aaaa", true);
  REQUIRE(cut.disk.SyncDir("").ok());
  const uint64_t h = cut.Open("wal");
  REQUIRE(cut.disk.Append(h, "bbbb").ok());
  std::vector<std::string> losses = MachineCrash(cut.disk, DiskDurability::kDropUnsynced, 1);
  REQUIRE(losses.size() == 1);
  CHECK(losses[0] == "data wal: cut at 4 (unsynced appends lost, back to the last sync); 8 -> 4 bytes");

  SimDisk torn("node", SharingMode::kPosix, 4);
  const uint64_t t = *torn.Open("f", Create(), "t");
  REQUIRE(torn.Append(t, "aaaabbbb").ok());
  REQUIRE(torn.Sync(t).ok());
  REQUIRE(torn.SyncDir("").ok());
  REQUIRE(torn.Write(t, 0, "AAAABBBBCCCC").ok());
  DecisionList forced = {{2, DecisionKind::kDisk}, {1, DecisionKind::kDisk}};  // torn at block 1
  Decisions d(1, &forced);
  losses = torn.Crash(DiskDurability::kRandom, d);
  REQUIRE(losses.size() == 1);
  CHECK(losses[0] == "data f: torn at 4 (new data before, synced data after); 12 -> 8 bytes");

  Disk entry;
  entry.Put("x", "", false);
  losses = MachineCrash(entry.disk, DiskDurability::kDropUnsynced, 1);
  REQUIRE(losses.size() == 1);
  CHECK(losses[0] == "entry create x: rolled back (directory (root) not synced after it)");
}

// --- crash kinds in the world and in fault plans ---

// A node that writes an unsynced file, then sleeps; boot 1 records whether the file survived.
void KindsWorld(World& w, FaultPlan plan, std::vector<bool>* survived) {
  plan.durability = DiskDurability::kDropUnsynced;
  w.SetFaults(plan);
  w.AddProcess("node", [survived](Process& p) {
    model::FileSystem& fs = *p.env().fs;
    if (p.incarnation() > 0) survived->push_back(*fs.Exists(fmt::format("f{}", p.incarnation() - 1)));
    auto f = fs.Open(fmt::format("f{}", p.incarnation()), Create());
    REQUIRE(f.ok());
    REQUIRE((*f)->Append("unsynced").ok());
    p.env().runtime->SleepFor(1'000'000 * kMs);
  });
}

TEST_CASE("crash kinds: World::Crash takes the kind; the trace names it", "[durability][kinds]") {
  for (CrashKind kind : {CrashKind::kProcess, CrashKind::kMachine}) {
    std::vector<bool> survived;
    RunWorld(1, [&](World& w) {
      KindsWorld(w, {}, &survived);
      Process& node = *w.FindProcess("node");
      w.kernel().ScheduleAt(10 * kMs, [&w, &node, kind] {
        w.Crash(node, kind);
        w.Restart(node);
      });
      w.kernel().ScheduleAt(20 * kMs, [&w] { w.kernel().Stop(); });
    }, nullptr, -1, [&](World& w) {
      CHECK(w.crashes(kind) == 1);
      bool named = false;
      for (const TraceEvent& e : w.kernel().trace().events())
        if (e.detail == (kind == CrashKind::kProcess
                             ? "crash node: process crash (the page cache survives)"
                             : "crash node: machine crash (power loss; the disk keeps what "
                               "drop-unsynced makes durable)"))
          named = true;
      CHECK(named);
    });
    REQUIRE(survived.size() == 1);
    CHECK(survived[0] == (kind == CrashKind::kProcess));
  }
}

TEST_CASE("crash kinds: a fault plan draws process and machine crashes", "[durability][kinds]") {
  for (double p : {0.0, 0.5, 1.0}) {
    CAPTURE(p);
    FaultPlan plan;
    plan.crash_interval_ns_mean = 50 * kMs;
    plan.restart_delay_ns_min = plan.restart_delay_ns_max = 1 * kMs;
    plan.machine_crash_probability = p;
    std::vector<bool> survived;
    RunWorld(3, [&](World& w) {
      KindsWorld(w, plan, &survived);
      w.kernel().ScheduleAt(3000 * kMs, [&w] { w.kernel().Stop(); });
    }, nullptr, -1, [&](World& w) {
      const uint64_t process = w.crashes(CrashKind::kProcess), machine = w.crashes(CrashKind::kMachine);
      // Each crash's trace line names its kind, and the file survived exactly the process crashes.
      std::vector<bool> kinds;  // true: a process crash
      for (const TraceEvent& e : w.kernel().trace().events()) {
        if (e.detail == "crash node: process crash (the page cache survives)") kinds.push_back(true);
        if (e.detail.starts_with("crash node: machine crash")) kinds.push_back(false);
      }
      CHECK(kinds.size() == process + machine);
      REQUIRE(survived.size() <= kinds.size());
      for (size_t i = 0; i < survived.size(); ++i) CHECK(survived[i] == kinds[i]);
      CHECK(process == static_cast<uint64_t>(std::count(kinds.begin(), kinds.end(), true)));
      if (p == 0.0) CHECK(machine == 0);
      if (p == 1.0) CHECK(process == 0);
      if (p == 0.5) CHECK((process > 0 && machine > 0));
    });
    CHECK(survived.size() >= 20);
  }
  FaultPlan both;
  both.crash_interval_ns_mean = 1;
  both.machine_crash_probability = 0.25;
  CHECK_THAT(both.Describe(), Catch::Contains("crash.machine: 25%"));
}

// --- a plan's per-disk settings reach every disk ---

TEST_CASE("fault plan: disk_block_bytes reaches disks of processes added before SetFaults",
          "[durability][plan]") {
  // ext4 cuts unsynced appends at block boundaries: 10 unsynced bytes on 4-byte blocks survive as
  // 0, 4, 8 or 10 bytes; on the 4096-byte default only as 0 or 10.
  std::set<size_t> sizes;
  for (uint64_t seed = 1; seed <= 30; ++seed) {
    RunWorld(seed, [&sizes](World& w) {
      Process& node = w.AddProcess("node", [](Process& p) {
        if (p.incarnation() > 0) return;
        auto f = p.env().fs->Open("f", Create());
        REQUIRE(f.ok());
        REQUIRE(p.env().fs->SyncDir("").ok());
        REQUIRE((*f)->Append("0123456789").ok());
        p.env().runtime->SleepFor(1'000 * kMs);
      });
      FaultPlan plan;  // installed after the process was added
      plan.durability = DiskDurability::kExt4Ordered;
      plan.disk_block_bytes = 4;
      plan.default_sharing = SharingMode::kWindows;
      w.SetFaults(plan);
      CHECK(w.disk(node).block_bytes() == 4);
      CHECK(w.disk(node).sharing() == SharingMode::kWindows);
      w.kernel().ScheduleAt(10 * kMs, [&w, &node, &sizes] {
        w.Crash(node, CrashKind::kMachine);
        sizes.insert(w.disk(node).Contents("f")->size());
      });
    });
  }
  CHECK(sizes == std::set<size_t>{0, 4, 8, 10});
}

// --- zero crash and partition gaps ---

TEST_CASE("world: a schedule of zeros ends the random crash and partition chains, never spins",
          "[durability][plan]") {
  // Every decision 0 (a shrunk or hand-made schedule): the first crash gap is 0. It used to mean
  // "crash again now", at the same instant, until the event budget ran out.
  const DecisionList zeros(100'000, Decision{0, DecisionKind::kCrash});
  KernelConfig config;
  config.replay = &zeros;
  config.event_budget = 10'000;
  World w(config);
  FaultPlan plan;
  plan.crash_interval_ns_mean = 1'000 * kMs;
  plan.partition_interval_ns_mean = 1'000 * kMs;
  plan.partition_duration_ns_max = 10 * kMs;
  w.SetFaults(plan);
  int steps = 0;
  w.AddProcess("node", [&steps](Process& p) {
    for (int i = 0; i < 100; ++i) {
      p.env().runtime->SleepFor(10 * kMs);
      ++steps;
    }
  });
  w.AddProcess("peer", [](Process&) {});
  const RunResult run = w.kernel().Run();
  CHECK(run.outcome == RunOutcome::kQuiescent);
  CHECK(steps == 100);
  CHECK(w.crashes(CrashKind::kMachine) == 0);
}

}  // namespace
}  // namespace seedbed
