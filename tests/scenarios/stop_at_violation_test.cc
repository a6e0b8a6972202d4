// A run stops at its first in-run violation unless RunConfig::keep_going: the failing story ends
// where the bug shows, and campaigns spend no time on the rest of a run that has already failed.
// rqlite.snapshot_stream_lock buggy-posix seed 1 breaks stream-byte-equal at about 2.2 s of a 20 s
// chaos phase, and again many times after it.
#include <catch2/catch.hpp>
#include <string>

#include "scenarios/harness/runner.h"
#include "scenarios/testing/testing.h"

namespace seedbed {
namespace {

RunReport Run(bool keep_going) {
  RunConfig config;
  config.keep_going = keep_going;
  return testing::RequireRun("rqlite.snapshot_stream_lock", "buggy-posix", 1, config);
}

bool HasNote(const RunReport& report, const std::string& text) {
  for (const std::string& note : report.notes)
    if (note.find(text) != std::string::npos) return true;
  return false;
}

TEST_CASE("a run stops at its first violation unless keep_going", "[runner][stop]") {
  const RunReport stopped = Run(false);
  const RunReport full = Run(true);
  REQUIRE(stopped.failed);
  REQUIRE(full.failed);
  // The same first violation, at the same simulated time.
  CHECK(stopped.invariant() == full.invariant());
  CHECK(stopped.first_violation()->time_ns == full.first_violation()->time_ns);
  CHECK(stopped.first_violation()->message == full.first_violation()->message);
  // The stopped run ends right there; the full one goes on through the heal and the checks.
  CHECK(stopped.sim_time_ns == stopped.first_violation()->time_ns);
  CHECK(stopped.violations.size() == 1);
  CHECK(full.violations.size() > 1);
  CHECK(stopped.events < full.events);
  CHECK(HasNote(stopped, "stopped at the first violation"));
  CHECK_FALSE(HasNote(full, "stopped at the first violation"));
  // Deterministic either way.
  CHECK(Run(false).trace_hash == stopped.trace_hash);
  CHECK(Run(true).trace_hash == full.trace_hash);
}

TEST_CASE("a run that passes is the same with and without keep_going", "[runner][stop]") {
  RunConfig config;
  const RunReport a = testing::RequireRun("rqlite.snapshot_stream_lock", "fixed", 1, config);
  config.keep_going = true;
  const RunReport b = testing::RequireRun("rqlite.snapshot_stream_lock", "fixed", 1, config);
  CHECK_FALSE(a.failed);
  CHECK(a.trace_hash == b.trace_hash);
  CHECK(a.events == b.events);
}

}  // namespace
}  // namespace seedbed
