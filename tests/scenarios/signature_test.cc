// Failure signatures (scenarios/harness/signature.h): the invariant plus the shape of its message, with
// which Raft group broke kept and ids, versions, times and process names abstracted; campaigns
// group by it, so a Raft failure in group 1 and one in group 2 are two groups (issue 17: "a Raft
// failure in group 1 shrinks into a different failure in group 2").
#include <catch2/catch.hpp>

#include <sstream>

#include "scenarios/campaign/campaign.h"
#include "scenarios/harness/signature.h"
#include "scenarios/testing/testing.h"

namespace seedbed {

TEST_CASE("message shapes abstract ids, versions, times and processes but keep the group", "[signature]") {
  const std::vector<std::string> nodes = {"n1", "n2", "n3", "node-a", "node-b"};
  CHECK(MessageShape("group 1: n2 leads term 4 without committed entry (index 58, term 1, payload "
                     "97c548a999b5fc5f)",
                     nodes) == "group 1: P1 leads term # without committed entry (index #, term #, payload X)");
  CHECK(MessageShape("group 2 term 3: both n3 and n1 became leader", nodes) ==
        "group 2 term #: both P1 and P2 became leader");
  CHECK(MessageShape("after the heal, a read of g2/k3 did not complete", nodes) ==
        "after the heal, a read of g2/k# did not complete");
  // Which node overwrote which is not part of the bug: first named is P1.
  CHECK(MessageShape("cluster/wal/00000000000000000001 was overwritten: v2 by node-b replaced v1 by node-a", nodes) ==
        MessageShape("cluster/wal/00000000000000000007 was overwritten: v9 by node-a replaced v3 by node-b", nodes));
  CHECK(MessageShape("cluster/wal/00000000000000000001 was overwritten: v2 by node-b replaced v1 by node-a", nodes) ==
        "cluster/wal/X was overwritten: v# by P1 replaced v# by P2");
  CHECK(MessageShape("after the heal at 12.500s the tasks did not finish within 120s (1000.000000ms)", {}) ==
        "after the heal at T the tasks did not finish within T (T)");
  CHECK(MessageShape("acknowledged put of k3 (op#57) is lost: client-2 reads 1:14", {}) ==
        "acknowledged put of k# (op##) is lost: client-# reads #:#");
  // Whole words only: a process "n1" is not found inside "n12" or "node-n1x".
  CHECK(MessageShape("n12 and node-n1x", nodes) == "n# and node-n#x");
  CHECK(MessageShape("node-a/flush waits on node-b/flush", nodes) == "P1/flush waits on P2/flush");
}

TEST_CASE("signatures name the invariant; different groups are different signatures", "[signature]") {
  CHECK(FailureSignature("liveness", "after the heal, no write committed in group 1", {}) ==
        "liveness: after the heal, no write committed in group 1");
  CHECK(FailureSignature("liveness", "after the heal, no write committed in group 1", {}) !=
        FailureSignature("liveness", "after the heal, no write committed in group 2", {}));
  CHECK(FailureSignature("linearizable", "x", {}) != FailureSignature("liveness", "x", {}));
  CHECK(FailureSignature("", "anything", {}).empty());
}

// Pinned: cnosdb.raft_wal_io buggy seed 120 loses group 1, seed 121 group 2 (same invariant,
// commit-after-heal).
TEST_CASE("a campaign groups failures by signature, not by invariant alone", "[signature][campaign]") {
  RunReport two = testing::RequireRun("cnosdb.raft_wal_io", "buggy", 120);
  RunReport four = testing::RequireRun("cnosdb.raft_wal_io", "buggy", 121);
  REQUIRE(two.invariant() == "commit-after-heal");
  REQUIRE(four.invariant() == "commit-after-heal");
  CHECK(FailureSignature(two) == "commit-after-heal: after the heal, no write committed in group 1");
  CHECK(FailureSignature(four) == "commit-after-heal: after the heal, no write committed in group 2");

  CampaignOptions options;
  options.cells = {{"cnosdb.raft_wal_io", "buggy", true, {"commit-after-heal"}}};
  options.seed_first = 120;
  options.seed_last = 121;
  std::ostringstream progress;
  CampaignResult result = RunCampaign(options, progress);
  REQUIRE(result.cells.size() == 1);
  const CellResult& cell = result.cells[0];
  std::vector<std::string> signatures;
  for (const FailureGroup& g : cell.groups) signatures.push_back(g.signature);
  INFO(progress.str());
  CHECK(std::count(signatures.begin(), signatures.end(), FailureSignature(two)) == 1);
  CHECK(std::count(signatures.begin(), signatures.end(), FailureSignature(four)) == 1);
  for (const FailureGroup& g : cell.groups) CHECK(g.signature.rfind(g.invariant + ": ", 0) == 0);
}

}  // namespace seedbed
