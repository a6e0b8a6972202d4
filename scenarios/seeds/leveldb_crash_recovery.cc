// leveldb.crash_recovery: Debian's libleveldb 1.23, unmodified, in a simulated process whose
// threads, locks and clocks are Seedbed's (sim/foreign) and whose files are a simulated disk
// (model::LeveldbEnv). Writers put unique keys concurrently into a small write buffer (memtable
// flushes and level-0 compactions happen in every run); the process crashes at random and at the
// adapter's crash points, as a process crash (the page cache survives) or a machine crash (the
// disk's durability profile decides); each restart reopens the database (LevelDB replays its
// log). After the heal: a final read of every key written, and a clean close.
//
// Expected (LevelDB's documentation; google/leveldb #195, #196; ALICE, OSDI 2014):
//   {sync,nosync}-process      every acknowledged write kept: a write is in the OS before it
//                              returns (the log writer flushes its buffer after every record).
//   sync-machine-ext4          every acknowledged write kept: ext4 data=ordered commits every
//                              earlier directory operation at each fsync of the log.
//   nosync-machine-ext4        acknowledged writes lost (WriteOptions::sync = false).
//   sync-machine-posix         acknowledged writes lost or no reopen: a new log file is fsynced
//                              but its name is never made durable (#196, closed); CURRENT's rename
//                              rolls back while the old MANIFEST's removal is kept (#195, open).
//   nosync-machine-posix       acknowledged writes lost.
// The database directory is provisioned (created and synced) before LevelDB starts: LevelDB
// never syncs its parent, so a new database's directory itself could vanish (compare #189).
#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/cleanup/cleanup.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "fmt/format.h"
#include "leveldb/db.h"
#include "leveldb/iterator.h"
#include "leveldb/options.h"
#include "leveldb/write_batch.h"
#include "model/leveldb/leveldb_env.h"
#include "scenarios/checks/history_checks.h"
#include "scenarios/client/process_calls.h"
#include "scenarios/harness/scenario.h"
#include "sim/world/world.h"

