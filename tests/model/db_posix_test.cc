// The engine on the real backend: threads and a directory. Round trips, recovery, fencing, and
// the Create-based WAL refusing a duplicate writer (influxdb #26161).
#include <atomic>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include "model/db/db.h"
#include "model/env/posix/posix_env.h"
#include "model/errors.h"
#include "test_util.h"

using model_test::TempDir;

namespace {

model::Options Fast(model::Options o = model::Options()) {
  o.flush_interval_ns = 2'000'000;  // 2 ms
  o.put_retry_delay_ns = 1'000'000;
  o.put_attempts_max = 5;
  return o;
}

std::unique_ptr<model::Db> MustOpen(model::Env& env, const model::Options& options) {
  auto db = model::Db::Open(env, "cluster/", options);
  INFO(db.status().ToString());
  REQUIRE(db.ok());
  return std::move(*db);
}

class Recorder : public model::Observer {
 public:
  void OnManifestWrite(const model::WriterInfo&, uint64_t, const model::Manifest& m) override {
    std::lock_guard<std::mutex> lock(mu);
    manifests.push_back(m);
  }
  void OnWriterStopped(const model::WriterInfo& w, const absl::Status& s) override {
    std::lock_guard<std::mutex> lock(mu);
    stopped.emplace_back(w.writer_id, s);
  }
  std::mutex mu;
  std::vector<model::Manifest> manifests;
  std::vector<std::pair<uint64_t, absl::Status>> stopped;
};

}  // namespace

TEST_CASE("db on posix: put/get/delete/flush/recover round trip", "[db][posix]") {
  TempDir dir;
  model::PosixEnv posix(dir.path());
  {
    auto db = MustOpen(posix.env(), Fast());
    REQUIRE(db->Put("a", "1").ok());
    REQUIRE(db->Put("b", "2").ok());
    REQUIRE(db->Delete("a").ok());
    REQUIRE(db->Write({{model::WalOp::Type::kPut, "c", "3"}, {model::WalOp::Type::kPut, "d", "4"}})
                .ok());
    REQUIRE(db->Flush().ok());
    CHECK(absl::IsNotFound(db->Get("a").status()));
    CHECK(*db->Get("b") == "2");
    REQUIRE(db->FlushMemtable().ok());  // b, c, d now in L0
    REQUIRE(db->Put("c", "33").ok());
    CHECK(*db->Get("c") == "33");
    CHECK(*db->Get("d") == "4");
    REQUIRE(db->Close().ok());
    CHECK(model::IsClosed(db->Put("e", "5")));
  }
  auto db = MustOpen(posix.env(), Fast());
  CHECK(absl::IsNotFound(db->Get("a").status()));
  CHECK(*db->Get("b") == "2");
  CHECK(*db->Get("c") == "33");
  CHECK(*db->Get("d") == "4");
  CHECK(db->manifest().manifest.l0.size() >= 1);
  REQUIRE(db->Close().ok());
}

TEST_CASE("db on posix: acknowledged writes from many threads survive close and reopen",
          "[db][posix]") {
  TempDir dir;
  model::PosixEnv posix(dir.path());
  model::Options options = Fast();
  options.memtable_bytes_max = 2000;  // several L0 flushes and WAL GCs along the way
  std::map<std::string, std::string> acked;
  std::mutex acked_mu;
  {
    auto db = MustOpen(posix.env(), options);
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < 50; ++i) {
          const std::string key = "t" + std::to_string(t) + "-k" + std::to_string(i % 20);
          const std::string value = std::to_string(i);
          if (db->Put(key, value).ok()) {
            std::lock_guard<std::mutex> lock(acked_mu);
            acked[key] = value;  // per-key writes come from one thread, in order
          }
        }
      });
    }
    for (auto& t : threads) t.join();
    REQUIRE(db->Close().ok());
  }
  REQUIRE(acked.size() == 80);
  auto db = MustOpen(posix.env(), options);
  for (const auto& [key, value] : acked) {
    auto got = db->Get(key);
    INFO(key);
    REQUIRE(got.ok());
    CHECK(*got == value);
  }
  REQUIRE(db->Close().ok());
}

TEST_CASE("db on posix: acknowledged writes survive an abandoned Db (no Close)", "[db][posix]") {
  TempDir dir;
  model::PosixEnv posix(dir.path());
  {
    auto db = MustOpen(posix.env(), Fast());
    REQUIRE(db->Put("x", "1").ok());
    REQUIRE(db->Put("y", "2").ok());
  }  // destroyed without Close: only the WAL objects hold the writes
  auto db = MustOpen(posix.env(), Fast());
  CHECK(*db->Get("x") == "1");
  CHECK(*db->Get("y") == "2");
  CHECK(db->replay_last() >= 2);
}

TEST_CASE("db on posix: recovery reports a WAL gap as an error naming the missing id",
          "[db][posix]") {
  TempDir dir;
  model::PosixEnv posix(dir.path());
  model::Options options = Fast();
  options.fencing = false;
  {
    auto db = MustOpen(posix.env(), options);
    for (int i = 0; i < 3; ++i) REQUIRE(db->Put("k" + std::to_string(i), "v").ok());
  }
  auto listed = posix.store().List("cluster/wal/");
  REQUIRE(listed.ok());
  REQUIRE(listed->size() >= 3);
  REQUIRE(posix.store().Delete("cluster/wal/00000000000000000002").ok());
  auto reopened = model::Db::Open(posix.env(), "cluster/", options);
  REQUIRE(absl::IsDataLoss(reopened.status()));
  CHECK_THAT(std::string(reopened.status().message()), Catch::Contains("WAL 2 is missing"));
}

