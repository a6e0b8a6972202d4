// The generic client plumbing (scenarios/client/): a node for a user's own engine, calls that end
// unknown at a crash and failed while the node is down, history records with tasks and times,
// think times from the decisions, final reads through a read function, and the single-writer
// checks over a plain WriterLog (scenarios/checks/writer_checks.h).
#include <catch2/catch.hpp>

#include <map>
#include <memory>
#include <string>

#include "scenarios/checks/writer_checks.h"
#include "scenarios/client/client.h"
#include "scenarios/client/node.h"
#include "sim/world/world.h"

namespace seedbed {
namespace {

constexpr Nanos kMs = 1'000'000;

NodeConfig Named(std::string name, Nanos open_retry_delay_ns = 1'000'000'000) {
  NodeConfig config;
  config.name = std::move(name);
  config.open_retry_delay_ns = open_retry_delay_ns;
  return config;
}

// An engine of a user's own: a map, a put that takes `put_ns`.
struct TinyEngine {
  Kernel* kernel = nullptr;
  Nanos put_ns = kMs;
  std::map<std::string, std::string>* data = nullptr;  // survives crashes (the "disk")
  absl::Status Put(const std::string& k, const std::string& v) {
    kernel->SleepFor(put_ns);
    (*data)[k] = v;
    return absl::OkStatus();
  }
  absl::StatusOr<std::string> Get(const std::string& k) {
    auto it = data->find(k);
    if (it == data->end()) return absl::NotFoundError(k);
    return it->second;
  }
};

TEST_CASE("client plumbing: ok, unknown at a crash, failed while down, recorded with tasks and times", "[client]") {
  KernelConfig config;
  config.seed = 3;
  World world(config);
  std::map<std::string, std::string> disk;
  int opens = 0;
  EngineNode<TinyEngine> node(world, Named("node", 5 * kMs),
                              [&](Process&) -> absl::StatusOr<std::unique_ptr<TinyEngine>> {
                                if (++opens == 1) return absl::UnavailableError("first open fails");
                                auto e = std::make_unique<TinyEngine>();
                                e->kernel = &world.kernel();
                                e->put_ns = 20 * kMs;
                                e->data = &disk;
                                return e;
                              });
  History history;
  std::vector<bool> acked;
  SpawnClients(world, history, 1, [&](Client& client, int c) {
    CHECK(c == 0);
    CHECK(client.name() == "client-0");
    REQUIRE(client.AwaitNode(node, 100 * kMs));  // the second open, 5 ms after the first failed
    CHECK(node.open_status().message() == "first open fails");
    auto put = [&](const std::string& k) {
      return [&node, k] { return node.Call("put " + k, [k](TinyEngine& e) { return e.Put(k, "v"); }).status(); };
    };
    acked.push_back(client.Put("a", "v", put("a")));  // ok
    acked.push_back(client.Put("b", "v", put("b")));  // the node crashes 10 ms into it: unknown
    acked.push_back(client.Put("c", "v", put("c")));  // down: failed, never reached
    CHECK(client.AwaitNode(node, 100 * kMs));         // restarted
    auto got = client.Get("a", [&] { return node.Call("get a", [](TinyEngine& e) { return e.Get("a"); }); });
    CHECK((got.ok() && *got == "v"));
    auto absent = client.Get("zz", [&] { return node.Call("get zz", [](TinyEngine& e) { return e.Get("zz"); }); });
    CHECK(absl::IsNotFound(absent.status()));
  });
  world.kernel().Spawn(world.AddClientProcess("chaos"), "crasher", [&] {
    Kernel& k = world.kernel();
    while (node.engine() == nullptr) k.SleepFor(kMs);
    k.SleepFor(30 * kMs);  // "a" (20 ms) is done, "b" is 10 ms in
    world.Crash(node.process(), CrashKind::kProcess);
    k.SleepFor(30 * kMs);
    world.Restart(node.process());
  });
  world.kernel().Run();
  REQUIRE(history.ops().size() == 5);
  const auto& ops = history.ops();
  CHECK(ops[0].status == OpStatus::kOk);
  CHECK(ops[1].status == OpStatus::kUnknown);
  CHECK(ops[1].error == "node crashed during the call");
  CHECK(ops[2].status == OpStatus::kFailed);
  CHECK(ops[2].error == "node is down");
  CHECK(ops[3].status == OpStatus::kOk);
  CHECK(ops[3].read == std::optional<std::string>("v"));
  CHECK(ops[4].status == OpStatus::kOk);
  CHECK_FALSE(ops[4].read.has_value());
  for (const Op& op : ops) {
    CHECK(op.client == "client-0");
    CHECK(op.task != ~0u);
    CHECK(op.complete_ns >= op.invoke_ns);
  }
  CHECK(acked == std::vector<bool>{true, false, false});
  CHECK(opens == 3);  // first failed, second ok, the restart's
}

TEST_CASE("client plumbing: think times are decisions (same seed, same times; bounded)", "[client]") {
  auto times = [](uint64_t seed) {
    KernelConfig config;
    config.seed = seed;
    World world(config);
    History history;
    std::vector<Nanos> at;
    SpawnClients(world, history, 2, [&](Client& client, int) {
      for (int i = 0; i < 5; ++i) {
        Nanos before = world.kernel().Now();
        client.Think(10 * kMs);
        Nanos slept = world.kernel().Now() - before;
        CHECK(slept >= 0);
        CHECK(slept <= 10 * kMs);
        at.push_back(world.kernel().Now());
      }
      client.Think(0);  // nothing
    });
    world.kernel().Run();
    return at;
  };
  CHECK(times(1) == times(1));
  CHECK(times(1) != times(2));
}

TEST_CASE("client plumbing: final reads through a read function, and an engine that never opens", "[client]") {
  KernelConfig config;
  config.seed = 5;
  World world(config);
  std::map<std::string, std::string> disk{{"k0", "x"}};
  EngineNode<TinyEngine> good(world, Named("good"), [&](Process&) -> absl::StatusOr<std::unique_ptr<TinyEngine>> {
    auto e = std::make_unique<TinyEngine>();
    e->kernel = &world.kernel();
    e->data = &disk;
    return e;
  });
  EngineNode<TinyEngine> broken(
      world, Named("broken"),
      [](Process&) -> absl::StatusOr<std::unique_ptr<TinyEngine>> { return absl::DataLossError("bad log"); },
      [](const absl::Status& s) { return absl::IsDataLoss(s); });  // give up at once
  History history;
  Verdict verdict;
  bool good_read = false, broken_read = true;
  world.SpawnClient("final-read", [&] {
    good_read = FinalReads(world, history, good, {"k0", "k1"},
                           [&](const std::string& k) { return good.Call("get", [k](TinyEngine& e) { return e.Get(k); }); },
                           verdict, 100 * kMs);
    broken_read = FinalReads(world, history, broken, {"k0"}, [](const std::string&) { return std::string(); },
                             verdict, 100 * kMs);
  });
  world.kernel().Run();
  CHECK(good_read);
  CHECK_FALSE(broken_read);
  REQUIRE(history.ops().size() == 2);
  CHECK(history.ops()[0].final_read);
  CHECK(history.ops()[0].read == std::optional<std::string>("x"));
  CHECK_FALSE(history.ops()[1].read.has_value());
  REQUIRE(verdict.violations().size() == 1);
  CHECK(verdict.violations()[0].invariant == "recoverable");
  CHECK_THAT(verdict.violations()[0].message, Catch::Contains("broken could not open") && Catch::Contains("bad log"));
}

TEST_CASE("writer checks on a plain log: a lone writer's stop, and an older writer acking above a newer one's fence", "[client][checks]") {
  checks::WriterLog log;
  log.opens.push_back({0, "w1", {0xa, 1}, 0});
  log.stops.push_back({5, "w1", {0xa, 1}, "FAILED_PRECONDITION: fenced", true});
  Verdict lone;
  checks::StopsHaveRivals(log, "lone-writer-never-stops", lone);
  REQUIRE(lone.violations().size() == 1);
  CHECK(lone.violations()[0].invariant == "lone-writer-never-stops");
  CHECK_THAT(lone.violations()[0].message, Catch::Contains("no rival writer"));

  log.opens.push_back({3, "w2", {0xb, 2}, 7});  // a rival opened: the stop has a cause
  Verdict rival;
  checks::StopsHaveRivals(log, "lone-writer-never-stops", rival);
  CHECK(rival.violations().empty());

  log.acks.push_back({4, "w1", {0xa, 1}, 7, 2});  // at the fence: fine
  Verdict at_fence;
  checks::OlderWritersFenced(log, "single-writer", at_fence);
  CHECK(at_fence.violations().empty());
  log.acks.push_back({6, "w1", {0xa, 1}, 8, 1});  // above it: two writers were open
  Verdict zombie;
  checks::OlderWritersFenced(log, "single-writer", zombie);
  REQUIRE(zombie.violations().size() == 1);
  CHECK_THAT(zombie.violations()[0].message, Catch::Contains("above the fence (WAL 7)"));
}

}  // namespace
}  // namespace seedbed
