// The decision source: pinned first outputs of seed 1 (a changed PRNG or distribution breaks every
// saved seed, so it must break this test first), recording rules, replay, and distribution shape.
// The pinned numbers were cross-checked against an independent Python transcription of splitmix64,
// xoshiro256** and Lemire's method.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <vector>

#include "sim/decisions.h"

namespace seedbed {
namespace {

TEST_CASE("Rng: first outputs of seed 1 are pinned", "[decisions]") {
  Rng rng(1);
  CHECK(rng.Next() == 12966619160104079557ull);
  CHECK(rng.Next() == 9600361134598540522ull);
  CHECK(rng.Next() == 10590380919521690900ull);
  CHECK(rng.Next() == 7218738570589545383ull);

  Rng below(1);
  std::vector<uint64_t> got;
  for (int i = 0; i < 8; ++i) got.push_back(below.Below(10));
  CHECK(got == std::vector<uint64_t>{7, 5, 5, 3, 6, 1, 0, 3});

  Rng unit(1);
  CHECK(unit.Unit() == Approx(0.7029218331588505).epsilon(1e-15));
  CHECK(unit.Unit() == Approx(0.5204366199388569).epsilon(1e-15));
}

TEST_CASE("Decisions: first draws of seed 1 are pinned and recorded as outcomes", "[decisions]") {
  Decisions d(1, nullptr);
  CHECK(d.Uniform(6, DecisionKind::kSchedule) == 4);
  CHECK(d.Bernoulli(0.5, DecisionKind::kFault) == false);
  CHECK(d.Between(10, 20, DecisionKind::kLatency) == 16);
  CHECK(d.Exponential(1000.0, DecisionKind::kLatency) == 496);
  CHECK(d.LogNormal(1000.0, 0.5, DecisionKind::kLatency) == 1615);
  const DecisionList expected = {{4, DecisionKind::kSchedule},
                                 {0, DecisionKind::kFault},
                                 {6, DecisionKind::kLatency},  // Between: offset from lo
                                 {496, DecisionKind::kLatency},
                                 {1615, DecisionKind::kLatency}};
  REQUIRE(d.recorded().size() == expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    CHECK(d.recorded()[i].value == expected[i].value);
    CHECK(d.recorded()[i].kind == expected[i].kind);
  }
  // Uniform draws keep their kind's one stream; the others name their shape (distinct here).
  CHECK(d.recorded()[0].site == 0);
  for (size_t i = 1; i < expected.size(); ++i) CHECK(d.recorded()[i].site != 0);
  CHECK(d.recorded()[2].site != d.recorded()[3].site);
  CHECK(d.recorded()[3].site != d.recorded()[4].site);
  CHECK(d.seed() == 1);
}

TEST_CASE("Decisions: sites depend on the shape and on the drawing task, not on the outcome", "[decisions]") {
  Decisions d(5, nullptr);
  d.Between(0, 100, DecisionKind::kUser);
  d.Between(0, 100, DecisionKind::kUser);
  d.Between(0, 101, DecisionKind::kUser);
  d.set_context(Decisions::ContextOf("node-a", "client", 0));
  d.Between(0, 100, DecisionKind::kUser);
  d.set_context(Decisions::ContextOf("node-a", "client", 1));  // after a restart: another stream
  d.Between(0, 100, DecisionKind::kUser);
  d.Between(0, 7, DecisionKind::kUser, /*tag=*/42);
  d.Between(0, 9, DecisionKind::kUser, /*tag=*/42);  // tagged: the span does not name the site
  const DecisionList& r = d.recorded();
  REQUIRE(r.size() == 7);
  CHECK(r[0].site == r[1].site);
  CHECK(r[0].site != r[2].site);
  CHECK(r[3].site != r[0].site);
  CHECK(r[4].site != r[3].site);
  CHECK(r[5].site == r[6].site);
  CHECK(Decisions::ContextOf("node-a", "client", 0) == Decisions::ContextOf("node-a", "client", 0));
  CHECK(Decisions::ContextOf("node-a", "client", 0) != Decisions::ContextOf("node-b", "client", 0));
}

// Issue 17: "removing one fault must not shift every later decision". Recorded: fault, latency,
// fault, latency, ... interleaved; replayed by site with the first fault removed from the list,
// every latency still gets its own value (by position, each would take its neighbour's).
TEST_CASE("Decisions: replay by site drops one decision without shifting the others", "[decisions]") {
  Decisions original(9, nullptr);
  for (int i = 0; i < 6; ++i) {
    original.Bernoulli(0.5, DecisionKind::kFault);
    original.Between(1000, 1'000'000, DecisionKind::kLatency);
    original.Uniform(4, DecisionKind::kSchedule);
  }
  DecisionList edited = original.recorded();
  REQUIRE(edited.size() == 18);
  edited.erase(edited.begin());  // the first fault decision, alone
  Decisions by_site(9, &edited, ReplayOptions{ReplayMatch::kBySite, ReplayTail::kDefault});
  Decisions by_position(9, &edited, ReplayOptions{ReplayMatch::kByPosition, ReplayTail::kDefault});
  int latencies_kept = 0, latencies_kept_by_position = 0;
  for (int i = 0; i < 6; ++i) {
    by_site.Bernoulli(0.5, DecisionKind::kFault);
    by_position.Bernoulli(0.5, DecisionKind::kFault);
    const int64_t want = 1000 + static_cast<int64_t>(original.recorded()[3 * i + 1].value);
    latencies_kept += by_site.Between(1000, 1'000'000, DecisionKind::kLatency) == want;
    latencies_kept_by_position += by_position.Between(1000, 1'000'000, DecisionKind::kLatency) == want;
    CHECK(by_site.Uniform(4, DecisionKind::kSchedule) == original.recorded()[3 * i + 2].value);
    by_position.Uniform(4, DecisionKind::kSchedule);
  }
  CHECK(latencies_kept == 6);
  CHECK(latencies_kept_by_position < 6);
  CHECK(by_site.replay_mismatches() == 0);
  // The fault stream moved up by one, and its end defaulted to "no fault".
  for (int i = 0; i < 5; ++i) CHECK(by_site.recorded()[3 * i].value == original.recorded()[3 * (i + 1)].value);
  CHECK(by_site.recorded()[15].value == 0);
}

TEST_CASE("Decisions: a used-up list defaults to 0 with ReplayTail::kDefault", "[decisions]") {
  const DecisionList one = {{1, DecisionKind::kSchedule}};
  Decisions d(11, &one, ReplayOptions{ReplayMatch::kBySite, ReplayTail::kDefault});
  CHECK(d.Uniform(5, DecisionKind::kSchedule) == 1);
  for (int i = 0; i < 100; ++i) {
    CHECK(d.Uniform(5, DecisionKind::kSchedule) == 0);
    CHECK_FALSE(d.Bernoulli(0.9, DecisionKind::kFault));
    CHECK(d.Between(7, 70, DecisionKind::kLatency) == 7);
    CHECK(d.LogNormal(1e6, 1.0, DecisionKind::kLatency) == 0);
  }
  // With the seed's tail the same list goes on with the PRNG: not all zero.
  Decisions seeded(11, &one, ReplayOptions{ReplayMatch::kBySite, ReplayTail::kSeed});
  seeded.Uniform(5, DecisionKind::kSchedule);
  uint64_t sum = 0;
  for (int i = 0; i < 100; ++i) sum += seeded.Uniform(5, DecisionKind::kSchedule);
  CHECK(sum > 0);
}

TEST_CASE("CompactForDefaultTail drops the defaults that end each site's stream", "[decisions]") {
  const DecisionList list = {{0, DecisionKind::kSchedule}, {3, DecisionKind::kLatency, 7},
                             {2, DecisionKind::kSchedule}, {0, DecisionKind::kLatency, 7},
                             {0, DecisionKind::kSchedule}, {0, DecisionKind::kFault, 9}};
  const DecisionList want = {{0, DecisionKind::kSchedule}, {3, DecisionKind::kLatency, 7},
                             {2, DecisionKind::kSchedule}};
  CHECK(CompactForDefaultTail(list) == want);
  CHECK(CompactForDefaultTail(DecisionList(5, Decision{0, DecisionKind::kSchedule})).empty());
}

TEST_CASE("Decisions: draws that cannot vary are not recorded", "[decisions]") {
  Decisions d(7, nullptr);
  CHECK(d.Uniform(1, DecisionKind::kSchedule) == 0);
  CHECK(d.Uniform(0, DecisionKind::kSchedule) == 0);
  CHECK(d.Bernoulli(0.0, DecisionKind::kFault) == false);
  CHECK(d.Bernoulli(-1.0, DecisionKind::kFault) == false);
  CHECK(d.Bernoulli(1.0, DecisionKind::kFault) == true);
  CHECK(d.Between(5, 5, DecisionKind::kLatency) == 5);
  CHECK(d.Exponential(0.0, DecisionKind::kLatency) == 0);
  CHECK(d.LogNormal(100.0, 0.0, DecisionKind::kLatency) == 100);
  CHECK(d.recorded().empty());
  // And the PRNG did not move: the next draw equals a fresh object's first.
  Decisions fresh(7, nullptr);
  CHECK(d.Uniform(1000, DecisionKind::kUser) == fresh.Uniform(1000, DecisionKind::kUser));
}

TEST_CASE("Decisions: replay consumes the list, clamps, counts mismatches, then falls back",
          "[decisions]") {
  const DecisionList replay = {{2, DecisionKind::kSchedule},
                               {9, DecisionKind::kSchedule},   // out of range for n = 3: clamps to 2
                               {1, DecisionKind::kFault},      // kind differs: still used, counted
                               {0, DecisionKind::kLatency}};   // Between: 0 means lo
  Decisions d(1, &replay);
  CHECK(d.Uniform(3, DecisionKind::kSchedule) == 2);
  CHECK(d.Uniform(3, DecisionKind::kSchedule) == 2);
  CHECK(d.Bernoulli(0.5, DecisionKind::kWake) == true);
  CHECK(d.Between(100, 200, DecisionKind::kLatency) == 100);
  CHECK(d.replay_used() == 4);
  CHECK(d.replay_mismatches() == 2);
  // Past the list the seed's PRNG answers, in step with an unreplayed run of the same seed (the
  // PRNG is drawn during replay too), so a replayed prefix continues exactly like the original.
  Decisions original(1, nullptr);
  original.Uniform(3, DecisionKind::kSchedule);
  original.Uniform(3, DecisionKind::kSchedule);
  original.Bernoulli(0.5, DecisionKind::kWake);
  original.Between(100, 200, DecisionKind::kLatency);
  CHECK(d.Uniform(1000000, DecisionKind::kUser) == original.Uniform(1000000, DecisionKind::kUser));
  CHECK(d.recorded().size() == 5);
  CHECK(d.recorded()[1].value == 2);  // the clamped value is what was recorded
}

TEST_CASE("Decisions: replayed nanoseconds are used as given", "[decisions]") {
  const DecisionList replay = {{12345, DecisionKind::kLatency}, {0, DecisionKind::kLatency}};
  Decisions d(3, &replay);
  CHECK(d.Exponential(1e6, DecisionKind::kLatency) == 12345);
  CHECK(d.LogNormal(1e6, 1.0, DecisionKind::kLatency) == 0);
  CHECK(d.replay_mismatches() == 0);
}

TEST_CASE("Decisions: distributions have the right shape", "[decisions]") {
  Decisions d(42, nullptr);
  constexpr int kDraws = 200000;
  // Uniform: every bucket near kDraws / 10.
  std::vector<int> buckets(10, 0);
  for (int i = 0; i < kDraws; ++i) ++buckets[d.Uniform(10, DecisionKind::kUser)];
  for (int count : buckets) CHECK(std::abs(count - kDraws / 10) < kDraws / 100);
  // Bernoulli(0.25).
  int hits = 0;
  for (int i = 0; i < kDraws; ++i) hits += d.Bernoulli(0.25, DecisionKind::kFault) ? 1 : 0;
  CHECK(std::abs(hits - kDraws / 4) < kDraws / 100);
  // Exponential: mean.
  double sum = 0;
  for (int i = 0; i < kDraws; ++i) sum += static_cast<double>(d.Exponential(10000.0, DecisionKind::kLatency));
  CHECK(sum / kDraws == Approx(10000.0).epsilon(0.02));
  // Log-normal: median, and the share above median * e^sigma is P(Z > 1) ~ 0.1587.
  std::vector<int64_t> v;
  for (int i = 0; i < kDraws; ++i) v.push_back(d.LogNormal(50000.0, 0.8, DecisionKind::kLatency));
  std::nth_element(v.begin(), v.begin() + kDraws / 2, v.end());
  CHECK(static_cast<double>(v[kDraws / 2]) == Approx(50000.0).epsilon(0.02));
  const double high = 50000.0 * std::exp(0.8);
  const auto above = std::count_if(v.begin(), v.end(), [high](int64_t x) { return x > high; });
  CHECK(static_cast<double>(above) / kDraws == Approx(0.1587).epsilon(0.03));
  // Between covers both ends.
  bool lo = false, hi = false;
  for (int i = 0; i < 1000; ++i) {
    const int64_t x = d.Between(-2, 2, DecisionKind::kUser);
    REQUIRE(x >= -2);
    REQUIRE(x <= 2);
    lo |= x == -2;
    hi |= x == 2;
  }
  CHECK(lo);
  CHECK(hi);
}

TEST_CASE("DecisionKindName names every kind", "[decisions]") {
  CHECK(DecisionKindName(DecisionKind::kSchedule) == "schedule");
  CHECK(DecisionKindName(DecisionKind::kTimerTie) == "timer_tie");
  CHECK(DecisionKindName(DecisionKind::kUser) == "user");
}

}  // namespace
}  // namespace seedbed
