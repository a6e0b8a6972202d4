// Tests of the history checkers: each case builds a small history by hand whose verdict is known.
#include <catch2/catch.hpp>

#include "scenarios/checks/history_checks.h"

namespace seedbed {
namespace {

uint64_t Put(History& h, const char* key, const char* value, int64_t t0, int64_t t1,
             OpStatus status = OpStatus::kOk) {
  uint64_t id = h.Invoke("c", OpType::kPut, key, value, t0);
  if (status == OpStatus::kOk) h.Ok(id, t1);
  if (status == OpStatus::kFailed) h.Fail(id, t1, "error");
  if (status == OpStatus::kUnknown) h.Unknown(id, t1, "timeout");
  return id;
}

uint64_t Get(History& h, const char* key, std::optional<std::string> read, int64_t t0, int64_t t1,
             bool final_read = false) {
  uint64_t id = h.Invoke(final_read ? "final-read" : "c", OpType::kGet, key, "", t0);
  h.Ok(id, t1, std::move(read));
  if (final_read) h.MarkFinalRead(id);
  return id;
}

}  // namespace

TEST_CASE("lost writes: the latest acknowledged value survives recovery", "[checks]") {
  History h;
  Put(h, "k", "a", 0, 10);
  Put(h, "k", "b", 20, 30);
  Get(h, "k", "b", 100, 110, true);
  Verdict v;
  checks::NoLostAcknowledgedWrites(h, v);
  CHECK(v.ok());
}

TEST_CASE("lost writes: an older value after recovery means the newer ack was lost", "[checks]") {
  History h;
  Put(h, "k", "a", 0, 10);
  uint64_t lost = Put(h, "k", "b", 20, 30);
  Get(h, "k", "a", 100, 110, true);
  Verdict v;
  checks::NoLostAcknowledgedWrites(h, v);
  REQUIRE_FALSE(v.ok());
  CHECK(v.first()->invariant == "no-lost-acknowledged-writes");
  CHECK(std::find(v.first()->ops.begin(), v.first()->ops.end(), lost) != v.first()->ops.end());
}

TEST_CASE("lost writes: absent after recovery with an acknowledged put and no delete", "[checks]") {
  History h;
  Put(h, "k", "a", 0, 10);
  Get(h, "k", std::nullopt, 100, 110, true);
  Verdict v;
  checks::NoLostAcknowledgedWrites(h, v);
  CHECK_FALSE(v.ok());
}

TEST_CASE("lost writes: concurrent acknowledged writes may land in either order", "[checks]") {
  History h;
  Put(h, "k", "a", 0, 30);
  Put(h, "k", "b", 10, 20);  // overlaps a: either order is fine
  Get(h, "k", "a", 100, 110, true);
  Verdict v;
  checks::NoLostAcknowledgedWrites(h, v);
  CHECK(v.ok());
}

TEST_CASE("lost writes: a value never written, or whose write failed, is a violation", "[checks]") {
  History h;
  Put(h, "k", "a", 0, 10, OpStatus::kFailed);
  Get(h, "k", "a", 100, 110, true);
  Get(h, "j", "zzz", 100, 110, true);
  Verdict v;
  checks::NoLostAcknowledgedWrites(h, v);
  CHECK(v.violations().size() == 2);
}

TEST_CASE("lost writes: an unknown write may or may not show", "[checks]") {
  History h;
  Put(h, "k", "a", 0, 10);
  Put(h, "k", "b", 20, 30, OpStatus::kUnknown);
  Get(h, "k", "b", 100, 110, true);
  Verdict v1;
  checks::NoLostAcknowledgedWrites(h, v1);
  CHECK(v1.ok());
}

TEST_CASE("linearizable: sequential reads see the last write", "[checks]") {
  History h;
  Put(h, "k", "a", 0, 10);
  Get(h, "k", "a", 20, 30);
  Put(h, "k", "b", 40, 50);
  Get(h, "k", "b", 60, 70);
  Verdict v;
  checks::Linearizable(h, v);
  CHECK(v.ok());
}

TEST_CASE("linearizable: a stale read after a completed write is not", "[checks]") {
  History h;
  Put(h, "k", "a", 0, 10);
  Put(h, "k", "b", 20, 30);
  Get(h, "k", "a", 40, 50);
  Verdict v;
  checks::Linearizable(h, v);
  REQUIRE_FALSE(v.ok());
  CHECK(v.first()->invariant == "linearizable");
  CHECK(v.first()->evidence.size() == 3);
}

TEST_CASE("linearizable: a read concurrent with a write may see either value", "[checks]") {
  History h;
  Put(h, "k", "a", 0, 10);
  Put(h, "k", "b", 20, 60);
  Get(h, "k", "a", 30, 40);
  Get(h, "k", "b", 45, 50);
  Verdict v;
  checks::Linearizable(h, v);
  CHECK(v.ok());
}

TEST_CASE("linearizable: reads cannot go back once a newer value was read", "[checks]") {
  History h;
  Put(h, "k", "a", 0, 10);
  Put(h, "k", "b", 20, 100);
  Get(h, "k", "b", 30, 40);
  Get(h, "k", "a", 50, 60);  // after b was observed, a cannot come back
  Verdict v;
  checks::Linearizable(h, v);
  CHECK_FALSE(v.ok());
}

TEST_CASE("linearizable: an unknown write may take effect late or never", "[checks]") {
  History h;
  Put(h, "k", "a", 0, 10);
  Put(h, "k", "b", 20, 30, OpStatus::kUnknown);
  Get(h, "k", "a", 40, 50);
  Get(h, "k", "b", 60, 70);  // b took effect between the reads
  Verdict v;
  checks::Linearizable(h, v);
  CHECK(v.ok());
}

TEST_CASE("linearizable: deletes make a key absent", "[checks]") {
  History h;
  Put(h, "k", "a", 0, 10);
  uint64_t d = h.Invoke("c", OpType::kDelete, "k", "", 20);
  h.Ok(d, 30);
  Get(h, "k", std::nullopt, 40, 50);
  Verdict ok;
  checks::Linearizable(h, ok);
  CHECK(ok.ok());
  Get(h, "k", "a", 60, 70);
  Verdict bad;
  checks::Linearizable(h, bad);
  CHECK_FALSE(bad.ok());
}

}  // namespace seedbed

