// The real-thread baseline (issue 7): what a user without Seedbed would do. Each seed bug's buggy
// configuration runs the same engine (model::Db, model::SnapshotStore) for real on PosixEnv, in a
// fresh temp directory, with real threads and real timing, the same workload shape as its scenario,
// the nearest real-world stand-ins for the faults, and the same invariants; iterations repeat with
// new seeds until an invariant breaks or the time limit passes. Prints time to first failure, or
// "not found in N s". A plain main, not a timed test; the wall clock is read here only (nothing
// here is a simulation).
//
// Stand-ins for the simulated faults:
//   store latency, transient errors, ambiguous outcomes  FaultyStore below: a wrapping ObjectStore
//       drawing from a seeded PRNG (latency log-normal, errors that do not apply, "applied then
//       timed out")
//   process crash + restart  abandon the Db without Close (its destructor stops its threads, no
//       I/O; pending writes fail) and open a new one on the same directory
//   duplicate writers        two Db instances on one directory, in one process
//   a second writer opening  a Db opened by another thread after a drawn delay
//   flush() racing the background flush  a thread calling Db::Flush() at drawn intervals
//   Windows file sharing     NOT available on Linux: rename and delete of an open file succeed,
//       so rqlite #1774 cannot happen here; its POSIX variant runs (streams racing snapshots)
// Simulated durations are scaled down 10x in real time (a 100 ms flush interval runs at 10 ms), so
// one real second covers ten seconds of the scenario's workload.
// Not covered: cnosdb.raft_wal_io (the engine has no real Transport yet; see the report).
//
// Usage: stress_baseline [--seconds S] [--only SCENARIO[:VARIANT]] [--seed N] [--tsv FILE]
// --tsv writes one line per bug (scenario, variant, iterations, seconds to first failure or '-',
// the limit) for bugfind_bench --baseline.
#include <stdlib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "fmt/format.h"
#include "model/db/db.h"
#include "model/env/posix/posix_env.h"
#include "model/errors.h"
#include "model/observer.h"
#include "model/snapshot/snapshot_store.h"
#include "model/wal/format.h"
#include "scenarios/history.h"
#include "scenarios/history_checks.h"
#include "scenarios/verdict.h"

namespace {

using Clock = std::chrono::steady_clock;
constexpr int64_t kScale = 10;  // simulated ns per real ns / this
constexpr const char* kPrefix = "cluster/";

int64_t Real(int64_t sim_ns) { return sim_ns / kScale; }

// --- a seeded, thread-safe PRNG (splitmix64) ---
class Rng {
 public:
  explicit Rng(uint64_t seed) : s_(seed) {}
  uint64_t Next() {
    std::lock_guard<std::mutex> lock(mu_);
    uint64_t z = (s_ += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  bool Bernoulli(double p) { return Uniform() < p; }
  int64_t Between(int64_t lo, int64_t hi) {
    return hi <= lo ? lo : lo + static_cast<int64_t>(Next() % static_cast<uint64_t>(hi - lo + 1));
  }
  double Range(double lo, double hi) { return lo + (hi - lo) * Uniform(); }
  double Normal() {  // Box-Muller
    double u = std::max(Uniform(), 1e-300);
    return std::sqrt(-2 * std::log(u)) * std::cos(2 * M_PI * Uniform());
  }

 private:
  std::mutex mu_;
  uint64_t s_;
};

// The time since the iteration began, in ns: History timestamps.
class Stopwatch {
 public:
  int64_t Now() const {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - start_).count();
  }

 private:
  Clock::time_point start_ = Clock::now();
};

void SleepNs(int64_t ns) {
  if (ns > 0) std::this_thread::sleep_for(std::chrono::nanoseconds(ns));
}

// --- faults drawn per iteration, like a swarm draw (faults/swarm.h StoreSwarm ranges) ---
struct Faults {
  double latency_median_ns = 0;   // 0: no latency
  double error_p = 0;
  double ambiguous_p = 0;
  double crash_interval_ns_mean = 0;  // 0: no crashes
  bool on = true;                 // cleared at the heal

