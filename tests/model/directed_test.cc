// Directed tests: each defect option driven to its failure by a hand-written schedule or fault
// (scripted through the decorators in hooks.h, on the real backend), and the fixed setting
// surviving the same schedule. The seeded-simulation versions belong in *_sim_test.cc once the
// simulated World lands.
#include <atomic>
#include <thread>

#include <catch2/catch.hpp>

#include "hooks.h"
#include "model/db/db.h"
#include "model/env/posix/posix_env.h"
#include "model/errors.h"
#include "model/snapshot/snapshot_store.h"
#include "test_util.h"

using model_test::HookStore;
using model_test::Latch;
using model_test::TempDir;

namespace {

constexpr const char* kPrefix = "cluster/";

model::Options Fast(model::Options o = model::Options()) {
  o.flush_interval_ns = 2'000'000;
  o.put_retry_delay_ns = 1'000'000;
  o.put_attempts_max = 5;
  return o;
}

std::string Wal(uint64_t id) { return model::WalPath(kPrefix, id); }

struct Rig {
  TempDir dir;
  model::PosixEnv posix{dir.path()};
  model::Env Hooked(HookStore& hook) {
    model::Env env = posix.env();
    env.store = &hook;
    return env;
  }
};

}  // namespace

TEST_CASE("influxdb3.ambiguous_retry: AlreadyExists after a lost answer", "[directed][influxdb]") {
  const bool read_back = GENERATE(false, true);
  Rig rig;
  HookStore hook(rig.posix.store());
  std::atomic<int> wal1_puts{0};
  hook.after_put = [&](const std::string& path, absl::StatusOr<uint64_t> r) {
    if (path == Wal(1) && wal1_puts++ == 0 && r.ok())  // applied, but the answer is lost
      return absl::StatusOr<uint64_t>(absl::DeadlineExceededError("timeout"));
    return r;
  };
  model::Env env = rig.Hooked(hook);
  model::Options options = Fast(model::Options::InfluxDb3());
  options.ambiguous_retry =
      read_back ? model::AmbiguousRetryAction::kReadBack : model::AmbiguousRetryAction::kConflict;
  auto db = model::Db::Open(env, kPrefix, options);
  REQUIRE(db.ok());
  absl::Status put = (*db)->Put("k", "v");  // a lone writer: no rival exists
  CHECK(wal1_puts == 2);                      // the retry met its own object
  if (read_back) {
    CHECK(put.ok());
    CHECK((*db)->Put("k2", "v2").ok());
  } else {
    CHECK(model::IsShutdown(put));  // upstream: the lone writer stops itself
    CHECK(model::IsShutdown((*db)->Put("k2", "v2")));
  }
}

TEST_CASE("slatedb #433: a failed WAL put leaves a gap only when the id is spent at freeze",
          "[directed][slatedb]") {
  const bool at_freeze = GENERATE(true, false);
  Rig rig;
  HookStore hook(rig.posix.store());
  std::atomic<bool> failed_once{false};
  hook.before_put = [&](const std::string& path) -> std::optional<absl::Status> {
    if (path == Wal(2) && !failed_once.exchange(true)) return absl::UnavailableError("injected");
    return std::nullopt;
  };
  model::Env env = rig.Hooked(hook);
  model::Options options = Fast();
  options.put_attempts_max = 1;
  options.wal_id_assignment =
      at_freeze ? model::WalIdAssignment::kAtFreeze : model::WalIdAssignment::kAtFlush;
  {
    auto db = model::Db::Open(env, kPrefix, options);  // fence at wal/1
    REQUIRE(db.ok());
    CHECK(absl::IsUnavailable((*db)->Put("a", "1")));  // wal/2 fails: not acknowledged
    REQUIRE((*db)->Put("b", "2").ok());
    CHECK(rig.posix.store().Head(Wal(3)).ok() == at_freeze);  // kAtFreeze skipped id 2
  }  // crash (no Close)
  auto reopened = model::Db::Open(env, kPrefix, options);
  if (at_freeze) {
    REQUIRE(absl::IsDataLoss(reopened.status()));
    CHECK_THAT(std::string(reopened.status().message()), Catch::Contains("WAL 2 is missing"));
  } else {
    REQUIRE(reopened.ok());
    CHECK(*(*reopened)->Get("b") == "2");
  }
}

