// model/raft pieces that need no world: the WAL record format and its torn tails, commands,
// snapshots, messages, the state machine, and the segmented log store on the real disk (with a
// file-system decorator that injects I/O errors).
#include <catch2/catch.hpp>

#include "model/env/posix/posix_env.h"
#include "model/raft/log_format.h"
#include "model/raft/log_store.h"
#include "model/raft/messages.h"
#include "model/raft/state_machine.h"
#include "test_util.h"

using namespace model::raft;
using model_test::TempDir;

namespace {

std::string Records(const std::vector<LogRecord>& records) {
  std::string out;
  for (const LogRecord& r : records) out += EncodeRecord(r);
  return out;
}

Entry E(uint64_t index, uint64_t term, std::string data = "") {
  if (data.empty()) data = "v" + std::to_string(index) + "t" + std::to_string(term);
  return Entry{index, term, data};
}

// Fails appends (and their syncs) of files under `fail_prefix` while armed.
class FlakyFile : public model::File {
 public:
  FlakyFile(std::unique_ptr<model::File> base, const bool& fail) : base_(std::move(base)), fail_(fail) {}
  absl::StatusOr<std::string> Read(uint64_t o, size_t n) override { return base_->Read(o, n); }
  absl::Status Write(uint64_t o, std::string_view d) override { return base_->Write(o, d); }
  absl::Status Append(std::string_view d) override {
    if (fail_) return absl::UnavailableError("injected EIO");
    return base_->Append(d);
  }
  absl::Status Truncate(uint64_t s) override { return base_->Truncate(s); }
  absl::Status Sync() override {
    if (fail_) return absl::UnavailableError("injected EIO");
    return base_->Sync();
  }
  absl::StatusOr<uint64_t> Size() override { return base_->Size(); }
  absl::Status Close() override { return base_->Close(); }

 private:
  std::unique_ptr<model::File> base_;
  const bool& fail_;
};

class FlakyFs : public model::FileSystem {
 public:
  explicit FlakyFs(model::FileSystem& base) : base_(base) {}
  bool fail = false;
  absl::StatusOr<std::unique_ptr<model::File>> Open(std::string_view p, model::OpenOptions o) override {
    auto f = base_.Open(p, o);
    if (!f.ok()) return f.status();
    return std::unique_ptr<model::File>(new FlakyFile(std::move(*f), fail));
  }
  absl::Status Rename(std::string_view a, std::string_view b) override { return base_.Rename(a, b); }
  absl::Status Remove(std::string_view p) override { return base_.Remove(p); }
  absl::Status CreateDir(std::string_view p) override { return base_.CreateDir(p); }
  absl::Status RemoveAll(std::string_view p) override { return base_.RemoveAll(p); }
  absl::StatusOr<std::vector<std::string>> List(std::string_view d) override { return base_.List(d); }
  absl::StatusOr<bool> Exists(std::string_view p) override { return base_.Exists(p); }
  absl::Status SyncDir(std::string_view d) override { return base_.SyncDir(d); }

 private:
  model::FileSystem& base_;
};

}  // namespace

TEST_CASE("raft log format: records round-trip", "[raft][format]") {
  const std::vector<LogRecord> records = {
      {RecordType::kEntry, 1, 1, "alpha"},
      {RecordType::kEntry, 2, 1, ""},
      {RecordType::kApplied, 2, 0, ""},
      {RecordType::kEntry, 3, 4, std::string(1000, 'x')},
  };
  const std::string bytes = Records(records);
  DecodedRecords d = DecodeRecords(bytes);
  CHECK_FALSE(d.torn);
  CHECK(d.valid_bytes == bytes.size());
  REQUIRE(d.records == records);
  CHECK(d.offsets[0] == 0);
  CHECK(d.offsets[1] == EncodeRecord(records[0]).size());
}

TEST_CASE("raft log format: every torn tail is cut at the last whole record", "[raft][format]") {
  const std::vector<LogRecord> records = {{RecordType::kEntry, 1, 1, "one"},
                                          {RecordType::kEntry, 2, 1, "two"}};
  const std::string bytes = Records(records);
  const size_t first = EncodeRecord(records[0]).size();
  for (size_t cut = 0; cut < bytes.size(); ++cut) {
    DecodedRecords d = DecodeRecords(bytes.substr(0, cut));
    const size_t whole = cut >= first ? 1 : 0;
    REQUIRE(d.records.size() == whole);
    CHECK(d.valid_bytes == (whole ? first : 0));
    CHECK(d.torn == (cut != d.valid_bytes));
  }
}

