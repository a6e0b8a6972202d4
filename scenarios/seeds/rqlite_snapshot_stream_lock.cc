// rqlite.snapshot_stream_lock: rqlite's snapshot store on a local disk (rqlite/rqlite #1774, PRs
// #1775 and #1776). One process runs model::SnapshotStore: a snapshotter task makes snapshots (the
// first full, then incremental ones; a lock conflict is retried later, as Raft does) while
// follower-streaming tasks open the newest snapshot and stream its .db chunk by chunk with pauses,
// holding the file open. On Windows (files opened without delete-sharing) committing an
// incremental snapshot renames <prev>.db to <new>.db; while a follower streams prev the rename
// fails and the store is left with <new>/ and <new>.db-wal but no <new>.db: every later snapshot
// fails too.
// Variants: buggy (no lock, Windows: #1774), fixed (one try-lock shared by create and open,
// #1775), fixed-rw (many readers one writer, #1776), buggy-posix (no lock on POSIX sharing).
// What the POSIX variant finds: the rename of an open file succeeds there, so the store keeps its
// .db, but the streamed file IS the renamed one and the checkpoint appends the new snapshot's WAL
// frames to it under the stream: the follower receives S1's bytes followed by S2's frames, a
// snapshot that never existed ("stream-byte-equal"). The lock is needed on Linux too.
// Faults: disk latency always on (so streams and commits overlap), process crashes with restart
// (SnapshotStore::Init removes leftover temporaries and repairs an interrupted commit), crash
// points. The disk is durable: the model's database is an append-only byte file, whose
// checkpoint cannot be made idempotent against a torn append as SQLite's WAL frames are.
// Invariants: newest-snapshot-has-db (after every commit attempt and at the end the newest
// committed snapshot has its .db, holding exactly what that snapshot should); snapshot-recovers
// (after the heal a snapshot completes within the liveness budget); stream-byte-equal (a streamed
// snapshot equals the .db as it was when the stream opened).
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "absl/container/btree_map.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "fmt/format.h"
#include "model/snapshot/snapshot_store.h"
#include "scenarios/harness/scenario.h"
#include "sim/world/world.h"

namespace seedbed {
namespace {

constexpr std::string_view kDir = "snap";
constexpr Nanos kChaosNs = 20'000'000'000;

class SnapshotStreamLock : public Scenario {
 public:
  ScenarioInfo info() const override {
    return {"rqlite.snapshot_stream_lock",
            "rqlite's snapshot store: a follower streams snapshot S1 (file open) while S2 commits "
            "and renames S1.db to S2.db; on Windows the rename fails and S2 has no .db "
            "(rqlite/rqlite #1774). Fixed: try-lock shared by create and open (PR #1775); many "
            "readers one writer (PR #1776). buggy-posix: no lock on POSIX, the checkpoint changes "
            "the file under the stream.",
            {"buggy", "fixed", "fixed-rw", "buggy-posix"},
            {"buggy", "buggy-posix"},
            "",
            {{"buggy", {"newest-snapshot-has-db", "stream-byte-equal", "snapshot-recovers"}},
             {"buggy-posix", {"stream-byte-equal"}}}};
  }