namespace seedbed {

TEST_CASE("lost writes: a write acknowledged after the final read began need not be visible", "[checks]") {
  History h;
  Put(h, "k", "a", 0, 10);
  Get(h, "k", "a", 100, 110, true);
  Put(h, "k", "b", 90, 120);  // still in flight when the read began: either outcome is fine
  Verdict v;
  checks::NoLostAcknowledgedWrites(h, v);
  CHECK(v.ok());
  History late;
  Put(late, "k", "a", 0, 10);
  Put(late, "k", "b", 20, 30);  // acknowledged before the read began: must be visible
  Get(late, "k", "a", 100, 110, true);
  Verdict lost;
  checks::NoLostAcknowledgedWrites(late, lost);
  CHECK_FALSE(lost.ok());
}

}  // namespace seedbed

namespace seedbed {

TEST_CASE("linearizable: many unread writes of unknown outcome stay cheap and change nothing", "[checks]") {
  History h;
  Put(h, "k", "a", 0, 10);
  for (int i = 0; i < 60; ++i) {
    std::string value = "lost" + std::to_string(i);
    Put(h, "k", value.c_str(), 20 + i, 30 + i, OpStatus::kUnknown);
  }
  Get(h, "k", "a", 200, 210);
  Verdict ok;
  checks::Linearizable(h, ok);
  CHECK(ok.ok());
  CHECK(ok.notes().empty());  // concluded within the search budget
  Put(h, "k", "b", 300, 310);
  Get(h, "k", "a", 400, 410);  // stale after an acknowledged write: still caught
  Verdict bad;
  checks::Linearizable(h, bad);
  CHECK_FALSE(bad.ok());
}

}  // namespace seedbed
