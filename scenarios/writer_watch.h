// A model::Observer for scenarios: records, with simulated times, every writer's open, stop
// (fenced or shut down), acknowledgement and manifest write, so checks can ask "did a writer stop
// although no rival existed?" It only records; it never steers. Kernel-thread only.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "model/observer.h"
#include "scenarios/verdict.h"
#include "sim/kernel.h"

namespace seedbed {

class WriterWatch : public model::Observer {
 public:
  explicit WriterWatch(Kernel& kernel) : kernel_(kernel) {}

  struct Stop {
    Nanos at_ns;
    std::string process;
    model::WriterInfo writer;
    std::string status;
    bool fenced;
  };
  struct Open {
    Nanos at_ns;
    std::string process;
    model::WriterInfo writer;
  };

  void OnRecovered(const model::WriterInfo& writer, uint64_t, uint64_t, uint64_t) override;
  void OnWriterStopped(const model::WriterInfo& writer, const absl::Status& status) override;

  const std::vector<Stop>& stops() const { return stops_; }
  const std::vector<Open>& opens() const { return opens_; }

  // "writer-not-self-fenced" / "lone-writer-never-stops": every stop must have a cause, a writer
  // that opened after the stopping one (its rival). `invariant` names the violation.
  void CheckStopsHaveRivals(std::string_view invariant, Verdict& verdict) const;

 private:
  std::string CurrentProcess();
  Kernel& kernel_;
  std::vector<Stop> stops_;
  std::vector<Open> opens_;
};

}  // namespace seedbed
