// The reports of a failing run: the Perfetto / Chrome Trace Event JSON has the structure the viewers
// need; the HTML page is self-contained and says what failed and how to replay it; the text timeline
// marks the violation's events; disk ops become slices from their trace events.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "fmt/format.h"
#include "nlohmann/json.hpp"
#include "reports/reports.h"
#include "scenarios/harness/runner.h"
#include "scenarios/harness/shrink.h"
#include "scenarios/testing/testing.h"

namespace seedbed {
namespace {

using nlohmann::json;

const RunReport& FailingRun() {
  static const RunReport report = [] {
    RunConfig config;
    config.keep_events = true;
    RunReport r = testing::RequireRun("influxdb3.duplicate_writer", "buggy", 1, config);
    REQUIRE(r.failed);
    return r;
  }();
  return report;
}

// Checks the Chrome Trace Event structure; returns the problems found (empty: valid).
std::vector<std::string> TraceProblems(const json& doc) {
  std::vector<std::string> problems;
  if (!doc.is_object() || !doc.contains("traceEvents") || !doc["traceEvents"].is_array())
    return {"no traceEvents array"};
  std::set<int> named_pids;
  std::set<std::pair<int, int>> named_tids, used;
  for (const json& e : doc["traceEvents"]) {
    for (const char* field : {"ph", "ts", "pid", "tid"})
      if (!e.contains(field)) problems.push_back(std::string("an event without ") + field + ": " + e.dump());
    if (!e.contains("ph") || !e.contains("pid") || !e.contains("tid")) continue;
    std::string ph = e["ph"];
    int pid = e["pid"], tid = e["tid"];
    if (pid == 0) problems.push_back("pid 0: " + e.dump());
    if (ph == "M") {
      if (e["name"] == "process_name") named_pids.insert(pid);
      if (e["name"] == "thread_name") named_tids.insert({pid, tid});
      continue;
    }
    used.insert({pid, tid});
    if (!e.contains("name") || !e["name"].is_string()) problems.push_back("an event without a name");
    if (!e["ts"].is_number() || e["ts"].get<double>() < 0) problems.push_back("bad ts: " + e.dump());
    if (ph == "X" && (!e.contains("dur") || !e["dur"].is_number() || e["dur"].get<double>() < 0))
      problems.push_back("X without dur >= 0: " + e.dump());
    if (ph != "X" && ph != "i" && ph != "s" && ph != "f") problems.push_back("unexpected phase " + ph);
    if ((ph == "s" || ph == "f") && !e.contains("id")) problems.push_back("flow without id: " + e.dump());
    if (ph == "i" && (!e.contains("s") || (e["s"] != "t" && e["s"] != "g" && e["s"] != "p")))
      problems.push_back("instant without scope: " + e.dump());
  }
  for (const auto& [pid, tid] : used) {
    if (!named_pids.count(pid)) problems.push_back("unnamed pid " + std::to_string(pid));
    if (!named_tids.count({pid, tid}))
      problems.push_back("unnamed tid " + std::to_string(pid) + "/" + std::to_string(tid));
  }
  return problems;
}

size_t CountEvents(const json& doc, const std::string& ph, const std::string& cat) {
  size_t n = 0;
  for (const json& e : doc["traceEvents"])
    if (e.value("ph", "") == ph && e.value("cat", "") == cat) ++n;
  return n;
}

}  // namespace

TEST_CASE("the Perfetto trace of a failure is valid Chrome Trace Event JSON", "[reports]") {
  const RunReport& r = FailingRun();
  json doc = json::parse(reports::PerfettoJson(r));
  std::vector<std::string> problems = TraceProblems(doc);
  INFO((problems.empty() ? std::string() : problems.front()));
  CHECK(problems.empty());
  CHECK(CountEvents(doc, "X", "object-store") > 0);
  CHECK(CountEvents(doc, "X", "client") > 0);
  CHECK(CountEvents(doc, "i", "ack") > 0);
  // The violation instant, global, with its message.
  bool violation = false;
  for (const json& e : doc["traceEvents"])
    if (e.value("ph", "") == "i" && e.value("name", "") == "violation: " + r.invariant()) {
      violation = violation ||
                  (e.value("s", "") == "g" && e["args"].value("message", "") == r.first_violation()->message);
    }
  CHECK(violation);
  // Slices the violation names are flagged.
  bool named = false;
  for (const json& e : doc["traceEvents"])
    if (e.value("ph", "") == "X" && e.contains("args") && e["args"].value("named_by_violation", false)) named = true;
  CHECK(named);
  CHECK(doc["otherData"]["invariant"] == r.invariant());
}

TEST_CASE("the trace validator rejects what the viewers would reject", "[reports]") {
  // The checks above mean something only if the validator can fail.
  CHECK_FALSE(TraceProblems(json::parse(R"({"traceEvents":[{"ph":"X","ts":1,"pid":1,"tid":1,"name":"a"}]})")).empty());
  CHECK_FALSE(TraceProblems(json::parse(R"({"traceEvents":[{"ph":"i","s":"t","ts":1,"pid":1,"name":"a"}]})")).empty());
  CHECK_FALSE(TraceProblems(json::parse(R"({"events":[]})")).empty());
  CHECK(TraceProblems(json::parse(
            R"({"traceEvents":[{"ph":"M","name":"process_name","pid":1,"tid":0,"ts":0,"args":{"name":"p"}},
                               {"ph":"M","name":"thread_name","pid":1,"tid":2,"ts":0,"args":{"name":"t"}},
                               {"ph":"X","ts":1,"dur":0,"pid":1,"tid":2,"name":"a"}]})"))
            .empty());
}

