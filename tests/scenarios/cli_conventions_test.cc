// The seedbed command's conventions (issue 15): --version, unknown subcommands named as such,
// short flags, --jobs defaulting to the CPU count, --out for every output folder (old spellings
// still work), run --json, "result: FAILED", evidence in time order, replay lines that name the
// running program.
#include <pty.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "fmt/format.h"
#include "nlohmann/json.hpp"
#include "scenarios/campaign/campaign.h"
#include "scenarios/cli/cli_main.h"
#include "scenarios/harness/scenario.h"
#include "scenarios/harness/verdict.h"
#include "sim/version.h"
#include "tests/scenarios/seedbed_command.h"

namespace {

using seedbed_test::CommandResult;
using seedbed_test::Seedbed;

std::string TempDir(const std::string& name) {
  std::string dir = std::string(SEEDBED_BINARY_DIR) + "/cli_conventions_" + name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

std::string Read(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// The lines of a campaign table, the seeds/s column (which depends on speed) left out.
std::vector<std::string> TableRowsWithoutSpeed(const std::string& output) {
  std::vector<std::string> rows;
  bool in_table = false;
  for (const std::string& line : Lines(output)) {
    if (line.rfind("scenario / variant", 0) == 0) {
      in_table = true;
      continue;
    }
    if (!in_table || line.find(" seeds in ") != std::string::npos) {
      in_table = false;
      continue;
    }
    std::istringstream in(line);
    std::vector<std::string> words;
    for (std::string w; in >> w;) words.push_back(w);
    const bool variant_row = line.rfind("  ", 0) == 0 && line.rfind("    ", 0) != 0;  // not a verdict line
    if (variant_row && words.size() >= 5) words.erase(words.begin() + 4);
    std::string row;
    for (const std::string& w : words) row += w + " ";
    rows.push_back(row);
  }
  return rows;
}

}  // namespace

TEST_CASE("cli: --version prints the version and exits 0", "[cli][conventions]") {
  CommandResult r = Seedbed("--version");
  CHECK(r.code == 0);
  CHECK_THAT(r.output, Catch::StartsWith(std::string("seedbed ") + seedbed::kVersion));
  CHECK_THAT(r.output, Catch::Contains(seedbed::kGitDescribe));
}

TEST_CASE("cli: an unknown subcommand is named, with the list of subcommands, exit 2", "[cli][conventions]") {
  CommandResult r = Seedbed("frobnicate");
  CHECK(r.code == 2);
  CHECK_THAT(r.output, Catch::Contains("unknown subcommand 'frobnicate'"));
  CHECK_THAT(r.output, Catch::Contains("list, run, fuzz, replay, shrink, merge"));
  // An unknown scenario is still named as a scenario.
  CommandResult s = Seedbed("run frobnicate -s 1");
  CHECK(s.code == 2);
  CHECK_THAT(s.output, Catch::Contains("unknown scenario 'frobnicate'"));
}

TEST_CASE("cli: -s, -j and -o are the short flags of --seed/--seeds, --jobs and --out", "[cli][conventions]") {
  const std::string dir = TempDir("short");
  CommandResult run = Seedbed("run influxdb3.duplicate_writer --variant buggy -s 1 -o " + dir);
  INFO(run.output);
  CHECK(run.code == 1);
  CHECK(std::filesystem::exists(dir + "/influxdb3.duplicate_writer.buggy.seed1.failure.json"));
  CHECK(std::filesystem::exists(dir + "/influxdb3.duplicate_writer.buggy.seed1.html"));
  CommandResult fuzz = Seedbed("fuzz influxdb3.duplicate_writer --variant fixed -s 1..3 -j 2 -o " + dir + "/campaign");
  INFO(fuzz.output);
  CHECK(fuzz.code == 0);
  CHECK_THAT(fuzz.output, Catch::Contains("3 seeds in") && Catch::Contains("with 2 jobs"));
  CHECK(std::filesystem::exists(dir + "/campaign/campaign.json"));
  CommandResult demo = Seedbed("demo -s 3");
  CHECK_THAT(demo.output, Catch::Contains("demo seed 3"));
}

TEST_CASE("cli: fuzz --jobs defaults to the CPUs the process may use, and results do not depend on it",
          "[cli][conventions]") {
  CommandResult all_cpus = Seedbed("fuzz influxdb3.duplicate_writer slatedb.flush_self_fence -s 1..12 --no-shrink");
  INFO(all_cpus.output);
  CHECK(all_cpus.code == 1);
  CHECK_THAT(all_cpus.output, Catch::Contains(fmt::format("with {} jobs", seedbed::cli::DefaultJobs())));
  CommandResult one = Seedbed("fuzz influxdb3.duplicate_writer slatedb.flush_self_fence -s 1..12 --no-shrink -j 1");
  CHECK(one.code == 1);
  CHECK_THAT(one.output, Catch::Contains("with 1 jobs"));
  const std::vector<std::string> rows = TableRowsWithoutSpeed(all_cpus.output);
  CHECK(rows.size() >= 6);  // two scenarios, two variants each (and verdicts too long for their rows)
  CHECK(rows == TableRowsWithoutSpeed(one.output));
  // Pinned to one CPU, the default is one worker.
  CommandResult pinned = Seedbed("fuzz influxdb3.duplicate_writer --variant fixed -s 1..2", "taskset -c 0");
  CHECK_THAT(pinned.output, Catch::Contains("with 1 jobs"));
}

TEST_CASE("cli: the old --report spelling still works for run, replay and shrink", "[cli][conventions]") {
  const std::string dir = TempDir("old_spellings");
  CommandResult run = Seedbed("run influxdb3.duplicate_writer --variant buggy --seed 2 --report " + dir);
  REQUIRE(run.code == 1);
  const std::string failure = dir + "/influxdb3.duplicate_writer.buggy.seed2.failure.json";
  REQUIRE(std::filesystem::exists(failure));
  // shrink --out FILE.json: the old meaning, the shrunk file itself.
  CommandResult old_out = Seedbed("shrink " + failure + " --attempts 50 --out " + dir + "/mine.failure.json");
  INFO(old_out.output);
  CHECK(old_out.code == 0);
  CHECK(std::filesystem::exists(dir + "/mine.failure.json"));
  // shrink -o DIR: the shrunk file and its reports in that folder.
  std::filesystem::create_directories(dir + "/shrunk");
  CommandResult new_out = Seedbed("shrink " + failure + " --attempts 50 -o " + dir + "/shrunk");
  INFO(new_out.output);
  CHECK(new_out.code == 0);
  CHECK(std::filesystem::exists(dir + "/shrunk/influxdb3.duplicate_writer.buggy.seed2.shrunk.failure.json"));
  CHECK(std::filesystem::exists(dir + "/shrunk/influxdb3.duplicate_writer.buggy.seed2.shrunk.html"));
  // --out and --report naming two folders is a usage error.
  CHECK(Seedbed("replay " + failure + " --out " + dir + "/a --report " + dir + "/b").code == 2);
  // The help shows --out, not the old spelling.
  CommandResult help = Seedbed("run --help");
  CHECK_THAT(help.output, Catch::Contains("--out"));
  CHECK(help.output.find("--report") == std::string::npos);
}

TEST_CASE("cli: run --json prints one machine-readable result", "[cli][conventions][json]") {
  const std::string dir = TempDir("json");
  CommandResult failed = Seedbed("run influxdb3.duplicate_writer --variant buggy -s 1 --json -o " + dir + " 2>/dev/null");
  CHECK(failed.code == 1);
  nlohmann::json j = nlohmann::json::parse(failed.output);  // nothing but the object on stdout
  CHECK(j.at("format") == "seedbed.run");
  CHECK(j.at("scenario") == "influxdb3.duplicate_writer");
  CHECK(j.at("variant") == "buggy");
  CHECK(j.at("seed") == 1);
  CHECK(j.at("strategy") == "random");
  CHECK(j.at("verdict") == "failed");
  REQUIRE(j.at("violations").size() >= 1);
  CHECK(j.at("violations")[0].at("invariant") == "wal-object-written-once");
  CHECK_FALSE(j.at("violations")[0].at("message").get<std::string>().empty());
  CHECK(j.at("events").get<uint64_t>() > 0);
  CHECK(j.at("sim_time_ns").get<int64_t>() > 0);
  CHECK(j.at("trace_hash").get<std::string>().size() == 16);
  CHECK(j.at("replay") == "seedbed run influxdb3.duplicate_writer --variant buggy --seed 1");
  CHECK(j.at("failure_file") == dir + "/influxdb3.duplicate_writer.buggy.seed1.failure.json");
  CHECK(std::filesystem::exists(j.at("failure_file").get<std::string>()));
  CHECK(std::filesystem::exists(j.at("reports").at("html").get<std::string>()));
  // The same run without --json has the same trace hash.
  CommandResult text = Seedbed("run influxdb3.duplicate_writer --variant buggy -s 1");
  CHECK_THAT(text.output, Catch::Contains("trace " + j.at("trace_hash").get<std::string>()));

  CommandResult ok = Seedbed("run influxdb3.duplicate_writer --variant fixed -s 1 --json 2>/dev/null");
  CHECK(ok.code == 0);
  nlohmann::json k = nlohmann::json::parse(ok.output);
  CHECK(k.at("verdict") == "ok");
  CHECK(k.at("violations").empty());
  CHECK(k.at("failure_file").is_null());
  CHECK(k.at("invariant").is_null());
}

TEST_CASE("cli: a failed run ends with result: FAILED, as a passing one with result: ok", "[cli][conventions]") {
  CommandResult failed = Seedbed("run influxdb3.duplicate_writer --variant buggy -s 1");
  CHECK(failed.code == 1);
  CHECK_THAT(failed.output, Catch::Contains("\nresult: FAILED (1 violation of wal-object-written-once)\nreplay: "));
  CommandResult ok = Seedbed("run influxdb3.duplicate_writer --variant fixed -s 1");
  CHECK(ok.code == 0);
  CHECK_THAT(ok.output, Catch::Contains("\nresult: ok (every invariant held)\n"));
  CHECK(ok.output.find("FAILED") == std::string::npos);
}

TEST_CASE("verdict: evidence lines carry their simulated time", "[cli][conventions][evidence]") {
  using seedbed::EvidenceTimeNs;
  CHECK(EvidenceTimeNs("1000.000000ms node-b (incarnation 0) put x") == 1'000'000'000);
  CHECK(EvidenceTimeNs("0.500000s a/b holds m and takes n") == 500'000'000);
  CHECK(EvidenceTimeNs("op#36 put k1=v by new-0 [6625.453ms..6755.013ms] ok") == 6'625'453'000);
  CHECK(EvidenceTimeNs("op#1 get k -> v by c [1.000ms..never] ok") == 1'000'000);
  CHECK_FALSE(EvidenceTimeNs("manifest: writer_epoch 2").has_value());
  CHECK_FALSE(EvidenceTimeNs("... 3 more ops").has_value());
  CHECK_FALSE(EvidenceTimeNs("12 rows").has_value());
  CHECK_FALSE(EvidenceTimeNs("5ms").value_or(0) != 5'000'000);
}

TEST_CASE("verdict: evidence is put in time order, stably, continuations kept with their line",
          "[cli][conventions][evidence]") {
  std::vector<std::string> evidence = {
      "header without a time",
      "op#42 put k1=old by old-0 [9025.875ms..9126.544ms] ok",
      "3.000000ms b second at 3",
      "  continuation of b",
      "op#36 put k1=new by new-0 [6625.453ms..6755.013ms] ok",
      "3.000000ms c third at 3",
      "1.000000ms a first",
  };
  seedbed::SortEvidenceByTime(evidence);
  CHECK(evidence == std::vector<std::string>{
                        "header without a time",
                        "1.000000ms a first",
                        "3.000000ms b second at 3",
                        "  continuation of b",
                        "3.000000ms c third at 3",
                        "op#36 put k1=new by new-0 [6625.453ms..6755.013ms] ok",
                        "op#42 put k1=old by old-0 [9025.875ms..9126.544ms] ok",
                    });
}

TEST_CASE("cli: a run prints its evidence in time order", "[cli][conventions][evidence]") {
  // slatedb.zombie_writer buggy-1622 seed 1: the lost write (op#42, 9025 ms) was listed before the
  // write that replaced it (op#36, 6625 ms).
  CommandResult r = Seedbed("run slatedb.zombie_writer --variant buggy-1622 -s 1");
  INFO(r.output);
  CHECK(r.code == 1);
  const size_t replaced = r.output.find("    op#36 put k1=new-0:11");
  const size_t lost = r.output.find("    op#42 put k1=old-0:6");
  REQUIRE(replaced != std::string::npos);
  REQUIRE(lost != std::string::npos);
  CHECK(replaced < lost);
  // Within every violation's evidence, times never go backwards.
  int64_t last = -1;
  for (const std::string& line : Lines(r.output)) {
    if (line.rfind("VIOLATION", 0) == 0) last = -1;
    if (line.rfind("    ", 0) != 0) continue;
    auto t = seedbed::EvidenceTimeNs(line.substr(4));
    if (!t) continue;
    INFO(line);
    CHECK(*t >= last);
    last = *t;
  }
}

TEST_CASE("cli: replay lines name the running program", "[cli][conventions][program]") {
  // Through a link named my_seedbed: its invocation name.
  const std::string dir = TempDir("program");
  const std::string link = dir + "/my_seedbed";
  std::filesystem::create_symlink(std::string(SEEDBED_BINARY_DIR) + "/seedbed", link);
  auto run = [&](const std::string& args) {
    CommandResult result;
    FILE* pipe = popen((link + " " + args + " 2>&1").c_str(), "r");
    REQUIRE(pipe != nullptr);
    char buffer[4096];
    size_t n;
    while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) result.output.append(buffer, n);
    result.code = WEXITSTATUS(pclose(pipe));
    return result;
  };
  CommandResult r = run("run influxdb3.duplicate_writer --variant buggy -s 1 -o " + dir);
  CHECK(r.code == 1);
  CHECK_THAT(r.output, Catch::Contains("\nreplay: my_seedbed run influxdb3.duplicate_writer --variant buggy --seed 1\n"));
  CHECK(r.output.find("seedbed run") == r.output.find("my_seedbed run") + 3);
  const std::string failure = dir + "/influxdb3.duplicate_writer.buggy.seed1.failure.json";
  CHECK_THAT(Read(dir + "/influxdb3.duplicate_writer.buggy.seed1.timeline.txt"),
             Catch::Contains("my_seedbed run influxdb3.duplicate_writer"));
  CommandResult replay = run("replay " + failure + " -o " + dir);
  CHECK_THAT(replay.output, Catch::Contains("replay: my_seedbed replay " + failure));
  CommandResult fuzz = run("fuzz influxdb3.duplicate_writer --variant buggy -s 1..2 --no-shrink -o " + dir + "/c");
  CHECK_THAT(fuzz.output, Catch::Contains("    replay: my_seedbed run influxdb3.duplicate_writer"));
  CHECK_THAT(Read(dir + "/c/campaign.md"), Catch::Contains("replay: `my_seedbed run influxdb3.duplicate_writer"));
  CHECK_THAT(run("--help").output, Catch::Contains("Usage: my_seedbed"));
  // Its messages too.
  CommandResult bad = run("run no.such_scenario -s 1");
  CHECK(bad.code == 2);
  CHECK_THAT(bad.output, Catch::StartsWith("my_seedbed: unknown scenario 'no.such_scenario'"));
  CHECK_THAT(run("frobnicate").output, Catch::StartsWith("my_seedbed: unknown subcommand 'frobnicate'"));
}

TEST_CASE("cli: seedbed::cli::Main takes the program's own name", "[cli][conventions][program]") {
  // In this process: `run` neither forks nor exits, and prints to std::cout.
  std::vector<std::string> words = {"/some/where/test-binary", "run", "influxdb3.duplicate_writer", "--variant",
                                    "buggy", "-s", "1"};
  std::vector<char*> argv;
  for (std::string& w : words) argv.push_back(w.data());
  std::ostringstream captured;
  std::streambuf* saved = std::cout.rdbuf(captured.rdbuf());
  const int code = seedbed::cli::Main(static_cast<int>(argv.size()), argv.data(),
                                      seedbed::cli::MainOptions{"engine_sim"});
  std::cout.rdbuf(saved);
  CHECK(code == 1);
  CHECK_THAT(captured.str(), Catch::Contains("\nreplay: engine_sim run influxdb3.duplicate_writer --variant buggy"));
  // Without a name: the invocation name, without its directory.
  std::ostringstream again;
  saved = std::cout.rdbuf(again.rdbuf());
  seedbed::cli::Main(static_cast<int>(argv.size()), argv.data());
  std::cout.rdbuf(saved);
  CHECK_THAT(again.str(), Catch::Contains("\nreplay: test-binary run influxdb3.duplicate_writer"));
}

TEST_CASE("campaign: the progress bar fits the terminal, names the cell, splits expected failures",
          "[cli][conventions][progress]") {
  seedbed::CampaignProgress p;
  p.done = 1234;
  p.total = 5000;
  p.fraction = 1234.0 / 5000;
  p.rate = 812;
  p.expected_failures = 30;
  p.unexpected_failures = 2;
  p.left_s = 4.5;
  p.cell = "leveldb.crash_recovery sync-machine-posix-reorder";
  for (int columns : {20, 40, 60, 80, 100, 120, 200}) {
    INFO("columns " << columns);
    const std::string line = seedbed::FormatProgressBar(p, columns);
    CHECK(line.size() <= static_cast<size_t>(columns - 1));
    CHECK_THAT(line, Catch::Contains("1234"));
  }
  const std::string wide = seedbed::FormatProgressBar(p, 200);
  CHECK(wide == "[#######.......................] 1234/5000 seeds  812/s  failures: 2 UNEXPECTED, 30 expected  4s left"
                "  leveldb.crash_recovery sync-machine-posix-reorder");
  // Narrower: the figures in short, the bar still there.
  const std::string medium = seedbed::FormatProgressBar(p, 120);
  CHECK(medium == "[####..............] 1234/5000  2 UNEXPECTED, 30 e"
                  "xpected  812/s  4s  leveldb.crash_recovery sync-machine-posix-reorder");
  // At 80 columns the cell is cut at its end; at 40 the figures are, but never before the
  // unexpected failures.
  const std::string narrow = seedbed::FormatProgressBar(p, 80);
  CHECK(narrow == "1234/5000  2 UNEXPECTED, 30 expected  812/s  4s  leveldb.crash_recovery sync...");
  CHECK(narrow.size() == 79);
  CHECK_THAT(seedbed::FormatProgressBar(p, 40), Catch::StartsWith("1234/5000  2 UNEXPECTED, ") && Catch::EndsWith("..."));
  // A --time campaign: the bar follows the time.
  p.total = 0;
  p.fraction = 0.5;
  CHECK_THAT(seedbed::FormatProgressBar(p, 200),
             Catch::StartsWith("[###############...............] 1234 seeds  812/s"));
}

TEST_CASE("cli: on a terminal, fuzz redraws one progress line that fits it; stdout gets none",
          "[cli][conventions][progress]") {
  // stderr on a pseudo-terminal 72 columns wide, stdout to a file.
  const std::string dir = TempDir("pty");
  const std::string stdout_path = dir + "/stdout.txt";
  winsize size{};
  size.ws_col = 72;
  size.ws_row = 24;
  int master = -1;
  const pid_t pid = forkpty(&master, nullptr, nullptr, &size);
  REQUIRE(pid >= 0);
  if (pid == 0) {
    FILE* out = std::freopen(stdout_path.c_str(), "w", stdout);
    if (out == nullptr) _exit(99);
    const std::string bin = std::string(SEEDBED_BINARY_DIR) + "/seedbed";
    execl(bin.c_str(), bin.c_str(), "fuzz", "slatedb.flush_self_fence", "--variant", "buggy", "-s", "1..1500", "-j", "1",
          "--no-shrink", static_cast<char*>(nullptr));
    _exit(98);
  }
  std::string tty;
  char buffer[4096];
  for (;;) {
    const ssize_t n = read(master, buffer, sizeof buffer);
    if (n <= 0) break;  // EIO once the child has exited
    tty.append(buffer, static_cast<size_t>(n));
  }
  int status = 0;
  waitpid(pid, &status, 0);
  close(master);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 1);
  INFO(tty);
  // Every redraw fits in 71 columns (the terminal's last one would wrap).
  size_t draws = 0;
  bool named_cell = false;
  std::string last;
  for (size_t at = tty.find('\r'); at != std::string::npos; at = tty.find('\r', at + 1)) {
    std::string segment = tty.substr(at + 1, tty.find_first_of("\r\n", at + 1) - at - 1);
    if (segment.empty()) continue;
    const size_t erase = segment.find("\x1b[K");
    REQUIRE(erase != std::string::npos);
    segment = segment.substr(0, erase);
    CHECK(segment.size() <= 71);
    CHECK_THAT(segment, Catch::Contains(" 0 UNEXPECTED, "));
    named_cell = named_cell || segment.find("  slatedb.flush_self") != std::string::npos;
    ++draws;
    last = segment;
  }
  CHECK(draws >= 2);
  CHECK(named_cell);
  CHECK_THAT(last, Catch::StartsWith("[##########") && Catch::Contains("] 1500/1500") &&
                       Catch::Contains(" 0 UNEXPECTED, 7"));
  CHECK(last.find(" left") == std::string::npos);  // nothing is left
  CHECK(last.find("slatedb") == std::string::npos);  // the final line names no cell
  const std::string out = Read(stdout_path);
  CHECK(out.find('\r') == std::string::npos);
  CHECK(out.find("UNEXPECTED") == std::string::npos);
  CHECK_THAT(out, Catch::Contains("1500 seeds in"));
}

TEST_CASE("campaign: the table fits 100 columns with the longest bundled names", "[cli][conventions][table]") {
  using namespace seedbed;
  CampaignResult result;
  size_t longest_variant = 0;
  std::string longest_cell;
  for (const ScenarioInfo& info : Registry::Get().List())
    for (const std::string& variant : info.variants) {
      CellResult c;
      c.cell = {info.name, variant, info.failing(variant), info.ExpectedInvariants(variant)};
      c.seeds = 1'000'000;
      c.failures = 999'999;
      c.unexpected = c.cell.expect_failure ? 3 : 0;
      c.first_failing_seed = 18'446'744'073'709'551'615ull;
      c.groups = {{"no-lost-acknowledged-transaction", 999'990, 1, "m"}, {"deadlock", 3, 2, "m"},
                  {"liveness-after-heal", 3, 3, "m"}, {"recovery-succeeds-after-heal", 3, 4, "m"}};
      c.wall_s = 0.5;
      result.cells.push_back(c);
      longest_variant = std::max(longest_variant, variant.size());
      if (info.name.size() + variant.size() > longest_cell.size()) longest_cell = info.name + " " + variant;
    }
  INFO("longest cell: " << longest_cell);
  REQUIRE(longest_variant >= 20);
  const std::string table = FormatCampaignTable(result);
  INFO(table);
  size_t cut = 0, verdict_lines = 0;
  for (const std::string& line : Lines(table)) {
    CHECK(line.size() <= kTableColumns);
    cut += line.size() > 3 && line.compare(line.size() - 3, 3, "...") == 0;
    verdict_lines += line.rfind("    ", 0) == 0;
  }
  CHECK(cut > 0);  // the verdicts longer than a line were cut
  CHECK(verdict_lines > 0);  // and went below their rows
  // Every bundled variant keeps its whole name: no two rows of a scenario read the same.
  for (const CellResult& c : result.cells) CHECK_THAT(table, Catch::Contains("  " + c.cell.variant + " "));
  // A row per cell (and its verdict line), and the same table each time.
  CHECK(Lines(table).size() == 1 + result.cells.size() + verdict_lines + Registry::Get().List().size());
  CHECK(FormatCampaignTable(result) == table);
  // A variant longer than the column is cut in the middle, so both ends still show.
  CampaignResult odd;
  CellResult c;
  c.cell = {"s", "a-very-long-variant-name-that-goes-on-and-on-reorder", false, {}};
  odd.cells.push_back(c);
  const std::string odd_table = FormatCampaignTable(odd);
  CHECK_THAT(odd_table, Catch::Contains("  a-very-long-v...d-on-reorder "));
}

TEST_CASE("cli: fuzz --all prints a table no wider than 100 columns", "[cli][conventions][table]") {
  CommandResult r = Seedbed("fuzz --all -s 1..1 --no-shrink");
  INFO(r.output);
  CHECK(r.code == 1);
  bool in_table = false;
  size_t rows = 0;
  for (const std::string& line : Lines(r.output)) {
    if (line.rfind("scenario / variant", 0) == 0) in_table = true;
    if (line.find(" seeds in ") != std::string::npos) in_table = false;
    if (!in_table) continue;
    CHECK(line.size() <= 100);
    ++rows;
  }
  CHECK(rows > 40);
  CHECK_THAT(r.output, Catch::Contains("\nleveldb.crash_recovery\n") && Catch::Contains("\n  sync-machine-posix-reorder "));
}
