#include "scenarios/checks/writer_checks.h"

#include <algorithm>

#include "fmt/format.h"

namespace seedbed::checks {
namespace {

void AddObject(Violation& v, std::string object) {
  if (!object.empty() && std::find(v.objects.begin(), v.objects.end(), object) == v.objects.end())
    v.objects.push_back(std::move(object));
}

// The object paths under log.object_prefix that `text` mentions ("Fenced: cluster/wal/..3 already exists").
void AddObjectsIn(const WriterLog& log, std::string_view text, Violation& v) {
  const std::string& prefix = log.object_prefix;
  if (prefix.empty()) return;
  for (size_t at = text.find(prefix); at != std::string_view::npos; at = text.find(prefix, at + 1)) {
    const size_t end = text.find_first_of(" :,;)", at);
    AddObject(v, std::string(text.substr(at, end == std::string_view::npos ? std::string_view::npos : end - at)));
  }
}

}  // namespace

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
    AddObjectsIn(log, stop.status, v);
    if (log.writer_object) AddObject(v, log.writer_object(stop.writer));
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
      if (log.log_path) {  // the zombie's acknowledged log object, and the newer writer's fence
        AddObject(v, log.log_path(ack.log_id));
        AddObject(v, log.log_path(open.replay_last));
      }
      if (log.writer_object) {  // both writers' leases: they overlap
        AddObject(v, log.writer_object(ack.writer));
        AddObject(v, log.writer_object(open.writer));
      }
      return;  // one report is enough: later acks of the same zombie say the same
    }
  }
}

}  // namespace seedbed::checks