  static Faults Draw(Rng& rng, std::pair<double, double> error = {0.001, 0.05},
                     std::pair<double, double> ambiguous = {0.001, 0.02}, bool crashes = true) {
    Faults f;
    if (rng.Bernoulli(0.5)) f.latency_median_ns = Real(static_cast<int64_t>(rng.Range(1e6, 50e6)));
    if (rng.Bernoulli(0.5)) f.error_p = rng.Range(error.first, error.second);
    if (rng.Bernoulli(0.5)) f.ambiguous_p = rng.Range(ambiguous.first, ambiguous.second);
    if (crashes && rng.Bernoulli(0.5)) f.crash_interval_ns_mean = Real(static_cast<int64_t>(rng.Range(2e9, 30e9)));
    return f;
  }
  std::string Describe() const {
    return fmt::format("latency {:.1f}ms, errors {:.3f}, ambiguous {:.3f}, crashes every {:.2f}s",
                       latency_median_ns / 1e6, error_p, ambiguous_p, crash_interval_ns_mean / 1e9);
  }
};

// What the wrapping store saw: WAL puts (for "written once" and "manifest not ahead").
class StoreLog {
 public:
  explicit StoreLog(const Stopwatch& clock) : clock_(clock) {}
  void PutStarted(uint64_t wal_id) {
    std::lock_guard<std::mutex> lock(mu_);
    started_.emplace(wal_id, clock_.Now());  // keeps the earliest
  }
  void PutApplied(const std::string& path, uint64_t wal_id) {
    std::lock_guard<std::mutex> lock(mu_);
    if (present_.count(path) > 0) overwritten_.push_back(path);
    present_.insert(path);
    applied_.insert(wal_id);
  }
  void Deleted(const std::string& path) {
    std::lock_guard<std::mutex> lock(mu_);
    present_.erase(path);
  }
  std::vector<std::string> overwritten() {
    std::lock_guard<std::mutex> lock(mu_);
    return overwritten_;
  }
  // Earliest start of a put of `wal_id` that applied; nullopt if none applied.
  std::optional<int64_t> AppliedStart(uint64_t wal_id) {
    std::lock_guard<std::mutex> lock(mu_);
    if (applied_.count(wal_id) == 0) return std::nullopt;
    return started_.at(wal_id);
  }

 private:
  const Stopwatch& clock_;
  std::mutex mu_;
  std::set<std::string> present_;
  std::vector<std::string> overwritten_;
  std::map<uint64_t, int64_t> started_;
  std::set<uint64_t> applied_;
};

class FaultyStore final : public model::ObjectStore {
 public:
  FaultyStore(model::ObjectStore& inner, Faults& faults, Rng& rng, StoreLog& log)
      : inner_(inner), faults_(faults), rng_(rng), log_(log) {}

  absl::StatusOr<uint64_t> Put(std::string_view path, std::string bytes,
                               model::PutOptions options) override {
    Latency();
    if (Draw(faults_.error_p)) return absl::UnavailableError("injected: throttled");
    std::optional<uint64_t> wal_id = model::ParseWalPath(kPrefix, path);
    if (wal_id) log_.PutStarted(*wal_id);
    bool ambiguous = Draw(faults_.ambiguous_p);
    absl::StatusOr<uint64_t> r = inner_.Put(path, std::move(bytes), options);
    if (r.ok() && wal_id) log_.PutApplied(std::string(path), *wal_id);
    if (r.ok() && ambiguous) return absl::DeadlineExceededError("injected: timed out (applied)");
    return r;
  }
  absl::StatusOr<model::GetResult> Get(std::string_view path) override {
    Latency();
    if (Draw(faults_.error_p)) return absl::UnavailableError("injected: throttled");
    return inner_.Get(path);
  }
  absl::StatusOr<model::ObjectMeta> Head(std::string_view path) override {
    Latency();
    if (Draw(faults_.error_p)) return absl::UnavailableError("injected: throttled");
    return inner_.Head(path);
  }
  absl::Status Delete(std::string_view path) override {
    Latency();
    if (Draw(faults_.error_p)) return absl::UnavailableError("injected: throttled");
    absl::Status s = inner_.Delete(path);
    if (s.ok()) log_.Deleted(std::string(path));
    return s;
  }
  absl::StatusOr<std::vector<model::ObjectMeta>> List(std::string_view prefix,
                                                      std::string_view start_after) override {
    Latency();
    if (Draw(faults_.error_p)) return absl::UnavailableError("injected: throttled");
    return inner_.List(prefix, start_after);
  }

