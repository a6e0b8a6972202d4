// What the engine tells a checker, without being steered by it. Install one through
// Options::observer; default none. Callbacks may run on any of the Db's tasks, sometimes with
// engine locks held: they must not block, yield or call back into the Db.
#pragma once

#include <cstdint>

#include "absl/status/status.h"

namespace model {

struct Manifest;  // model/manifest/format.h: observers that read it include that header

struct WriterInfo {
  uint64_t writer_id = 0;     // random per Db::Open
  uint64_t writer_epoch = 0;  // 0 with fencing off
};

class Observer {
 public:
  virtual ~Observer() = default;
  // A WAL object is durable (written by this writer, or read back as ours); before its writes ack.
  virtual void OnWalWritten(const WriterInfo& writer, uint64_t wal_id, size_t ops) {
    (void)writer, (void)wal_id, (void)ops;
  }
  // `waiters` writes whose ops are in WAL `wal_id` were acknowledged.
  virtual void OnAck(const WriterInfo& writer, uint64_t wal_id, size_t waiters) {
    (void)writer, (void)wal_id, (void)waiters;
  }
  // A manifest version was durably written by this writer.
  virtual void OnManifestWrite(const WriterInfo& writer, uint64_t manifest_id,
                               const Manifest& manifest) {
    (void)writer, (void)manifest_id, (void)manifest;
  }
  // The writer stopped: IsFenced(status) or IsShutdown(status).
  virtual void OnWriterStopped(const WriterInfo& writer, const absl::Status& status) {
    (void)writer, (void)status;
  }
  // Open finished recovery: WAL ids (replay_after, replay_last] were replayed; next_wal_id is the
  // first id this writer will use.
  virtual void OnRecovered(const WriterInfo& writer, uint64_t replay_after, uint64_t replay_last,
                           uint64_t next_wal_id) {
    (void)writer, (void)replay_after, (void)replay_last, (void)next_wal_id;
  }
};

}  // namespace model