namespace seedbed {
namespace {

constexpr char kDbDir[] = "db";
constexpr int kWriters = 4;
constexpr int kPutsPerWriter = 250;      // ~1,000 puts a run
constexpr size_t kValueBytes = 300;      // ~330 KB in all: ~5 memtables of 64 KiB
constexpr Nanos kThinkNsMax = 1'000'000;
constexpr Nanos kOpenWaitNs = 30'000'000'000;

struct VariantSpec {
  std::string_view name;
  bool sync;
  bool machine;  // false: process crashes only
  DiskDurability durability;
  // false: the data directory is provisioned (made and its entry synced) before LevelDB runs;
  // true: LevelDB makes it (create_if_missing), and like env_posix never syncs its parent.
  bool new_db = false;
};

constexpr VariantSpec kVariants[] = {
    {"sync-process", true, false, DiskDurability::kRandom},
    {"nosync-process", false, false, DiskDurability::kRandom},
    {"sync-machine-ext4", true, true, DiskDurability::kExt4Ordered},
    {"nosync-machine-ext4", false, true, DiskDurability::kExt4Ordered},
    {"sync-machine-posix", true, true, DiskDurability::kDropUnsynced},
    {"sync-machine-posix-reorder", true, true, DiskDurability::kRandom},
    {"nosync-machine-posix", false, true, DiskDurability::kDropUnsynced},
    {"sync-newdb-machine-ext4", true, true, DiskDurability::kExt4Ordered, true},
    {"sync-newdb-machine-posix", true, true, DiskDurability::kDropUnsynced, true},
};

const VariantSpec& Spec(std::string_view variant) {
  for (const VariantSpec& v : kVariants)
    if (v.name == variant) return v;
  return kVariants[0];
}

std::string Key(int writer, int i) { return fmt::format("w{}-{:04d}", writer, i); }

// A value of kValueBytes that names its key (a read of the wrong key's value shows): the key, then a
// filler that is the same for every key (values need only be large, for the memtable's sake).
std::string Value(std::string_view key) {
  static const std::string filler = [] {
    std::string f;
    uint64_t x = 0x9e3779b97f4a7c15ull;
    while (f.size() < kValueBytes) {
      x ^= x >> 29;
      x *= 0xbf58476d1ce4e5b9ull;
      f.push_back(static_cast<char>('a' + (x >> 60)));  // 'a'..'p'
    }
    return f;
  }();
  std::string v = absl::StrCat(model::Av(key), ":");
  v.append(filler, 0, kValueBytes - std::min(kValueBytes, v.size()));
  return v;
}

// One crash of the app and what it lost, found by comparing the namespace LevelDB believes in
// (every create, append, remove and rename it made, told by the Env) with the disk after the
// crash. Lines in the disk's own style: "entry create db/000012.log: rolled back (...)".
struct CrashRecord {
  Nanos at_ns = 0;
  CrashKind kind = CrashKind::kMachine;
  std::vector<std::string> losses;
  std::set<std::string> files_after;  // the database's files on the disk after the crash
};

// The files of the database as LevelDB made them: path -> bytes written. Checker state; it never
// steers the run.
class Shadow final : public model::LeveldbEnvObserver {
 public:
  void OnCreate(std::string_view path, bool truncate) override {
    uint64_t& size = files_[std::string(path)];
    if (truncate) size = 0;
  }
  void OnAppend(std::string_view path, uint64_t bytes) override { files_[std::string(path)] += bytes; }
  void OnRemove(std::string_view path) override { files_.erase(std::string(path)); }
  void OnRename(std::string_view from, std::string_view to) override {
    auto it = files_.find(std::string(from));
    const uint64_t size = it == files_.end() ? 0 : it->second;
    if (it != files_.end()) files_.erase(it);
    files_[std::string(to)] = size;
    if (to.ends_with("/CURRENT")) current_from_ = std::string(from);
  }

  // After a crash: what the disk lost of what LevelDB made; then the shadow becomes the disk.
  std::vector<std::string> Compare(const SimDisk& disk, std::string_view dir) {
    std::vector<std::string> losses;
    const std::string prefix = absl::StrCat(model::Av(dir), "/");
    std::map<std::string, uint64_t> now;
    // The directory itself: LevelDB made it (a new database) and never synced its parent.
    if (!files_.empty() && !disk.live().contains(model::Av(dir)))
      losses.push_back(absl::StrCat("entry create ", model::Av(dir),
                                    ": rolled back (the database directory LevelDB made; its entry "
                                    "in the parent directory was never synced)"));
    for (const auto& [path, entry] : disk.live())
      if (!entry.dir && path.starts_with(prefix)) now[path] = disk.Contents(path)->size();
    for (const auto& [path, size] : files_) {
      auto it = now.find(path);
      if (path.ends_with("/CURRENT") && !current_from_.empty()) {
        // CURRENT is installed by renaming NNNNNN.dbtmp (holding "MANIFEST-NNNNNN\n") over it.
        const std::string want = absl::StrCat("MANIFEST-", TempNumber(current_from_), "\n");
        std::optional<std::string> have = disk.Contents(path);
        if (!have.has_value() || *have != want)
          losses.push_back(absl::StrCat("entry rename ", current_from_, " -> ", path,
                                        ": rolled back (CURRENT names ",
                                        have.has_value() ? Trim(*have) : "nothing",
                                        ", LevelDB installed ", Trim(want), ")"));
        continue;
      }
      if (it == now.end()) {
        losses.push_back(absl::StrCat("entry create ", path,
                                      ": rolled back (LevelDB made it; it is gone after the crash)"));
      } else if (it->second < size) {
        losses.push_back(absl::StrCat("data ", path, ": ", size, " -> ", it->second,
                                      " bytes (written, lost at the crash)"));
      }
    }
    for (const auto& [path, size] : now)
      if (!files_.contains(path))
        losses.push_back(absl::StrCat("entry remove ", path,
                                      ": rolled back (LevelDB removed it; it is back after the crash)"));
    files_ = std::move(now);
    current_from_.clear();
    return losses;
  }

