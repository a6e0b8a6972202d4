#include "model/raft/log_store.h"

#include <algorithm>
#include <cassert>

#include "absl/strings/str_cat.h"
#include "fmt/format.h"
#include "model/env/status.h"
#include "model/raft/log_format.h"

namespace model::raft {
namespace {
constexpr std::string_view kSuffix = ".wal";

bool ParseSegmentName(const std::string& name, uint64_t& seq) {
  if (name.size() != 20 + kSuffix.size() || name.substr(20) != kSuffix) return false;
  seq = 0;
  for (size_t i = 0; i < 20; ++i) {
    if (name[i] < '0' || name[i] > '9') return false;
    seq = seq * 10 + static_cast<uint64_t>(name[i] - '0');
  }
  return true;
}
}  // namespace

LogStore::LogStore(FileSystem& fs, std::string dir, uint64_t segment_bytes_max)
    : fs_(fs), dir_(std::move(dir)), segment_bytes_max_(segment_bytes_max) {}

// No I/O here: the handle's own destructor closes it (this may run in kernel context after a crash).
LogStore::~LogStore() = default;

std::string LogStore::SegmentPath(uint64_t seq) const {
  return fmt::format("{}/{:020}{}", dir_, seq, kSuffix);
}

const Entry* LogStore::Find(uint64_t index) const {
  if (entries_.empty() || index < first_index() || index > last_index()) return nullptr;
  return &entries_[index - first_index()];
}

std::vector<Entry> LogStore::Slice(uint64_t from, uint64_t to) const {
  std::vector<Entry> out;
  if (entries_.empty()) return out;
  from = std::max(from, first_index());
  to = std::min(to, last_index());
  for (uint64_t i = from; i <= to; ++i) out.push_back(entries_[i - first_index()]);
  return out;
}

absl::Status LogStore::Open() {
  if (active_ != nullptr) (void)active_->Close();
  active_.reset();
  segments_.clear();
  entries_.clear();
  locations_.clear();
  applied_marker_ = 0;
  dropped_torn_tail_ = false;

  ASSIGN_OR_RETURN(bool exists, fs_.Exists(dir_));
  if (!exists) {
    absl::Status created = fs_.CreateDir(dir_);
    if (!created.ok() && !absl::IsAlreadyExists(created)) return created;
  }
  // Synced even when present: an earlier incarnation may have failed between create and sync.
  const size_t slash = dir_.rfind('/');
  RETURN_IF_ERROR(fs_.SyncDir(slash == std::string::npos ? std::string() : dir_.substr(0, slash)));
  // Likewise segment creates and removes whose directory sync failed become durable now, before
  // replay trusts what the listing shows.
  RETURN_IF_ERROR(fs_.SyncDir(dir_));
  ASSIGN_OR_RETURN(std::vector<std::string> names, fs_.List(dir_));
  for (const std::string& name : names) {
    uint64_t seq = 0;
    if (ParseSegmentName(name, seq)) segments_.push_back(Segment{seq, 0});
    last_seq_ = std::max(last_seq_, seq);
  }
  for (size_t i = 0; i < segments_.size(); ++i) {
    bool stop = false;
    RETURN_IF_ERROR(ReplaySegment(i, stop));
    if (stop) {
      RETURN_IF_ERROR(RemoveSegments(i + 1, segments_.size()));
      break;
    }
  }
  applied_marker_ = std::min(applied_marker_, last_index());
  return OpenActive(/*create=*/segments_.empty());
}

// Replays segments_[position]; on a torn or corrupt record cuts the file there and sets `stop`.
absl::Status LogStore::ReplaySegment(size_t position, bool& stop) {
  Segment& segment = segments_[position];
  const std::string path = SegmentPath(segment.seq);
  ASSIGN_OR_RETURN(std::string bytes, ReadWholeFile(fs_, path));
  DecodedRecords decoded = DecodeRecords(bytes);
  uint64_t valid_bytes = decoded.valid_bytes;
  for (size_t r = 0; r < decoded.records.size(); ++r) {
    LogRecord& record = decoded.records[r];
    if (record.type == RecordType::kApplied) {
      applied_marker_ = std::max(applied_marker_, record.index);
      continue;
    }
    const bool fits = entries_.empty() || (record.index >= first_index() &&
                                           record.index <= last_index() + 1);
    if (!fits || record.index == 0) {  // a gap: what follows cannot be trusted
      valid_bytes = decoded.offsets[r];
      break;
    }
    while (!entries_.empty() && last_index() >= record.index) {  // a later conflict truncation
      entries_.pop_back();
      locations_.pop_back();
    }
    entries_.push_back(Entry{record.index, record.term, std::move(record.data)});
    locations_.push_back(Location{segment.seq, decoded.offsets[r]});
  }
  segment.size = valid_bytes;
  if (valid_bytes == bytes.size()) return absl::OkStatus();
  stop = true;
  dropped_torn_tail_ = true;
  OpenOptions options;
  options.write = true;
  ASSIGN_OR_RETURN(std::unique_ptr<File> file, fs_.Open(path, options));
  absl::Status status = file->Truncate(valid_bytes);
  if (status.ok()) status = file->Sync();
  absl::Status closed = file->Close();
  return status.ok() ? closed : status;
}

absl::Status LogStore::OpenActive(bool create) {
  if (!create && segments_.empty()) return absl::FailedPreconditionError("raft log: no segment");
  OpenOptions options;
  options.write = true;
  if (create) {
    const uint64_t seq = ++last_seq_;
    options.create = true;
    options.truncate = true;
    ASSIGN_OR_RETURN(active_, fs_.Open(SegmentPath(seq), options));
    segments_.push_back(Segment{seq, 0});
    return fs_.SyncDir(dir_);
  }
  ASSIGN_OR_RETURN(active_, fs_.Open(SegmentPath(segments_.back().seq), options));
  return absl::OkStatus();
}

absl::Status LogStore::Roll() {
  if (active_ != nullptr) RETURN_IF_ERROR(active_->Close());
  active_.reset();
  return OpenActive(/*create=*/true);
}

absl::Status LogStore::RemoveSegments(size_t from, size_t to) {
  if (from >= to) return absl::OkStatus();
  for (size_t i = from; i < to; ++i) RETURN_IF_ERROR(fs_.Remove(SegmentPath(segments_[i].seq)));
  segments_.erase(segments_.begin() + static_cast<std::ptrdiff_t>(from),
                  segments_.begin() + static_cast<std::ptrdiff_t>(to));
  return fs_.SyncDir(dir_);
}

absl::Status LogStore::Append(const std::vector<Entry>& entries) {
  if (entries.empty()) return absl::OkStatus();
  // REQUIRES: contiguous with the log.
  assert(entries_.empty() || entries.front().index == last_index() + 1);
  if (active_ == nullptr) return absl::FailedPreconditionError("raft log: not open");
  if (segments_.back().size >= segment_bytes_max_) RETURN_IF_ERROR(Roll());
  if (active_ == nullptr) return absl::FailedPreconditionError("raft log: not open");
  Segment& segment = segments_.back();
  std::string bytes;
  std::vector<uint64_t> offsets;
  for (const Entry& entry : entries) {
    offsets.push_back(segment.size + bytes.size());
    bytes += EncodeRecord(LogRecord{RecordType::kEntry, entry.index, entry.term, entry.data});
  }
  absl::Status status = active_->Append(bytes);
  if (status.ok()) status = active_->Sync();
  if (!status.ok()) {
    (void)active_->Truncate(segment.size);  // best effort: keep the file equal to the memory view
    return status;
  }
  segment.size += bytes.size();
  for (size_t i = 0; i < entries.size(); ++i) {
    entries_.push_back(entries[i]);
    locations_.push_back(Location{segment.seq, offsets[i]});
  }
  return absl::OkStatus();
}

absl::Status LogStore::MarkApplied(uint64_t index) {
  if (active_ == nullptr) return absl::FailedPreconditionError("raft log: not open");
  const std::string bytes = EncodeRecord(LogRecord{RecordType::kApplied, index, 0, ""});
  RETURN_IF_ERROR(active_->Append(bytes));
  segments_.back().size += bytes.size();
  applied_marker_ = std::max(applied_marker_, index);
  return absl::OkStatus();
}

absl::Status LogStore::TruncateSuffix(uint64_t index) {
  if (entries_.empty() || index > last_index()) return absl::OkStatus();
  if (index < first_index()) index = first_index();
  const Location cut = locations_[index - first_index()];
  size_t position = 0;
  while (position < segments_.size() && segments_[position].seq != cut.seq) ++position;
  if (position == segments_.size()) return absl::DataLossError("raft log: segment of entry gone");
  // Later segments go first (durably), so the cut one is never followed by stale entries.
  if (position + 1 < segments_.size()) {
    if (active_ != nullptr) (void)active_->Close();
    active_.reset();
    RETURN_IF_ERROR(RemoveSegments(position + 1, segments_.size()));
    RETURN_IF_ERROR(OpenActive(/*create=*/false));
  }
  if (active_ == nullptr) return absl::FailedPreconditionError("raft log: not open");
  RETURN_IF_ERROR(active_->Truncate(cut.offset));
  RETURN_IF_ERROR(active_->Sync());
  segments_.back().size = cut.offset;
  while (!entries_.empty() && last_index() >= index) {
    entries_.pop_back();
    locations_.pop_back();
  }
  applied_marker_ = std::min(applied_marker_, last_index());
  // The cut may have taken marker records with it: write the current one again (unsynced).
  if (applied_marker_ > 0) return MarkApplied(applied_marker_);
  return absl::OkStatus();
}

absl::Status LogStore::DeletePrefix(uint64_t index) {
  if (active_ == nullptr) return absl::FailedPreconditionError("raft log: not open");
  if (!entries_.empty() && last_index() <= index && segments_.back().size > 0) RETURN_IF_ERROR(Roll());
  // Highest live entry per segment decides whether the segment can go.
  size_t deletable = 0;
  size_t e = 0;
  while (deletable + 1 < segments_.size()) {  // never the active segment
    const uint64_t seq = segments_[deletable].seq;
    bool all_covered = true;
    while (e < entries_.size() && locations_[e].seq == seq) {
      if (entries_[e].index > index) all_covered = false;
      ++e;
    }
    if (!all_covered) break;
    ++deletable;
  }
  if (deletable == 0) return absl::OkStatus();
  const uint64_t first_kept_seq = segments_[deletable].seq;
  RETURN_IF_ERROR(RemoveSegments(0, deletable));
  while (!entries_.empty() && locations_.front().seq < first_kept_seq) {
    entries_.pop_front();
    locations_.pop_front();
  }
  return absl::OkStatus();
}

absl::Status LogStore::Clear() {
  if (active_ != nullptr) (void)active_->Close();
  active_.reset();
  RETURN_IF_ERROR(RemoveSegments(0, segments_.size()));
  entries_.clear();
  locations_.clear();
  applied_marker_ = 0;
  return OpenActive(/*create=*/true);
}

}  // namespace model::raft
