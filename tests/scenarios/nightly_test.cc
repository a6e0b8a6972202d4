// The nightly simulation: three campaigns in a row over tests/scenarios/nightly/nightly_engine.cc
// (an engine whose bugs come and go between nights), each classified against the baseline written
// after the one before. Its reports must show new, known, regressed and gone correctly, in the table,
// campaign.md, campaign.json and JUnit XML, and --expect must fail only on new or regressed failures.
// Also: per-seed lists, artifacts linked, history, merge --shrink across shards, bad baselines.
#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "fmt/format.h"
#include "nlohmann/json.hpp"
#include "scenarios/campaign/baseline.h"
#include "scenarios/campaign/campaign_report.h"
#include "tests/scenarios/seedbed_command.h"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using seedbed_test::CommandResult;

const fs::path kRoot = fs::path(SEEDBED_BINARY_DIR) / "nightly_test";

std::string Dir(const std::string& name) {
  fs::path dir = kRoot / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir.string();
}

// The fixture command, as night `night`'s engine (`env`: more assignments before it).
CommandResult Nightly(int night, const std::string& args, const std::string& env = "") {
  return seedbed_test::RunCommand("SEEDBED_TEST_NIGHT=" + std::to_string(night) + " " + env + " " +
                                  std::string(SEEDBED_BINARY_DIR) + "/tests/seedbed_nightly " + args + " 2>&1");
}

std::string Read(const std::string& path) {
  std::ifstream file(path);
  REQUIRE(file.good());
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

json Load(const std::string& path) { return json::parse(Read(path)); }

// invariant -> class, over the one cell's groups and gone list (each bug of the fixture has one
// invariant and one signature).
std::map<std::string, std::string> Classes(const json& report) {
  std::map<std::string, std::string> out;
  const json& cell = report.at("cells").at(0);
  for (const json& g : cell.at("groups")) {
    CHECK_THAT(g.at("signature").get<std::string>(), Catch::StartsWith(g.at("invariant").get<std::string>() + ": "));
    CHECK(out.count(g.at("invariant")) == 0);
    out[g.at("invariant")] = g.at("class");
  }
  for (const json& g : cell.at("gone")) out[g.at("invariant")] = "gone";
  return out;
}

const seedbed::BaselineEntry* Entry(const seedbed::Baseline& b, const std::string& invariant) {
  for (const seedbed::BaselineEntry& e : b.entries)
    if (e.invariant == invariant) return &e;
  return nullptr;
}

// A well-formedness check of XML (python3's parser when installed).
void CheckXml(const std::string& path) {
  if (std::system("python3 -c 'import xml.dom.minidom' >/dev/null 2>&1") != 0) {
    WARN("python3 not installed: XML well-formedness not checked");
    return;
  }
  std::string command = "python3 -c 'import sys, xml.dom.minidom as m; m.parse(sys.argv[1])' " + path + " 2>&1";
  CHECK(std::system(command.c_str()) == 0);
}

const char kSeeds[] = "--seeds 1..40 --jobs 2 --no-shrink";

}  // namespace