TEST_CASE("the HTML report is self-contained and says what failed and how to replay it", "[reports]") {
  const RunReport& r = FailingRun();
  const std::string replay = "seedbed replay out/influxdb3.duplicate_writer.buggy.seed1.shrunk.failure.json";
  std::string html = reports::HtmlReport(r, replay);
  CHECK(html.find("http://") == std::string::npos);
  CHECK(html.find("https://") == std::string::npos);
  CHECK(html.find("<script src") == std::string::npos);
  CHECK(html.find("<link") == std::string::npos);
  CHECK_THAT(html, Catch::Contains(r.invariant()));
  CHECK_THAT(html, Catch::Contains(replay));
  // Evidence lines appear (escaped as HTML).
  REQUIRE_FALSE(r.first_violation()->evidence.empty());
  CHECK_THAT(html, Catch::Contains("cluster/wal/00000000000000000001"));
  // The script (reports/timeline.js, embedded at build time) and the data it draws, inline.
  CHECK_THAT(html, Catch::Contains("<script>") && Catch::Contains("seedbedTimeline"));
  const std::string open = "<script type='application/json' id='seedbed-data'>";
  size_t at = html.find(open);
  REQUIRE(at != std::string::npos);
  size_t end = html.find("</script>", at);
  REQUIRE(end != std::string::npos);
  json data = json::parse(html.substr(at + open.size(), end - at - open.size()));
  // A lane per process with its tasks inside: node-a's wal-flush task is a row of process node-a.
  bool flush_row = false;
  for (const json& row : data["rows"])
    flush_row = flush_row || (data["procs"][row[0].get<int>()] == "node-a" && row[1] == "wal-flush");
  CHECK(flush_row);
  // The ops the violation names are flagged (flag 2) for the red outline.
  size_t named = 0;
  for (const json& s : data["spans"]) named += (s[7].get<int>() & 2) ? 1 : 0;
  CHECK(named > 0);
  CHECK(data["violations"][0]["invariant"] == r.invariant());
  // The same run gives the same bytes (no dates, addresses or hash-map order).
  CHECK(reports::HtmlReport(r, replay) == html);
}

TEST_CASE("the text timeline starts with the verdict and marks the violation's events", "[reports]") {
  const RunReport& r = FailingRun();
  std::ostringstream out;
  reports::WriteTextTimeline(r, out, "seedbed run influxdb3.duplicate_writer --variant buggy --seed 1");
  std::string text = out.str();
  CHECK_THAT(text, Catch::StartsWith("# influxdb3.duplicate_writer [buggy] seed 1"));
  CHECK_THAT(text, Catch::Contains("# VIOLATION " + r.invariant()));
  CHECK_THAT(text, Catch::Contains("# replay: seedbed run"));
  CHECK_THAT(text, Catch::Contains("\n!!"));
}