 private:
  bool Draw(double p) { return faults_.on && p > 0 && rng_.Bernoulli(p); }
  void Latency() {
    if (!faults_.on || faults_.latency_median_ns <= 0) return;
    double ns = faults_.latency_median_ns * std::exp(0.7 * rng_.Normal());
    if (rng_.Bernoulli(0.01)) ns *= 20;
    SleepNs(static_cast<int64_t>(ns));
  }

  model::ObjectStore& inner_;
  Faults& faults_;
  Rng& rng_;
  StoreLog& log_;
};

// Records writer opens, stops and manifest writes (the WriterWatch of the scenarios).
class Watch final : public model::Observer {
 public:
  explicit Watch(const Stopwatch& clock) : clock_(clock) {}
  void OnRecovered(const model::WriterInfo& w, uint64_t, uint64_t, uint64_t) override {
    std::lock_guard<std::mutex> lock(mu_);
    opens_.push_back({clock_.Now(), w.writer_id});
  }
  void OnWriterStopped(const model::WriterInfo& w, const absl::Status& s) override {
    std::lock_guard<std::mutex> lock(mu_);
    stops_.push_back({clock_.Now(), w.writer_id, s.ToString()});
  }
  void OnManifestWrite(const model::WriterInfo&, uint64_t, const model::Manifest& m) override {
    std::lock_guard<std::mutex> lock(mu_);
    manifests_.push_back({clock_.Now(), m.wal_id_last_compacted, m.wal_id_last_seen});
  }
  // Every stop needs a rival: a writer that opened after the stopping writer opened.
  void CheckStopsHaveRivals(const char* invariant, seedbed::Verdict& verdict) {
    std::lock_guard<std::mutex> lock(mu_);
    for (const Stop& s : stops_) {
      int64_t opened = -1;
      for (const Open& o : opens_)
        if (o.writer == s.writer) opened = o.at_ns;
      bool rival = std::any_of(opens_.begin(), opens_.end(),
                               [&](const Open& o) { return o.writer != s.writer && o.at_ns >= opened; });
      if (!rival)
        verdict.Fail(invariant, fmt::format("writer {:x} stopped with no rival: {}", s.writer, s.status), s.at_ns);
    }
  }
  // Manifest never ahead of the WAL: every id in (compacted, last_seen] had a put that started
  // before the manifest's write returned and applied.
  void CheckManifests(StoreLog& log, seedbed::Verdict& verdict) {
    std::lock_guard<std::mutex> lock(mu_);
    for (const Manifest& m : manifests_) {
      for (uint64_t id = m.compacted + 1; id <= m.last_seen; ++id) {
        std::optional<int64_t> start = log.AppliedStart(id);
        if (!start || *start > m.at_ns) {
          verdict.Fail("manifest-not-ahead-of-wal",
                       fmt::format("manifest with wal_id_last_seen {} written while WAL {} was not durable",
                                   m.last_seen, id), m.at_ns);
          return;
        }
      }
    }
  }

