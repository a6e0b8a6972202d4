// The simulated object store: object_store crate semantics, faults, history, and replay.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "sim/world/world.h"
#include "tests/sim/world/world_test_util.h"

namespace seedbed {
namespace {

using testing::CheckReplays;
using testing::kMs;
using testing::RunWorld;

model::PutOptions Mode(model::PutMode mode, uint64_t version = 0) { return {mode, version}; }

// A process whose boot runs `fn` against its Env.
void OneProcess(World& w, std::function<void(model::Env&)> fn, const FaultPlan& plan = {}) {
  w.SetFaults(plan);
  w.AddProcess("node", [fn](Process& p) { fn(p.env()); });
}

TEST_CASE("store: Create on an existing path fails AlreadyExists and does not apply", "[store]") {
  auto build = [](World& w) {
    OneProcess(w, [](model::Env& env) {
      absl::StatusOr<uint64_t> first = env.store->Put("wal/1", "a", Mode(model::PutMode::kCreate));
      REQUIRE(first.ok());
      absl::StatusOr<uint64_t> second = env.store->Put("wal/1", "b", Mode(model::PutMode::kCreate));
      CHECK(second.status().code() == absl::StatusCode::kAlreadyExists);
      absl::StatusOr<model::GetResult> got = env.store->Get("wal/1");
      REQUIRE(got.ok());
      CHECK(got->bytes == "a");
      CHECK(got->version == *first);
    });
  };
  RunWorld(1, build, nullptr, -1, [](World& w) {
    const std::vector<StoreOpRecord>& h = w.store().history();
    REQUIRE(h.size() == 3);
    CHECK(h[0].applied);
    CHECK_FALSE(h[1].applied);
    CHECK(h[1].code == absl::StatusCode::kAlreadyExists);
    CHECK(h[1].process_name == "node");
    CHECK(w.store().Versions("wal/1").size() == 1);
  });
  CheckReplays(1, build);
}

TEST_CASE("store: Update with a stale version fails FailedPrecondition", "[store]") {
  auto build = [](World& w) {
    OneProcess(w, [](model::Env& env) {
      uint64_t v1 = *env.store->Put("manifest", "m1", Mode(model::PutMode::kOverwrite));
      absl::StatusOr<uint64_t> v2 = env.store->Put("manifest", "m2", Mode(model::PutMode::kUpdate, v1));
      REQUIRE(v2.ok());
      CHECK(*v2 > v1);
      absl::StatusOr<uint64_t> stale =
          env.store->Put("manifest", "m3", Mode(model::PutMode::kUpdate, v1));
      CHECK(stale.status().code() == absl::StatusCode::kFailedPrecondition);
      absl::StatusOr<uint64_t> missing =
          env.store->Put("nothing", "x", Mode(model::PutMode::kUpdate, v1));
      CHECK(missing.status().code() == absl::StatusCode::kFailedPrecondition);
      CHECK(env.store->Get("manifest")->bytes == "m2");
    });
  };
  RunWorld(2, build);
  CheckReplays(2, build);
}

TEST_CASE("store: an ambiguous put is visible to a later get while its caller saw an error",
          "[store]") {
  FaultPlan plan;
  plan.op(OpKind::kStorePut).ambiguous_probability = 1.0;
  plan.op(OpKind::kStorePut).latency = LatencyModel::Fixed(4 * kMs);
  auto build = [plan](World& w) {
    OneProcess(w, [](model::Env& env) {
      absl::StatusOr<uint64_t> put = env.store->Put("wal/7", "data", Mode(model::PutMode::kCreate));
      CHECK(put.status().code() == absl::StatusCode::kDeadlineExceeded);
      absl::StatusOr<model::GetResult> got = env.store->Get("wal/7");
      REQUIRE(got.ok());
      CHECK(got->bytes == "data");
      // The retry of the Create meets its own object.
      CHECK(env.store->Put("wal/7", "data", Mode(model::PutMode::kCreate)).status().code() ==
            absl::StatusCode::kDeadlineExceeded);
    }, plan);
  };
  RunWorld(3, build, nullptr, -1, [](World& w) {
    const StoreOpRecord& put = w.store().history()[0];
    CHECK(put.applied);
    CHECK(put.ambiguous);
    CHECK(put.code == absl::StatusCode::kDeadlineExceeded);
    CHECK(put.end_ns - put.start_ns == 4 * kMs);
    CHECK(put.applied_ns >= put.start_ns);
    CHECK(put.applied_ns <= put.end_ns);
    REQUIRE(put.bytes != nullptr);
    CHECK(*put.bytes == "data");
    const StoreOpRecord& retry = w.store().history()[2];
    CHECK_FALSE(retry.applied);
    CHECK(retry.effect_code == absl::StatusCode::kAlreadyExists);
    CHECK(w.faults_injected() == 2);
  });
  CheckReplays(3, build);
}

TEST_CASE("store: a transient error does not apply", "[store]") {
  FaultPlan plan;
  plan.op(OpKind::kStorePut).error_probability = 1.0;
  auto build = [plan](World& w) {
    OneProcess(w, [](model::Env& env) {
      CHECK(env.store->Put("k", "v", {}).status().code() == absl::StatusCode::kUnavailable);
      CHECK(env.store->Get("k").status().code() == absl::StatusCode::kNotFound);
    }, plan);
  };
  RunWorld(4, build, nullptr, -1, [](World& w) {
    CHECK(w.store().history()[0].injected_error);
    CHECK_FALSE(w.store().history()[0].applied);
    CHECK(w.store().objects().empty());
  });
  CheckReplays(4, build);
}

TEST_CASE("store: list is lexicographic, filtered by prefix, after start_after", "[store]") {
  auto build = [](World& w) {
    OneProcess(w, [](model::Env& env) {
      for (const char* path : {"b", "a/2", "a/10", "a/1", "c", "a"})
        REQUIRE(env.store->Put(path, path, {}).ok());
      auto names = [](const std::vector<model::ObjectMeta>& metas) {
        std::vector<std::string> out;
        for (const auto& m : metas) out.push_back(m.path);
        return out;
      };
      CHECK(names(*env.store->List("a/")) == std::vector<std::string>{"a/1", "a/10", "a/2"});
      CHECK(names(*env.store->List("a/", "a/1")) == std::vector<std::string>{"a/10", "a/2"});
      CHECK(names(*env.store->List("")) ==
            std::vector<std::string>{"a", "a/1", "a/10", "a/2", "b", "c"});
      CHECK(names(*env.store->List("", "b")) == std::vector<std::string>{"c"});
      CHECK(env.store->Delete("a/10").ok());
      CHECK(env.store->Delete("a/10").code() == absl::StatusCode::kNotFound);
      CHECK(names(*env.store->List("a/")) == std::vector<std::string>{"a/1", "a/2"});
      CHECK(env.store->Head("a/1")->size == 3);
    });
  };
  RunWorld(5, build);
  CheckReplays(5, build);
}

TEST_CASE("store: duplicate writers overwrite; every version is kept for checkers", "[store]") {
  auto build = [](World& w) {
    w.SetFaults({});
    for (const char* node : {"node-a", "node-b"})
      w.AddProcess(node, [node](Process& p) {
        p.env().runtime->SleepFor(static_cast<int64_t>(p.env().runtime->Random(3)) * kMs);
        (void)p.env().store->Put("wal/1", node, {});
      });
  };
  RunWorld(6, build, nullptr, -1, [](World& w) {
    const std::vector<ObjectVersion>& versions = w.store().Versions("wal/1");
    REQUIRE(versions.size() == 2);
    CHECK(*versions[0].bytes != *versions[1].bytes);
    CHECK(*w.store().Current("wal/1")->bytes == *versions[1].bytes);
    CHECK(versions[0].process != versions[1].process);
  });
  CheckReplays(6, build);
}

TEST_CASE("store: an op of a crashed process is aborted and never applies after the crash",
          "[store]") {
  FaultPlan plan;
  plan.StoreLatency(LatencyModel::Fixed(10 * kMs));
  for (uint64_t seed = 1; seed <= 8; ++seed) {
    auto build = [plan](World& w) {
      w.SetFaults(plan);
      Process& p = w.AddProcess("node", [](Process& p) { (void)p.env().store->Put("k", "v", {}); });
      w.kernel().ScheduleAt(5 * kMs, [&w, &p] { w.Crash(p); });
    };
    RunWorld(seed, build, nullptr, -1, [](World& w) {
      const StoreOpRecord& put = w.store().history().at(0);
      CHECK(put.aborted);
      CHECK(put.code == absl::StatusCode::kAborted);
      CHECK(put.end_ns == 5 * kMs);
      if (put.applied) CHECK(put.applied_ns <= 5 * kMs);
      CHECK(put.applied == (w.store().Current("k") != nullptr));
    });
    CheckReplays(seed, build);
  }
}

TEST_CASE("store: the pure state machine versions never repeat across paths and deletes",
          "[store]") {
  SimObjectStore s;
  auto bytes = [](const char* b) { return std::make_shared<const std::string>(b); };
  uint64_t a = *s.ApplyPut("a", bytes("1"), {}, 0, 0, 0);
  REQUIRE(s.ApplyDelete("a", 1, 0, 0).ok());
  uint64_t b = *s.ApplyPut("a", bytes("2"), {model::PutMode::kCreate, 0}, 2, 0, 0);
  uint64_t c = *s.ApplyPut("b", bytes("3"), {}, 3, 0, 0);
  CHECK(a < b);
  CHECK(b < c);
  REQUIRE(s.Versions("a").size() == 3);
  CHECK(s.Versions("a")[1].deleted);
  CHECK(s.Versions("never").empty());
}

}  // namespace
}  // namespace seedbed