TEST_CASE("slatedb #433: a manifest written while a WAL put stalls runs ahead of the WAL",
          "[directed][slatedb]") {
  const bool at_freeze = GENERATE(true, false);
  Rig rig;
  HookStore hook(rig.posix.store());
  Latch stalled, release;
  hook.before_put = [&](const std::string& path) -> std::optional<absl::Status> {
    if (path == Wal(2) && !stalled.is_open()) {
      stalled.Open();
      release.Wait(10'000);
    }
    return std::nullopt;
  };
  model::Env env = rig.Hooked(hook);
  model::Options options = Fast();
  options.wal_id_assignment =
      at_freeze ? model::WalIdAssignment::kAtFreeze : model::WalIdAssignment::kAtFlush;
  auto db = model::Db::Open(env, kPrefix, options);
  REQUIRE(db.ok());
  std::thread writer([&] { CHECK((*db)->Put("a", "1").ok()); });
  REQUIRE(stalled.Wait(10'000));
  REQUIRE((*db)->FlushMemtable().ok());  // writes a manifest while wal/2 is not durable
  const uint64_t last_seen = (*db)->manifest().manifest.wal_id_last_seen;
  const bool wal2_durable = rig.posix.store().Head(Wal(2)).ok();
  release.Open();
  writer.join();
  CHECK(!wal2_durable);
  // Invariant: wal_id_last_seen <= the highest durable WAL id (1, the fence).
  if (at_freeze) {
    CHECK(last_seen == 2);  // broken
  } else {
    CHECK(last_seen == 1);
  }
  REQUIRE((*db)->Close().ok());
}

TEST_CASE("slatedb #235: flush() on the caller's task fences its own writer",
          "[directed][slatedb]") {
  const bool caller_task = GENERATE(true, false);
  Rig rig;
  HookStore hook(rig.posix.store());
  Latch first_in, second_done;
  std::atomic<int> wal2_puts{0};
  hook.before_put = [&](const std::string& path) -> std::optional<absl::Status> {
    if (path == Wal(2) && wal2_puts++ == 0) {
      first_in.Open();
      second_done.Wait(300);  // hold the first put of wal/2 until a second one lands (or 300 ms)
    }
    return std::nullopt;
  };
  hook.after_put = [&](const std::string& path, absl::StatusOr<uint64_t> r) {
    if (path == Wal(2) && r.ok()) second_done.Open();
    return r;
  };
  model::Env env = rig.Hooked(hook);
  model::Options options = Fast();
  options.flush_interval_ns = 3'600'000'000'000;  // no timer: flushes come from size and Flush()
  options.wal_buffer_bytes_max = 1;               // each write wakes the flush task at once
  options.explicit_flush =
      caller_task ? model::ExplicitFlushMode::kCallerTask : model::ExplicitFlushMode::kFlushTask;
  auto db = model::Db::Open(env, kPrefix, options);
  REQUIRE(db.ok());
  std::thread writer([&] { (void)(*db)->Put("a", "1"); });
  REQUIRE(first_in.Wait(10'000));  // the flush task is writing wal/2
  (void)(*db)->Flush();            // the explicit flush, while it is in flight
  writer.join();
  absl::Status later = (*db)->Put("b", "2");
  if (caller_task) {
    CHECK(wal2_puts == 2);
    CHECK(model::IsFenced(later));  // no other writer exists, yet it reports Fenced
  } else {
    CHECK(wal2_puts == 1);
    CHECK(later.ok());
  }
}

TEST_CASE("slatedb PR #271: two openers both finish opening when the epoch is written first",
          "[directed][slatedb]") {
  const bool epoch_first = GENERATE(true, false);
  Rig rig;
  HookStore hook_a(rig.posix.store());
  Latch a_paused, b_opened;
  hook_a.after_put = [&](const std::string& path, absl::StatusOr<uint64_t> r) {
    if (path == model::ManifestPath(kPrefix, 1) && r.ok()) {  // A wrote epoch 1: pause A
      a_paused.Open();
      b_opened.Wait(10'000);
    }
    return r;
  };
  model::Env env_a = rig.Hooked(hook_a);
  model::Options options = Fast();
  options.open_order = epoch_first ? model::OpenOrder::kEpochFirst : model::OpenOrder::kReadFirst;
  absl::StatusOr<std::unique_ptr<model::Db>> a = absl::UnknownError("not run");
  std::thread opener([&] { a = model::Db::Open(env_a, kPrefix, options); });
  REQUIRE(a_paused.Wait(10'000));
  auto b = model::Db::Open(rig.posix.env(), kPrefix, options);  // B: epoch 2, fence
  REQUIRE(b.ok());
  b_opened.Open();
  opener.join();
  if (epoch_first) {
    REQUIRE(a.ok());  // A (epoch 1) opened after B (epoch 2)
    CHECK((*a)->writer().writer_epoch < (*b)->writer().writer_epoch);
    CHECK((*a)->Put("x", "from-a").ok());  // a stale writer acknowledges
    CHECK(model::IsFenced((*b)->Put("y", "from-b")));  // the newest writer fenced by the stale one
  } else {
    CHECK(model::IsFenced(a.status()));
    CHECK((*b)->Put("y", "from-b").ok());
  }
}

TEST_CASE("slatedb #1622: WAL GC deletes a fence and a stale writer's write is lost",
          "[directed][slatedb]") {
  const bool delete_fences = GENERATE(true, false);
  Rig rig;
  model::Options options = Fast();
  options.wal_gc = delete_fences ? model::WalGcMode::kDeleteAll : model::WalGcMode::kKeepFences;
  auto a = model::Db::Open(rig.posix.env(), kPrefix, options);  // epoch 1, fence wal/1, next 2
  REQUIRE(a.ok());
  auto b = model::Db::Open(rig.posix.env(), kPrefix, options);  // epoch 2, fence wal/2
  REQUIRE(b.ok());
  REQUIRE((*b)->Put("b", "1").ok());      // wal/3
  REQUIRE((*b)->FlushMemtable().ok());    // replay point 3, then GC
  absl::Status stale = (*a)->Put("a", "lost?");  // A's next id is 2
  if (delete_fences) {
    CHECK(stale.ok());  // Create of wal/2 succeeded: acknowledged
  } else {
    CHECK(model::IsFenced(stale));
  }
  REQUIRE((*b)->Close().ok());
  auto c = model::Db::Open(rig.posix.env(), kPrefix, options);
  REQUIRE(c.ok());
  CHECK(absl::IsNotFound((*c)->Get("a").status()));  // the acknowledged write (if any) is gone
  CHECK(*(*c)->Get("b") == "1");
}

TEST_CASE("rqlite #1774: a snapshot committed while another streams, on Windows sharing",
          "[directed][rqlite]") {
  const auto policy = GENERATE(model::SnapshotLockPolicy::kNone, model::SnapshotLockPolicy::kTryLock,
                               model::SnapshotLockPolicy::kReadersWriter);
  Rig rig;
  model_test::WindowsSharingFs windows(*rig.posix.fs());
  model::Env env = rig.posix.env();
  env.fs = &windows;
  model::SnapshotStore store(env, "snapshots", policy);
  REQUIRE(store.Init().ok());
  auto make = [&](uint64_t index, bool full, const std::string& data) -> absl::Status {
    auto sink = store.Create(model::SnapshotMeta{1, index, index, full});
    if (!sink.ok()) return sink.status();
    RETURN_IF_ERROR((*sink)->Write(data));
    return (*sink)->Close();
  };
  REQUIRE(make(1, true, "s1-data").ok());
  auto reader = store.Open("1-1-1");  // a follower streams S1
  REQUIRE(reader.ok());
  std::string streamed = *(*reader)->Next(3);
  absl::Status s2 = make(2, false, "+s2");
  streamed += *(*reader)->ReadAll(3);
  REQUIRE((*reader)->Close().ok());
  CHECK(streamed == "s1-data");  // the stream is S1 as of open
  if (policy == model::SnapshotLockPolicy::kNone) {
    CHECK(absl::IsPermissionDenied(s2));  // rename S1.db -> S2.db hit the open handle
    auto names = *rig.posix.fs()->List("snapshots");
    CHECK(names == std::vector<std::string>{"1-1-1", "1-1-1.db", "1-2-2", "1-2-2.db-wal"});
    // The newest snapshot has no .db: every later snapshot fails, even after the stream ended.
    CHECK(!make(3, false, "+s3").ok());
    CHECK(!store.Open("1-2-2").ok());
  } else {
    CHECK(absl::IsUnavailable(s2));  // fails fast; the caller retries later
    REQUIRE(make(2, false, "+s2").ok());
    auto again = store.Open("1-2-2");
    REQUIRE(again.ok());
    CHECK(*(*again)->ReadAll(4) == "s1-data+s2");
  }
}
