// sim/world/runtime.h: model::Runtime for one simulated process (clock, sleep, tasks, Mutex and
// CondVar over sim/sync.h, randomness as kUser decisions), plus the run's crash-point and
// coverage-probe records. Calls that may yield are marked in model/env/runtime.h; CrashPoint may
// not return (the process crashes there). Single-threaded.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/btree_map.h"
#include "model/env/runtime.h"
#include "sim/kernel.h"
#include "sim/world/core.h"

namespace seedbed {

struct CrashPointRecord {
  uint64_t reached = 0;
  bool arm_drawn = false;  // the arm decision is drawn once per run, at the first reach in chaos
  bool armed = false;
  uint64_t fired = 0;
};

// What a run reached: crash points and probes, in name order (deterministic reports).
class Coverage {
 public:
  CrashPointRecord& crash_point(std::string_view name);
  void ProbeReached(std::string_view name);
  const absl::btree_map<std::string, CrashPointRecord, std::less<>>& crash_points() const {
    return crash_points_;
  }
  const absl::btree_map<std::string, uint64_t, std::less<>>& probes() const { return probes_; }
  // ("crash point wal.after_put", "reached 3, armed, fired 1"), ("probe x", "reached 2").
  std::vector<std::pair<std::string, std::string>> Summary() const;

 private:
  absl::btree_map<std::string, CrashPointRecord, std::less<>> crash_points_;
  absl::btree_map<std::string, uint64_t, std::less<>> probes_;
};

class SimRuntime final : public model::Runtime {
 public:
  // `crash_here` crashes `process` from its own task when a crash point fires (the world's crash,
  // which also arranges the restart); it does not return.
  SimRuntime(WorldCore& core, Coverage& coverage, Process& process,
             std::function<void(Process&)> crash_here)
      : core_(core), coverage_(coverage), process_(process), crash_here_(std::move(crash_here)) {}

  int64_t NowNanos() override { return core_.kernel().Now(); }
  void SleepFor(int64_t duration_ns) override { core_.kernel().SleepFor(duration_ns); }
  // The code under test yields of its own accord (a spin-then-yield loop): Kernel::YieldSpin.
  void Yield() override { core_.kernel().YieldSpin(); }
  std::unique_ptr<model::TaskHandle> Spawn(std::string name, std::function<void()> fn) override;
  std::unique_ptr<model::Mutex> NewMutex(std::string_view name) override;
  std::unique_ptr<model::CondVar> NewCondVar(std::string_view name) override;
  uint64_t Random(uint64_t n) override;
  void CrashPoint(std::string_view name) override;
  void Probe(std::string_view name) override;
  void Note(std::string_view text) override;
  void State(std::string_view key, std::string_view value) override;
  void HoldBegin(std::string_view name) override;
  void HoldEnd(std::string_view name) override;

  Process& process() { return process_; }

 private:
  WorldCore& core_;
  Coverage& coverage_;
  Process& process_;
  std::function<void(Process&)> crash_here_;
};

}  // namespace seedbed
