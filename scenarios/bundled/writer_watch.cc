#include "scenarios/bundled/writer_watch.h"

#include "model/errors.h"
#include "model/wal/format.h"

namespace seedbed {

namespace {
checks::WriterId Id(const model::WriterInfo& writer) { return {writer.writer_id, writer.writer_epoch}; }
}  // namespace

WriterWatch::WriterWatch(Kernel& kernel, std::string prefix) : kernel_(kernel) {
  log_.object_prefix = prefix;
  log_.log_path = [prefix](uint64_t id) { return model::WalPath(prefix, id); };
  log_.writer_object = [prefix](const checks::WriterId& w) {
    return w.epoch > 0 ? "lease " + model::WriterLeaseName(prefix, w.epoch) : std::string();
  };
}

std::string WriterWatch::CurrentProcess() {
  return kernel_.current_task() == kNoTask ? "kernel" : kernel_.current_process().name();
}

void WriterWatch::OnRecovered(const model::WriterInfo& writer, uint64_t, uint64_t replay_last, uint64_t) {
  log_.opens.push_back({kernel_.Now(), CurrentProcess(), Id(writer), replay_last});
}

void WriterWatch::OnAck(const model::WriterInfo& writer, uint64_t wal_id, size_t waiters) {
  if (waiters == 0) return;
  log_.acks.push_back({kernel_.Now(), CurrentProcess(), Id(writer), wal_id, waiters});
}

void WriterWatch::OnWriterStopped(const model::WriterInfo& writer, const absl::Status& status) {
  log_.stops.push_back({kernel_.Now(), CurrentProcess(), Id(writer), status.ToString(), model::IsFenced(status)});
}

}  // namespace seedbed
