// The HTML report: one self-contained page (inline CSS, data and script; nothing from the network)
// that a storage engineer opens at 3 a.m.: what broke, the evidence, the one command that replays it,
// and an interactive timeline (reports/timeline.js) of lanes per process with what the violation
// names in red, spans of held files and mutexes, causal arrows, engine state and per-key histories.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "fmt/format.h"
#include "reports/internal.h"
#include "reports/reports.h"
#include "nlohmann/json.hpp"
#include "reports/timeline_js.h"
#include "scenarios/harness/file_io.h"

namespace seedbed::reports {
namespace {

using namespace internal;

constexpr size_t kMaxTableRows = 4000;
constexpr size_t kMaxDetailEvents = 60000;  // key events kept for the page's detail panel

std::string Escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

// The page's lanes: one per process (kernel last), inside it one row per task name, so the tasks of
// every incarnation of a process share their rows.
class Rows {
 public:
  explicit Rows(const RunReport& r) : r_(r) {
    for (uint32_t t = 0; t < r.task_names.size(); ++t) RowOf(t);
  }
  int RowOf(uint32_t task) {
    if (task == kKernel) return KernelRow();
    auto found = by_task_.find(task);
    if (found != by_task_.end()) return found->second;
    uint32_t process = ProcessOf(r_, task);
    std::string pname = ProcessName(r_, process);
    std::string name = TaskName(r_, task);
    if (name.rfind(pname + "/", 0) == 0) name = name.substr(pname.size() + 1);
    int proc = ProcIndex(process);
    auto [it, fresh] = by_name_.try_emplace({proc, name}, static_cast<int>(rows_.size()));
    if (fresh) rows_.push_back({proc, name});
    by_task_[task] = it->second;
    return it->second;
  }
  int KernelRow() {
    int proc = ProcIndex(kKernel);
    auto [it, fresh] = by_name_.try_emplace({proc, "(kernel context)"}, static_cast<int>(rows_.size()));
    if (fresh) rows_.push_back({proc, "(kernel context)"});
    return it->second;
  }
  // Process index on the page: process ids in order, the kernel after them.
  int ProcIndex(uint32_t process) const {
    return process < r_.process_names.size() ? static_cast<int>(process) : static_cast<int>(r_.process_names.size());
  }
  int ProcByName(std::string_view name) const {
    for (size_t i = 0; i < r_.process_names.size(); ++i)
      if (r_.process_names[i] == name) return static_cast<int>(i);
    return -1;
  }
  nlohmann::json Json() const {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& [proc, name] : rows_) out.push_back({proc, name});
    return out;
  }

