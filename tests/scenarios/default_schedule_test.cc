// The calmest run of every scenario: every decision 0 (the first / default / no-fault choice, the
// shrinker's floor). Every variant not expected to fail must pass it: otherwise a shrunk failure
// of a buggy variant could end on a run that fails for a reason unrelated to the bug, as
// cnosdb.raft_wal_io's did while all-zero election timeouts split every vote (fixed in
// model/raft/replica.cc by rotating each node's draw by its rank).
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>

#include "fmt/format.h"
#include "scenarios/harness/runner.h"
#include "scenarios/harness/scenario.h"

namespace seedbed {
namespace {

TEST_CASE("every variant expected to pass passes its all-default schedule", "[scenarios][default]") {
  // Past the list's end draws would come from the seed's PRNG: make it longer than any run.
  const DecisionList zeros(500'000, Decision{0, DecisionKind::kSchedule});
  int checked = 0;
  for (const ScenarioInfo& info : Registry::Get().List()) {
    if (!info.unavailable.empty()) continue;
    for (const std::string& variant : info.variants) {
      const auto& failing = info.failing_variants;
      if (std::find(failing.begin(), failing.end(), variant) != failing.end()) continue;
      RunConfig config;
      config.scenario = info.name;
      config.variant = variant;
      config.seed = 1;
      config.replay = &zeros;
      absl::StatusOr<RunReport> report = RunOnce(config);
      REQUIRE(report.ok());
      INFO(fmt::format("{} [{}] with every decision 0: {}", info.name, variant,
                       report->failed ? report->first_violation()->message : "passed"));
      CHECK_FALSE(report->failed);
      CHECK(report->decisions.size() < zeros.size());  // the list outlasted the run
      ++checked;
    }
  }
  CHECK(checked >= 8);
}

}  // namespace
}  // namespace seedbed
