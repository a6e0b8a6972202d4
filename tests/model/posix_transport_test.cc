// The real in-process transport (model/env/posix/posix_transport.h): datagrams across threads,
// timeouts, drawn loss, delayed delivery, ordered streams with end-of-stream, partitions breaking
// streams and dropping datagrams, detach (a crash). Every wait is bounded; the file runs well
// under a second.
#include "model/env/posix/posix_transport.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "model/env/posix/posix_env.h"
#include "test_util.h"

namespace {

constexpr int64_t kMs = 1'000'000;

int64_t ElapsedNs(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() -
                                                              since)
      .count();
}

}  // namespace

TEST_CASE("posix transport: datagrams cross threads in order, with the sender's name", "[posix]") {
  model::PosixNetwork net;
  auto a = net.Attach("a");
  auto b = net.Attach("b");
  CHECK(a->self() == "a");
  std::thread sender([&a] {
    for (int i = 0; i < 100; ++i) REQUIRE(a->Send("b", "m" + std::to_string(i)).ok());
  });
  std::vector<std::string> got;
  for (int i = 0; i < 100; ++i) {
    absl::StatusOr<model::Message> m = b->Receive(1000 * kMs);
    REQUIRE(m.ok());
    CHECK(m->from == "a");
    got.push_back(m->bytes);
  }
  sender.join();
  for (int i = 0; i < 100; ++i) CHECK(got[static_cast<size_t>(i)] == "m" + std::to_string(i));
  CHECK(absl::IsNotFound(a->Send("nobody", "x")));
  CHECK(net.stats().delivered == 100);
}

TEST_CASE("posix transport: a blocked Receive wakes on a send from another thread", "[posix]") {
  model::PosixNetwork net;
  auto a = net.Attach("a");
  auto b = net.Attach("b");
  std::thread sender([&a] {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    (void)a->Send("b", "late");
  });
  const auto start = std::chrono::steady_clock::now();
  absl::StatusOr<model::Message> m = b->Receive(2000 * kMs);
  sender.join();
  REQUIRE(m.ok());
  CHECK(m->bytes == "late");
  CHECK(ElapsedNs(start) < 1000 * kMs);  // woken, not timed out
}

TEST_CASE("posix transport: Receive and Accept time out with kDeadlineExceeded", "[posix]") {
  model::PosixNetwork net;
  auto a = net.Attach("a");
  const auto start = std::chrono::steady_clock::now();
  absl::StatusOr<model::Message> m = a->Receive(20 * kMs);
  CHECK(absl::IsDeadlineExceeded(m.status()));
  const int64_t waited = ElapsedNs(start);
  CHECK(waited >= 20 * kMs);
  CHECK(waited < 500 * kMs);
  CHECK(absl::IsDeadlineExceeded(a->Accept(5 * kMs).status()));
  CHECK(absl::IsDeadlineExceeded(a->Receive(0).status()));
}

TEST_CASE("posix transport: loss p=1 drops every datagram; delays deliver later", "[posix]") {
  model::PosixNetworkOptions lossy;
  lossy.loss_probability = 1;
  model::PosixNetwork net(lossy);
  auto a = net.Attach("a");
  auto b = net.Attach("b");
  for (int i = 0; i < 20; ++i) REQUIRE(a->Send("b", "x").ok());
  CHECK(absl::IsDeadlineExceeded(b->Receive(10 * kMs).status()));
  CHECK(net.stats().lost == 20);

  model::PosixNetworkOptions slow;
  slow.latency_ns_min = 30 * kMs;
  slow.latency_ns_max = 30 * kMs;
  net.SetOptions(slow);
  const auto start = std::chrono::steady_clock::now();
  REQUIRE(a->Send("b", "slow").ok());
  CHECK(absl::IsDeadlineExceeded(b->Receive(5 * kMs).status()));  // not there yet
  absl::StatusOr<model::Message> m = b->Receive(1000 * kMs);
  REQUIRE(m.ok());
  CHECK(m->bytes == "slow");
  CHECK(ElapsedNs(start) >= 30 * kMs);
}

