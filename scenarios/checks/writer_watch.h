// A model::Observer for scenarios: records, with simulated times, every writer's open, stop
// (fenced or shut down), acknowledgement and manifest write, so checks can ask "did a writer stop
// although no rival existed?" It only records; it never steers. Kernel-thread only.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "model/observer.h"
#include "scenarios/harness/verdict.h"
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
    uint64_t replay_last = 0;  // the newest WAL id its recovery saw (its fence, with fencing)
  };
  struct Ack {
    Nanos at_ns;
    std::string process;
    model::WriterInfo writer;
    uint64_t wal_id;
    size_t waiters;
  };

  void OnRecovered(const model::WriterInfo& writer, uint64_t, uint64_t, uint64_t) override;
  void OnWriterStopped(const model::WriterInfo& writer, const absl::Status& status) override;
  void OnAck(const model::WriterInfo& writer, uint64_t wal_id, size_t waiters) override;

  const std::vector<Stop>& stops() const { return stops_; }
  const std::vector<Open>& opens() const { return opens_; }
  const std::vector<Ack>& acks() const { return acks_; }

  // "writer-not-self-fenced" / "lone-writer-never-stops": every stop must have a cause, a writer
  // that opened after the stopping one (its rival). `invariant` names the violation.
  void CheckStopsHaveRivals(std::string_view invariant, Verdict& verdict) const;

  // "single-writer" (slatedb PR #271): once a writer with epoch E finished opening (recovery saw
  // WAL ids up to its fence F), no writer with a lower epoch acknowledges a write in a WAL above F:
  // fencing must stop it at F, so whatever an older writer acknowledges, the newer one replayed.
  // (An older writer acknowledging WAL F itself is #1622's fence-GC loss, which the lost-writes
  // check finds.) Needs fencing (epochs > 0).
  void CheckOlderWritersFenced(std::string_view invariant, Verdict& verdict) const;

 private:
  std::string CurrentProcess();
  Kernel& kernel_;
  std::vector<Stop> stops_;
  std::vector<Open> opens_;
  std::vector<Ack> acks_;
};

}  // namespace seedbed
