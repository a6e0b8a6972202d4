// model::raft::RaftOptions: the knobs of the replicated log, including the CnosDB defect as a named
// option that defaults to the fixed behaviour. Plain data; nothing here yields.
#pragma once

#include <cstdint>

namespace model::raft {

class Observer;

// What a node does when an I/O call on its log (append, truncate, prefix delete, vote file) or on
// its apply path (applied-index marker, memtable flush = snapshot write) fails.
//
// Upstream context (seed "cnosdb.raft_wal_io"): CnosDB 2.4 runs one openraft group per vnode and
// stores each group's Raft log in the vnode's WAL; apply writes the in-memory cache and the cache's
// flush is the snapshot point. Its design write-up leaves open what happens on an I/O error while
// writing the log or applying (the answer is checks beforehand and an operator afterwards). openraft
// itself treats a StorageError as fatal and stops the node.
enum class IoErrorPolicy : uint8_t {
  // The defect: log the error and carry on as if the call had worked. A follower whose append
  // failed still acknowledges AppendEntries (the leader counts it in the quorum although the entry
  // is on neither its disk nor its log); a vote whose file failed to persist is still granted; a
  // memtable flush whose snapshot write failed still deletes the log prefix it covers.
  kIgnore,
  // The fix: the replica fail-stops (refuses everything, drops its volatile state), waits
  // `restart_delay_ns`, then recovers from its snapshot and WAL as a restarted process would.
  kFailStop,
};

struct RaftOptions {
  IoErrorPolicy io_error_policy = IoErrorPolicy::kFailStop;

  // ---- timing (simulated or real nanoseconds) ----
  // Election timeout drawn uniformly from [min, max) via Runtime::Random at every reset; the draw is
  // rotated by the node's rank in its group, so equal draws (a simulation's all-zero default)
  // still stagger the nodes.
  int64_t election_timeout_ns_min = 300'000'000;
  int64_t election_timeout_ns_max = 600'000'000;
  int64_t heartbeat_interval_ns = 100'000'000;
  // Fail-stop: how long a halted replica stays down before it recovers from disk.
  int64_t restart_delay_ns = 500'000'000;
  // Transport::Receive / Accept polling bound (also how fast Stop() is noticed).
  int64_t poll_ns = 100'000'000;
  // A snapshot stream (either side) gives up after this long.
  int64_t snapshot_timeout_ns = 5'000'000'000;

  // ---- log and snapshot sizes ----
  uint32_t append_entries_max = 64;       // entries per AppendEntries message
  uint64_t segment_bytes_max = 16 << 10;  // WAL segment rolls over past this size
  // Memtable flush (= snapshot + log prefix deletion) once this many entries were applied since the
  // last one; 0 turns snapshots off.
  uint64_t snapshot_every_entries = 64;
  uint32_t snapshot_chunk_bytes = 4 << 10;

  // ---- observation (checkers only: it never steers the run) ----
  Observer* observer = nullptr;  // not owned; must outlive every node using these options
};

}  // namespace model::raft
