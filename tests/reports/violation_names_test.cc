// Every invariant in the project names what its violations are about, so the reports can outline it
// (issue 16): each violation names at least one history op or object that the run's report data
// holds (a span, a held file or mutex, a trace event, a state band, a task's lane). The invariants
// come from the code, not from a list kept here: every registered scenario's declared expected
// invariants (the bundled ones and the test scenarios of this binary), the harness's own verdicts
// (HarnessInvariants) and every invariant literal at a verdict in the source. Each needs a pinned
// failing run below (or a place on the short unreached list, with the search that found no seed);
// a new invariant without one, or whose pinned run names nothing the report shows, fails this test.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "fmt/format.h"
#include "reports/internal.h"
#include "scenarios/harness/runner.h"
#include "scenarios/harness/scenario.h"
#include "sim/sync.h"
#include "sim/world/world.h"

namespace seedbed {
namespace {

// --- test scenarios for the harness's verdicts (no bundled scenario is meant to reach them) ---

// Two clients, each with a put in flight, take two mutexes in opposite orders: a lock-order
// inversion, then a wait-for cycle (deadlock). Both must name the tasks, the mutexes and the puts.
class LockCycleWithOps : public Scenario {
 public:
  ScenarioInfo info() const override {
    return {"test.names_lock_cycle", "test only", {"buggy"}, {"buggy"}, "",
            {{"buggy", {"deadlock", "lock-order-inversion"}}}};
  }
  void Build(World& world, const RunConfig&) override {
    a_ = std::make_unique<Mutex>(world.kernel(), "table.a");
    b_ = std::make_unique<Mutex>(world.kernel(), "table.b");
  }
  void Workload(World& world, History& history) override {
    for (int c = 0; c < 2; ++c)
      world.SpawnClient(fmt::format("client-{}", c), [this, &world, &history, c] {
        Kernel& k = world.kernel();
        history.Invoke(fmt::format("client-{}", c), OpType::kPut, fmt::format("k{}", c), "v", k.Now(),
                       k.current_task());
        Mutex& first = c == 0 ? *a_ : *b_;
        Mutex& second = c == 0 ? *b_ : *a_;
        MutexLock l1(first);
        k.SleepFor(1'000'000);
        MutexLock l2(second);
      });
  }
  void Check(const World&, const History&, Verdict&) override {}

