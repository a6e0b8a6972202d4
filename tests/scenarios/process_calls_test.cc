// ProcessCalls: a call into a crashable process runs as its task; a crash during the call wakes the
// caller with "unknown" instead of leaving it blocked; a call into a crashed process fails at once.
#include <catch2/catch.hpp>

#include "scenarios/client/process_calls.h"
#include "sim/world/world.h"

namespace seedbed {
namespace {

constexpr Nanos kMs = 1'000'000;

TEST_CASE("process calls: returned, crashed during the call, process down", "[process_calls]") {
  KernelConfig config;
  config.seed = 7;
  World world(config);
  Process& app = world.AddProcess("app", [](Process&) {});
  Process& client = world.AddClientProcess("client");
  ProcessCalls calls(world, app);
  int effects = 0;
  bool first = false, second = true, third = true, after_crash_ran = false;
  Nanos second_returned_at = -1;
  world.kernel().Spawn(client, "caller", [&] {
    Kernel& k = world.kernel();
    first = calls.Call("quick", [&] {
      k.SleepFor(kMs);
      ++effects;
    });
    second = calls.Call("slow", [&] {
      ++effects;
      k.SleepFor(100 * kMs);  // the app crashes meanwhile
      after_crash_ran = true;
    });
    second_returned_at = k.Now();
    third = calls.Call("down", [&] { ++effects; });
  });
  world.kernel().Spawn(client, "crasher", [&] {
    world.kernel().SleepFor(10 * kMs);
    world.Crash(app);
  });
  world.kernel().Run();
  CHECK(first);
  CHECK_FALSE(second);        // the outcome is unknown: it had its first effect
  CHECK(second_returned_at == 10 * kMs + 0);  // woken by the crash, not by the sleep's end
  CHECK_FALSE(after_crash_ran);
  CHECK_FALSE(third);         // the app is down: nothing ran
  CHECK(effects == 2);
}

}  // namespace
}  // namespace seedbed