TEST_CASE("the reports of a shrunk run show its story before and after", "[reports][shrink]") {
  // Seed 2 of influxdb3.duplicate_writer buggy draws faults and crash points the bug needs none of.
  RunReport failing = testing::RequireRun("influxdb3.duplicate_writer", "buggy", 2);
  REQUIRE(failing.failed);
  std::ostringstream progress;
  auto shrunk = Shrink(FailureFileFromReport(failing), ShrinkOptions{}, progress);
  REQUIRE(shrunk.ok());
  const RunReport& r = shrunk->report;
  REQUIRE(r.shrunk.has_value());
  const RunStory before = shrunk->before.Story();
  const RunStory after = shrunk->after.Story();
  CHECK(r.shrunk->from == before);
  CHECK(r.shrunk->to == after);
  REQUIRE(before.non_default != after.non_default);  // so the rows below show two numbers

  const std::string html = reports::HtmlReport(r, "seedbed replay x.shrunk.failure.json");
  CHECK_THAT(html, Catch::Contains("<h2>Shrunk story</h2>"));
  CHECK_THAT(html, Catch::Contains(fmt::format("stopped by {}", shrunk->stopped_by)));
  const std::vector<std::pair<std::string, std::pair<uint64_t, uint64_t>>> rows = {
      {"decisions", {before.decisions, after.decisions}},
      {"non-default", {before.non_default, after.non_default}},
      {"faults", {before.faults, after.faults}},
      {"crashes", {before.crashes, after.crashes}},
      {"context switches", {before.context_switches, after.context_switches}},
      {"events", {before.events, after.events}}};
  std::ostringstream timeline;
  reports::WriteTextTimeline(r, timeline, "seedbed replay x.shrunk.failure.json");
  const std::string text = timeline.str();
  CHECK_THAT(text, Catch::Contains("# shrunk story (before -> after; "));
  for (const auto& [name, values] : rows) {
    INFO(name);
    CHECK_THAT(html, Catch::Contains(fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td></tr>", name, values.first,
                                                 values.second)));
    CHECK_THAT(text, Catch::Contains(fmt::format("#     {:<18} {:>8} -> {}\n", name, values.first, values.second)));
  }
  // Before the verdict's events, in the header.
  CHECK(text.find("# shrunk story") < text.find("\n  "));

  // A run that was not shrunk says nothing about it.
  CHECK_FALSE(FailingRun().shrunk.has_value());
  CHECK(reports::HtmlReport(FailingRun(), "x").find("Shrunk story") == std::string::npos);
  std::ostringstream plain;
  reports::WriteTextTimeline(FailingRun(), plain, "x");
  CHECK(plain.str().find("shrunk story") == std::string::npos);
}

TEST_CASE("WriteRunReports writes the trace, the page and the timeline", "[reports]") {
  const RunReport& r = FailingRun();
  std::filesystem::path dir = std::filesystem::path(SEEDBED_BINARY_DIR) / "reports_test_out";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  REQUIRE(reports::WriteRunReports(r, dir.string(), "run", "seedbed run x").ok());
  for (const char* name : {"run.trace.json", "run.html", "run.timeline.txt"}) {
    INFO(name);
    CHECK(std::filesystem::file_size(dir / name) > 100);
  }
  CHECK_FALSE(reports::WriteRunReports(r, (dir / "no/such/dir").string(), "run", "x").ok());
}

TEST_CASE("a disk op becomes a slice from the task's previous resume to its completion", "[reports]") {
  RunReport r;
  r.config.scenario = "synthetic";
  r.process_names = {"n1"};
  r.task_names = {"n1/raft"};
  r.task_process = {0};
  auto trace = std::make_shared<Trace>(true);
  trace->Add(1000, 0, 0, EventKind::kStep);
  trace->Add(6000, 0, 0, EventKind::kStep);  // resumed after the op's 5 µs latency
  trace->Add(6000, 0, 0, EventKind::kIo, "disk append raft/g1/log 64B -> ok");
  trace->Add(6000, 0, ~0u, EventKind::kCrash, "n1");
  r.trace = trace;
  json doc = json::parse(reports::PerfettoJson(r));
  CHECK(TraceProblems(doc).empty());
  bool found = false;
  for (const json& e : doc["traceEvents"])
    if (e.value("ph", "") == "X" && e.value("cat", "") == "disk") {
      found = true;
      CHECK(e["name"] == "disk append raft/g1/log");
      CHECK(e["ts"].get<double>() == Approx(1.0));
      CHECK(e["dur"].get<double>() == Approx(5.0));
      CHECK(e["args"]["outcome"] == "ok");
    }
  CHECK(found);
  CHECK(CountEvents(doc, "i", "crash") == 1);
}

}  // namespace seedbed

namespace seedbed {
namespace {

TEST_CASE("reports say when a run stopped at its first violation", "[reports]") {
  RunConfig config;
  config.keep_events = true;
  const RunReport r = testing::RequireRun("rqlite.snapshot_stream_lock", "buggy-posix", 1, config);
  REQUIRE(r.failed);
  const std::string html = reports::HtmlReport(r, "seedbed run rqlite.snapshot_stream_lock --variant buggy-posix --seed 1");
  CHECK_THAT(html, Catch::Contains("note: stopped at the first violation"));
  std::ostringstream text;
  reports::WriteTextTimeline(r, text, "");
  CHECK_THAT(text.str(), Catch::Contains("# note: stopped at the first violation"));
}

}  // namespace
}  // namespace seedbed