TEST_CASE("db on posix: a second writer fences the first (slatedb fencing)", "[db][posix]") {
  TempDir dir;
  model::PosixEnv posix(dir.path());
  Recorder recorder;
  model::Options options = Fast();
  options.observer = &recorder;
  auto first = MustOpen(posix.env(), options);
  REQUIRE(first->Put("a", "1").ok());
  auto second = MustOpen(posix.env(), options);
  CHECK(second->writer().writer_epoch == first->writer().writer_epoch + 1);
  CHECK(*second->Get("a") == "1");  // replayed the first writer's acknowledged write
  absl::Status late = first->Put("b", "2");
  INFO(late.ToString());
  CHECK(model::IsFenced(late));
  CHECK(model::IsFenced(first->Put("c", "3")));  // and every later write
  CHECK(model::IsFenced(first->Flush()));
  REQUIRE(second->Put("b", "22").ok());
  {
    std::lock_guard<std::mutex> lock(recorder.mu);
    REQUIRE(recorder.stopped.size() == 1);
    CHECK(recorder.stopped[0].first == first->writer().writer_id);
  }
  CHECK(!first->Close().ok());
  REQUIRE(second->Close().ok());
  auto third = MustOpen(posix.env(), options);
  CHECK(absl::IsNotFound(third->Get("c").status()));
  CHECK(*third->Get("b") == "22");
}

TEST_CASE("db on posix: a fenced writer's memtable flush reports Fenced", "[db][posix]") {
  TempDir dir;
  model::PosixEnv posix(dir.path());
  auto first = MustOpen(posix.env(), Fast());
  REQUIRE(first->Put("a", "1").ok());
  auto second = MustOpen(posix.env(), Fast());
  CHECK(model::IsFenced(first->FlushMemtable()));
  CHECK(model::IsFenced(first->Put("b", "2")));
  REQUIRE(second->Close().ok());
}

TEST_CASE("influxdb #26161 on posix: Create-based WAL refuses a duplicate writer's overwrite",
          "[db][posix][influxdb]") {
  TempDir dir;
  model::PosixEnv posix(dir.path());
  Recorder recorder;
  model::Options options = Fast(model::Options::InfluxDb3());
  options.observer = &recorder;
  // Two processes on one prefix load the same last sequence number.
  auto a = MustOpen(posix.env(), options);
  auto b = MustOpen(posix.env(), options);
  CHECK(a->next_wal_id() == b->next_wal_id());
  REQUIRE(a->Put("k", "from-a").ok());
  absl::Status dup = b->Put("k", "from-b");
  INFO(dup.ToString());
  CHECK(model::IsShutdown(dup));
  CHECK(model::IsShutdown(b->Put("k2", "later")));  // refuses every later write
  REQUIRE(a->Close().ok());
  auto reader = MustOpen(posix.env(), options);
  CHECK(*reader->Get("k") == "from-a");  // the acknowledged write survived
}

TEST_CASE("influxdb #26161 on posix: Overwrite WAL loses the first writer's acknowledged write",
          "[db][posix][influxdb]") {
  TempDir dir;
  model::PosixEnv posix(dir.path());
  model::Options options = Fast(model::Options::InfluxDb3());
  options.wal_put_mode = model::PutMode::kOverwrite;  // the defect
  auto a = MustOpen(posix.env(), options);
  auto b = MustOpen(posix.env(), options);
  REQUIRE(a->Put("k", "from-a").ok());  // acknowledged: wal/1
  REQUIRE(b->Put("j", "from-b").ok());  // silently replaces wal/1
  a.reset();
  b.reset();
  auto reader = MustOpen(posix.env(), options);
  CHECK(absl::IsNotFound(reader->Get("k").status()));  // the acknowledged write is gone
  CHECK(*reader->Get("j") == "from-b");
}

TEST_CASE("db on posix: the background tick flushes without an explicit Flush", "[db][posix]") {
  TempDir dir;
  model::PosixEnv posix(dir.path());
  model::Options options = Fast();
  options.flush_interval_ns = 20'000'000;
  auto db = MustOpen(posix.env(), options);
  const int64_t t0 = posix.runtime().NowNanos();
  REQUIRE(db->Put("a", "1").ok());  // returns once the tick wrote the WAL object
  const int64_t waited = posix.runtime().NowNanos() - t0;
  CHECK(waited <= 2'000'000'000);
  auto wal = posix.store().List("cluster/wal/");
  REQUIRE(wal.ok());
  CHECK(wal->size() == 2);  // the fence at open and ours
  REQUIRE(db->Close().ok());
}

TEST_CASE("db on posix: WAL GC keeps fences (slatedb #1672) and deletes them with kDeleteAll",
          "[db][posix]") {
  for (model::WalGcMode gc : {model::WalGcMode::kKeepFences, model::WalGcMode::kDeleteAll}) {
    TempDir dir;
    model::PosixEnv posix(dir.path());
    model::Options options = Fast();
    options.wal_gc = gc;
    auto db = MustOpen(posix.env(), options);  // fence at wal/1
    REQUIRE(db->Put("a", "1").ok());           // wal/2
    REQUIRE(db->FlushMemtable().ok());         // replay point 2: GC
    auto wal = posix.store().List("cluster/wal/");
    REQUIRE(wal.ok());
    if (gc == model::WalGcMode::kKeepFences) {
      REQUIRE(wal->size() == 1);
      CHECK((*wal)[0].path == "cluster/wal/00000000000000000001");
    } else {
      CHECK(wal->empty());
    }
    REQUIRE(db->Close().ok());
  }
}
