// The engine's object formats: WAL, manifest, L0 table, round trips and corruption detection.
#include <catch2/catch.hpp>

#include "model/db/table.h"
#include "model/errors.h"
#include "model/manifest/format.h"
#include "model/wal/format.h"

TEST_CASE("wal format round trip, fence size, checksum", "[format]") {
  model::WalObject wal{7, 3, 42, {{model::WalOp::Type::kPut, "k", "v"},
                                  {model::WalOp::Type::kDelete, "d", ""}}};
  const std::string bytes = model::EncodeWal(wal);
  auto back = model::DecodeWal(bytes);
  REQUIRE(back.ok());
  CHECK(back->writer_id == 7);
  CHECK(back->writer_epoch == 3);
  CHECK(back->wal_id == 42);
  CHECK(back->ops == wal.ops);
  CHECK(model::EncodeWal(model::WalObject{1, 1, 1, {}}).size() == model::kEmptyWalBytes);
  std::string corrupt = bytes;
  corrupt[20] ^= 1;
  CHECK(absl::IsDataLoss(model::DecodeWal(corrupt).status()));
  CHECK(absl::IsDataLoss(model::DecodeWal(bytes.substr(0, 30)).status()));
  CHECK(model::WalPath("p/", 5) == "p/wal/00000000000000000005");
  CHECK(model::ParseWalPath("p/", "p/wal/00000000000000000005") == 5u);
  CHECK(!model::ParseWalPath("p/", "p/wal/5"));
  CHECK(!model::ParseWalPath("p/", "q/wal/00000000000000000005"));
}

TEST_CASE("manifest format round trip", "[format]") {
  model::Manifest m;
  m.writer_epoch = 4;
  m.wal_id_last_compacted = 10;
  m.wal_id_last_seen = 12;
  m.l0 = {"p/l0/b", "p/l0/a"};
  auto back = model::DecodeManifest(model::EncodeManifest(m));
  REQUIRE(back.ok());
  CHECK(*back == m);
  CHECK(*model::DecodeManifest(model::EncodeManifest(model::Manifest())) == model::Manifest());
  CHECK(absl::IsDataLoss(model::DecodeManifest("seedbed-manifest v1\nwriter_epoch x\n").status()));
  const std::string whole = model::EncodeManifest(m);
  const std::string truncated(whole.data(), whole.size() - 4);
  CHECK(absl::IsDataLoss(model::DecodeManifest(truncated).status()));
  CHECK(model::ParseManifestPath("p/", model::ManifestPath("p/", 3)) == 3u);
}

TEST_CASE("table format round trip with tombstones", "[format]") {
  model::Table t;
  t.emplace("a", std::optional<std::string>("1"));
  t["b"] = std::nullopt;
  auto back = model::DecodeTable(model::EncodeTable(t));
  REQUIRE(back.ok());
  CHECK(*back == t);
}

TEST_CASE("error kinds are distinguishable", "[format]") {
  CHECK(model::IsFenced(model::FencedError("x")));
  CHECK(!model::IsFenced(model::ShutdownError("x")));
  CHECK(model::IsShutdown(model::ShutdownError("x")));
  CHECK(!model::IsShutdown(model::ClosedError("x")));
  CHECK(model::IsClosed(model::ClosedError("x")));
  CHECK(!model::IsFenced(absl::FailedPreconditionError("version mismatch")));
}