TEST_CASE("raft log format: a flipped bit or a zero-filled hole ends the valid prefix", "[raft][format]") {
  const std::vector<LogRecord> records = {{RecordType::kEntry, 1, 1, "one"},
                                          {RecordType::kEntry, 2, 1, "two"}};
  std::string bytes = Records(records);
  const size_t first = EncodeRecord(records[0]).size();
  std::string flipped = bytes;
  flipped[first + kRecordHeaderBytes + 3] ^= 0x10;
  DecodedRecords d = DecodeRecords(flipped);
  CHECK(d.records.size() == 1);
  CHECK(d.torn);
  std::string holed = bytes.substr(0, first) + std::string(64, '\0') + bytes.substr(first);
  d = DecodeRecords(holed);
  CHECK(d.records.size() == 1);
  CHECK(d.valid_bytes == first);
}

TEST_CASE("raft commands, snapshots and messages round-trip", "[raft][format]") {
  Command c{Command::Kind::kPut, 7, 3, "k", "v"};
  REQUIRE(DecodeCommand(EncodeCommand(c)).value() == c);
  CHECK_FALSE(DecodeCommand(EncodeCommand(c).substr(1)).ok());

  SnapshotData s;
  s.last_index = 9;
  s.last_term = 2;
  s.kv = {{"a", "1"}, {"b", "2"}};
  s.sessions = {{7, 3}};
  const std::string bytes = EncodeSnapshot(s);
  REQUIRE(DecodeSnapshot(bytes).value() == s);
  std::string bad = bytes;
  bad[12] ^= 1;
  CHECK(absl::IsDataLoss(DecodeSnapshot(bad).status()));
  CHECK_FALSE(DecodeSnapshot(bytes.substr(0, bytes.size() - 1)).ok());

  RaftMessage m;
  m.type = MessageType::kAppendEntries;
  m.group = 3;
  m.term = 5;
  m.prev_index = 10;
  m.prev_term = 4;
  m.leader_commit = 9;
  m.entries = {E(11, 5), E(12, 5)};
  RaftMessage back = DecodeMessage(EncodeMessage(m)).value();
  CHECK(back.group == 3);
  CHECK(back.prev_index == 10);
  CHECK(back.entries == m.entries);
  RaftMessage r;
  r.type = MessageType::kClientReply;
  r.request_id = 44;
  r.code = ClientCode::kNotLeader;
  r.leader_hint = "n2";
  r.value = "";
  back = DecodeMessage(EncodeMessage(r)).value();
  CHECK(back.code == ClientCode::kNotLeader);
  CHECK(back.leader_hint == "n2");
  REQUIRE(back.value.has_value());
  CHECK(back.value->empty());
  CHECK_FALSE(DecodeMessage(EncodeMessage(m) + "x").ok());
}

TEST_CASE("raft state machine: applies in order, deduplicates retries, captures and restores",
          "[raft][state_machine]") {
  StateMachine sm;
  CHECK_FALSE(sm.Apply(1, 1, Command{Command::Kind::kPut, 1, 1, "k", "a"}).duplicate);
  CHECK(sm.Apply(2, 1, Command{Command::Kind::kPut, 1, 1, "k", "a"}).duplicate);  // the retry
  sm.Apply(3, 1, Command{Command::Kind::kPut, 2, 1, "k", "b"});
  CHECK(sm.Apply(4, 2, Command{Command::Kind::kPut, 1, 1, "k", "stale"}).duplicate);
  CHECK(sm.Apply(5, 2, Command{Command::Kind::kGet, 1, 2, "k", ""}).value == "b");
  sm.Apply(6, 2, Command{Command::Kind::kDelete, 2, 2, "k", ""});
  CHECK_FALSE(sm.Get("k").has_value());
  sm.Apply(7, 2, Command{Command::Kind::kPut, 0, 0, "z", "1"});
  const SnapshotData captured = sm.Capture();
  CHECK(captured.last_index == 7);
  CHECK(captured.last_term == 2);
  StateMachine other;
  other.Restore(captured);
  CHECK(other.Digest() == sm.Digest());
  CHECK(other.Apply(8, 2, Command{Command::Kind::kPut, 2, 2, "z", "again"}).duplicate);
}