  void Build(World& world, const RunConfig& run) override {
    world_ = &world;
    policy_ = model::SnapshotLockPolicy::kNone;
    if (run.variant == "fixed") policy_ = model::SnapshotLockPolicy::kTryLock;
    if (run.variant == "fixed-rw") policy_ = model::SnapshotLockPolicy::kReadersWriter;
    ProcessOptions options;
    options.sharing = run.variant == "buggy-posix" ? SharingMode::kPosix : SharingMode::kWindows;
    options.network = false;
    process_ = &world.AddProcess("node", [this](Process& p) { Boot(p); }, options);
    process_->OnCrash([this] { store_ = nullptr; });
    Decisions& d = world.kernel().decisions();
    FaultPlan base;
    base.durability = DiskDurability::kDurable;
    const double median_ns = static_cast<double>(d.Between(100'000, 5'000'000, DecisionKind::kUser));
    for (OpKind kind : {OpKind::kDiskOpen, OpKind::kDiskRead, OpKind::kDiskWrite, OpKind::kDiskSync,
                        OpKind::kDiskSyncDir, OpKind::kDiskMeta})
      base.op(kind).latency = LatencyModel::LogNormal(median_ns, 0.8).WithTail(0.05, 10);
    SwarmRanges ranges;
    ranges.store_latency_median_ns = {};
    ranges.store_error_probability = {};
    ranges.store_ambiguous_probability = {};
    ranges.disk_random_durability = false;
    ranges.crash_interval_ns_mean = {3e9, 20e9};
    ranges.message_loss_probability = {};
    ranges.message_duplicate_probability = {};
    ranges.message_reorder_probability = {};
    ranges.partition_interval_ns_mean = {};
    world.SetSwarm(ranges, base);
  }

  void Workload(World& world, History&) override {
    // The chaos phase: the node's tasks run until the driver says stop.
    world.SpawnClient("driver", [this, &world] {
      world.kernel().SleepFor(kChaosNs);
      stop_ = true;
    });
  }

  void Liveness(World& world, History&) override {
    world.SpawnClient(*process_, "liveness-snapshot", [this, &world] { LivenessSnapshot(world); });
  }

  void Check(const World&, const History&, Verdict& verdict) override {
    CheckNewestHasDb("at the end", verdict);
  }

 private:
  void Boot(Process& p) {
    store_ = nullptr;
    auto store = std::make_unique<model::SnapshotStore>(p.env(), std::string(kDir), policy_);
    absl::Status init = store->Init();
    if (!init.ok()) {
      p.env().runtime->Note(fmt::format("snapshot store init: {}", std::string(init.message())));
      return;
    }
    store_ = p.Keep(std::move(store));
    if (stop_) return;
    Kernel& kernel = world_->kernel();
    kernel.Spawn(p, "snapshotter", [this] { Snapshotter(); });
    for (int f = 0; f < 2; ++f)
      kernel.Spawn(p, fmt::format("follower-{}", f), [this, f] { Follower(f); });
  }

  Decisions& decisions() { return world_->kernel().decisions(); }
  void Sleep(Nanos lo, Nanos hi) {
    world_->kernel().SleepFor(decisions().Between(lo, hi, DecisionKind::kUser));
  }
  std::string DbPath(const std::string& id) const { return absl::StrCat(model::Av(kDir), "/", id, ".db"); }

  // One snapshot attempt, as Raft asks for one: incremental when possible, full when the store
  // needs it. Returns the status of Create (busy = kUnavailable) or of Close.
  absl::Status SnapshotOnce(model::SnapshotStore& store) {
    Kernel& kernel = world_->kernel();
    absl::StatusOr<std::vector<model::SnapshotMeta>> listed = store.List();
    if (!listed.ok()) return listed.status();
    absl::StatusOr<bool> full_needed = store.FullNeeded();
    if (!full_needed.ok()) return full_needed.status();
    model::SnapshotMeta meta;
    meta.term = 1;
    meta.index = ++index_;
    meta.time_ms = static_cast<uint64_t>(kernel.Now() / 1'000'000);
    meta.full = *full_needed || listed->empty();
    absl::StatusOr<std::unique_ptr<model::SnapshotSink>> sink = store.Create(meta);
    if (!sink.ok()) return sink.status();
    // The base an incremental snapshot's commit builds on is the newest committed snapshot when
    // the commit runs, not the one `listed` saw: List yields between its reads, so a commit and
    // reap by another task may have changed the store since. The sink excludes every other
    // writer from here to its close, so the newest committed snapshot on the disk now is the one
    // the commit will use (read directly: no I/O, no yield, the run is unchanged). Taking the
    // base from `listed` gave a false newest-snapshot-has-db failure on the correct fixed-rw
    // variant (seed 5276: a stale listing named a snapshot two commits old).
    const std::optional<std::string> base_id = NewestCommitted();
    // The data: a full snapshot's database, or an incremental one's WAL frames; unique bytes.
    const size_t filler = static_cast<size_t>(decisions().Between(64, 2048, DecisionKind::kUser));
    std::string data = fmt::format("[{} {}]", meta.full ? "db" : "wal", meta.id());
    data.append(filler, static_cast<char>('a' + meta.index % 26));
    // What the new snapshot's .db must hold once committed (unknown if its base is unknown).
    const std::string id = meta.id();
    if (meta.full) {
      intended_[id] = data;
    } else if (base_id.has_value()) {
      if (auto base = intended_.find(*base_id); base != intended_.end())
        intended_[id] = base->second + data;
    }
    absl::Status s = (*sink)->Write(data);
    if (s.ok()) {
      s = (*sink)->Close();
    } else {
      (void)(*sink)->Cancel();
    }
    if (kernel.CurrentTaskDoomed()) return s;
    CheckNewestHasDb(fmt::format("after committing {} ({})", id, s.ok() ? "ok" : s.ToString()),
                     verdict());
    return s;
  }

  void Snapshotter() {
    for (int i = 0; i < 200 && !stop_; ++i) {
      Sleep(100'000'000, 800'000'000);
      model::SnapshotStore* store = store_;
      if (store == nullptr || stop_) return;
      absl::Status s = SnapshotOnce(*store);
      if (world_->kernel().CurrentTaskDoomed()) return;
      if (absl::IsUnavailable(s)) Sleep(10'000'000, 200'000'000);  // busy: Raft retries later
    }
  }

  void Follower(int f) {
    for (int i = 0; i < 200 && !stop_; ++i) {
      Sleep(50'000'000, 1'000'000'000);
      model::SnapshotStore* store = store_;
      if (store == nullptr || stop_) return;
      StreamOnce(*store, f);
      if (world_->kernel().CurrentTaskDoomed()) return;
    }
  }

  // Opens the newest snapshot and streams it with pauses; compares with the .db at open.
  void StreamOnce(model::SnapshotStore& store, int f) {
    Kernel& kernel = world_->kernel();
    absl::StatusOr<std::vector<model::SnapshotMeta>> listed = store.List();
    if (!listed.ok() || listed->empty()) return;
    const std::string id = listed->back().id();
    absl::StatusOr<std::unique_ptr<model::SnapshotReader>> reader = store.Open(id);
    if (!reader.ok()) return;  // busy (retried later), or reaped meanwhile
    // No yield since Open returned: this is the file as the stream opened it.
    const std::optional<std::string> at_open = world_->disk(*process_).Contents(DbPath(id));
    const Nanos opened_ns = kernel.Now();
    std::string streamed;
    for (int chunk = 0; chunk < 10'000; ++chunk) {
      absl::StatusOr<std::string> next = (*reader)->Next(256);
      if (!next.ok() || kernel.CurrentTaskDoomed()) return;  // the stream broke: nothing sent
      if (next->empty()) break;
      streamed += *next;
      Sleep(1'000'000, 40'000'000);  // the follower's network pace
    }
    (void)(*reader)->Close();
    if (!at_open || streamed == *at_open) return;
    Violation& v = verdict().Fail(
        "stream-byte-equal",
        fmt::format("follower-{} streamed snapshot {}: {} bytes, but its .db held {} bytes when "
                    "the stream opened{}",
                    f, id, streamed.size(), at_open->size(),
                    streamed.size() > at_open->size() ? " (the checkpoint appended to it)" : ""),
        kernel.Now());
    v.objects.push_back(DbPath(id));
    v.evidence.push_back(fmt::format("stream opened at {:.6f}ms", opened_ns / 1e6));
    v.evidence.push_back(fmt::format("streamed head: {}", streamed.substr(0, 64)));
    if (streamed.size() > at_open->size())
      v.evidence.push_back(fmt::format("extra bytes: {}", streamed.substr(at_open->size(), 64)));
  }

  // After the heal (no streams left once the followers stop) a snapshot must complete.
  void LivenessSnapshot(World& world) {
    Kernel& kernel = world.kernel();
    absl::Status last = absl::UnavailableError("the store never opened");
    for (int attempt = 0; attempt < 30; ++attempt) {
      model::SnapshotStore* store = store_;
      if (store != nullptr) {
        last = SnapshotOnce(*store);
        if (last.ok() || kernel.CurrentTaskDoomed()) return;
      }
      kernel.SleepFor(1'000'000'000);
    }
    Violation& v = verdict().Fail("snapshot-recovers",
                                  fmt::format("after the heal no snapshot completed in 30 attempts: {}",
                                              last.ToString()),
                                  kernel.Now());
    if (std::optional<std::string> newest = NewestCommitted()) v.objects.push_back(DbPath(*newest));
  }

  // Reads the disk directly (no I/O, no yield): the newest committed snapshot and its .db.
  // Reports the first violation only: once broken, every later commit says the same.
  // The newest committed snapshot (a snapshot directory with its meta), read from the disk
  // directly: no I/O, no yield.
  std::optional<std::string> NewestCommitted() const {
    const SimDisk& disk = world_->disk(*process_);
    absl::StatusOr<std::vector<std::string>> names = disk.List(kDir);
    if (!names.ok()) return std::nullopt;
    std::optional<std::tuple<uint64_t, uint64_t, uint64_t>> newest;
    std::string newest_id;
    for (const std::string& name : *names) {
      std::vector<std::string> parts = absl::StrSplit(name, '-');
      uint64_t term = 0, index = 0, time_ms = 0;
      if (parts.size() != 3 || !absl::SimpleAtoi(parts[0], &term) ||
          !absl::SimpleAtoi(parts[1], &index) || !absl::SimpleAtoi(parts[2], &time_ms))
        continue;
      if (!disk.Exists(fmt::format("{}/{}/meta", kDir, name))) continue;
      auto key = std::make_tuple(term, index, time_ms);
      if (!newest || key > *newest) {
        newest = key;
        newest_id = name;
      }
    }
    if (!newest) return std::nullopt;
    return newest_id;
  }

  void CheckNewestHasDb(const std::string& when, Verdict& verdict) {
    if (newest_reported_) return;
    const SimDisk& disk = world_->disk(*process_);
    absl::StatusOr<std::vector<std::string>> names = disk.List(kDir);
    if (!names.ok()) return;
    const std::optional<std::string> newest = NewestCommitted();
    if (!newest) return;
    const std::string& newest_id = *newest;
    std::optional<std::string> db = disk.Contents(DbPath(newest_id));
    if (!db) {
      newest_reported_ = true;
      Violation& v = verdict.Fail(
          "newest-snapshot-has-db",
          fmt::format("{}: the newest snapshot {} has no .db", when, newest_id), world_->kernel().Now());
      for (const std::string& name : *names) v.evidence.push_back(fmt::format("{}/{}", kDir, name));
      // The missing .db, and every .db still there (one a rename could not move names the cause).
      v.objects.push_back(DbPath(newest_id));
      for (const std::string& name : *names)
        if (absl::EndsWith(name, ".db")) v.objects.push_back(fmt::format("{}/{}", kDir, name));
      return;
    }
    auto want = intended_.find(newest_id);
    if (want == intended_.end() || *db == want->second) return;
    newest_reported_ = true;
    Violation& v = verdict.Fail(
        "newest-snapshot-has-db",
        fmt::format("{}: the newest snapshot {} has a .db of {} bytes, not the {} it should hold",
                    when, newest_id, db->size(), want->second.size()),
        world_->kernel().Now());
    v.evidence.push_back(fmt::format("head: {}", db->substr(0, 64)));
    v.objects.push_back(DbPath(newest_id));
  }

  World* world_ = nullptr;
  Process* process_ = nullptr;
  model::SnapshotLockPolicy policy_ = model::SnapshotLockPolicy::kNone;
  model::SnapshotStore* store_ = nullptr;  // null while the node is down
  bool stop_ = false;
  bool newest_reported_ = false;
  uint64_t index_ = 0;  // Raft's index: grows across restarts (the log survives in this model)
  absl::btree_map<std::string, std::string> intended_;  // snapshot id -> what its .db must hold
};

SEEDBED_SCENARIO(SnapshotStreamLock);

}  // namespace
}  // namespace seedbed
