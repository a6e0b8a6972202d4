// Leases on the timeline (Runtime::HoldBegin / HoldEnd): a SlateDB writer holds its epoch from the
// manifest write that made it writer until it learns it is fenced (or closes, or crashes), a Raft
// leader its term; the reports draw them as spans, the violations about them name them, and
// recording them (like the manifest's state band) changes no seed's trace hash.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "reports/internal.h"
#include "scenarios/harness/runner.h"
#include "scenarios/testing/testing.h"

namespace seedbed {
namespace {

RunReport Run(const char* scenario, const char* variant, uint64_t seed, bool keep_events = true) {
  RunConfig c;
  c.keep_events = keep_events;
  return testing::RequireRun(scenario, variant, seed, c);
}

std::vector<reports::internal::Hold> Leases(const RunReport& r) {
  std::vector<reports::internal::Hold> out;
  for (const reports::internal::Hold& h : reports::internal::AllHolds(r))
    if (h.kind == "lease") out.push_back(h);
  return out;
}

const reports::internal::Hold* Find(const std::vector<reports::internal::Hold>& leases, const std::string& label) {
  auto it = std::find_if(leases.begin(), leases.end(), [&](const auto& h) { return h.label == label; });
  return it == leases.end() ? nullptr : &*it;
}

}  // namespace

TEST_CASE("leases: two SlateDB writers' epochs overlap when the older is a zombie (PR #271)", "[reports][leases]") {
  // slatedb.zombie_writer buggy-271 seed 56: the epoch is written before the next WAL id is read,
  // so the older writer acknowledges a write above the newer one's fence.
  const RunReport r = Run("slatedb.zombie_writer", "buggy-271", 56);
  REQUIRE(r.invariant() == "single-writer");
  const auto leases = Leases(r);
  const auto* old_epoch = Find(leases, "writer epoch 1 (cluster/)");
  const auto* new_epoch = Find(leases, "writer epoch 2 (cluster/)");
  REQUIRE(old_epoch != nullptr);
  REQUIRE(new_epoch != nullptr);
  CHECK(old_epoch->start_ns < new_epoch->start_ns);
  CHECK(old_epoch->end_ns > new_epoch->start_ns);  // the zombie window
  // The violation names both leases, and the reports outline them.
  const Violation& v = *r.first_violation();
  CHECK(std::count(v.objects.begin(), v.objects.end(), "lease writer epoch 1 (cluster/)") == 1);
  CHECK(std::count(v.objects.begin(), v.objects.end(), "lease writer epoch 2 (cluster/)") == 1);
  CHECK(old_epoch->named);
  CHECK(new_epoch->named);
  // The manifest each writer wrote, as a state band.
  size_t manifest_bands = 0;
  for (const reports::internal::StateMarkRow& m : reports::internal::AllStates(r))
    manifest_bands += m.key == "manifest cluster/";
  CHECK(manifest_bands >= 2);
}

TEST_CASE("leases: a Raft leader holds its term; the leader the violation names is outlined", "[reports][leases]") {
  // cnosdb.raft_wal_io buggy seed 4: n2 leads group 1 in term 2 without a committed entry.
  const RunReport r = Run("cnosdb.raft_wal_io", "buggy", 4);
  REQUIRE(r.invariant() == "leader-completeness");
  const auto leases = Leases(r);
  const auto* term2 = Find(leases, "raft g1 leader term 2");
  REQUIRE(term2 != nullptr);
  CHECK(term2->named);
  CHECK(term2->end_ns > term2->start_ns);
  size_t leaders = 0, named = 0;
  for (const auto& h : leases) {
    leaders += h.label.rfind("raft g", 0) == 0;
    named += h.named;
  }
  CHECK(leaders >= 2);
  CHECK(named == 1);  // "raft g1" names the group's bands, not every leader's lease
}

TEST_CASE("leases: recording leases and state bands changes no trace hash", "[reports][leases]") {
  // The hashes these runs had before leases and the manifest band were recorded (main at d609639).
  struct Pinned {
    const char* scenario;
    const char* variant;
    uint64_t seed;
    uint64_t hash;
  };
  const Pinned pinned[] = {
      {"cnosdb.raft_wal_io", "buggy", 4, 0xacec4b3f79a0cc8cull},
      {"slatedb.zombie_writer", "buggy-1622", 17, 0x626cb86ecb1d9821ull},
      {"slatedb.wal_id_last_seen", "buggy", 39, 0xecb0c6a99421ebb7ull},
      {"slatedb.zombie_writer", "buggy-271", 56, 0x12c5a5b527081707ull},
  };
  for (const Pinned& p : pinned) {
    INFO(p.scenario << " [" << p.variant << "] seed " << p.seed);
    const RunReport kept = Run(p.scenario, p.variant, p.seed, true);
    const RunReport plain = Run(p.scenario, p.variant, p.seed, false);
    CHECK(kept.trace_hash == p.hash);
    CHECK(plain.trace_hash == p.hash);
  }
}

}  // namespace seedbed