TEST_CASE("raft log store: append, reopen, truncate a suffix, delete a prefix", "[raft][log_store]") {
  TempDir dir;
  model::PosixEnv posix(dir.path());
  model::FileSystem& fs = *posix.fs();
  {
    LogStore log(fs, "g1", /*segment_bytes_max=*/64);
    REQUIRE(log.Open().ok());
    CHECK(log.empty());
    for (uint64_t i = 1; i <= 10; ++i) REQUIRE(log.Append({E(i, 1)}).ok());
    REQUIRE(log.MarkApplied(6).ok());
    CHECK(log.segment_count() > 2);  // small segments roll
    REQUIRE(log.TruncateSuffix(8).ok());
    REQUIRE(log.Append({E(8, 2), E(9, 2)}).ok());
    CHECK(log.last_index() == 9);
  }
  LogStore log(fs, "g1", 64);
  REQUIRE(log.Open().ok());
  CHECK(log.first_index() == 1);
  CHECK(log.last_index() == 9);
  CHECK(log.Find(7)->term == 1);
  CHECK(log.Find(8)->term == 2);
  CHECK(log.applied_marker() == 6);
  CHECK_FALSE(log.dropped_torn_tail());
  const size_t segments = log.segment_count();
  REQUIRE(log.DeletePrefix(5).ok());
  CHECK(log.segment_count() < segments);
  CHECK(log.first_index() <= 6);  // nothing above the prefix point goes
  CHECK(log.first_index() > 1);
  CHECK(log.Find(9)->data == E(9, 2).data);
  REQUIRE(log.DeletePrefix(9).ok());  // everything: the active segment rolls first
  CHECK(log.empty());
  REQUIRE(log.Append({E(10, 3)}).ok());
  LogStore again(fs, "g1", 64);
  REQUIRE(again.Open().ok());
  CHECK(again.first_index() == 10);
  CHECK(again.last_index() == 10);
}

TEST_CASE("raft log store: a torn tail is dropped and the file cut at recovery", "[raft][log_store]") {
  TempDir dir;
  model::PosixEnv posix(dir.path());
  model::FileSystem& fs = *posix.fs();
  {
    LogStore log(fs, "g", 1 << 20);
    REQUIRE(log.Open().ok());
    REQUIRE(log.Append({E(1, 1), E(2, 1), E(3, 1)}).ok());
  }
  const std::string path = "g/00000000000000000001.wal";
  std::string bytes = model::ReadWholeFile(fs, path).value();
  {
    model::OpenOptions o;
    o.write = true;
    auto f = fs.Open(path, o).value();
    REQUIRE(f->Truncate(bytes.size() - 3).ok());  // the last record loses its tail
    REQUIRE(f->Close().ok());
  }
  LogStore log(fs, "g", 1 << 20);
  REQUIRE(log.Open().ok());
  CHECK(log.dropped_torn_tail());
  CHECK(log.last_index() == 2);
  CHECK(model::ReadWholeFile(fs, path).value().size() == bytes.size() - EncodeRecord({RecordType::kEntry, 3, 1, E(3, 1).data}).size());
  REQUIRE(log.Append({E(3, 2)}).ok());  // appends continue after the cut
  LogStore again(fs, "g", 1 << 20);
  REQUIRE(again.Open().ok());
  CHECK_FALSE(again.dropped_torn_tail());
  CHECK(again.Find(3)->term == 2);
}

TEST_CASE("raft log store: a failed append leaves memory and disk unchanged", "[raft][log_store]") {
  TempDir dir;
  model::PosixEnv posix(dir.path());
  FlakyFs fs(*posix.fs());
  LogStore log(fs, "g", 1 << 20);
  REQUIRE(log.Open().ok());
  REQUIRE(log.Append({E(1, 1)}).ok());
  fs.fail = true;
  CHECK(absl::IsUnavailable(log.Append({E(2, 1)})));
  fs.fail = false;
  CHECK(log.last_index() == 1);
  REQUIRE(log.Append({E(2, 1, "second")}).ok());
  LogStore again(fs, "g", 1 << 20);
  REQUIRE(again.Open().ok());
  CHECK(again.last_index() == 2);
  CHECK(again.Find(2)->data == "second");
}

TEST_CASE("raft log store: replay keeps the newest record of an index", "[raft][log_store]") {
  TempDir dir;
  model::PosixEnv posix(dir.path());
  model::FileSystem& fs = *posix.fs();
  REQUIRE(fs.CreateDir("g").ok());
  // An orphan record (its cut-back failed) followed by the rewrite of the same index.
  const std::string bytes = Records({{RecordType::kEntry, 1, 1, "a"},
                                     {RecordType::kEntry, 2, 1, "orphan"},
                                     {RecordType::kEntry, 2, 2, "b"},
                                     {RecordType::kEntry, 5, 2, "gap"}});
  REQUIRE(model::WriteFileAtomically(fs, "g/00000000000000000001.wal", bytes).ok());
  LogStore log(fs, "g", 1 << 20);
  REQUIRE(log.Open().ok());
  CHECK(log.last_index() == 2);
  CHECK(log.Find(2)->data == "b");
  CHECK(log.dropped_torn_tail());  // the gap and what follows are cut
}