TEST_CASE("nightly: three nights with a baseline, a fix and a regression", "[nightly][baseline]") {
  const std::string n1 = Dir("night1"), n2 = Dir("night2"), n3 = Dir("night3"), n2b = Dir("night2b");
  const std::string base1 = (kRoot / "base1.json").string(), base2 = (kRoot / "base2.json").string();

  // Night 1, no baseline: every failure is new; --expect fails.
  CommandResult r1 = Nightly(1, std::string("fuzz nightly.engine --variant main ") + kSeeds + " --label night-1 --expect --out " + n1);
  INFO(r1.output);
  CHECK(r1.code == 1);
  json j1 = Load(n1 + "/campaign.json");
  CHECK(Classes(j1) == std::map<std::string, std::string>{{"lost-write", "new"}, {"torn-manifest", "new"}});
  CHECK(j1.at("baseline").is_null());
  CHECK(j1.at("tested") == json{{"label", "night-1"}, {"from", "--label"}});
  // Per-seed results: seeds 4, 8, ... 40 lost a write (20 and 40 also tear, the first check wins).
  const json& lost = j1.at("cells").at(0).at("groups").at(0);
  CHECK(lost.at("invariant") == "lost-write");
  CHECK(lost.at("seeds") == "4,8,12,16,20,24,28,32,36,40");
  CHECK(j1.at("cells").at(0).at("groups").at(1).at("seeds") == "5,10,15,25,30,35");

  REQUIRE(Nightly(1, "baseline " + n1 + " --out " + base1).code == 0);
  auto b1 = seedbed::ReadBaseline(base1);
  REQUIRE(b1.ok());
  REQUIRE(b1->entries.size() == 2);
  CHECK(b1->entries[0].status == seedbed::BaselineStatus::kKnown);
  CHECK(b1->label == "night-1");

  // Night 2: torn-manifest fixed (gone), stuck-writer appears (new), lost-write known.
  CommandResult r2 = Nightly(2, std::string("fuzz nightly.engine --variant main ") + kSeeds + " --label night-2 --expect --baseline " +
                                    base1 + " --out " + n2 + " --junit " + n2 + "/junit.xml");
  INFO(r2.output);
  CHECK(r2.code == 1);  // stuck-writer is new
  json j2 = Load(n2 + "/campaign.json");
  CHECK(Classes(j2) == std::map<std::string, std::string>{
                           {"lost-write", "known"}, {"stuck-writer", "new"}, {"torn-manifest", "gone"}});
  CHECK(j2.at("totals").at("classes") == json{{"new", 1}, {"known", 1}, {"regressed", 0}, {"gone", 1}});
  CHECK_THAT(r2.output, Catch::Contains("lost-write (known), stuck-writer (new), torn-manifest (gone)"));
  std::string md2 = Read(n2 + "/campaign.md");
  CHECK_THAT(md2, Catch::Contains("**stuck-writer** (NEW)"));
  CHECK_THAT(md2, Catch::Contains("**lost-write** (known)"));
  CHECK_THAT(md2, Catch::Contains("**torn-manifest** (gone; was known)"));
  CHECK_THAT(md2, Catch::Contains("| 1 new, 1 known, 1 gone | NO |"));
  CheckXml(n2 + "/junit.xml");
  std::string junit2 = Read(n2 + "/junit.xml");
  CHECK_THAT(junit2, Catch::Contains("<testcase classname=\"nightly.engine\" name=\"main\""));
  CHECK_THAT(junit2, Catch::Contains("stuck-writer (new)"));
  CHECK_THAT(junit2, Catch::Contains("replay: seedbed_nightly run nightly.engine --variant main --seed 7"));

  REQUIRE(Nightly(2, "baseline " + n2 + "/campaign.json --from " + base1 + " --out " + base2).code == 0);
  auto b2 = seedbed::ReadBaseline(base2);
  REQUIRE(b2.ok());
  const seedbed::BaselineEntry* torn = Entry(*b2, "torn-manifest");
  REQUIRE(torn != nullptr);
  CHECK(torn->status == seedbed::BaselineStatus::kFixed);
  REQUIRE(Entry(*b2, "stuck-writer") != nullptr);
  CHECK(Entry(*b2, "stuck-writer")->status == seedbed::BaselineStatus::kKnown);
  CHECK(b2->Find("nightly.engine", "main", Entry(*b2, "stuck-writer")->signature) != nullptr);

  // Night 2 again against the new baseline: only known failures, so --expect passes.
  CommandResult r2b = Nightly(2, std::string("fuzz nightly.engine --variant main ") + kSeeds + " --label night-2 --expect --baseline " +
                                     base2 + " --out " + n2b);
  INFO(r2b.output);
  CHECK(r2b.code == 0);
  CHECK(Classes(Load(n2b + "/campaign.json")) ==
        std::map<std::string, std::string>{{"lost-write", "known"}, {"stuck-writer", "known"}});
  CHECK_THAT(r2b.output, Catch::Contains("known failures only"));

  // Night 3: torn-manifest is back (regressed), stuck-writer gone, double-ack new.
  CommandResult r3 = Nightly(3, std::string("fuzz nightly.engine --variant main ") + kSeeds + " --label night-3 --expect --baseline " +
                                    base2 + " --out " + n3 + " --junit " + n3 + "/junit.xml");
  INFO(r3.output);
  CHECK(r3.code == 1);
  json j3 = Load(n3 + "/campaign.json");
  CHECK(Classes(j3) == std::map<std::string, std::string>{{"double-ack", "new"},
                                                          {"lost-write", "known"},
                                                          {"stuck-writer", "gone"},
                                                          {"torn-manifest", "regressed"}});
  std::string md3 = Read(n3 + "/campaign.md");
  CHECK_THAT(md3, Catch::Contains("**torn-manifest** (REGRESSED: was fixed)"));
  CHECK_THAT(md3, Catch::Contains("**double-ack** (NEW)"));
  CHECK_THAT(md3, Catch::Contains("**stuck-writer** (gone; was known)"));
  CheckXml(n3 + "/junit.xml");
  std::string junit3 = Read(n3 + "/junit.xml");
  CHECK_THAT(junit3, Catch::Contains("torn-manifest (regressed)"));
  CHECK_THAT(junit3, Catch::Contains("failures=\"1\""));

  // History over the three nights: one table and one chart for the cell.
  const std::string hist = Dir("history");
  CommandResult h = Nightly(3, "history " + n1 + " " + n2 + " " + n3 + " --out " + hist);
  INFO(h.output);
  REQUIRE(h.code == 0);
  std::string table = Read(hist + "/history.md");
  CHECK_THAT(table, Catch::Contains("## nightly.engine [main]"));
  CHECK_THAT(table, Catch::Contains("| night-2 |"));
  // Night 3: 40 seeds; failing: 10 lost-write, 6 torn-manifest (20 and 40 lost a write first), 3
  // double-ack (36 too); groups: 1 new, 1 regressed, 1 known, 1 gone.
  CHECK_THAT(table, Catch::Matches(R"([\s\S]*\|[^|]*night3 \| night-3 \| [^|]+ \| 40 \| 19 \| 1 \| 1 \| 1 \| 1 \|[\s\S]*)"));
  CHECK_THAT(table, Catch::Contains("](history.nightly.engine.main.svg)"));
  CheckXml(hist + "/history.nightly.engine.main.svg");
  std::string svg = Read(hist + "/history.nightly.engine.main.svg");
  CHECK_THAT(svg, Catch::StartsWith("<svg xmlns=\"http://www.w3.org/2000/svg\""));
  CHECK_THAT(svg, Catch::Contains("<polyline"));
  CHECK(svg.find("<script") == std::string::npos);
  CHECK(svg.find("href") == std::string::npos);
}

