// model::Options: every knob of the engine under test, including each upstream defect as a named
// option. Every defect option DEFAULTS TO THE FIXED BEHAVIOUR; a scenario's "buggy" variant flips
// one. A defect is a real mechanism (a race or a fault must happen for data to be lost), never a
// shortcut. Plain data; nothing here yields.
#pragma once

#include <cstdint>
#include <string>

#include "model/env/object_store.h"

namespace model {

class Observer;

// What a WAL put that meets kAlreadyExists does to the writer.
enum class WalConflictAction : uint8_t {
  // InfluxDB 3 (PR #26203): "another process has written to the WAL ahead of this one": fail every
  // waiting write, then refuse new writes with a shutdown error (IsShutdown).
  kShutdown,
  // SlateDB: kAlreadyExists on a WAL id means a newer writer fenced us: every waiting and later
  // write fails with IsFenced.
  kFenced,
};

// kAlreadyExists on a retry after an attempt whose outcome was ambiguous (kDeadlineExceeded).
enum class AmbiguousRetryAction : uint8_t {
  // Upstream InfluxDB after PR #26203 (the case it leaves open, scenario
  // "influxdb3.ambiguous_retry"): treat it as a conflict, so a lone writer stops itself.
  kConflict,
  // Our fix: read the object back; if it is byte-equal to what we wrote (the WAL carries our random
  // writer id, so equality means it is ours), the put succeeded.
  kReadBack,
};

// When a frozen WAL buffer gets its id (slatedb/slatedb #433, PR #448; regressed #1018, PR #1885).
enum class WalIdAssignment : uint8_t {
  // Defect #433: freeze takes id X and advances next_wal_id to X+1 at once, before the put. A
  // manifest written meanwhile records wal_id_last_seen = X (runs ahead of the WAL); a put that
  // fails leaves a hole at X.
  kAtFreeze,
  // PR #448: the flush takes next_wal_id when it writes and advances it only after the put succeeds.
  kAtFlush,
};

// Who writes the WAL on an explicit Db::Flush() (slatedb/slatedb #235, PR #259).
enum class ExplicitFlushMode : uint8_t {
  // Defect #235: the caller's own task freezes and writes the oldest frozen WAL, racing the
  // background flush task on the same id; the loser's kAlreadyExists becomes Fenced (self-fencing).
  kCallerTask,
  // PR #259: one flush task owns WAL writes; Flush() sends it a request and waits for the answer.
  kFlushTask,
};

// Order of the steps when a writer opens with fencing (slatedb/slatedb PR #271, FizzBee spec #266).
enum class OpenOrder : uint8_t {
  // Defect fixed by PR #271: write the bumped writer_epoch first, then list the WAL to find the
  // next id and write the fence there. Two openers can then both finish opening: the older epoch
  // lists after the newer one's fence and fences the slot after it.
  kEpochFirst,
  // PR #271: read the latest manifest and the next WAL id before writing the epoch and the fence;
  // a fence conflict refreshes the manifest and reports Fenced if a newer epoch is stored; after
  // the fence the manifest is re-read to confirm our epoch and that the fence lies above the
  // replay point (PR #1682).
  kReadFirst,
};

// Garbage collection of WAL objects at or below wal_id_last_compacted, after a manifest write.
enum class WalGcMode : uint8_t {
  kOff,
  // Defect slatedb/slatedb #1622 (dup of #352): deletes every WAL object below the replay point,
  // fences included, so a stale writer's Create of its next id can succeed and be lost.
  kDeleteAll,
  // PR #1672 keeps fences (upstream: for a configurable minimum age). Here: empty WAL objects
  // (fences) are never collected; WALs with data are.
  kKeepFences,
};

// rqlite snapshot store: how creating a snapshot and streaming one exclude each other
// (rqlite/rqlite #1774, PRs #1775 and #1776).
enum class SnapshotLockPolicy : uint8_t {
  kNone,            // #1774: Open() streams with no lock; only sinks are serialised
  kTryLock,         // #1775: one try-lock shared by create and open; conflict fails fast
  kReadersWriter,   // #1776: many streaming readers, one writer (try-lock, fails fast)
};

struct Options {
  // ---- WAL ----
  // Put mode of WAL objects (influxdata/influxdb #26161, PR #26203). kOverwrite is the defect: two
  // processes on one prefix both write wal/N and the second silently replaces the first, whose
  // writes were acknowledged. kCreate (the fix) makes the second fail with kAlreadyExists.
  PutMode wal_put_mode = PutMode::kCreate;
  WalConflictAction wal_conflict = WalConflictAction::kFenced;
  AmbiguousRetryAction ambiguous_retry = AmbiguousRetryAction::kReadBack;
  WalIdAssignment wal_id_assignment = WalIdAssignment::kAtFlush;
  ExplicitFlushMode explicit_flush = ExplicitFlushMode::kFlushTask;
  // Background flush tick (InfluxDB: 1 s; missed ticks are skipped).
  int64_t flush_interval_ns = 1'000'000'000;
  // The flush task also wakes when the buffer holds this many bytes.
  uint64_t wal_buffer_bytes_max = 1 << 20;
  // Transient put errors (kUnavailable, kDeadlineExceeded, ...) are retried: InfluxDB tries up to
  // 100 times, 100 ms apart. Applies to WAL, L0 and manifest puts.
  int put_attempts_max = 100;
  int64_t put_retry_delay_ns = 100'000'000;

  // ---- manifest and fencing ----
  // true: SlateDB mode (writer_epoch, fence WAL at open, a writer below the stored epoch is
  // Fenced). false: InfluxDB mode (no epoch, no fence; the next WAL id comes from the last
  // persisted state plus the WAL objects found).
  bool fencing = true;
  OpenOrder open_order = OpenOrder::kReadFirst;
  WalGcMode wal_gc = WalGcMode::kKeepFences;
  // Bounds on the compare-and-swap loops (manifest write, fence write).
  int cas_attempts_max = 20;

  // ---- memtable ----
  // A background task flushes the memtable to an L0 object (and writes a manifest) once it holds
  // this many bytes; 0 turns the automatic flush off (FlushMemtable() still works).
  uint64_t memtable_bytes_max = 4 << 20;

  // ---- observation (checkers only: it never steers the run) ----
  Observer* observer = nullptr;  // not owned; must outlive the Db

  // Presets for the two seed systems, fixed behaviour.
  static Options InfluxDb3() {
    Options o;
    o.fencing = false;
    o.wal_conflict = WalConflictAction::kShutdown;
    return o;
  }
  static Options SlateDb() { return Options(); }
};

}  // namespace model