 private:
  const RunReport& r_;
  std::map<uint32_t, int> by_task_;
  std::map<std::pair<int, std::string>, int> by_name_;
  std::vector<std::pair<int, std::string>> rows_;
};

bool OkOutcome(const std::string& outcome) {
  std::string first = outcome.substr(0, outcome.find(' '));
  return first.size() == 2 && std::tolower(static_cast<unsigned char>(first[0])) == 'o' &&
         std::tolower(static_cast<unsigned char>(first[1])) == 'k';
}

// The process a kernel-context fault is about: "crash writer: machine crash" -> writer.
int FaultProcess(const Rows& rows, const TraceEvent& e) {
  if (e.detail.rfind("crash ", 0) != 0) return -1;
  std::string_view rest = std::string_view(e.detail).substr(6);
  return rows.ProcByName(rest.substr(0, rest.find_first_of(": ")));
}

nlohmann::json InstantsJson(const RunReport& r, Rows& rows) {
  const Violation* v = r.first_violation();
  nlohmann::json out = nlohmann::json::array();
  if (!r.trace) return out;
  for (const TraceEvent& e : r.trace->events()) {
    const bool drawn = e.kind == EventKind::kCrash || e.kind == EventKind::kRestart ||
                       e.kind == EventKind::kFault || e.kind == EventKind::kViolation || IsFiredCrashPoint(e);
    if (!drawn) continue;
    int row = -1, proc = -1;
    if (e.kind == EventKind::kCrash || e.kind == EventKind::kRestart) {
      proc = rows.ProcIndex(e.process);
    } else if (e.task != kKernel) {
      row = rows.RowOf(e.task);
    } else if (e.kind == EventKind::kFault && (proc = FaultProcess(rows, e)) >= 0) {
    } else {
      row = rows.KernelRow();
    }
    bool named = e.kind == EventKind::kViolation || MentionsNamedObject(v, e.detail);
    out.push_back({row, proc, e.time_ns, std::string(EventKindName(e.kind)), e.detail, named});
  }
  return out;
}

nlohmann::json HistoryJson(const RunReport& r, Rows& rows) {
  nlohmann::json out = nlohmann::json::array();
  if (!r.history) return out;
  for (const Op& op : r.history->ops()) {
    nlohmann::json read = op.read ? nlohmann::json(*op.read) : nlohmann::json();
    out.push_back({op.id, op.client, std::string(OpTypeName(op.type)), op.key, op.value, read, op.invoke_ns,
                   op.complete_ns, std::string(OpStatusName(op.status)), op.error, op.final_read,
                   op.task == ~0u ? -1 : rows.RowOf(op.task)});
  }
  return out;
}

// Everything the page's script draws, as compact arrays (see reports/timeline.js, "The data").
nlohmann::json TimelineJson(const RunReport& r) {
  using nlohmann::json;
  const Violation* v = r.first_violation();
  Rows rows(r);
  json spans = json::array();
  for (const ReportSpan& rs : AllSpans(r)) {
    const Span& s = rs.span;
    int flags = (s.fault ? 1 : 0) | (rs.named ? 2 : 0) | (OkOutcome(s.outcome) ? 4 : 0) |
                (s.outcome.rfind("unknown", 0) == 0 || s.outcome.rfind("pending", 0) == 0 ? 8 : 0);
    spans.push_back({rows.RowOf(s.task), s.start_ns, s.end_ns, static_cast<int>(rs.kind), s.name, s.detail, s.outcome,
                     flags, s.op});
  }
  json holds = json::array();
  for (const Hold& h : AllHolds(r))
    holds.push_back({rows.RowOf(h.task), h.start_ns, h.end_ns, h.kind, h.label, h.detail, h.named});
  json arrows = json::array();
  for (const Arrow& a : AllArrows(r))
    arrows.push_back({rows.RowOf(a.from_task), a.from_ns, rows.RowOf(a.to_task), a.to_ns, a.kind, a.label});
  json states = json::array();
  for (const StateMarkRow& m : AllStates(r)) states.push_back({rows.RowOf(m.task), m.time_ns, m.key, m.value});
  json events = json::array();
  if (r.trace)
    for (const TraceEvent& e : r.trace->events()) {
      if (!IsKeyEvent(e) || e.kind == EventKind::kSpawn || e.kind == EventKind::kTaskEnd) continue;
      if (events.size() >= kMaxDetailEvents) break;
      events.push_back({e.time_ns, rows.RowOf(e.task), std::string(EventKindName(e.kind)), e.detail});
    }
  json violations = json::array();
  for (const Violation& x : r.violations)
    violations.push_back({{"invariant", x.invariant}, {"message", x.message}, {"t", x.time_ns},
                          {"evidence", x.evidence}, {"ops", x.ops}, {"objects", x.objects}});
  json instants = InstantsJson(r, rows);
  json ops = HistoryJson(r, rows);
  json procs = json::array();
  for (const std::string& name : r.process_names) procs.push_back(name);
  procs.push_back("kernel");
  json meta = {{"scenario", r.config.scenario}, {"variant", r.config.variant}, {"seed", r.config.seed},
               {"end", r.sim_time_ns}, {"invariant", r.invariant()},
               {"vt", v == nullptr ? -1 : (v->time_ns >= 0 ? v->time_ns : r.sim_time_ns)},
               {"events", r.events}, {"detail_events_dropped", r.trace && r.trace->events().size() > kMaxDetailEvents}};
  return {{"meta", meta}, {"procs", procs}, {"rows", rows.Json()}, {"spans", spans}, {"holds", holds},
          {"arrows", arrows}, {"states", states}, {"marks", instants}, {"events", events}, {"ops", ops},
          {"violations", violations}};
}

// JSON inside <script>: "</" would end the element, so it becomes "<\/" (the same JSON string).
std::string ScriptSafe(std::string json) {
  std::string out;
  out.reserve(json.size());
  for (size_t i = 0; i < json.size(); ++i) {
    out += json[i];
    if (json[i] == '<' && i + 1 < json.size() && json[i + 1] == '/') out += '\\';
  }
  return out;
}

const char* kStyle = R"(
body{font-family:'DejaVu Sans',system-ui,sans-serif;margin:20px 24px;color:#1d232b;background:#fff}
h1{font-size:21px;margin:0 0 10px} h1 small{color:#667;font-weight:normal}
h2{font-size:16px;margin:22px 0 8px}
.verdict{border-left:6px solid #d62728;background:#fdf0f0;padding:10px 14px;margin:10px 0}
.verdict.ok{border-color:#2a9d2a;background:#eefaee}
.verdict .inv{font-weight:bold;color:#b3001b;font-size:16px}
.verdict pre{background:#fff;border:1px solid #f0c8c8;margin:8px 0 0}
.replay{background:#1d232b;color:#e8f0f8;padding:8px 12px;border-radius:4px;font-family:'DejaVu Sans Mono',monospace;
  font-size:13px;display:inline-block}
.stats{display:flex;flex-wrap:wrap;gap:8px;margin:10px 0}
.stats div{background:#f2f4f7;border-radius:4px;padding:4px 10px;font-size:13px}
.stats b{font-family:'DejaVu Sans Mono',monospace}
code,pre{font-family:'DejaVu Sans Mono',monospace;font-size:12px}
pre{padding:8px;overflow-x:auto;white-space:pre-wrap}
.timeline{overflow-x:auto;border:1px solid #ccd;margin-top:6px}
.legend{font-size:12px;line-height:22px}
.legend span{display:inline-block;margin-right:16px}
.sw{display:inline-block;width:14px;height:11px;margin-right:5px;vertical-align:-1px;border-radius:2px;border:1px solid #6b7785}
table{border-collapse:collapse;font-size:12px;font-family:'DejaVu Sans Mono',monospace}
td,th{padding:1px 10px 1px 4px;border-bottom:1px solid #eee;vertical-align:top;text-align:left}
tr.hot td{background:#fde0e0;font-weight:bold} tr.crash td{background:#fff1d6}
.muted{color:#778;font-size:12px}
#tl{margin-top:6px}
.tl-bar{display:flex;flex-wrap:wrap;align-items:center;gap:4px;font-size:12px;margin:4px 0}
.tl-bar .sep{width:14px}
.tl-canvas,.tl-mini{display:block;border:1px solid #ccd;margin-top:4px}
.tl-canvas:focus{outline:2px solid #8db9e3}
.tl-violations{font-size:13px;margin:6px 0}
.tl-vio{border-left:4px solid #f0c8c8;padding:2px 8px;margin:2px 0}
.tl-vio.on{border-color:#d62728;background:#fdf0f0}
.tl-vio .inv{font-weight:bold;color:#b3001b}
.tl-detail{border:1px solid #ccd;background:#fafbfc;padding:6px 10px;margin-top:6px;font-size:12px;max-height:320px;overflow:auto}
.tl-detail table td{border:none;padding:0 12px 0 0}
#selftest{background:#eef;border:1px solid #99c}
)";

// The timeline's container: reports/timeline.js builds the controls and canvases inside it.
const char* kTimelineHtml =
    "<div id='tl'><noscript><p class='muted'>The timeline needs JavaScript (inline; the page loads "
    "nothing from the network). The key events are listed below.</p></noscript></div>\n";

void WriteHeader(const RunReport& r, const std::string& replay_command, std::ostringstream& out) {
  const Violation* v = r.first_violation();
  out << fmt::format("<h1>{} <small>[{}] seed {}</small></h1>\n", Escape(r.config.scenario), Escape(r.config.variant),
                     r.config.seed);
  if (v != nullptr) {
    out << fmt::format("<div class='verdict'><div class='inv'>VIOLATION: {}</div><div>{}</div>",
                       Escape(v->invariant), Escape(v->message));
    out << fmt::format("<div class='muted'>detected at {}</div>",
                       v->time_ns >= 0 ? fmt::format("{:.6f}ms of simulated time", v->time_ns / 1e6)
                                       : std::string("the end of the run (after-run check)"));
    if (!v->evidence.empty()) {
      out << "<pre>";
      for (const std::string& line : v->evidence) out << Escape(line) << "\n";
      out << "</pre>";
    }
    std::map<std::string, int> others;
    for (const Violation& x : r.violations)
      if (&x != v) ++others[x.invariant];
    if (!others.empty()) {
      out << "<div class='muted'>also violated:";
      for (const auto& [name, n] : others) out << fmt::format(" {} ({}&times;)", Escape(name), n);
      out << "</div>";
    }
    out << "</div>\n";
  } else {
    out << "<div class='verdict ok'><div class='inv' style='color:#2a9d2a'>every invariant held</div></div>\n";
  }
  // The checkers' notes, e.g. that the run stopped at its first violation (the story ends there).
  for (const std::string& note : r.notes) out << "<p class='muted'>note: " << Escape(note) << "</p>\n";
  out << "<p>Replay this run exactly:<br><span class='replay'>" << Escape(replay_command) << "</span></p>\n";
  size_t nonzero = std::count_if(r.decisions.begin(), r.decisions.end(), [](const Decision& d) { return d.value != 0; });
  out << fmt::format(
      "<div class='stats'><div>simulated time <b>{:.6f}s</b></div><div>events <b>{}</b></div>"
      "<div>decisions <b>{}</b> ({} non-default)</div><div>context switches <b>{}</b></div>"
      "<div>faults injected <b>{}</b></div><div>trace hash <b>{:016x}</b></div></div>\n",
      r.sim_time_ns / 1e9, r.events, r.decisions.size(), nonzero, r.context_switches, r.faults_injected, r.trace_hash);
  if (r.shrunk.has_value()) {
    out << "<h2>Shrunk story</h2>\n<p class='muted'>This run was shrunk from a longer one with the same "
           "failure signature"
        << (r.shrunk->search.empty() ? std::string() : " (" + Escape(r.shrunk->search) + ")") << ".</p>\n"
        << "<table class='story'><tr><th></th><th>before</th><th>after</th></tr>\n";
    for (const internal::StoryRow& row : internal::StoryRows(*r.shrunk))
      out << fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td></tr>\n", row.name, row.before, row.after);
    out << "</table>\n";
  }
  if (!r.fault_plan.empty()) out << "<p class='muted'>fault plan: " << Escape(r.fault_plan) << "</p>\n";
  if (r.process_crashes + r.machine_crashes > 0)
    out << fmt::format("<p class='muted'>crashes: {} process (page cache kept), {} machine (power loss); "
                       "crash mode {}</p>\n",
                       r.process_crashes, r.machine_crashes, CrashModeName(r.crash_mode));
}

void WriteEventTable(const RunReport& r, std::ostringstream& out) {
  const Violation* v = r.first_violation();
  out << "<h2>Key events</h2>\n<p class='muted'>Object-store, disk and network operations, faults, crashes, "
         "crash points, notes and violations (resumes, blocks, wakes and timers are in the .timeline.txt). "
         "Rows naming the violation's objects are red.</p>\n<table>\n"
         "<tr><th>time</th><th>task</th><th>event</th><th>detail</th></tr>\n";
  size_t rows = 0, skipped = 0;
  if (r.trace) {
    for (const TraceEvent& e : r.trace->events()) {
      if (!IsKeyEvent(e)) continue;
      if (rows >= kMaxTableRows) {
        ++skipped;
        continue;
      }
      ++rows;
      const char* cls = MentionsNamedObject(v, e.detail) || e.kind == EventKind::kViolation ? " class='hot'"
                        : e.kind == EventKind::kCrash || e.kind == EventKind::kFault || IsFiredCrashPoint(e)
                            ? " class='crash'"
                            : "";
      out << fmt::format("<tr{}><td>{:.6f}ms</td><td>{}</td><td>{}</td><td>{}</td></tr>\n", cls, e.time_ns / 1e6,
                         Escape(TaskName(r, e.task)), EventKindName(e.kind), Escape(e.detail));
    }
  }
  out << "</table>\n";
  if (skipped > 0) out << fmt::format("<p class='muted'>... {} more events: see the .timeline.txt</p>\n", skipped);
}

}  // namespace

std::string HtmlReport(const RunReport& r, const std::string& replay_command) {
  std::ostringstream out;
  out << "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'><title>"
      << Escape(fmt::format("seedbed: {} [{}] seed {}{}", r.config.scenario, r.config.variant, r.config.seed,
                            r.failed ? ": " + r.invariant() : std::string()))
      << "</title><style>" << kStyle << "</style></head><body>\n";
  WriteHeader(r, replay_command, out);
  out << "<h2>Timeline</h2>\n";
  if (r.trace) {
    out << kTimelineHtml;
    out << "<script type='application/json' id='seedbed-data'>" << ScriptSafe(TimelineJson(r).dump())
        << "</script>\n<script>\n" << kTimelineJs << "\n</script>\n";
  } else {
    out << "<p class='muted'>(the run was made without keeping events: no timeline)</p>\n";
  }
  WriteEventTable(r, out);
  out << "</body></html>\n";
  return out.str();
}

absl::Status WriteRunReports(const RunReport& report, const std::string& dir, const std::string& stem,
                             const std::string& replay_command) {
  // Temporary name, fsync, rename: a full disk leaves no 0-byte or truncated report.
  auto write = [&](const std::string& name, const std::string& text) -> absl::Status {
    return WriteFileAtomically(dir + "/" + name, text);
  };
  std::ostringstream timeline;
  WriteTextTimeline(report, timeline, replay_command);
  if (auto s = write(stem + ".trace.json", PerfettoJson(report)); !s.ok()) return s;
  if (auto s = write(stem + ".html", HtmlReport(report, replay_command)); !s.ok()) return s;
  return write(stem + ".timeline.txt", timeline.str());
}

}  // namespace seedbed::reports