TEST_CASE("nightly: a bad baseline file is refused with exit 2 before any seed runs", "[nightly][baseline]") {
  const std::string dir = Dir("bad_baseline");
  const std::string good = dir + "/good.json";
  REQUIRE(Nightly(1, "fuzz nightly.engine --variant main --seeds 1..8 --no-shrink --out " + dir + "/n").code == 1);
  REQUIRE(Nightly(1, "baseline " + dir + "/n --out " + good).code == 0);
  json base = Load(good);
  auto refused = [&](const json& edited, const std::string& why) {
    std::string path = dir + "/edited.json";
    std::ofstream(path) << edited.dump();
    CommandResult r = Nightly(1, "fuzz nightly.engine --variant main --seeds 1..8 --baseline " + path);
    INFO(r.output);
    CHECK(r.code == 2);
    CHECK_THAT(r.output, Catch::Contains(why));
    CHECK_THAT(r.output, !Catch::Contains("seeds in"));  // nothing ran
  };
  json e = base;
  e["entries"][0]["status"] = "fixedd";
  refused(e, "status \"fixedd\" is not known, fixed or flaky");
  e = base;
  e["entries"][0]["staus"] = "known";
  refused(e, "unknown key \"staus\"");
  e = base;
  e["entries"][0].erase("signature");
  refused(e, "missing \"signature\"");
  e = base;
  e["entries"].push_back(e["entries"][0]);
  refused(e, "listed twice");
  e = base;
  e["version"] = "1";
  refused(e, "baseline format version");
  e = base;
  e["entries"][0]["first_seed"] = -3;
  refused(e, "first_seed");
  std::ofstream(dir + "/garbage.json") << "{\"format\": \"seedbed.baseline\", ";
  CommandResult g = Nightly(1, "fuzz nightly.engine --variant main --seeds 1..8 --baseline " + dir + "/garbage.json");
  CHECK(g.code == 2);
  CHECK_THAT(g.output, Catch::Contains("corrupt"));
  CHECK(Nightly(1, "fuzz nightly.engine --variant main --seeds 1..8 --baseline /dev/zero").code == 2);
  CHECK(Nightly(1, "fuzz nightly.engine --variant main --seeds 1..8 --baseline /nonexistent.json").code == 2);
  CHECK(Nightly(1, "baseline /nonexistent/campaign.json --out " + dir + "/x.json").code == 2);
  // The file is meant to be edited by hand: marking an entry flaky keeps it accepted.
  e = base;
  e["entries"][0]["status"] = "flaky";
  e["entries"][0]["note"] = "races with the compactor, see #12";
  std::ofstream(dir + "/flaky.json") << e.dump(2);
  CommandResult f = Nightly(1, "fuzz nightly.engine --variant main --seeds 1..8 --expect --baseline " + dir + "/flaky.json");
  INFO(f.output);
  CHECK(f.code == 0);  // lost-write (seeds 4, 8): the only failure, flaky
}