  const std::map<std::string, uint64_t>& files() const { return files_; }

 private:
  static std::string TempNumber(std::string_view tmp) {  // "db/000012.dbtmp" -> "000012"
    const size_t slash = tmp.rfind('/');
    std::string_view base = slash == std::string_view::npos ? tmp : tmp.substr(slash + 1);
    return std::string(base.substr(0, base.find('.')));
  }
  static std::string Trim(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
    return s;
  }

  std::map<std::string, uint64_t> files_;
  std::string current_from_;  // the temp file LevelDB last renamed over CURRENT
};

class CrashRecovery : public Scenario {
 public:
  ScenarioInfo info() const override {
    ScenarioInfo info;
    info.name = "leveldb.crash_recovery";
    info.description =
        "Debian's libleveldb 1.23, unmodified, its threads, locks and clocks simulated: "
        "concurrent writers of unique keys, process or machine crashes at random and at the Env's "
        "sync and rename points, reopen, final reads. Process crashes keep every acknowledged "
        "write (sync or not); machine crashes on ext4 data=ordered keep every synced one and lose "
        "unsynced ones; on strict POSIX synced writes are lost (google/leveldb #196: a new log "
        "fsynced but its name never dir-synced) or the database cannot reopen (#195: CURRENT's "
        "rename rolled back, the old MANIFEST's removal kept). A new database (-newdb) whose "
        "directory LevelDB made itself vanishes whole at a machine crash on strict POSIX (its "
        "parent is never synced; compare #189) and survives on ext4.";
    for (const VariantSpec& v : kVariants) info.variants.emplace_back(v.name);
    info.failing_variants = {"nosync-machine-ext4", "sync-machine-posix", "sync-machine-posix-reorder",
                             "nosync-machine-posix", "sync-newdb-machine-posix"};
    // What each failing variant's mechanism breaks: lost synced or unsynced writes, and on strict
    // POSIX also a database that cannot reopen (#195).
    info.expected_invariants = {
        {"nosync-machine-ext4", {"no-lost-acknowledged-writes"}},
        {"sync-machine-posix", {"no-lost-acknowledged-writes", "recoverable"}},
        {"sync-machine-posix-reorder", {"no-lost-acknowledged-writes", "recoverable"}},
        {"nosync-machine-posix", {"no-lost-acknowledged-writes", "recoverable"}},
        {"sync-newdb-machine-posix", {"no-lost-acknowledged-writes"}}};
    info.crash_mode = CrashMode::kAbandon;  // LevelDB's objects of a crashed process are abandoned
    return info;
  }

  void Build(World& world, const RunConfig& run) override {
    world_ = &world;
    spec_ = Spec(run.variant);
    clients_ = &world.AddClientProcess("client");
    app_ = &world.AddProcess("app", [this](Process& p) { Boot(p); });
    app_->OnCrash([this] { OnCrash(); });
    calls_ = std::make_unique<ProcessCalls>(world, *app_);
    // The provisioned data directory: created and made durable before LevelDB runs.
    if (!spec_.new_db) {
      SimDisk& disk = world.disk(*app_);
      (void)disk.CreateDir(kDbDir);
      (void)disk.SyncDir("");
    }
    world.SetFaults(Plan(world.kernel().decisions()));
  }

  // A run that ended with the database open (stopped at a violation, or before the close) leaves
  // its incarnation abandoned like a crashed one: free the Env's buffers, run nothing of LevelDB.
  ~CrashRecovery() override {
    if (env_ != nullptr) env_->Abandon();
  }

