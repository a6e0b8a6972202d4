// The run report carries sim/foreign's per-run counters: a scenario whose client runs plain
// std::thread / std::mutex / std::condition_variable code, run through the harness (RunOnce).
#include <catch2/catch.hpp>

#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "reports/reports.h"
#include "scenarios/harness/runner.h"
#include "scenarios/harness/scenario.h"
#include "sim/world/world.h"

namespace {

class StdThreads : public seedbed::Scenario {
 public:
  seedbed::ScenarioInfo info() const override {
    return {"foreign_test.std_threads", "two std::threads hand a value over a condition variable", {"default"}, {}, ""};
  }
  void Build(seedbed::World& world, const seedbed::RunConfig&) override {
    node_ = &world.AddProcess("node", [](seedbed::Process&) {});
  }
  void Workload(seedbed::World& world, seedbed::History&) override {
    world.SpawnClient(*node_, "client", [] {
      std::mutex mu;
      std::condition_variable cv;
      int value = 0;
      std::thread producer([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(3));
        std::lock_guard<std::mutex> lock(mu);
        value = 42;
        cv.notify_one();
      });
      std::thread consumer([&] {
        std::unique_lock<std::mutex> lock(mu);
        cv.wait(lock, [&] { return value != 0; });
      });
      producer.join();
      consumer.join();
    });
  }
  void Check(const seedbed::World&, const seedbed::History&, seedbed::Verdict&) override {}

 private:
  seedbed::Process* node_ = nullptr;
};
SEEDBED_SCENARIO(StdThreads);

TEST_CASE("run reports count what went through sim/foreign", "[foreign]") {
  seedbed::RunConfig config;
  config.scenario = "foreign_test.std_threads";
  config.variant = "default";
  config.seed = 3;
  config.keep_events = true;
  auto report = seedbed::RunOnce(config);
  REQUIRE(report.ok());
  CHECK_FALSE(report->failed);
  std::map<std::string, uint64_t> counters(report->counters.begin(), report->counters.end());
  CHECK(report->counters.size() == counters.size());  // names are unique
  CHECK(counters["foreign.threads_started"] == 2);
  CHECK(counters["foreign.sleeps"] == 1);
  CHECK(counters["foreign.locks"] >= 2);
  CHECK(counters.count("foreign.contended_locks") == 1);
  CHECK(counters.count("foreign.clock_reads") == 1);
  // The same numbers in the Perfetto trace's metadata.
  const nlohmann::json doc = nlohmann::json::parse(seedbed::reports::PerfettoJson(*report));
  CHECK(doc["otherData"]["counters"]["foreign.threads_started"] == 2);
  // And the run replays: same seed, same trace hash.
  auto again = seedbed::RunOnce(config);
  REQUIRE(again.ok());
  CHECK(again->trace_hash == report->trace_hash);
}

}  // namespace