TEST_CASE("nightly: shards do not shrink; merge --shrink shrinks each group once and links shard files",
          "[nightly][merge]") {
  std::string merge_args;
  for (int k = 0; k < 2; ++k) {
    const std::string shard = Dir("shard" + std::to_string(k));
    CommandResult s = Nightly(3, "fuzz nightly.engine --variant main --seeds 1..40 --label night-3 --shard " + std::to_string(k) +
                                     "/2 --out " + shard);
    INFO(s.output);
    CHECK(s.code == 1);
    CHECK_THAT(s.output, Catch::Contains("a shard does not shrink"));
    for (const auto& entry : fs::directory_iterator(shard))
      CHECK(entry.path().string().find(".shrunk.") == std::string::npos);
    merge_args += " " + shard;
  }
  // Without --shrink the merged report points into the shard folders.
  const std::string plain = Dir("merged_plain");
  CommandResult m = Nightly(3, "merge" + merge_args + " --out " + plain);
  INFO(m.output);
  CHECK(m.code == 1);
  json jm = Load(plain + "/campaign.json");
  for (const json& g : jm.at("cells").at(0).at("groups")) {
    const std::string file = g.at("artifacts").at("failure_file");
    CHECK_THAT(file, Catch::StartsWith("../shard"));
    CHECK(fs::exists(fs::path(plain) / file));
    CHECK(g.at("artifacts").at("shrunk_file").is_null());
  }
  CHECK(jm.at("cells").at(0).at("groups").at(0).at("seeds") == "4,8,12,16,20,24,28,32,36,40");
  // With --shrink: one shrunk file per group, in the merged folder, within the budget.
  const std::string shrunk = Dir("merged_shrunk");
  CommandResult ms = Nightly(3, "merge" + merge_args + " --shrink --shrink-time 5s --shrink-budget 60s --out " + shrunk);
  INFO(ms.output);
  CHECK(ms.code == 1);
  json js = Load(shrunk + "/campaign.json");
  const json& groups = js.at("cells").at(0).at("groups");
  REQUIRE(groups.size() == 3);  // lost-write, torn-manifest, double-ack
  int shrunk_files = 0;
  for (const auto& entry : fs::directory_iterator(shrunk))
    shrunk_files += entry.path().string().find(".shrunk.failure.json") != std::string::npos;
  CHECK(shrunk_files == 3);
  for (const json& g : groups) {
    const std::string file = g.at("artifacts").at("shrunk_file");
    CHECK(fs::exists(fs::path(shrunk) / file));
    CHECK(fs::exists(fs::path(shrunk) / g.at("artifacts").at("report_html").get<std::string>()));
  }
  std::string md = Read(shrunk + "/campaign.md");
  CHECK_THAT(md, Catch::Contains("[shrunk](nightly.engine.main."));
}