TEST_CASE("posix transport: duplication p=1 delivers twice", "[posix]") {
  model::PosixNetworkOptions dup;
  dup.duplicate_probability = 1;
  model::PosixNetwork net(dup);
  auto a = net.Attach("a");
  auto b = net.Attach("b");
  REQUIRE(a->Send("b", "twice").ok());
  CHECK(b->Receive(100 * kMs).ok());
  CHECK(b->Receive(100 * kMs).ok());
  CHECK(absl::IsDeadlineExceeded(b->Receive(1 * kMs).status()));
}

TEST_CASE("posix transport: streams are ordered and end after Close", "[posix]") {
  model::PosixNetwork net;
  auto a = net.Attach("a");
  auto b = net.Attach("b");
  absl::StatusOr<std::unique_ptr<model::Stream>> client = a->Connect("b");
  REQUIRE(client.ok());
  absl::StatusOr<std::unique_ptr<model::Stream>> server = b->Accept(100 * kMs);
  REQUIRE(server.ok());
  CHECK((*client)->peer() == "b");
  CHECK((*server)->peer() == "a");
  std::thread writer([&client] {
    for (int i = 0; i < 200; ++i) REQUIRE((*client)->Write("f" + std::to_string(i)).ok());
    REQUIRE((*client)->Close().ok());
    REQUIRE((*client)->Close().ok());  // idempotent
  });
  for (int i = 0; i < 200; ++i) {
    absl::StatusOr<std::string> frame = (*server)->Read(1000 * kMs);
    REQUIRE(frame.ok());
    CHECK(*frame == "f" + std::to_string(i));
  }
  writer.join();
  CHECK(absl::IsOutOfRange((*server)->Read(100 * kMs).status()));
  CHECK(absl::IsFailedPrecondition((*client)->Write("after close")));
  // The other direction still works until the server closes.
  REQUIRE((*server)->Write("reply").ok());
  absl::StatusOr<std::string> reply = (*client)->Read(100 * kMs);
  CHECK(absl::IsFailedPrecondition(reply.status()));  // the client's end is closed
  CHECK(absl::IsDeadlineExceeded(b->Accept(1 * kMs).status()));
}

TEST_CASE("posix transport: a stream read times out, then sees data", "[posix]") {
  model::PosixNetwork net;
  auto a = net.Attach("a");
  auto b = net.Attach("b");
  auto client = a->Connect("b");
  REQUIRE(client.ok());
  auto server = b->Accept(100 * kMs);
  REQUIRE(server.ok());
  CHECK(absl::IsDeadlineExceeded((*server)->Read(5 * kMs).status()));
  REQUIRE((*client)->Write("x").ok());
  CHECK(*(*server)->Read(5 * kMs) == "x");
}