  void Workload(World& world, History& history) override {
    history.Reserve(2 * kWriters * kPutsPerWriter);  // every put, then its final read
    for (int c = 0; c < kWriters; ++c)
      world.SpawnClient(*clients_, fmt::format("writer-{}", c), [this, &world, &history, c] {
        Kernel& kernel = world.kernel();
        ++writers_running_;
        absl::Cleanup done = [this] { --writers_running_; };
        const std::string client = fmt::format("writer-{}", c);
        for (int i = 0; i < kPutsPerWriter; ++i) {
          if (!AwaitOpen(kOpenWaitNs)) return;  // the database cannot reopen: reported at boot
          const std::string key = Key(c, i);
          ClientPut(history, client, key);
          kernel.SleepFor(kernel.decisions().Between(0, kThinkNsMax, DecisionKind::kUser));
        }
      });
  }

  void Liveness(World& world, History& history) override {
    world.SpawnClient(*clients_, "final-read", [this, &world, &history] {
      if (!AwaitOpen(kOpenWaitNs)) {
        if (!open_failed_) {
          Violation& v = verdict().Fail("recoverable", "after the heal, LevelDB did not reopen within 30 s",
                                        world.kernel().Now());
          v.objects.push_back(absl::StrCat(kDbDir, "/CURRENT"));
          v.objects.push_back(absl::StrCat(kDbDir, "/LOCK"));
        }
        return;
      }
      // Every writer's last put has returned: the reads follow every acknowledged write, and the
      // close never deletes the database under a put still inside LevelDB (a put whose fsync was
      // stalled past the heal was inside DBImpl::Write when the close freed its log file).
      Kernel& kernel = world.kernel();
      const Nanos deadline = kernel.Now() + kOpenWaitNs;
      if (writers_running_ > 0)
        world.core().Add(EventKind::kNote,
                         fmt::format("final reads wait for {} writer(s) still inside a put", writers_running_));
      while (writers_running_ > 0 && kernel.Now() < deadline) kernel.SleepFor(10'000'000);
      if (writers_running_ > 0) {
        verdict().Fail("writes-return",
                       fmt::format("{} writer(s) still inside a put 30 s after the heal", writers_running_),
                       kernel.Now());
        return;
      }
      FinalReads(world, history);
      // Clean close: ~DBImpl waits for its background work; ~LeveldbEnv ends the background task.
      leveldb::DB* db = db_;
      model::LeveldbEnv* env = env_;
      db_ = nullptr;
      env_ = nullptr;
      delete db;
      delete env;
      closed_ = true;
    });
  }

  void Check(const World& world, const History& history, Verdict& verdict) override {
    (void)world;
    Verdict lost;
    checks::NoLostAcknowledgedWrites(history, lost);
    for (const Violation& v : lost.violations()) {
      std::vector<std::string> mechanism = Mechanism(history, v);
      Violation& out = verdict.Fail(v.invariant, absl::StrCat(v.message, "; ", mechanism.front()),
                                    v.time_ns);
      out.evidence = v.evidence;
      out.evidence.insert(out.evidence.end(), mechanism.begin() + 1, mechanism.end());
      out.ops = v.ops;
      out.objects = v.objects;
    }
    if (!closed_ && !open_failed_ && verdict.ok()) {
      // LevelDB holds db/LOCK open from its open to its close: the hold that never ended.
      Violation& v = verdict.Fail("clean-close", "the database was not closed cleanly after the final reads");
      v.objects.push_back(absl::StrCat(kDbDir, "/LOCK"));
    }
  }

 private:
  struct PutResult {
    leveldb::Status status;
    uint64_t log_before = 0, log_after = 0;  // the newest log file around the write
  };
  // An acknowledged put: which log files may hold it.
  struct Ack {
    uint64_t log_before = 0, log_after = 0;
    Nanos at_ns = 0;
  };

