// The simulated local disk: sharing modes, handles closed by a crash, durability at a crash.
#include <catch2/catch.hpp>

#include <memory>
#include <string>

#include "sim/world/world.h"
#include "tests/sim/world/world_test_util.h"

namespace seedbed {
namespace {

using testing::CheckReplays;
using testing::kMs;
using testing::RunWorld;

model::OpenOptions Create() {
  model::OpenOptions o;
  o.write = true;
  o.create = true;
  return o;
}

// Writes a file and syncs it; optionally syncs its directory.
void WriteSynced(model::FileSystem& fs, const std::string& path, const std::string& data) {
  auto f = fs.Open(path, Create());
  REQUIRE(f.ok());
  REQUIRE((*f)->Append(data).ok());
  REQUIRE((*f)->Sync().ok());
  REQUIRE((*f)->Close().ok());
}

void RenameWhileOpen(World& w, SharingMode mode, bool share_delete) {
  FaultPlan plan;
  w.SetFaults(plan);
  ProcessOptions options;
  options.sharing = mode;
  w.AddProcess("node", [mode, share_delete](Process& p) {
    model::FileSystem& fs = *p.env().fs;
    WriteSynced(fs, "S1.db", "snapshot");
    model::OpenOptions reader;
    reader.share_delete = share_delete;
    auto stream = fs.Open("S1.db", reader);
    REQUIRE(stream.ok());
    absl::Status renamed = fs.Rename("S1.db", "S2.db");
    if (mode == SharingMode::kWindows && !share_delete) {
      REQUIRE(renamed.code() == absl::StatusCode::kPermissionDenied);
      CHECK_THAT(std::string(renamed.message()), Catch::Contains("node/boot"));
      CHECK_THAT(std::string(renamed.message()), Catch::Contains("S1.db"));
      CHECK(fs.Remove("S1.db").code() == absl::StatusCode::kPermissionDenied);
      REQUIRE((*stream)->Close().ok());
      CHECK(fs.Rename("S1.db", "S2.db").ok());
    } else {
      REQUIRE(renamed.ok());
      // POSIX: the open handle still reads the renamed file.
      CHECK(*(*stream)->Read(0, 100) == "snapshot");
    }
    CHECK(*fs.Exists("S2.db"));
    CHECK_FALSE(*fs.Exists("S1.db"));
  }, options);
}

TEST_CASE("disk: Windows rename of an open file fails naming the holder, then succeeds after close",
          "[disk]") {
  auto build = [](World& w) { RenameWhileOpen(w, SharingMode::kWindows, false); };
  RunWorld(1, build, nullptr, -1, [](World& w) {
    CHECK(w.disk(*w.FindProcess("node")).Contents("S2.db") == std::optional<std::string>("snapshot"));
    bool traced = false;
    for (const TraceEvent& e : w.kernel().trace().events())
      if (e.kind == EventKind::kIo && e.detail.find("PermissionDenied") != std::string::npos)
        traced = true;
    CHECK(traced);
  });
  CheckReplays(1, build);
}

TEST_CASE("disk: POSIX rename of an open file succeeds; so does Windows with share_delete",
          "[disk]") {
  RunWorld(2, [](World& w) { RenameWhileOpen(w, SharingMode::kPosix, false); });
  RunWorld(2, [](World& w) { RenameWhileOpen(w, SharingMode::kWindows, true); });
  CheckReplays(2, [](World& w) { RenameWhileOpen(w, SharingMode::kPosix, false); });
}

// Boot 0: a synced file, an unsynced file, a synced-then-appended file, a dir-synced rename and an
// un-dir-synced rename; then the test crashes the process. Boot 1 records what survived.
struct Survivors {
  std::optional<std::string> synced, unsynced, appended, renamed_synced, renamed_unsynced,
      old_name_unsynced, fresh;
};

void DurabilityWorld(World& w, DiskDurability mode, Survivors* out) {
  FaultPlan plan;
  plan.durability = mode;
  w.SetFaults(plan);
  Process& node = w.AddProcess("node", [out](Process& p) {
    model::FileSystem& fs = *p.env().fs;
    if (p.incarnation() > 0) {
      auto read = [&fs](const char* path) -> std::optional<std::string> {
        absl::StatusOr<std::string> s = model::ReadWholeFile(fs, path);
        return s.ok() ? std::optional<std::string>(*s) : std::nullopt;
      };
      *out = Survivors{read("synced"), read("unsynced"), read("appended"), read("r2"),
                       read("u2"), read("u1"), read("fresh")};
      return;
    }
    WriteSynced(fs, "synced", "A");
    WriteSynced(fs, "appended", "B");
    WriteSynced(fs, "r1", "R");
    WriteSynced(fs, "u1", "U");
    REQUIRE(fs.SyncDir("").ok());
    auto f = fs.Open("unsynced", Create());
    REQUIRE((*f)->Append("lost?").ok());
    auto g = fs.Open("appended", Create());
    REQUIRE((*g)->Append("+more").ok());
    REQUIRE(fs.Rename("r1", "r2").ok());
    REQUIRE(fs.SyncDir("").ok());
    REQUIRE(fs.Rename("u1", "u2").ok());
    WriteSynced(fs, "fresh", "F");  // data synced, directory entry not
    p.env().runtime->SleepFor(1'000 * kMs);  // the crash lands here, handles still open
  });
  w.kernel().ScheduleAt(10 * kMs, [&w, &node] {
    w.Crash(node);
    w.Restart(node);
  });
}

TEST_CASE("disk: at a crash, drop-unsynced loses unsynced data and un-dir-synced renames only",
          "[disk]") {
  Survivors s;
  RunWorld(3, [&s](World& w) { DurabilityWorld(w, DiskDurability::kDropUnsynced, &s); }, nullptr,
           -1, [](World& w) { CHECK(w.disk(*w.FindProcess("node")).open_handles() == 0); });
  CHECK(s.synced == std::optional<std::string>("A"));
  CHECK(s.appended == std::optional<std::string>("B"));
  CHECK(s.renamed_synced == std::optional<std::string>("R"));
  CHECK(s.unsynced == std::optional<std::string>(""));  // entry dir-synced, data not
  CHECK_FALSE(s.fresh.has_value());  // data synced, but its directory entry never was
  CHECK_FALSE(s.renamed_unsynced.has_value());
  CHECK(s.old_name_unsynced == std::optional<std::string>("U"));
}

TEST_CASE("disk: durable mode keeps everything at a crash", "[disk]") {
  Survivors s;
  RunWorld(4, [&s](World& w) { DurabilityWorld(w, DiskDurability::kDurable, &s); });
  CHECK(s.unsynced == std::optional<std::string>("lost?"));
  CHECK(s.fresh == std::optional<std::string>("F"));
  CHECK(s.appended == std::optional<std::string>("B+more"));
  CHECK(s.renamed_unsynced == std::optional<std::string>("U"));
  CHECK_FALSE(s.old_name_unsynced.has_value());
}

TEST_CASE("disk: random mode may lose unsynced state but never synced state; replays", "[disk]") {
  int appended_lost = 0, appended_kept = 0, rename_lost = 0, rename_kept = 0;
  for (uint64_t seed = 1; seed <= 40; ++seed) {
    Survivors s;
    RunWorld(seed, [&s](World& w) { DurabilityWorld(w, DiskDurability::kRandom, &s); });
    CHECK(s.synced == std::optional<std::string>("A"));
    CHECK(s.renamed_synced == std::optional<std::string>("R"));
    CHECK((s.unsynced == std::optional<std::string>("") ||
           s.unsynced == std::optional<std::string>("lost?")));
    if (s.fresh.has_value()) CHECK(*s.fresh == "F");  // if its entry survived, its data did
    REQUIRE(s.appended.has_value());
    CHECK((*s.appended == "B" || *s.appended == "B+more"));  // torn inside one block = either
    (*s.appended == "B" ? appended_lost : appended_kept)++;
    // Exactly one of the two names survives: a rename is atomic.
    CHECK(s.renamed_unsynced.has_value() != s.old_name_unsynced.has_value());
    (s.renamed_unsynced.has_value() ? rename_kept : rename_lost)++;
  }
  CHECK(appended_lost > 0);
  CHECK(appended_kept > 0);
  CHECK(rename_lost > 0);
  CHECK(rename_kept > 0);
  Survivors ignored;
  CheckReplays(9, [&ignored](World& w) { DurabilityWorld(w, DiskDurability::kRandom, &ignored); });
}

TEST_CASE("disk: a torn write keeps new blocks before the cut and old blocks after", "[disk]") {
  SimDisk disk("node", SharingMode::kPosix, 4);
  model::OpenOptions o = Create();
  uint64_t h = *disk.Open("f", o, "t");
  REQUIRE(disk.Append(h, "aaaabbbb").ok());
  REQUIRE(disk.Sync(h).ok());
  REQUIRE(disk.SyncDir("").ok());
  REQUIRE(disk.Write(h, 0, "AAAABBBBCCCC").ok());
  // Replay: choice 2 = torn, then the cut at block 1 (byte 4).
  DecisionList forced = {{2, DecisionKind::kDisk}, {1, DecisionKind::kDisk}};
  Decisions d(1, &forced);
  std::vector<std::string> losses = disk.Crash(DiskDurability::kRandom, d);
  CHECK(disk.Contents("f") == std::optional<std::string>("AAAAbbbb"));
  CHECK(losses.size() == 1);
  CHECK(disk.open_handles() == 0);
  CHECK(disk.Close(h).code() == absl::StatusCode::kFailedPrecondition);
}

TEST_CASE("disk: dirty tracking by changed range: writes of equal bytes, truncate and regrow",
          "[disk]") {
  SimDisk disk("node", SharingMode::kPosix, 4);
  uint64_t h = *disk.Open("f", Create(), "t");
  REQUIRE(disk.SyncDir("").ok());
  REQUIRE(disk.Append(h, "0123456789abcdef").ok());
  REQUIRE(disk.Sync(h).ok());
  REQUIRE(disk.Write(h, 4, "4567").ok());  // the same bytes: nothing to lose
  DecisionList none;
  Decisions d0(1, &none);
  CHECK(disk.Crash(DiskDurability::kDropUnsynced, d0).empty());
  h = *disk.Open("f", Create(), "t");
  REQUIRE(disk.Truncate(h, 6).ok());       // shrink, then regrow with zeros and new bytes
  REQUIRE(disk.Write(h, 10, "XY").ok());
  REQUIRE(disk.Sync(h).ok());               // copies only the changed range
  const std::string synced = std::string("012345") + std::string(4, '\0') + "XY";
  REQUIRE(disk.Contents("f") == std::optional<std::string>(synced));
  REQUIRE(disk.Write(h, 0, "Q").ok());
  Decisions d1(1, &none);
  CHECK(disk.Crash(DiskDurability::kDropUnsynced, d1).size() == 1);
  CHECK(disk.Contents("f") == std::optional<std::string>(synced));
}

TEST_CASE("disk: a crash closes the process's handles; old handles fail, renames then work",
          "[disk]") {
  auto build = [](World& w) {
    w.SetFaults({});
    ProcessOptions windows;
    windows.sharing = SharingMode::kWindows;
    Process& node = w.AddProcess("node", [](Process& p) {
      model::FileSystem& fs = *p.env().fs;
      if (p.incarnation() == 0) {
        WriteSynced(fs, "held", "x");
        REQUIRE(fs.SyncDir("").ok());
        auto f = fs.Open("held", {});
        REQUIRE(f.ok());
        p.Keep(std::move(*f));  // held open until the crash
        return;
      }
      CHECK(fs.Rename("held", "moved").ok());  // the crash released the lock
    }, windows);
    w.kernel().ScheduleAt(5 * kMs, [&w, &node] {
      CHECK(w.disk(node).open_handles() == 1);
      CHECK(w.disk(node).Rename("held", "moved").code() == absl::StatusCode::kPermissionDenied);
      w.Crash(node);
      CHECK(w.disk(node).open_handles() == 0);
      w.Restart(node);
    });
  };
  RunWorld(5, build, nullptr, -1, [](World& w) {
    CHECK(w.disk(*w.FindProcess("node")).Contents("moved") == std::optional<std::string>("x"));
  });
  CheckReplays(5, build);
}

TEST_CASE("disk: namespace basics", "[disk]") {
  SimDisk disk("node", SharingMode::kPosix);
  CHECK(disk.CreateDir("a").ok());
  CHECK(disk.CreateDir("a").code() == absl::StatusCode::kAlreadyExists);
  CHECK(disk.CreateDir("x/y").code() == absl::StatusCode::kNotFound);
  model::OpenOptions o = Create();
  uint64_t h = *disk.Open("a/f", o, "t");
  CHECK(disk.Close(h).ok());
  o.exclusive = true;
  CHECK(disk.Open("a/f", o, "t").status().code() == absl::StatusCode::kAlreadyExists);
  CHECK(disk.Open("a/none", {}, "t").status().code() == absl::StatusCode::kNotFound);
  CHECK(disk.Remove("a").code() == absl::StatusCode::kFailedPrecondition);
  CHECK(*disk.List("") == std::vector<std::string>{"a"});
  CHECK(*disk.List("a") == std::vector<std::string>{"f"});
  CHECK(disk.Rename("a", "b").ok());
  CHECK(disk.Contents("b/f") == std::optional<std::string>(""));
  CHECK(disk.RemoveAll("b").ok());
  CHECK(disk.List("").value().empty());
  CHECK(disk.Open("../x", Create(), "t").status().code() == absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace seedbed
