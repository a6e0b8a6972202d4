// A model::Observer for the bundled scenarios: records, with simulated times, every writer's open,
// stop (fenced or shut down) and acknowledgement into a plain checks::WriterLog, for the
// single-writer checks of scenarios/checks/writer_checks.h. It only records; it never steers.
// Kernel-thread only.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "model/observer.h"
#include "scenarios/checks/writer_checks.h"
#include "scenarios/harness/verdict.h"
#include "sim/kernel.h"

namespace seedbed {

class WriterWatch : public model::Observer {
 public:
  // `prefix`: the database's object-store prefix, so the log names WAL objects by path.
  explicit WriterWatch(Kernel& kernel, std::string prefix = "cluster/");

  void OnRecovered(const model::WriterInfo& writer, uint64_t, uint64_t, uint64_t) override;
  void OnWriterStopped(const model::WriterInfo& writer, const absl::Status& status) override;
  void OnAck(const model::WriterInfo& writer, uint64_t wal_id, size_t waiters) override;

  const checks::WriterLog& log() const { return log_; }

  // checks::StopsHaveRivals ("writer-not-self-fenced" / "lone-writer-never-stops").
  void CheckStopsHaveRivals(std::string_view invariant, Verdict& verdict) const {
    checks::StopsHaveRivals(log_, invariant, verdict);
  }
  // checks::OlderWritersFenced ("single-writer", slatedb PR #271). (An older writer acknowledging
  // WAL F itself is #1622's fence-GC loss, which the lost-writes check finds.)
  void CheckOlderWritersFenced(std::string_view invariant, Verdict& verdict) const {
    checks::OlderWritersFenced(log_, invariant, verdict);
  }

 private:
  std::string CurrentProcess();
  Kernel& kernel_;
  checks::WriterLog log_;
};

}  // namespace seedbed
