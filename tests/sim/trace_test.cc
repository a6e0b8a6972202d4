// The trace: its hash covers every field, FirstDivergence finds where two logs part.
#include <catch2/catch.hpp>

#include "sim/trace.h"

namespace seedbed {
namespace {

Trace Sample(bool keep) {
  Trace t(keep);
  t.Add(0, 0, 0, EventKind::kSpawn, "boot");
  t.Add(0, 0, 0, EventKind::kStep);
  t.Add(1000, 0, 1, EventKind::kBlock, "mutex a held by p/boot");
  t.Add(2000, ~0u, ~0u, EventKind::kTimer);
  return t;
}

TEST_CASE("Trace: equal logs hash equal; every field changes the hash", "[trace]") {
  const Trace a = Sample(true);
  const Trace b = Sample(false);
  CHECK(a.hash() == b.hash());
  CHECK(a.count() == 4);
  CHECK(b.count() == 4);
  CHECK(a.events().size() == 4);
  CHECK(b.events().empty());
  CHECK(!Trace::FirstDivergence(a, Sample(true)).has_value());

  auto variant = [](int field) {
    Trace t = Sample(true);
    switch (field) {
      case 0: t.Add(1, 0, 0, EventKind::kNote, "x"); break;
      case 1: t.Add(0, 1, 0, EventKind::kNote, "x"); break;
      case 2: t.Add(0, 0, 1, EventKind::kNote, "x"); break;
      case 3: t.Add(0, 0, 0, EventKind::kProbe, "x"); break;
      case 4: t.Add(0, 0, 0, EventKind::kNote, "y"); break;
      default: t.Add(0, 0, 0, EventKind::kNote, "x"); break;
    }
    return t.hash();
  };
  const uint64_t base = variant(-1);
  for (int field = 0; field < 5; ++field) CHECK(variant(field) != base);
  // Order matters too.
  Trace x, y;
  x.Add(1, 0, 0, EventKind::kStep);
  x.Add(2, 0, 0, EventKind::kStep);
  y.Add(2, 0, 0, EventKind::kStep);
  y.Add(1, 0, 0, EventKind::kStep);
  CHECK(x.hash() != y.hash());
}

TEST_CASE("Trace: FirstDivergence names the first differing event", "[trace]") {
  Trace a = Sample(true);
  Trace b = Sample(true);
  a.Add(3000, 1, 2, EventKind::kNote, "same");
  b.Add(3000, 1, 2, EventKind::kNote, "other");
  REQUIRE(Trace::FirstDivergence(a, b).has_value());
  CHECK(*Trace::FirstDivergence(a, b) == 4);
  CHECK(Trace::Describe(a.events()[4]) == "t=3000ns p1/t2 note same");
  CHECK(Trace::Describe(a.events()[3]) == "t=2000ns kernel timer");

  Trace shorter = Sample(true);
  REQUIRE(Trace::FirstDivergence(a, shorter).has_value());
  CHECK(*Trace::FirstDivergence(a, shorter) == 4);  // one log ended early
}

TEST_CASE("Trace: without events only the summary is compared", "[trace]") {
  Trace a = Sample(false);
  Trace b = Sample(false);
  CHECK(!Trace::FirstDivergence(a, b).has_value());
  b.Add(5, 0, 0, EventKind::kStep);
  CHECK(Trace::FirstDivergence(a, b).has_value());
  CHECK(EventKindName(EventKind::kViolation) == "violation");
}

}  // namespace
}  // namespace seedbed
