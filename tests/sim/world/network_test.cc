// The simulated network: datagrams under partitions and heals, loss and duplication, streams.
#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <vector>

#include "sim/world/world.h"
#include "tests/sim/world/world_test_util.h"

namespace seedbed {
namespace {

using testing::CheckReplays;
using testing::kMs;
using testing::RunWorld;

// "b" collects what it receives within 100ms; "a" sends at 0, 10 and 30ms (s1, s2, s3).
void PartitionWorld(World& w, std::vector<std::string>* got, bool one_way_reverse) {
  FaultPlan plan;
  plan.op(OpKind::kNetSend).latency = LatencyModel::Fixed(1 * kMs);
  PartitionEvent cut;
  cut.at_ns = 5 * kMs;
  cut.duration_ns = 20 * kMs;
  cut.side_a = {one_way_reverse ? "b" : "a"};
  cut.side_b = {one_way_reverse ? "a" : "b"};
  cut.one_way = one_way_reverse;
  plan.partitions.push_back(cut);
  w.SetFaults(plan);
  w.AddProcess("b", [got](Process& p) {
    for (int i = 0; i < 10; ++i) {
      absl::StatusOr<model::Message> m = p.env().transport->Receive(100 * kMs);
      if (!m.ok()) return;
      CHECK(m->from == "a");
      got->push_back(m->bytes);
    }
  });
  w.AddProcess("a", [](Process& p) {
    model::Runtime& rt = *p.env().runtime;
    REQUIRE(p.env().transport->Send("b", "s1").ok());
    rt.SleepFor(10 * kMs);
    REQUIRE(p.env().transport->Send("b", "s2").ok());  // partitioned: dropped
    rt.SleepFor(20 * kMs);
    REQUIRE(p.env().transport->Send("b", "s3").ok());  // healed at 25ms
  });
}

TEST_CASE("network: a partition drops messages and the heal restores them", "[network]") {
  std::vector<std::string> got;
  RunWorld(1, [&got](World& w) { PartitionWorld(w, &got, false); }, nullptr, -1, [](World& w) {
    CHECK(w.network().stats().partitioned == 1);
    CHECK(w.network().active_partitions() == 0);
  });
  CHECK(got == std::vector<std::string>{"s1", "s3"});
  std::vector<std::string> ignored;
  CheckReplays(1, [&ignored](World& w) { PartitionWorld(w, &ignored, false); });
}

TEST_CASE("network: a one-way partition cuts only one direction", "[network]") {
  std::vector<std::string> got;
  RunWorld(2, [&got](World& w) { PartitionWorld(w, &got, true); });  // b -> a cut; a -> b fine
  CHECK(got == std::vector<std::string>{"s1", "s2", "s3"});
}

TEST_CASE("network: loss and duplication are decisions", "[network]") {
  for (double loss : {0.0, 1.0}) {
    std::vector<std::string> got;
    auto build = [&got, loss](World& w) {
      FaultPlan plan;
      plan.message_loss_probability = loss;
      plan.message_duplicate_probability = 1.0;
      w.SetFaults(plan);
      w.AddProcess("b", [&got](Process& p) {
        for (int i = 0; i < 4; ++i) {
          absl::StatusOr<model::Message> m = p.env().transport->Receive(10 * kMs);
          if (!m.ok()) return;
          got.push_back(m->bytes);
        }
      });
      w.AddProcess("a", [](Process& p) { REQUIRE(p.env().transport->Send("b", "m").ok()); });
    };
    RunWorld(3, build);
    CHECK(got.size() == (loss > 0 ? 0u : 2u));
    got.clear();
    CheckReplays(3, build);
  }
}

// "a" streams chunks to "b" every 5ms; a partition at 12ms breaks the stream on both ends.
void StreamWorld(World& w, std::vector<std::string>* events) {
  FaultPlan plan;
  plan.op(OpKind::kNetStream).latency = LatencyModel::Uniform(1 * kMs, 2 * kMs);
  PartitionEvent cut;
  cut.at_ns = 12 * kMs;
  cut.duration_ns = 10 * kMs;
  cut.side_a = {"a"};
  plan.partitions.push_back(cut);
  w.SetFaults(plan);
  w.AddProcess("b", [events](Process& p) {
    absl::StatusOr<std::unique_ptr<model::Stream>> s = p.env().transport->Accept(50 * kMs);
    REQUIRE(s.ok());
    for (int i = 0; i < 10; ++i) {
      absl::StatusOr<std::string> chunk = (*s)->Read(50 * kMs);
      if (!chunk.ok()) {
        events->push_back("b read: " + std::string(absl::StatusCodeToString(chunk.status().code())));
        return;
      }
      events->push_back("b got " + *chunk);
    }
  });
  w.AddProcess("a", [events](Process& p) {
    absl::StatusOr<std::unique_ptr<model::Stream>> s = p.env().transport->Connect("b");
    REQUIRE(s.ok());
    for (int i = 0; i < 5; ++i) {
      absl::Status written = (*s)->Write("c" + std::to_string(i));
      if (!written.ok()) {
        events->push_back("a write: " + std::string(absl::StatusCodeToString(written.code())));
        break;
      }
      p.env().runtime->SleepFor(5 * kMs);
    }
    // After the heal a new stream works again.
    p.env().runtime->SleepFor(30 * kMs);
    CHECK(p.env().transport->Connect("b").ok());
  });
}

TEST_CASE("network: a stream delivers in order and breaks on a partition", "[network]") {
  std::vector<std::string> events;
  RunWorld(4, [&events](World& w) { StreamWorld(w, &events); });
  REQUIRE(events.size() >= 3);
  CHECK(events[0] == "b got c0");
  CHECK(events[1] == "b got c1");
  CHECK(std::count(events.begin(), events.end(), "b read: UNAVAILABLE") == 1);
  CHECK(std::count(events.begin(), events.end(), "a write: UNAVAILABLE") == 1);
  std::vector<std::string> ignored;
  CheckReplays(4, [&ignored](World& w) { StreamWorld(w, &ignored); });
}

TEST_CASE("network: a stream ends with OutOfRange after the peer closes; a crash breaks it",
          "[network]") {
  std::vector<std::string> events;
  auto build = [&events](World& w) {
    w.SetFaults({});
    w.AddProcess("b", [&events](Process& p) {
      auto s = p.env().transport->Accept(50 * kMs);
      REQUIRE(s.ok());
      for (int i = 0; i < 5; ++i) {
        absl::StatusOr<std::string> r = (*s)->Read(50 * kMs);
        events.push_back(r.ok() ? *r : std::string(absl::StatusCodeToString(r.status().code())));
        if (!r.ok()) break;
      }
    });
    w.AddProcess("a", [](Process& p) {
      auto s = p.env().transport->Connect("b");
      REQUIRE(s.ok());
      REQUIRE((*s)->Write("x").ok());
      REQUIRE((*s)->Write("y").ok());
      REQUIRE((*s)->Close().ok());
    });
  };
  RunWorld(5, build);
  CHECK(events == std::vector<std::string>{"x", "y", "OUT_OF_RANGE"});

  // A crash of the accepting end breaks the stream for the other end.
  absl::StatusCode after_crash = absl::StatusCode::kOk;
  RunWorld(6, [&after_crash](World& w) {
    w.SetFaults({});
    Process& b = w.AddProcess("b", [](Process& p) {
      auto s = p.env().transport->Accept(50 * kMs);
      REQUIRE(s.ok());
      p.Keep(std::move(*s));
    });
    w.AddProcess("a", [&after_crash](Process& p) {
      auto s = p.env().transport->Connect("b");
      REQUIRE(s.ok());
      p.env().runtime->SleepFor(10 * kMs);
      after_crash = (*s)->Write("z").code();
    });
    w.kernel().ScheduleAt(5 * kMs, [&w, &b] { w.Crash(b); });
  });
  CHECK(after_crash == absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace seedbed
