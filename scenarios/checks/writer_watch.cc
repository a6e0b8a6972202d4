#include "scenarios/checks/writer_watch.h"

#include "fmt/format.h"
#include "model/errors.h"

namespace seedbed {

std::string WriterWatch::CurrentProcess() {
  return kernel_.current_task() == kNoTask ? "kernel" : kernel_.current_process().name();
}

void WriterWatch::OnRecovered(const model::WriterInfo& writer, uint64_t, uint64_t replay_last,
                              uint64_t) {
  opens_.push_back({kernel_.Now(), CurrentProcess(), writer, replay_last});
}

void WriterWatch::OnAck(const model::WriterInfo& writer, uint64_t wal_id, size_t waiters) {
  if (waiters == 0) return;
  acks_.push_back({kernel_.Now(), CurrentProcess(), writer, wal_id, waiters});
}

void WriterWatch::OnWriterStopped(const model::WriterInfo& writer, const absl::Status& status) {
  stops_.push_back({kernel_.Now(), CurrentProcess(), writer, status.ToString(), model::IsFenced(status)});
}

void WriterWatch::CheckStopsHaveRivals(std::string_view invariant, Verdict& verdict) const {
  for (const Stop& stop : stops_) {
    bool rival = false;
    for (const Open& open : opens_)
      rival = rival || (open.writer.writer_id != stop.writer.writer_id &&
                        open.writer.writer_epoch >= stop.writer.writer_epoch);
    if (rival) continue;
    Violation& v = verdict.Fail(
        invariant,
        fmt::format("{} (writer {:016x}, epoch {}) stopped itself with no rival writer: {}", stop.process,
                    stop.writer.writer_id, stop.writer.writer_epoch, stop.status),
        stop.at_ns);
    for (const Open& open : opens_)
      v.evidence.push_back(fmt::format("{:.6f}ms {} opened writer {:016x} epoch {}", open.at_ns / 1e6,
                                       open.process, open.writer.writer_id, open.writer.writer_epoch));
    v.evidence.push_back(fmt::format("{:.6f}ms {} stopped: {}", stop.at_ns / 1e6, stop.process, stop.status));
  }
}

void WriterWatch::CheckOlderWritersFenced(std::string_view invariant, Verdict& verdict) const {
  for (const Ack& ack : acks_) {
    for (const Open& open : opens_) {
      if (open.writer.writer_epoch <= ack.writer.writer_epoch) continue;
      if (ack.wal_id <= open.replay_last) continue;
      Violation& v = verdict.Fail(
          invariant,
          fmt::format("{} (writer {:016x}, epoch {}) acknowledged {} write(s) in WAL {}, above the "
                      "fence (WAL {}) of the newer writer {:016x} (epoch {}, {}): two writers were "
                      "both open",
                      ack.process, ack.writer.writer_id, ack.writer.writer_epoch, ack.waiters,
                      ack.wal_id, open.replay_last, open.writer.writer_id, open.writer.writer_epoch,
                      open.process),
          ack.at_ns);
      for (const Open& o : opens_)
        v.evidence.push_back(fmt::format("{:.6f}ms {} opened writer {:016x} epoch {} replayed up to WAL {}",
                                         o.at_ns / 1e6, o.process, o.writer.writer_id,
                                         o.writer.writer_epoch, o.replay_last));
      v.evidence.push_back(fmt::format("{:.6f}ms {} acked WAL {}", ack.at_ns / 1e6, ack.process,
                                       ack.wal_id));
      return;  // one report is enough: later acks of the same zombie say the same
    }
  }
}

}  // namespace seedbed