TEST_CASE("nightly: a spent shrink budget leaves later groups unshrunk", "[nightly][shrink]") {
  const std::string dir = Dir("budget");
  // A budget of 1s and 3 groups to shrink: at least one group stays unshrunk, and every group still
  // gets its failure file.
  CommandResult r = Nightly(3, "fuzz nightly.engine --variant main --seeds 1..40 --shrink-budget 1s --out " + dir);
  INFO(r.output);
  CHECK(r.code == 1);
  json j = Load(dir + "/campaign.json");
  int shrunk = 0;
  for (const json& g : j.at("cells").at(0).at("groups")) {
    CHECK(!g.at("artifacts").at("failure_file").is_null());
    shrunk += !g.at("artifacts").at("shrunk_file").is_null();
  }
  CHECK(Nightly(3, "fuzz nightly.engine --variant main --seeds 1..4 --shrink-budget 0s").code == 2);
  CHECK(Nightly(3, "fuzz nightly.engine --variant main --seeds 1..4 --shrink-budget soon").code == 2);
  (void)shrunk;
  // Each group says how its shrink ended; one the budget left out says so.
  for (const json& g : j.at("cells").at(0).at("groups")) {
    const std::string by = g.at("shrink").at("stopped_by");
    CHECK((by == "all defaults" || by == "shrink budget"));
    CHECK(g.at("artifacts").at("shrunk_file").is_null() == (by == "shrink budget"));
  }
}

// Issue 14: SIGINT / SIGTERM while a campaign shrank its failures killed the process: the report
// on disk was the one written before the shrink, not marked, and the exit code was the signal's
// death, not 130 / 143. The signal comes from inside the fixture, in the shrinker's 3rd replay of
// this process: the reproducing run of the 2nd group (each group of nightly.engine main shrinks to
// all defaults in two replays, the reproducing run and the final check), at the same point every
// time, whatever the machine's speed.
TEST_CASE("nightly: a signal while shrinking stops the shrink, keeps the failure files and marks the report",
          "[nightly][shrink][signals]") {
  for (auto [sig, code, name] : {std::tuple{2, 130, "SIGINT"}, std::tuple{15, 143, "SIGTERM"}}) {
    const std::string dir = Dir(std::string("shrink_signal_") + name);
    CommandResult r = Nightly(3, "fuzz nightly.engine --variant main --seeds 1..20 --out " + dir,
                              fmt::format("SEEDBED_TEST_SIGNAL_AT_REPLAY='{} 3'", sig));
    INFO(name << "\n" << r.output);
    CHECK(r.code == code);
    CHECK_THAT(r.output, Catch::Contains(std::string("INTERRUPTED: ") + name + " while shrinking"));
    json j = Load(dir + "/campaign.json");
    CHECK(j.at("completion").at("shrinking_stopped_by") == name);
    CHECK(j.at("completion").at("complete") == true);  // every seed ran
    CHECK(j.at("completion").at("stopped_by").is_null());
    CHECK(j.at("totals").at("seeds") == 20);
    const json& groups = j.at("cells").at(0).at("groups");
    REQUIRE(groups.size() == 3);  // lost-write (seed 4), torn-manifest (5), double-ack (9)
    for (const json& g : groups) {
      // Every group keeps its failure file, and it replays.
      const std::string failure = g.at("artifacts").at("failure_file");
      REQUIRE(fs::exists(fs::path(dir) / failure));
      CHECK(Nightly(3, "replay " + dir + "/" + failure).code == 1);
    }
    CHECK(groups[0].at("shrink").at("stopped_by") == "all defaults");  // shrunk before the signal
    CHECK_FALSE(groups[0].at("artifacts").at("shrunk_file").is_null());
    for (size_t i : {size_t{1}, size_t{2}}) {  // cut in its first run / never begun
      CHECK(groups[i].at("shrink").at("stopped_by") == name);
      CHECK(groups[i].at("artifacts").at("shrunk_file").is_null());
      CHECK_FALSE(groups[i].at("artifacts").at("report_html").is_null());  // the unshrunk run's report
    }
    for (const auto& entry : fs::directory_iterator(dir)) {
      const std::string file = entry.path().filename().string();
      CHECK(file.find(".tmp.") == std::string::npos);
      CHECK(file.find("torn-manifest.seed5.shrunk") == std::string::npos);
    }
    const std::string md = Read(dir + "/campaign.md");
    CHECK_THAT(md, Catch::Contains(std::string("**INTERRUPTED** by ") + name + " while shrinking"));
    CHECK_THAT(md, Catch::Contains("2 of the 3 groups due a shrink were not shrunk"));
    // The report reads back (merge) and keeps the mark, in JUnit too.
    CommandResult merged = Nightly(3, "merge " + dir + "/campaign.json --junit " + dir + "/junit.xml");
    CHECK(merged.code == 1);
    CHECK_THAT(merged.output, Catch::Contains("INTERRUPTED"));
    CHECK_THAT(Read(dir + "/junit.xml"), Catch::Contains(std::string("INTERRUPTED by ") + name + " while shrinking"));
  }
}