 private:
  struct Open { int64_t at_ns; uint64_t writer; };
  struct Stop { int64_t at_ns; uint64_t writer; std::string status; };
  struct Manifest { int64_t at_ns; uint64_t compacted; uint64_t last_seen; };
  const Stopwatch& clock_;
  std::mutex mu_;
  std::vector<Open> opens_;
  std::vector<Stop> stops_;
  std::vector<Manifest> manifests_;
};

// One iteration's world: a temp directory, the shared store log, faults, history.
struct Iteration {
  explicit Iteration(uint64_t seed_in) : seed(seed_in), rng(seed_in), log(clock), watch(clock) {
    std::string tmpl = (std::filesystem::temp_directory_path() / "seedbed-stress-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    dir = tmpl;
  }
  ~Iteration() {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
  uint64_t seed;
  std::string dir;
  Stopwatch clock;
  Rng rng;
  StoreLog log;
  Watch watch;
  Faults faults;
  std::mutex history_mu;
  seedbed::History history;
  seedbed::Verdict verdict;
};

// A "process" running a Db: its own PosixEnv (runtime, store on the shared directory), the faulty
// store in front, and crash/restart by abandoning the Db.
class Node {
 public:
  Node(Iteration& it, std::string name, model::Options options)
      : name_(std::move(name)), options_(std::move(options)),
        posix_(model::PosixEnvOptions{it.dir + "/store", "", it.rng.Next()}),
        store_(posix_.store(), it.faults, it.rng, it.log) {
    env_.runtime = &posix_.runtime();
    env_.store = &store_;
  }
  ~Node() { Crash(); }

  // Opens (recovery), retrying transient failures like DbNode's boot (30 tries, 1 s/10 apart).
  bool Open() {
    absl::Status last;
    for (int attempt = 0; attempt < 30; ++attempt) {
      absl::StatusOr<std::unique_ptr<model::Db>> db = model::Db::Open(env_, kPrefix, options_);
      if (db.ok()) {
        std::lock_guard<std::mutex> lock(mu_);
        db_ = std::shared_ptr<model::Db>(std::move(*db));
        open_status_ = absl::OkStatus();
        return true;
      }
      last = db.status();
      if (model::IsFenced(last)) break;
      SleepNs(Real(1'000'000'000));
    }
    std::lock_guard<std::mutex> lock(mu_);
    open_status_ = last;
    return false;
  }
  std::shared_ptr<model::Db> db() {
    std::lock_guard<std::mutex> lock(mu_);
    return db_;
  }
  // Abandons the Db without Close; waits (bounded) until in-flight calls have dropped it, so the
  // restarted Db never overlaps the dead one.
  void Crash() {
    std::weak_ptr<model::Db> weak;
    {
      std::lock_guard<std::mutex> lock(mu_);
      weak = db_;
      db_.reset();
    }
    for (int i = 0; i < 30'000 && !weak.expired(); ++i) SleepNs(1'000'000);
  }
  absl::Status open_status() {
    std::lock_guard<std::mutex> lock(mu_);
    return open_status_;
  }
  const std::string& name() const { return name_; }

 private:
  std::string name_;
  model::Options options_;
  model::PosixEnv posix_;
  FaultyStore store_;
  model::Env env_;
  std::mutex mu_;
  std::shared_ptr<model::Db> db_;
  absl::Status open_status_;
};

struct Load {
  int clients = 4;
  int writes = 20;
  int keys = 5;
  int64_t think_ns_max = Real(50'000'000);
  int64_t node_wait_ns_max = Real(5'000'000'000);
};

void ClientPut(Iteration& it, Node& node, const std::string& client, const std::string& key,
               const std::string& value) {
  uint64_t id;
  {
    std::lock_guard<std::mutex> lock(it.history_mu);
    id = it.history.Invoke(client, seedbed::OpType::kPut, key, value, it.clock.Now());
  }
  std::shared_ptr<model::Db> db = node.db();
  absl::Status s = db ? db->Put(key, value) : absl::UnavailableError("node down");
  std::lock_guard<std::mutex> lock(it.history_mu);
  if (!db) {
    it.history.Fail(id, it.clock.Now(), "node down");
  } else if (s.ok()) {
    it.history.Ok(id, it.clock.Now());
  } else {
    it.history.Unknown(id, it.clock.Now(), std::string(s.message()));
  }
}

// Client c writes `{c}:{i}` to k{i % keys} through nodes[c % n] (scenarios/workloads.cc).
void RunWriters(Iteration& it, const std::vector<Node*>& nodes, Load load) {
  std::vector<std::thread> threads;
  std::vector<uint64_t> seeds;
  for (int c = 0; c < load.clients; ++c) seeds.push_back(it.rng.Next());
  for (int c = 0; c < load.clients; ++c) {
    threads.emplace_back([&it, &nodes, load, c, seed = seeds[c]] {
      Rng rng(seed);
      Node& node = *nodes[static_cast<size_t>(c) % nodes.size()];
      std::string client = fmt::format("client-{}", c);
      for (int i = 0; i < load.writes; ++i) {
        for (int64_t waited = 0; !node.db() && waited < load.node_wait_ns_max; waited += 1'000'000)
          SleepNs(1'000'000);
        ClientPut(it, node, client, fmt::format("k{}", i % load.keys), fmt::format("{}:{}", c, i));
        SleepNs(rng.Between(0, load.think_ns_max));
      }
    });
  }
  for (std::thread& t : threads) t.join();
}

// Crashes and restarts `nodes` at drawn intervals until `stop`.
class Crasher {
 public:
  Crasher(Iteration& it, std::vector<Node*> nodes) : it_(it), nodes_(std::move(nodes)) {
    if (it.faults.crash_interval_ns_mean <= 0) return;
    thread_ = std::thread([this] { Loop(); });
  }
  ~Crasher() { Stop(); }
  void Stop() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

 private:
  bool Wait(int64_t ns) {  // false once stopped
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_for(lock, std::chrono::nanoseconds(ns), [this] { return stop_; });
    return !stop_;
  }
  void Loop() {
    for (int n = 0; n < 10'000; ++n) {
      double u = std::max(it_.rng.Uniform(), 1e-12);
      if (!Wait(static_cast<int64_t>(-std::log(u) * it_.faults.crash_interval_ns_mean))) return;
      Node& node = *nodes_[it_.rng.Next() % nodes_.size()];
      node.Crash();
      int64_t restart = it_.rng.Between(Real(100'000'000), Real(2'000'000'000));
      Wait(restart);  // restart even when stopping: the heal restarts every crashed process
      node.Open();
    }
  }

  Iteration& it_;
  std::vector<Node*> nodes_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

// After the heal: a Db with `options` opens (recovery must succeed) and reads k0..k{keys-1}.
void FinalReads(Iteration& it, model::Options options, int keys = 5) {
  it.faults.on = false;
  Node verifier(it, "verifier", std::move(options));
  bool open = false;
  for (int attempt = 0; attempt < 10 && !open; ++attempt) open = verifier.Open();
  if (!open) {
    it.verdict.Fail("recoverable", "after the heal the database could not open: " +
                                       verifier.open_status().ToString(), it.clock.Now());
    return;
  }
  std::shared_ptr<model::Db> db = verifier.db();
  for (int k = 0; k < keys; ++k) {
    std::string key = fmt::format("k{}", k);
    uint64_t id = it.history.Invoke("final-read", seedbed::OpType::kGet, key, "", it.clock.Now());
    it.history.MarkFinalRead(id);
    absl::StatusOr<std::string> v = db->Get(key);
    if (v.ok()) {
      it.history.Ok(id, it.clock.Now(), *v);
    } else if (absl::IsNotFound(v.status())) {
      it.history.Ok(id, it.clock.Now(), std::nullopt);
    } else {
      it.history.Unknown(id, it.clock.Now(), std::string(v.status().message()));
    }
  }
}

void CheckOverwrites(Iteration& it) {
  std::vector<std::string> paths = it.log.overwritten();
  if (!paths.empty())
    it.verdict.Fail("wal-object-written-once", fmt::format("{} was overwritten", paths.front()));
}

// ---- the bugs ----

model::Options Scaled(model::Options o) {
  o.flush_interval_ns = Real(o.flush_interval_ns);
  o.put_retry_delay_ns = Real(o.put_retry_delay_ns);
  return o;
}

void DuplicateWriter(Iteration& it) {
  model::Options options = model::Options::InfluxDb3();
  options.wal_put_mode = model::PutMode::kOverwrite;
  it.faults = Faults::Draw(it.rng);
  Node a(it, "node-a", Scaled(options)), b(it, "node-b", Scaled(options));
  std::thread open_b([&b] { b.Open(); });
  a.Open();
  open_b.join();
  {
    Crasher crasher(it, {&a, &b});
    RunWriters(it, {&a, &b}, Load{});
  }
  a.Crash();
  b.Crash();
  FinalReads(it, Scaled(model::Options::InfluxDb3()));
  CheckOverwrites(it);
  seedbed::checks::NoLostAcknowledgedWrites(it.history, it.verdict);
}

void AmbiguousRetry(Iteration& it) {
  model::Options options = model::Options::InfluxDb3();
  options.ambiguous_retry = model::AmbiguousRetryAction::kConflict;
  options.observer = &it.watch;
  it.faults = Faults::Draw(it.rng, {0.001, 0.05}, {0.01, 0.15});
  Node node(it, "node-a", Scaled(options));
  node.Open();
  {
    Crasher crasher(it, {&node});
    RunWriters(it, {&node}, Load{});
  }
  // Liveness: after the heal the lone writer must still take a write.
  it.faults.on = false;
  if (node.db()) {
    ClientPut(it, node, "liveness", "k0", "liveness:0");
    const seedbed::Op& op = it.history.ops().back();
    if (op.status != seedbed::OpStatus::kOk)
      it.verdict.Fail("lone-writer-never-stops", "after the heal the lone writer refused a write: " + op.error);
  }
  node.Crash();
  FinalReads(it, Scaled(model::Options::InfluxDb3()));
  it.watch.CheckStopsHaveRivals("lone-writer-never-stops", it.verdict);
  CheckOverwrites(it);
  seedbed::checks::NoLostAcknowledgedWrites(it.history, it.verdict);
}

void WalIdLastSeen(Iteration& it) {
  model::Options options = model::Options::SlateDb();
  options.wal_id_assignment = model::WalIdAssignment::kAtFreeze;
  options.flush_interval_ns = 100'000'000;
  options.memtable_bytes_max = 256;
  options.observer = &it.watch;
  it.faults = Faults::Draw(it.rng, {0.01, 0.1});
  Node node(it, "writer", Scaled(options));
  node.Open();
  {
    Crasher crasher(it, {&node});
    Load load;
    load.think_ns_max = Real(20'000'000);
    RunWriters(it, {&node}, load);
  }
  node.Crash();  // the final reads reopen the same (buggy) writer: recovery must not fail
  FinalReads(it, Scaled(options));
  it.watch.CheckManifests(it.log, it.verdict);
  seedbed::checks::NoLostAcknowledgedWrites(it.history, it.verdict);
}

void FlushSelfFence(Iteration& it) {
  model::Options options = model::Options::SlateDb();
  options.explicit_flush = model::ExplicitFlushMode::kCallerTask;
  options.flush_interval_ns = 100'000'000;
  options.observer = &it.watch;
  it.faults = Faults::Draw(it.rng);
  Node node(it, "writer", Scaled(options));
  node.Open();
  {
    Crasher crasher(it, {&node});
    std::thread flusher([&it, &node, seed = it.rng.Next()] {
      Rng rng(seed);
      for (int i = 0; i < 40; ++i) {
        SleepNs(rng.Between(0, Real(200'000'000)));
        if (std::shared_ptr<model::Db> db = node.db()) (void)db->Flush();
      }
    });
    RunWriters(it, {&node}, Load{});
    flusher.join();
  }
  node.Crash();
  FinalReads(it, Scaled(options));
  it.watch.CheckStopsHaveRivals("writer-not-self-fenced", it.verdict);
  seedbed::checks::NoLostAcknowledgedWrites(it.history, it.verdict);
}

void ZombieWriter(Iteration& it, bool bug_271) {
  model::Options options = model::Options::SlateDb();
  if (bug_271) options.open_order = model::OpenOrder::kEpochFirst;
  if (!bug_271) options.wal_gc = model::WalGcMode::kDeleteAll;
  options.flush_interval_ns = 100'000'000;
  options.memtable_bytes_max = 64;
  it.faults = Faults::Draw(it.rng);
  Node old_node(it, "writer-old", Scaled(options)), new_node(it, "writer-new", Scaled(options));
  // Half the runs open both at once (the #271 race), half later, while the old one writes.
  int64_t delay_max = it.rng.Bernoulli(0.5) ? 100'000'000 : 8'000'000'000;
  int64_t delay = Real(it.rng.Between(0, delay_max));
  std::thread opener([&new_node, delay] {
    SleepNs(delay);
    new_node.Open();
  });
  old_node.Open();
  {
    Crasher crasher(it, {&old_node, &new_node});
    Load load;
    load.think_ns_max = Real(1'500'000'000);
    load.writes = 15;
    RunWriters(it, {&old_node, &new_node}, load);
    opener.join();
  }
  old_node.Crash();
  new_node.Crash();
  FinalReads(it, Scaled(model::Options::SlateDb()));
  seedbed::checks::NoLostAcknowledgedWrites(it.history, it.verdict);
}

// rqlite #1774, POSIX variant: streams of the newest snapshot race snapshot creation (incremental
// snapshots rename <prev>.db to <new>.db) and reaping, lock policy kNone. On Linux the rename of a
// file open for streaming succeeds, so the Windows failure cannot happen; the invariants still
// run: the newest snapshot has a .db, and a streamed snapshot equals the snapshot as of open.
void SnapshotStreamLock(Iteration& it) {
  model::PosixEnv posix(model::PosixEnvOptions{it.dir + "/store", it.dir + "/disk", it.rng.Next()});
  model::SnapshotStore store(posix.env(), "snapshots", model::SnapshotLockPolicy::kNone);
  if (!store.Init().ok()) {
    it.verdict.Fail("harness", "snapshot store init failed");
    return;
  }
  std::mutex mu;
  std::map<std::string, std::string> contents;  // id -> the .db bytes as of its commit
  std::string db_bytes;
  std::atomic<bool> done{false};
  std::thread streamer([&] {
    Rng rng(it.rng.Next());
    for (int n = 0; n < 200 && !done; ++n) {
      SleepNs(rng.Between(0, Real(50'000'000)));
      absl::StatusOr<std::vector<model::SnapshotMeta>> list = store.List();
      if (!list.ok() || list->empty()) continue;
      std::string id = list->back().id();
      std::string expected;
      {
        std::lock_guard<std::mutex> lock(mu);
        expected = contents[id];
      }
      absl::StatusOr<std::unique_ptr<model::SnapshotReader>> reader = store.Open(id);
      if (!reader.ok()) continue;
      std::string got;
      for (int chunk = 0; chunk < 10'000; ++chunk) {
        absl::StatusOr<std::string> part = (*reader)->Next(64);
        if (!part.ok() || part->empty()) break;
        got += *part;
        SleepNs(rng.Between(0, Real(5'000'000)));
      }
      (void)(*reader)->Close();
      if (got != expected) {
        it.verdict.Fail("stream-byte-equal",
                        fmt::format("stream of {} ({} bytes) differs from the snapshot as of open ({} bytes)", id,
                                    got.size(), expected.size()));
        return;
      }
    }
  });
  Rng rng(it.rng.Next());
  for (uint64_t index = 1; index <= 60 && it.verdict.ok(); ++index) {
    SleepNs(rng.Between(0, Real(20'000'000)));
    bool full = index == 1 || rng.Bernoulli(0.2);
    model::SnapshotMeta meta{1, index, index, full};
    absl::StatusOr<std::unique_ptr<model::SnapshotSink>> sink = store.Create(meta);
    if (!sink.ok()) continue;
    std::string data = fmt::format("[{}]", index);
    if (!(*sink)->Write(data).ok()) continue;
    std::string id = (*sink)->meta().id();
    std::string next = full ? data : db_bytes + data;
    {
      // Record before the commit makes the snapshot visible to List.
      std::lock_guard<std::mutex> lock(mu);
      contents[id] = next;
    }
    if (!(*sink)->Close().ok()) continue;
    db_bytes = next;
    (void)store.Reap(2);
    absl::StatusOr<bool> exists = posix.fs()->Exists("snapshots/" + id + ".db");
    if (exists.ok() && !*exists)
      it.verdict.Fail("newest-snapshot-has-db", fmt::format("snapshot {} committed without {}.db", id, id));
  }
  done = true;
  streamer.join();
}

struct Bug {
  const char* scenario;
  const char* variant;
  std::function<void(Iteration&)> run;
  const char* note;
};

std::vector<Bug> Bugs() {
  return {
      {"influxdb3.duplicate_writer", "buggy", DuplicateWriter, "two Db instances on one directory"},
      {"influxdb3.ambiguous_retry", "buggy", AmbiguousRetry, "injected applied-then-timeout puts"},
      {"slatedb.wal_id_last_seen", "buggy", WalIdLastSeen, "injected put errors, abandon + reopen"},
      {"slatedb.flush_self_fence", "buggy", FlushSelfFence, "a thread calling Flush()"},
      {"slatedb.zombie_writer", "buggy-271", [](Iteration& it) { ZombieWriter(it, true); },
       "second Db opened by another thread"},
      {"slatedb.zombie_writer", "buggy-1622", [](Iteration& it) { ZombieWriter(it, false); },
       "second Db opened by another thread"},
      {"rqlite.snapshot_stream_lock", "buggy-posix", SnapshotStreamLock,
       "Windows sharing unavailable on Linux: POSIX variant"},
  };
}

}  // namespace

int main(int argc, char** argv) {
  double seconds = 60;
  uint64_t seed = 1;
  std::string only, tsv_path;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--tsv" && i + 1 < argc) {
      tsv_path = argv[++i];
      continue;
    }
    if (arg == "--seconds" && i + 1 < argc) {
      seconds = std::atof(argv[++i]);
    } else if (arg == "--seed" && i + 1 < argc) {
      seed = std::strtoull(argv[++i], nullptr, 10);
    } else if (arg == "--only" && i + 1 < argc) {
      only = argv[++i];
    } else {
      std::fprintf(stderr, "usage: %s [--seconds S] [--only SCENARIO[:VARIANT]] [--seed N] [--tsv FILE]\n", argv[0]);
      return 2;
    }
  }
  FILE* tsv = tsv_path.empty() ? nullptr : std::fopen(tsv_path.c_str(), "w");
  std::printf("real-thread baseline: up to %.0f s per bug, real durations = simulated / %lld\n",
              seconds, static_cast<long long>(kScale));
  std::printf("%-28s %-14s %10s %12s %11s  %s\n", "scenario", "variant", "iterations",
              "first fail s", "invariant", "stand-in");
  uint64_t bug_index = 0;
  for (const Bug& bug : Bugs()) {
    ++bug_index;
    std::string name = fmt::format("{}:{}", bug.scenario, bug.variant);
    if (!only.empty() && name.rfind(only, 0) != 0) continue;
    Clock::time_point start = Clock::now();
    auto elapsed = [&] { return std::chrono::duration<double>(Clock::now() - start).count(); };
    uint64_t iterations = 0;
    std::optional<double> found;
    std::string invariant = "-", detail;
    for (uint64_t n = 0; n < 1'000'000 && elapsed() < seconds; ++n) {
      Iteration it(seed * 1'000'003 + bug_index * 10'007 + n);
      bug.run(it);
      ++iterations;
      if (!it.verdict.ok()) {
        found = elapsed();
        invariant = it.verdict.first()->invariant;
        detail = it.verdict.first()->message + " | faults: " + it.faults.Describe();
        break;
      }
    }
    std::printf("%-28s %-14s %10llu %12s %11s  %s\n", bug.scenario, bug.variant,
                static_cast<unsigned long long>(iterations),
                found ? fmt::format("{:.2f}", *found).c_str() : fmt::format("not found in {:.0f} s", seconds).c_str(),
                invariant.c_str(), bug.note);
    if (found) std::printf("    %s\n", detail.c_str());
    std::fflush(stdout);
    if (tsv != nullptr)
      std::fprintf(tsv, "%s\t%s\t%llu\t%s\t%.0f\n", bug.scenario, bug.variant,
                   static_cast<unsigned long long>(iterations),
                   found ? fmt::format("{:.3f}", *found).c_str() : "-", seconds);
  }
  if (tsv != nullptr) std::fclose(tsv);
  return 0;
}