  FaultPlan Plan(Decisions& d) const {
    FaultPlan plan;
    plan.op(OpKind::kDiskWrite).latency = LatencyModel::Uniform(2'000, 20'000);
    plan.op(OpKind::kDiskRead).latency = LatencyModel::Uniform(2'000, 20'000);
    plan.op(OpKind::kDiskOpen).latency = LatencyModel::Uniform(2'000, 10'000);
    plan.op(OpKind::kDiskMeta).latency = LatencyModel::Uniform(2'000, 10'000);
    plan.op(OpKind::kDiskSync).latency = LatencyModel::Uniform(100'000, 2'000'000);
    plan.op(OpKind::kDiskSyncDir).latency = LatencyModel::Uniform(100'000, 2'000'000);
    // Random crashes in most runs (a swarm choice: the all-default schedule has none, so it is not
    // a loop of crashes at one instant).
    if (d.Bernoulli(0.95, DecisionKind::kSwarm))
      plan.crash_interval_ns_mean = d.Between(50'000'000, 400'000'000, DecisionKind::kSwarm);
    plan.restart_delay_ns_min = 1'000'000;
    plan.restart_delay_ns_max = 50'000'000;
    // Crash points: the log's are reached at every synced write (hundreds of times a run), the
    // others a few times (memtable flushes, compactions, reopens): a firing probability for each
    // kind that gives a few crashes a run, not hundreds (each leaks an abandoned LevelDB).
    plan.crash_point_arm_probability = 0.3;
    plan.crash_point_fire_probability =
        static_cast<double>(d.Between(2, 10, DecisionKind::kSwarm)) / 100.0;
    const double log_fire = static_cast<double>(d.Between(1, 5, DecisionKind::kSwarm)) / 1000.0;
    plan.crash_point_fire_overrides = {{"leveldb.log.sync.before", log_fire},
                                       {"leveldb.log.sync.after", log_fire}};
    plan.machine_crash_probability = spec_.machine ? 0.5 : 0.0;
    plan.durability = spec_.durability;
    return plan;
  }

  void Boot(Process& p) {
    db_ = nullptr;
    env_ = nullptr;
    // Abandoned, never deleted, if this incarnation crashes (see OnCrash), even during the open.
    model::LeveldbEnvOptions env_options;
    env_options.observer = &shadow_;
    auto* env = new model::LeveldbEnv(p.env(), env_options);
    env_ = env;
    leveldb::Options options;
    options.env = env;
    options.create_if_missing = true;
    options.write_buffer_size = 64 << 10;  // LevelDB's minimum: a memtable flush every ~64 KiB
    leveldb::DB* db = nullptr;
    leveldb::Status s = leveldb::DB::Open(options, kDbDir, &db);
    if (!s.ok()) {
      OpenFailed(p, s);
      return;  // the Env stays: LevelDB may have scheduled nothing, but its objects are gone
    }
    db_ = db;
    WakeOpenWaiters();
  }

  // The database's files a status message names ("Corruption: ... db/000005.ldb"); the
  // directory itself when it names none.
  static std::vector<std::string> FilesNamedIn(std::string_view text) {
    std::vector<std::string> out;
    const std::string dir = absl::StrCat(kDbDir, "/");
    for (size_t at = text.find(dir); at != std::string_view::npos; at = text.find(dir, at + 1)) {
      if (at > 0 && text[at - 1] != ' ' && text[at - 1] != ':' && text[at - 1] != '/') continue;
      size_t end = text.find_first_of(" :,;)", at);
      std::string file(text.substr(at, end == std::string_view::npos ? std::string_view::npos : end - at));
      if (file.size() > dir.size() && std::find(out.begin(), out.end(), file) == out.end()) out.push_back(file);
    }
    if (out.empty()) out.push_back(dir);
    return out;
  }

  void OpenFailed(Process& p, const leveldb::Status& status) {
    open_failed_ = true;
    std::vector<std::string> mechanism = ReopenMechanism();
    Violation& v = verdict().Fail(
        "recoverable",
        absl::StrCat("LevelDB cannot reopen after the crash: ", status.ToString(), "; ",
                     mechanism.front()),
        world_->kernel().Now());
    v.evidence.push_back(absl::StrCat("incarnation ", p.incarnation(), ": ", status.ToString()));
    v.evidence.insert(v.evidence.end(), mechanism.begin() + 1, mechanism.end());
    v.objects.push_back(absl::StrCat(kDbDir, "/CURRENT"));
    for (std::string& file : FilesNamedIn(status.ToString()))
      if (file != absl::StrCat(kDbDir, "/")) v.objects.push_back(std::move(file));
    WakeOpenWaiters();
  }

  // Kernel context, after the disk's crash: nothing of the crashed incarnation runs again.
  void OnCrash() {
    CrashRecord& crash = crashes_.emplace_back();
    crash.at_ns = world_->kernel().Now();
    const uint64_t machine = world_->crashes(CrashKind::kMachine);
    crash.kind = machine > machine_crashes_ ? CrashKind::kMachine : CrashKind::kProcess;
    machine_crashes_ = machine;
    crash.losses = shadow_.Compare(world_->disk(*app_), kDbDir);
    for (const auto& [path, size] : shadow_.files()) crash.files_after.insert(path);
    if (env_ != nullptr) env_->Abandon();
    db_ = nullptr;
    env_ = nullptr;
  }

  void WakeOpenWaiters() {
    for (TaskId t : open_waiters_) world_->kernel().Wake(t);
    open_waiters_.clear();
  }

  // From a client task: false if the database is not open within timeout_ns or cannot reopen.
  bool AwaitOpen(Nanos timeout_ns) {
    Kernel& kernel = world_->kernel();
    const Nanos deadline = kernel.Now() + timeout_ns;
    while (db_ == nullptr || app_->crashed()) {
      if (open_failed_) return false;
      const Nanos left = deadline - kernel.Now();
      if (left <= 0) return false;
      open_waiters_.push_back(kernel.current_task());
      kernel.BlockFor("app to open the database", left);
    }
    return true;
  }

  // The put runs as a task of the app process (LevelDB's caller is the application), so a crash
  // ends it; the client learns the outcome is unknown.
  void ClientPut(History& history, const std::string& client, const std::string& key) {
    Kernel& kernel = world_->kernel();
    std::string value = Value(key);
    const uint64_t id =
        history.Invoke(client, OpType::kPut, key, value, kernel.Now(), kernel.current_task());
    auto result = std::make_shared<PutResult>();
    leveldb::DB* db = db_;
    model::LeveldbEnv* env = env_;
    const bool sync = spec_.sync;
    const bool returned = calls_->Call("put", [result, db, env, sync, key, value = std::move(value)] {
      leveldb::WriteOptions options;
      options.sync = sync;
      result->log_before = env->newest_log();
      result->status = db->Put(options, key, value);
      result->log_after = env->newest_log();
    });
    if (returned && result->status.ok()) {
      history.Ok(id, kernel.Now());
      acks_[key] = Ack{result->log_before, result->log_after, kernel.Now()};
    } else {
      history.Unknown(id, kernel.Now(),
                      returned ? result->status.ToString() : "the process crashed during the put");
    }
  }

  // One snapshot of the database read with an iterator: a final read of every key written.
  void FinalReads(World& world, History& history) {
    Kernel& kernel = world.kernel();
    // Looked up by key only, never iterated (the hash seed cannot reach the run or a verdict).
    absl::flat_hash_map<std::string, std::string> stored;
    stored.reserve(history.ops().size());
    {
      std::unique_ptr<leveldb::Iterator> it(db_->NewIterator(leveldb::ReadOptions()));
      for (it->SeekToFirst(); it->Valid(); it->Next())
        stored.emplace(it->key().ToString(), it->value().ToString());
      if (!it->status().ok()) {
        Violation& v = verdict().Fail("recoverable", absl::StrCat("final read: ", it->status().ToString()),
                                      kernel.Now());
        v.objects = FilesNamedIn(it->status().ToString());
      }
    }
    std::vector<std::string> keys;
    for (const Op& op : history.ops())
      if (op.type == OpType::kPut) keys.push_back(op.key);
    for (const std::string& key : keys) {
      const uint64_t id =
          history.Invoke("final-read", OpType::kGet, key, "", kernel.Now(), kernel.current_task());
      history.MarkFinalRead(id);
      auto it = stored.find(key);
      history.Ok(id, kernel.Now(),
                 it == stored.end() ? std::nullopt : std::optional<std::string>(it->second));
    }
  }

  // --- naming the mechanism of a failure from the disk's crash reports ---

  static uint64_t LogNumber(std::string_view line, std::string_view prefix) {
    // "... db/000012.log..." -> 12
    const size_t at = line.find(prefix);
    if (at == std::string_view::npos) return 0;
    const size_t start = at + prefix.size();
    size_t end = start;
    while (end < line.size() && line[end] >= '0' && line[end] <= '9') ++end;
    if (end == start || line.substr(end, 4) != ".log") return 0;
    return std::stoull(std::string(line.substr(start, end - start)));
  }

  // For a lost acknowledged write: the first line names the mechanism, the rest are the disk's
  // crash-report lines (of the machine crashes after its acknowledgement) that show it.
  std::vector<std::string> Mechanism(const History& history, const Violation& v) const {
    std::vector<std::string> out{"mechanism unknown"};
    const Ack* ack = nullptr;
    std::string key;
    for (uint64_t id : v.ops) {
      const Op& op = history.op(id);
      auto it = acks_.find(op.key);
      if (op.type == OpType::kPut && it != acks_.end()) {
        ack = &it->second;
        key = op.key;
        break;
      }
    }
    if (ack == nullptr) return out;
    // The first machine crash after the acknowledgement that lost the key names the mechanism.
    // A rolled-back CURRENT rename loses the key only if its log is gone after that crash (its
    // removal was kept): if the log survived, recovery from the older MANIFEST replays it. (On
    // ext4 a rolled-back rename takes every later removal with it, so it never does.)
    const std::string prefix = absl::StrCat(kDbDir, "/");
    const std::string log = fmt::format("{}/{:06d}.log", kDbDir, ack->log_after);
    std::string other;  // the first loss line of any kind, when no crash names a mechanism
    size_t lost_after = 0;
    for (const CrashRecord& crash : crashes_) {
      if (crash.at_ns < ack->at_ns || crash.kind != CrashKind::kMachine) continue;
      const std::string when =
          absl::StrCat("machine crash at ", fmt::format("{:.6f}ms", crash.at_ns / 1e6), ": ");
      std::string dir, created, current, data;  // the first line of each kind in this crash
      bool log_kept = false;                // some log the key may be in is on the disk after it
      for (const std::string& path : crash.files_after) {
        const uint64_t n = LogNumber(path, prefix);
        log_kept |= n != 0 && n >= ack->log_before && n <= ack->log_after;
      }
      for (const std::string& line : crash.losses) {
        const uint64_t n = LogNumber(line, prefix);
        const bool its_log = n != 0 && n >= ack->log_before && n <= ack->log_after;
        if (line.starts_with(absl::StrCat("entry create ", kDbDir, ":")) && dir.empty())
          dir = when + line;
        else if (its_log && line.starts_with("entry create") && created.empty())
          created = when + line;
        else if (its_log && line.starts_with("data") && data.empty()) data = when + line;
        else if (line.starts_with("entry rename") && line.find("/CURRENT:") != std::string::npos &&
                 current.empty())
          current = when + line;
        else if (other.empty()) other = when + line;
      }
      if (!dir.empty()) {
        out.front() = absl::StrCat(
            "the whole database is gone: LevelDB made its directory ", kDbDir,
            " (create_if_missing) but never synced the parent directory, so a machine crash "
            "rolled the directory back with every file in it (compare google/leveldb #189)");
        out.push_back(dir);
        return out;
      }
      if (!created.empty()) {
        out.front() = absl::StrCat(spec_.sync ? "google/leveldb #196: " : "", key, " was in ", log,
                                   spec_.sync ? ", fsynced, " : ", ",
                                   "but the log's directory entry was never synced: its creation "
                                   "rolled back at a machine crash");
        out.push_back(created);
        return out;
      }
      if (!current.empty() && !log_kept) {
        out.front() = absl::StrCat(
            "CURRENT's rename rolled back at a machine crash (the unsynced rename of google/leveldb "
            "#195), so recovery started from an older MANIFEST; ", key, "'s log ", log,
            " is gone (its removal was kept)");
        out.push_back(current);
        return out;
      }
      if (!data.empty()) {
        out.front() = absl::StrCat(key, " was in ", log, ", whose ",
                                   spec_.sync ? "data" : "unsynced data (WriteOptions::sync = false)",
                                   " was lost at a machine crash");
        out.push_back(data);
        return out;
      }
      if (other.empty() && !current.empty()) other = current;
      lost_after += crash.losses.size();
    }
    // The key left its log (a flush moved it into a table) or its loss took more than one step:
    // say what the machine crashes after the acknowledgement lost, without inventing a cause.
    if (!other.empty()) {
      out.front() = absl::StrCat("not traced to a loss of ", key, "'s log ", log,
                                 "; the machine crashes after its acknowledgement lost ",
                                 lost_after, " entries or file tails, the first: ", other);
      out.push_back(other);
    }
    return out;
  }

  // For a failed reopen: what the last crash rolled back, and whether CURRENT names a MANIFEST
  // that is gone (#195).
  std::vector<std::string> ReopenMechanism() const {
    std::vector<std::string> out{"mechanism unknown"};
    if (crashes_.empty()) return out;
    const CrashRecord& last = crashes_.back();
    bool current_rolled_back = false;
    for (const std::string& line : last.losses) {
      out.push_back(absl::StrCat(CrashKindName(last.kind), " crash: ", line));
      if (line.starts_with("entry rename") && line.find("/CURRENT:") != std::string::npos)
        current_rolled_back = true;
    }
    const SimDisk& disk = world_->disk(*app_);
    std::optional<std::string> current = disk.Contents(absl::StrCat(kDbDir, "/CURRENT"));
    std::string manifest = current.value_or("");
    while (!manifest.empty() && manifest.back() == '\n') manifest.pop_back();
    const bool manifest_gone =
        !manifest.empty() && !disk.Contents(absl::StrCat(kDbDir, "/", manifest)).has_value();
    if (current_rolled_back && manifest_gone) {
      out.front() = absl::StrCat("google/leveldb #195: CURRENT's rename to the new MANIFEST rolled "
                                 "back at a machine crash, so CURRENT names ", manifest,
                                 ", whose removal was kept");
    } else if (manifest_gone) {
      out.front() = absl::StrCat("CURRENT names ", manifest, ", which is gone");
    } else if (!current.has_value()) {
      out.front() = "CURRENT is gone";
    }
    return out;
  }

  World* world_ = nullptr;
  VariantSpec spec_ = kVariants[0];
  Process* clients_ = nullptr;
  Process* app_ = nullptr;
  leveldb::DB* db_ = nullptr;           // the open database of the live incarnation
  model::LeveldbEnv* env_ = nullptr;    // its Env
  bool open_failed_ = false;
  bool closed_ = false;
  int writers_running_ = 0;  // workload writers whose loop has not ended
  std::vector<TaskId> open_waiters_;
  std::unique_ptr<ProcessCalls> calls_;
  Shadow shadow_;                    // what LevelDB made, for naming what a crash lost
  std::vector<CrashRecord> crashes_;
  uint64_t machine_crashes_ = 0;     // World::crashes(kMachine) at the last crash
  std::map<std::string, Ack> acks_;
};

SEEDBED_SCENARIO(CrashRecovery);

}  // namespace
}  // namespace seedbed