TEST_CASE("seed lists: compact ranges, strictly parsed, memory bounded by the text", "[nightly][seeds]") {
  using seedbed::FormatSeedRanges;
  using seedbed::ParseSeedRanges;
  using seedbed::SeedSet;
  CHECK(FormatSeedRanges({}) == "");
  CHECK(FormatSeedRanges({14, 3, 12, 7, 10, 11, 13, 12}) == "3,7,10-14");  // any order, duplicates once
  CHECK(FormatSeedRanges({1, 2, 4, 5, 6}) == "1,2,4-6");                   // a pair stays a pair
  CHECK(FormatSeedRanges({18446744073709551614u, 18446744073709551615u, 0}) ==
        "0,18446744073709551614,18446744073709551615");
  SeedSet joined{5, 7};
  joined.Insert(6);  // fills the gap: one range
  CHECK(joined.ranges().size() == 1);
  CHECK(joined.size() == 3);
  SeedSet other{1, 2, 3, 9};
  joined.Merge(other);
  CHECK(FormatSeedRanges(joined) == "1-3,5-7,9");
  CHECK(joined.size() == 7);
  for (const SeedSet& seeds : std::vector<SeedSet>{{}, {0}, {3, 7, 10, 11, 12, 13, 14}, {1, 2, 4, 5, 6},
                                                   {5, 6, 7, 18446744073709551615u}}) {
    auto parsed = ParseSeedRanges(FormatSeedRanges(seeds));
    REQUIRE(parsed.ok());
    CHECK(*parsed == seeds);
    CHECK(parsed->size() == seeds.size());
  }
  // Four billion seeds in a few bytes parse into one range, not four billion numbers.
  auto huge = ParseSeedRanges("7,10-4000000009");
  REQUIRE(huge.ok());
  CHECK(huge->size() == 4000000001u);
  CHECK(huge->ranges().size() == 2);
  for (const char* bad : {"3,2", "3,3", "1-", "-4", "5-3", "1,,2", "1,", "a", " 1", "1-2-3", "2,1-4", "1-5,5",
                          "0-18446744073709551615", "99999999999999999999"})
    CHECK_FALSE(ParseSeedRanges(bad).ok());
}

TEST_CASE("nightly: a report is deterministic apart from timing and date; the label comes from git",
          "[nightly][determinism]") {
  const std::string a = Dir("det_a"), b = Dir("det_b");
  const std::string base = (kRoot / "det_base.json").string();
  REQUIRE(Nightly(1, "fuzz nightly.engine --variant main --seeds 1..30 --no-shrink --out " + a).code == 1);
  REQUIRE(Nightly(1, "baseline " + a + " --out " + base).code == 0);
  // The same campaign against a baseline, with 1 and with 3 workers.
  CommandResult r1 = Nightly(3, "fuzz nightly.engine --variant main --seeds 1..30 --no-shrink --jobs 1 --baseline " +
                                    base + " --out " + a);
  CommandResult r3 = Nightly(3, "fuzz nightly.engine --variant main --seeds 1..30 --no-shrink --jobs 3 --baseline " +
                                    base + " --out " + b);
  CHECK(r1.code == 1);
  CHECK(r3.code == 1);
  json ja = Load(a + "/campaign.json"), jb = Load(b + "/campaign.json");
  CHECK_FALSE(ja.at("date").get<std::string>().empty());
  for (json* j : {&ja, &jb}) {
    j->erase("timing");
    j->erase("date");
    for (json& cell : j->at("cells")) cell.erase("timing");
  }
  CHECK(ja == jb);
  CHECK(ja.at("totals").at("classes") == json{{"new", 1}, {"known", 2}, {"regressed", 0}, {"gone", 0}});
  // Without --label, inside a git work tree (the build directory of a clone), `git describe` names it.
  if (std::system("git rev-parse --is-inside-work-tree >/dev/null 2>&1") == 0) {
    CHECK(ja.at("tested").at("from") == "git");
    CHECK_FALSE(ja.at("tested").at("label").get<std::string>().empty());
  } else {
    CHECK(ja.at("tested") == json{{"label", ""}, {"from", ""}});
  }
}
