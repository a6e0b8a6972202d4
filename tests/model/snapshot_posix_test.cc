// rqlite's snapshot store on the real disk (POSIX sharing): create full and incremental
// snapshots, stream one, reap; the lock policies of rqlite #1774 / PRs #1775, #1776.
#include <catch2/catch.hpp>

#include "model/env/posix/posix_env.h"
#include "model/snapshot/snapshot_store.h"
#include "test_util.h"

using model_test::TempDir;

namespace {

model::SnapshotMeta Meta(uint64_t index, bool full) {
  model::SnapshotMeta meta;
  meta.term = 1;
  meta.index = index;
  meta.time_ms = 1000 + index;
  meta.full = full;
  return meta;
}

absl::Status MakeSnapshot(model::SnapshotStore& store, uint64_t index, bool full,
                          const std::string& data) {
  auto sink = store.Create(Meta(index, full));
  if (!sink.ok()) return sink.status();
  absl::Status s = (*sink)->Write(data);
  if (!s.ok()) return s;
  return (*sink)->Close();
}

}  // namespace

TEST_CASE("snapshot store on posix: full, incremental, stream, reap", "[snapshot][posix]") {
  TempDir dir;
  model::PosixEnv posix(dir.path());
  model::SnapshotStore store(posix.env(), "snapshots", model::SnapshotLockPolicy::kReadersWriter);
  REQUIRE(store.Init().ok());
  CHECK(*store.FullNeeded());
  CHECK(absl::IsFailedPrecondition(MakeSnapshot(store, 5, /*full=*/false, "x")));
  REQUIRE(MakeSnapshot(store, 10, /*full=*/true, "base;").ok());
  CHECK(!*store.FullNeeded());
  REQUIRE(MakeSnapshot(store, 20, /*full=*/false, "more;").ok());
  auto listed = store.List();
  REQUIRE(listed.ok());
  REQUIRE(listed->size() == 1);  // the older one was reaped
  const std::string id = listed->back().id();
  CHECK(id == "1-20-1020");
  CHECK(*posix.fs()->List("snapshots") == std::vector<std::string>{id, id + ".db"});
  auto reader = store.Open(id);
  REQUIRE(reader.ok());
  CHECK(*(*reader)->ReadAll(3) == "base;more;");  // the WAL was checkpointed into the db
  REQUIRE((*reader)->Close().ok());
  REQUIRE((*reader)->Close().ok());  // idempotent
  CHECK(absl::IsNotFound(store.Open("9-9-9").status()));
}

TEST_CASE("snapshot store on posix: a leftover .tmp is removed by Init", "[snapshot][posix]") {
  TempDir dir;
  model::PosixEnv posix(dir.path());
  {
    model::SnapshotStore store(posix.env(), "snapshots", model::SnapshotLockPolicy::kTryLock);
    REQUIRE(store.Init().ok());
    auto sink = store.Create(Meta(1, true));
    REQUIRE(sink.ok());
    REQUIRE((*sink)->Write("partial").ok());
  }  // abandoned mid-write
  model::SnapshotStore store(posix.env(), "snapshots", model::SnapshotLockPolicy::kTryLock);
  REQUIRE(store.Init().ok());
  CHECK(*posix.fs()->List("snapshots") == std::vector<std::string>{"FULL_NEEDED"});
}

TEST_CASE("rqlite PR #1775 on posix: create and open share one try-lock", "[snapshot][posix]") {
  TempDir dir;
  model::PosixEnv posix(dir.path());
  model::SnapshotStore store(posix.env(), "snapshots", model::SnapshotLockPolicy::kTryLock);
  REQUIRE(store.Init().ok());
  REQUIRE(MakeSnapshot(store, 1, true, "s1").ok());
  auto reader = store.Open("1-1-1001");
  REQUIRE(reader.ok());
  auto busy = store.Create(Meta(2, false));
  CHECK(absl::IsUnavailable(busy.status()));
  CHECK(absl::IsUnavailable(store.Open("1-1-1001").status()));  // one holder at a time
  CHECK(store.lock_conflicts() == 2);
  REQUIRE((*reader)->Close().ok());
  REQUIRE(MakeSnapshot(store, 2, false, "+s2").ok());  // the retry succeeds
}

TEST_CASE("rqlite PR #1776 on posix: many readers, one writer", "[snapshot][posix]") {
  TempDir dir;
  model::PosixEnv posix(dir.path());
  model::SnapshotStore store(posix.env(), "snapshots", model::SnapshotLockPolicy::kReadersWriter);
  REQUIRE(store.Init().ok());
  REQUIRE(MakeSnapshot(store, 1, true, "s1").ok());
  auto r1 = store.Open("1-1-1001");
  auto r2 = store.Open("1-1-1001");
  REQUIRE(r1.ok());
  REQUIRE(r2.ok());
  CHECK(absl::IsUnavailable(store.Create(Meta(2, false)).status()));
  REQUIRE((*r1)->Close().ok());
  CHECK(absl::IsUnavailable(store.Create(Meta(2, false)).status()));
  r2->reset();  // destroying a reader releases its lock too
  auto sink = store.Create(Meta(2, false));
  REQUIRE(sink.ok());
  CHECK(absl::IsUnavailable(store.Open("1-1-1001").status()));  // a writer excludes readers
  REQUIRE((*sink)->Write("+s2").ok());
  REQUIRE((*sink)->Close().ok());
}

TEST_CASE("rqlite #1774 on posix: with no lock the checkpoint changes a file being streamed",
          "[snapshot][posix]") {
  TempDir dir;
  model::PosixEnv posix(dir.path());
  model::SnapshotStore store(posix.env(), "snapshots", model::SnapshotLockPolicy::kNone);
  REQUIRE(store.Init().ok());
  REQUIRE(MakeSnapshot(store, 1, true, "0123456789").ok());
  auto reader = store.Open("1-1-1001");
  REQUIRE(reader.ok());
  std::string streamed = *(*reader)->Next(4);
  // On Linux the rename of the open S1.db succeeds, so S2 commits while the stream is open...
  REQUIRE(MakeSnapshot(store, 2, false, "abc").ok());
  streamed += *(*reader)->ReadAll(4);
  // ...and the checkpoint appended to the very file the reader holds: the stream is not S1.
  CHECK(streamed == "0123456789abc");
  CHECK(streamed != "0123456789");
}