TEST_CASE("posix transport: a partition breaks streams, drops datagrams, refuses connects",
          "[posix]") {
  model::PosixNetwork net;
  auto a = net.Attach("a");
  auto b = net.Attach("b");
  auto c = net.Attach("c");
  auto client = a->Connect("b");
  REQUIRE(client.ok());
  auto server = b->Accept(100 * kMs);
  REQUIRE(server.ok());
  REQUIRE((*client)->Write("before").ok());

  // A reader blocked on the stream is woken by the break.
  std::thread reader([&server] {
    CHECK(*(*server)->Read(1000 * kMs) == "before");
    absl::StatusOr<std::string> next = (*server)->Read(1000 * kMs);
    CHECK(absl::IsUnavailable(next.status()));
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  net.Partition("a", "b");
  reader.join();
  CHECK(absl::IsUnavailable((*client)->Write("after")));
  CHECK(net.Blocked("a", "b"));
  CHECK(net.Blocked("b", "a"));
  CHECK(absl::IsUnavailable(a->Connect("b").status()));
  CHECK(absl::IsUnavailable(b->Connect("a").status()));
  REQUIRE(a->Send("b", "lost").ok());
  CHECK(absl::IsDeadlineExceeded(b->Receive(5 * kMs).status()));
  REQUIRE(a->Send("c", "through").ok());  // other pairs are unaffected
  CHECK(c->Receive(100 * kMs).ok());

  net.Heal();
  REQUIRE(a->Send("b", "healed").ok());
  absl::StatusOr<model::Message> m = b->Receive(100 * kMs);
  REQUIRE(m.ok());
  CHECK(m->bytes == "healed");
  CHECK(a->Connect("b").ok());
  CHECK(absl::IsUnavailable((*client)->Write("still broken")));  // a broken stream stays broken
}

TEST_CASE("posix transport: a one-way partition cuts one direction", "[posix]") {
  model::PosixNetwork net;
  auto a = net.Attach("a");
  auto b = net.Attach("b");
  net.Partition("a", "b", /*one_way=*/true);
  REQUIRE(a->Send("b", "cut").ok());
  REQUIRE(b->Send("a", "open").ok());
  CHECK(absl::IsDeadlineExceeded(b->Receive(5 * kMs).status()));
  CHECK(a->Receive(100 * kMs).ok());
  CHECK(absl::IsUnavailable(b->Connect("a").status()));  // a stream needs both directions
}

TEST_CASE("posix transport: detach is a crash; a re-attach starts empty", "[posix]") {
  model::PosixNetwork net;
  auto a = net.Attach("a");
  auto b = net.Attach("b");
  REQUIRE(a->Send("b", "old").ok());
  auto client = a->Connect("b");
  REQUIRE(client.ok());
  auto server = b->Accept(100 * kMs);
  REQUIRE(server.ok());
  net.Detach("b");
  CHECK(absl::IsUnavailable((*client)->Write("x")));
  CHECK(absl::IsUnavailable((*server)->Read(1 * kMs).status()));
  CHECK(absl::IsAborted(b->Receive(1 * kMs).status()));
  CHECK(absl::IsAborted(b->Send("a", "ghost")));
  REQUIRE(a->Send("b", "to nobody").ok());  // dropped: b is down
  CHECK(absl::IsUnavailable(a->Connect("b").status()));

  auto b2 = net.Attach("b");
  CHECK(absl::IsDeadlineExceeded(b2->Receive(5 * kMs).status()));  // nothing survived the crash
  REQUIRE(a->Send("b", "new").ok());
  absl::StatusOr<model::Message> m = b2->Receive(100 * kMs);
  REQUIRE(m.ok());
  CHECK(m->bytes == "new");
  CHECK(absl::IsAborted(b->Receive(1 * kMs).status()));  // the old endpoint stays dead
  b.reset();  // destroying the stale endpoint does not detach the new one
  CHECK(b2->Send("a", "alive").ok());
  CHECK(a->Receive(100 * kMs).ok());
}

TEST_CASE("posix transport: a PosixEnv carries the endpoint in its Env", "[posix]") {
  model_test::TempDir dir;
  model::PosixNetwork net;
  auto a = net.Attach("a");
  model::PosixEnv env(
      model::PosixEnvOptions{dir.path() + "/store", dir.path() + "/disk", 7, a.get()});
  REQUIRE(env.env().transport == a.get());
  CHECK(env.env().transport->self() == "a");
}

TEST_CASE("posix transport: Isolate cuts one node off; overlapping partitions heal separately",
          "[posix]") {
  model::PosixNetwork net;
  auto a = net.Attach("a");
  auto b = net.Attach("b");
  auto c = net.Attach("c");
  const uint64_t isolated = net.Isolate("a");
  const uint64_t pair = net.Partition("a", "b");
  CHECK(net.Blocked("a", "b"));
  CHECK(net.Blocked("c", "a"));
  CHECK_FALSE(net.Blocked("b", "c"));
  net.HealPartition(isolated);
  CHECK_FALSE(net.Blocked("a", "c"));
  CHECK(net.Blocked("b", "a"));  // still cut by the other partition
  net.HealPartition(pair);
  CHECK_FALSE(net.Blocked("a", "b"));
  const uint64_t one_way = net.Isolate("c", /*one_way=*/true);
  CHECK(net.Blocked("c", "a"));
  CHECK_FALSE(net.Blocked("a", "c"));
  REQUIRE(a->Send("c", "in").ok());
  CHECK(c->Receive(100 * kMs).ok());
  net.HealPartition(one_way);
  CHECK_FALSE(net.Blocked("c", "a"));
}