 private:
  std::unique_ptr<Mutex> a_, b_;
};
SEEDBED_SCENARIO(LockCycleWithOps);

// A client spins (yield after yield) on a flag nobody sets, a get in flight: the event budget
// runs out in a spin loop.
class SpinWithOp : public Scenario {
 public:
  ScenarioInfo info() const override {
    return {"test.names_spin", "test only", {"buggy"}, {"buggy"}, "", {{"buggy", {"event-budget"}}}};
  }
  void Build(World&, const RunConfig&) override {}
  void Workload(World& world, History& history) override {
    world.SpawnClient("spinner", [&world, &history] {
      Kernel& k = world.kernel();
      history.Invoke("spinner", OpType::kGet, "flag", "", k.Now(), k.current_task());
      for (int i = 0; i < 100'000'000; ++i) k.YieldSpin();
    });
  }
  void Check(const World&, const History&, Verdict&) override {}
};
SEEDBED_SCENARIO(SpinWithOp);

// A client polls with short sleeps forever: the event budget runs out without a spin loop.
class PollWithOp : public Scenario {
 public:
  ScenarioInfo info() const override {
    return {"test.names_poll", "test only", {"buggy"}, {"buggy"}, "", {{"buggy", {"event-budget"}}}};
  }
  void Build(World&, const RunConfig&) override {}
  void Workload(World& world, History& history) override {
    world.SpawnClient("poller", [&world, &history] {
      Kernel& k = world.kernel();
      history.Invoke("poller", OpType::kPut, "job", "1", k.Now(), k.current_task());
      for (int i = 0; i < 100'000'000; ++i) k.SleepFor(1'000);
    });
  }
  void Check(const World&, const History&, Verdict&) override {}
};
SEEDBED_SCENARIO(PollWithOp);

// After the heal a final read waits on a condition variable nobody notifies within the budget's
// time (it times out far later): the liveness watchdog names it and its read.
class FinalReadHangs : public Scenario {
 public:
  ScenarioInfo info() const override {
    return {"test.names_liveness", "test only", {"buggy"}, {"buggy"}, "", {{"buggy", {"liveness"}}}};
  }
  void Build(World&, const RunConfig&) override {}
  void Workload(World& world, History&) override {
    world.SpawnClient("writer", [&world] { world.kernel().SleepFor(1'000'000); });
  }
  void Liveness(World& world, History& history) override {
    world.SpawnClient("final-read", [&world, &history] {
      Kernel& k = world.kernel();
      const uint64_t id = history.Invoke("final-read", OpType::kGet, "k0", "", k.Now(), k.current_task());
      history.MarkFinalRead(id);
      k.SleepFor(400'000'000'000);
    });
  }
  void Check(const World&, const History&, Verdict&) override {}
};
SEEDBED_SCENARIO(FinalReadHangs);

// --- the pinned failing runs, at least one per invariant ---

struct Pinned {
  const char* invariant;
  const char* scenario;
  const char* variant;
  uint64_t seed;
  const char* bug;           // which bug the seed shows
  bool keep_going = false;   // the invariant shows only once the run goes past its first violation
  uint64_t event_budget = 0;  // 0: the default
};

const std::vector<Pinned>& PinnedRuns() {
  static const std::vector<Pinned> runs = {
      // Bundled scenarios.
      {"wal-object-written-once", "influxdb3.duplicate_writer", "buggy", 1,
       "influxdb #26161: two writers on one prefix, a plain put overwrites wal/N"},
      {"no-lost-acknowledged-writes", "influxdb3.duplicate_writer", "buggy", 1,
       "influxdb #26161: the overwritten WAL's acknowledged writes are gone", true},
      {"lone-writer-never-stops", "influxdb3.ambiguous_retry", "buggy", 3,
       "influxdb PR #26203's open case: a retried put meets its own object and the writer stops"},
      {"manifest-not-ahead-of-wal", "slatedb.wal_id_last_seen", "buggy", 39,
       "slatedb #433: the manifest records a WAL id whose put stalled"},
      {"writer-not-self-fenced", "slatedb.flush_self_fence", "buggy", 2,
       "slatedb #235: flush() on the caller's task races the flush task for one WAL id"},
      {"single-writer", "slatedb.zombie_writer", "buggy-271", 56,
       "slatedb PR #271: the epoch is written before the next WAL id is read; two writers open"},
      {"no-lost-acknowledged-writes", "slatedb.zombie_writer", "buggy-1622", 1,
       "slatedb #1622: WAL GC deletes the fence, the stale writer's Create succeeds, its write is lost"},
      {"newest-snapshot-has-db", "rqlite.snapshot_stream_lock", "buggy", 1,
       "rqlite #1774: a Windows rename of the streamed S1.db fails, S2 has no .db"},
      {"stream-byte-equal", "rqlite.snapshot_stream_lock", "buggy-posix", 1,
       "rqlite #1774 on POSIX: the checkpoint appends to the .db under the stream"},
      {"leader-completeness", "cnosdb.raft_wal_io", "buggy", 4,
       "an ignored log-append I/O error: a leader without a committed entry"},
      {"commit-after-heal", "cnosdb.raft_wal_io", "buggy", 2,
       "an ignored I/O error leaves a group that commits nothing after the heal"},
      {"state-machine-safety", "cnosdb.raft_wal_io", "buggy", 4,
       "an ignored log-append I/O error: two entries committed at index 10", true},
      {"snapshot-recovers", "rqlite.snapshot_stream_lock", "buggy", 1,
       "rqlite #1774: with S2's .db missing, no later snapshot succeeds", true},
      {"read-after-heal", "cnosdb.raft_wal_io", "buggy", 344,
       "an ignored I/O error leaves a group that cannot serve a read after the heal"},
      {"acknowledged-write-unchecked", "cnosdb.raft_wal_io", "buggy", 2,
       "no final read of a group that lost its quorum's log succeeds, so its writes go unchecked", true},
      {"linearizable", "slatedb.zombie_writer", "buggy-1622", 17,
       "slatedb #1622: the zombie's write lands after the new writer's, then vanishes"},
      {"no-lost-acknowledged-writes", "cnosdb.raft_wal_io", "buggy", 201,
       "an ignored I/O error: the leader acknowledged a write no quorum kept"},
      {"recoverable", "leveldb.crash_recovery", "sync-machine-posix-reorder", 5,
       "google/leveldb #195: CURRENT's rename rolled back, the old MANIFEST's removal kept"},
      {"no-lost-acknowledged-writes", "leveldb.crash_recovery", "nosync-machine-ext4", 4,
       "LevelDB's documented nosync loss: a machine crash drops unsynced log appends"},
      {"sqlite-integrity", "sqlite.crash_recovery", "delete-off-machine", 5,
       "synchronous=off: a power loss corrupts the database file"},
      {"no-lost-acknowledged-transaction", "sqlite.crash_recovery", "delete-off-machine", 3,
       "synchronous=off: the journal's delete was never synced, the commit rolls back as a hot journal"},
      // The harness's verdicts, on the test scenarios above and in trust_test.cc.
      {"deadlock", "test.stuck_client", "buggy", 1, "a client waits on a condition variable nobody notifies"},
      {"deadlock", "test.names_lock_cycle", "buggy", 1, "two clients take two mutexes in opposite orders", true},
      {"lock-order-inversion", "test.names_lock_cycle", "buggy", 1, "two clients take two mutexes in opposite orders"},
      {"event-budget", "test.names_spin", "buggy", 1, "a client spins on a flag nobody sets", false, 20'000},
      {"event-budget", "test.names_poll", "buggy", 1, "a client polls forever", false, 20'000},
      {"liveness", "test.names_liveness", "buggy", 1, "a final read sleeps past the liveness budget"},
      {"liveness", "test.slow_liveness", "buggy", 1, "a liveness client sleeps past the liveness budget"},
  };
  return runs;
}

// Declared invariants no seed has reached yet, with the search that found none; each still names
// what it is about in the code (cnosdb's Raft checks name the group's state bands, "raft gN").
// Checked both ways: each must be declared and must have no pinned run.
struct Unreached {
  const char* invariant;
  const char* searched;
};
const std::vector<Unreached>& UnreachedInvariants() {
  static const std::vector<Unreached> unreached = {
      {"election-safety", "cnosdb.raft_wal_io buggy seeds 1..700 with --keep-going"},
      {"log-matching", "cnosdb.raft_wal_io buggy seeds 1..700 with --keep-going"},
      {"transaction-atomic", "sqlite.crash_recovery wal-off-machine and delete-off-machine seeds 1..150 "
                             "(and 1..60, 1..80 with --keep-going)"},
      // Guards of the harness's own contract, reached only if a scenario or engine breaks it.
      {"clean-close", "leveldb.crash_recovery: every variant's pinned seeds (a LevelDB close that never returned)"},
      {"recovers", "sqlite.crash_recovery: its final read never completed (a hung recovery)"},
      {"writes-return", "leveldb.crash_recovery: a put still inside LevelDB 30 s after the heal (a hung write)"},
  };
  return unreached;
}

// Every invariant named by a literal where a verdict is made in the source (scenarios/, model/,
// sim/, faults/): Fail("x", ...), a Raft checker's Add("x", ...), invariant = "x",
// KernelViolation{"x", ...}, and the writer checks' invariant arguments. Catches an invariant a
// scenario checks but declares nowhere (e.g. linearizable, clean-close).
// The invariant literal a verdict call starts with at `at` (just after "Fail(" and the like): spaces
// and, for the writer checks, earlier arguments up to the first string literal on the call; "" if
// the call names no literal.
std::string LiteralAt(const std::string& source, size_t at, bool skip_arguments) {
  while (at < source.size() && (source[at] == ' ' || source[at] == '\n')) ++at;
  if (skip_arguments)
    while (at < source.size() && source[at] != '"' && source[at] != ')') ++at;
  if (at >= source.size() || source[at] != '"') return "";
  const size_t end = source.find('"', at + 1);
  const std::string name = source.substr(at + 1, end == std::string::npos ? 0 : end - at - 1);
  const bool invariant_like = !name.empty() && name[0] >= 'a' && name[0] <= 'z' &&
                              name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") == std::string::npos;
  return invariant_like ? name : "";
}

// Every invariant named by a literal where a verdict is made in the source (scenarios/, model/,
// sim/, faults/): Fail("x", ...), a Raft checker's Add("x", ...), invariant = "x",
// KernelViolation{"x", ...}, and the writer checks' invariant arguments. Catches an invariant a
// scenario checks but declares nowhere (e.g. linearizable, clean-close). (No std::regex: under
// the ASan build GCC 12 warns inside <regex>.)
std::set<std::string> InvariantsInSource() {
  namespace fs = std::filesystem;
  const std::pair<const char*, bool> calls[] = {{"Fail(", false}, {"Add(", false}, {"KernelViolation{", false},
                                                {"invariant = ", false}, {"StopsHaveRivals(", true},
                                                {"OlderWritersFenced(", true}};
  std::set<std::string> out;
  for (const char* dir : {"scenarios", "model", "sim", "faults"}) {
    for (const fs::directory_entry& e : fs::recursive_directory_iterator(fs::path(SEEDBED_SOURCE_DIR) / dir)) {
      const std::string ext = e.path().extension().string();
      if (!e.is_regular_file() || (ext != ".cc" && ext != ".h")) continue;
      std::ifstream in(e.path());
      std::stringstream text;
      text << in.rdbuf();
      const std::string source = text.str();
      for (const auto& [call, skip] : calls) {
        const std::string token = call;
        for (size_t at = source.find(token); at != std::string::npos; at = source.find(token, at + 1)) {
          const bool word_start = at == 0 || !(std::isalnum(static_cast<unsigned char>(source[at - 1])) || source[at - 1] == '_');
          if (!word_start) continue;
          if (std::string name = LiteralAt(source, at + token.size(), skip); !name.empty()) out.insert(name);
        }
      }
    }
  }
  return out;
}

// Every invariant the code declares: each registered scenario's expected invariants, the
// harness's own verdicts, and every invariant a verdict in the source names.
std::set<std::string> DeclaredInvariants() {
  std::set<std::string> out = InvariantsInSource();
  for (const ScenarioInfo& info : Registry::Get().List())
    for (const auto& [variant, invariants] : info.expected_invariants) out.insert(invariants.begin(), invariants.end());
  for (std::string_view name : HarnessInvariants()) out.emplace(name);
  return out;
}

RunReport Run(const Pinned& p) {
  RunConfig c;
  c.scenario = p.scenario;
  c.variant = p.variant;
  c.seed = p.seed;
  c.keep_events = true;
  c.keep_going = p.keep_going;
  if (p.event_budget > 0) c.event_budget = p.event_budget;
  absl::StatusOr<RunReport> r = RunOnce(c);
  REQUIRE(r.ok());
  return *std::move(r);
}

}  // namespace

TEST_CASE("violation names: every declared invariant has a pinned failing run", "[reports][names]") {
  std::set<std::string> pinned, unreached;
  for (const Pinned& p : PinnedRuns())
    if (Registry::Get().Has(p.scenario)) pinned.insert(p.invariant);
  for (const Unreached& u : UnreachedInvariants()) unreached.insert(u.invariant);
  const std::set<std::string> declared = DeclaredInvariants();
  for (const std::string& invariant : declared) {
    INFO("invariant " << invariant << " is declared (a scenario's expected_invariants or HarnessInvariants) "
                      "but tests/reports/violation_names_test.cc pins no failing run of it: add one");
    CHECK(pinned.count(invariant) + unreached.count(invariant) == 1);
  }
  // Nothing pinned or listed as unreached that the code no longer declares (a renamed invariant).
  for (const std::string& invariant : pinned) {
    INFO("pinned invariant " << invariant << " is declared nowhere");
    CHECK(declared.count(invariant) == 1);
  }
  for (const Unreached& u : UnreachedInvariants()) {
    INFO("invariant " << u.invariant << " is listed as unreached (" << u.searched << ")");
    CHECK(declared.count(u.invariant) == 1);
    CHECK(pinned.count(u.invariant) == 0);
  }
}

TEST_CASE("violation names: each pinned violation names an op or object its report shows", "[reports][names]") {
  for (const Pinned& p : PinnedRuns()) {
    if (!Registry::Get().Has(p.scenario)) continue;  // leveldb.* when built without LevelDB
    const RunReport r = Run(p);
    INFO(p.scenario << " [" << p.variant << "] seed " << r.config.seed << " (" << p.bug << "): " << p.invariant);
    size_t found = 0;
    for (const Violation& v : r.violations) {
      if (v.invariant != p.invariant) continue;
      ++found;
      INFO("violation: " << v.message << "; ops " << v.ops.size() << ", objects " << v.objects.size());
      const reports::internal::NamedItems n = reports::internal::CountNamed(r, v);
      INFO("outlined: " << n.ops << " history ops, " << n.spans << " spans, " << n.holds << " holds, " << n.events
                        << " events, " << n.bands << " state bands, " << n.tasks << " task lanes");
      CHECK(v.ops.size() + v.objects.size() > 0);
      CHECK(n.total() > 0);
      const size_t history_ops = r.history ? r.history->ops().size() : 0;
      for (uint64_t id : v.ops) CHECK(id < history_ops);
    }
    CHECK(found > 0);
  }
}

}  // namespace seedbed
