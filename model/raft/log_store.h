// The Raft log of one group as a WAL on the node's local disk: numbered segment files
// `{dir}/{seq:020}.wal` of records (model/raft/log_format.h), entries also held in memory.
// Used by one task at a time (the group's worker). Every call that touches the disk may yield.
//
// Durability contract: Append returns OK only after the records and the segment's directory entry
// are synced; TruncateSuffix and DeletePrefix are durable on return; MarkApplied is not synced (it
// rides on the next sync). On a failed Append the in-memory log is unchanged (the file is cut back
// as far as possible); the caller's io_error_policy decides what happens next.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "model/env/file_system.h"

namespace model::raft {

struct Entry {
  uint64_t index = 0;
  uint64_t term = 0;
  std::string data;  // an encoded Command
  friend bool operator==(const Entry&, const Entry&) = default;
};

class LogStore {
 public:
  LogStore(FileSystem& fs, std::string dir, uint64_t segment_bytes_max);
  ~LogStore();
  LogStore(const LogStore&) = delete;
  LogStore& operator=(const LogStore&) = delete;

  // May yield. Creates `dir` if missing (its parent must exist), replays every segment in order (a
  // record with an index <= the last one replaces the suffix from there, as a conflict truncation
  // did), cuts a torn tail off (the file is truncated at the last valid record and later segments
  // are removed), and opens the last segment for appends.
  absl::Status Open();

  bool empty() const { return entries_.empty(); }
  uint64_t first_index() const { return entries_.empty() ? 0 : entries_.front().index; }
  uint64_t last_index() const { return entries_.empty() ? 0 : entries_.back().index; }
  // The entry at `index`, or null if the log does not hold it.
  const Entry* Find(uint64_t index) const;
  // Entries [from, to] (inclusive), clamped to what the log holds.
  std::vector<Entry> Slice(uint64_t from, uint64_t to) const;
  // Highest applied marker found by Open or written since (bounded by last_index() at Open).
  uint64_t applied_marker() const { return applied_marker_; }
  // Open cut a torn or corrupt tail off.
  bool dropped_torn_tail() const { return dropped_torn_tail_; }
  size_t segment_count() const { return segments_.size(); }

  // May yield. Appends and syncs. REQUIRES: entries contiguous and ascending; the log is empty or
  // entries[0].index == last_index() + 1.
  absl::Status Append(const std::vector<Entry>& entries);
  // May yield. Removes every entry >= index (no-op if none). Durable on return.
  absl::Status TruncateSuffix(uint64_t index);
  // May yield. Appends an applied-through-`index` marker; not synced.
  absl::Status MarkApplied(uint64_t index);
  // May yield. Deletes the leading segments whose entries are all <= index (the active segment is
  // rolled first if all of its entries are). Entries <= index in kept segments stay.
  absl::Status DeletePrefix(uint64_t index);
  // May yield. Removes every segment; the log becomes empty (InstallSnapshot, recovery gap).
  absl::Status Clear();

 private:
  struct Segment {
    uint64_t seq = 0;
    uint64_t size = 0;
  };
  struct Location {
    uint64_t seq = 0;
    uint64_t offset = 0;
  };
  std::string SegmentPath(uint64_t seq) const;
  absl::Status OpenActive(bool create);
  absl::Status Roll();
  absl::Status RemoveSegments(size_t from, size_t to);  // [from, to) of segments_, then SyncDir
  absl::Status ReplaySegment(size_t position, bool& stop);

  FileSystem& fs_;
  const std::string dir_;
  const uint64_t segment_bytes_max_;
  std::vector<Segment> segments_;       // ascending seq; the last one is active
  std::unique_ptr<File> active_;        // open handle on segments_.back()
  std::deque<Entry> entries_;
  std::deque<Location> locations_;      // parallel to entries_
  uint64_t last_seq_ = 0;               // highest segment number used (names never repeat)
  uint64_t applied_marker_ = 0;
  bool dropped_torn_tail_ = false;
};

}  // namespace model::raft
