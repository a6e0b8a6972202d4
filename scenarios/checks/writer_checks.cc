#include "scenarios/checks/writer_checks.h"

#include "fmt/format.h"

namespace seedbed::checks {

void StopsHaveRivals(const WriterLog& log, std::string_view invariant, Verdict& verdict) {
  for (const WriterLog::Stop& stop : log.stops) {
    bool rival = false;
    for (const WriterLog::Open& open : log.opens)
      rival = rival || (open.writer.id != stop.writer.id && open.writer.epoch >= stop.writer.epoch);
    if (rival) continue;
    Violation& v = verdict.Fail(
        invariant,
        fmt::format("{} (writer {:016x}, epoch {}) stopped itself with no rival writer: {}", stop.process,
                    stop.writer.id, stop.writer.epoch, stop.status),
        stop.at_ns);
    for (const WriterLog::Open& open : log.opens)
      v.evidence.push_back(fmt::format("{:.6f}ms {} opened writer {:016x} epoch {}", open.at_ns / 1e6,
                                       open.process, open.writer.id, open.writer.epoch));
    v.evidence.push_back(fmt::format("{:.6f}ms {} stopped: {}", stop.at_ns / 1e6, stop.process, stop.status));
  }
}

void OlderWritersFenced(const WriterLog& log, std::string_view invariant, Verdict& verdict) {
  for (const WriterLog::Ack& ack : log.acks) {
    for (const WriterLog::Open& open : log.opens) {
      if (open.writer.epoch <= ack.writer.epoch) continue;
      if (ack.log_id <= open.replay_last) continue;
      Violation& v = verdict.Fail(
          invariant,
          fmt::format("{} (writer {:016x}, epoch {}) acknowledged {} write(s) in WAL {}, above the "
                      "fence (WAL {}) of the newer writer {:016x} (epoch {}, {}): two writers were "
                      "both open",
                      ack.process, ack.writer.id, ack.writer.epoch, ack.writes, ack.log_id,
                      open.replay_last, open.writer.id, open.writer.epoch, open.process),
          ack.at_ns);
      for (const WriterLog::Open& o : log.opens)
        v.evidence.push_back(fmt::format("{:.6f}ms {} opened writer {:016x} epoch {} replayed up to WAL {}",
                                         o.at_ns / 1e6, o.process, o.writer.id, o.writer.epoch, o.replay_last));
      v.evidence.push_back(fmt::format("{:.6f}ms {} acked WAL {}", ack.at_ns / 1e6, ack.process, ack.log_id));
      return;  // one report is enough: later acks of the same zombie say the same
    }
  }
}

}  // namespace seedbed::checks
