#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "fmt/format.h"
#include "reports/reports.h"

namespace seedbed::reports {
namespace {

constexpr uint32_t kKernel = ~0u;
constexpr int kLaneHeight = 22;
constexpr int kLabelWidth = 220;

std::string Escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

// An order-preserving time axis: every distinct instant gets an x, and a gap's width grows with
// the log of its length, so a millisecond race and a minute of idling both stay readable.
class Axis {
 public:
  explicit Axis(std::vector<int64_t> times) {
    std::sort(times.begin(), times.end());
    times.erase(std::unique(times.begin(), times.end()), times.end());
    double x = kLabelWidth + 10;
    for (size_t i = 0; i < times.size(); ++i) {
      if (i > 0) x += 6 + 10 * std::log10(1.0 + (times[i] - times[i - 1]) / 1000.0);
      xs_[times[i]] = x;
    }
    width_ = x + 40;
  }
  double X(int64_t t) const {
    auto it = xs_.lower_bound(t);
    if (it == xs_.end()) return width_ - 40;
    return it->second;
  }
  double width() const { return width_; }
  const std::map<int64_t, double>& points() const { return xs_; }

 private:
  std::map<int64_t, double> xs_;
  double width_ = kLabelWidth + 50;
};

struct Lanes {
  std::vector<uint32_t> order;        // task ids, grouped by process
  std::map<uint32_t, int> lane_of;    // task -> lane index
  std::vector<std::pair<int, std::string>> groups;  // (first lane, process name)
};

Lanes LayOutLanes(const RunReport& r, const std::set<uint32_t>& used) {
  Lanes lanes;
  std::map<uint32_t, std::vector<uint32_t>> by_process;
  for (uint32_t t : used)
    by_process[t < r.task_process.size() ? r.task_process[t] : kKernel].push_back(t);
  for (auto& [process, tasks] : by_process) {
    lanes.groups.push_back({static_cast<int>(lanes.order.size()),
                            process < r.process_names.size() ? r.process_names[process] : "kernel"});
    for (uint32_t t : tasks) {
      lanes.lane_of[t] = static_cast<int>(lanes.order.size());
      lanes.order.push_back(t);
    }
  }
  return lanes;
}

const char* InstantColor(EventKind kind) {
  switch (kind) {
    case EventKind::kCrash: return "#d62728";
    case EventKind::kRestart: return "#2ca02c";
    case EventKind::kFault: return "#ff7f0e";
    case EventKind::kCrashPoint: return "#9467bd";
    case EventKind::kViolation: return "#d62728";
    default: return "#7f7f7f";
  }
}

bool Drawn(EventKind kind) {
  return kind == EventKind::kCrash || kind == EventKind::kRestart || kind == EventKind::kFault ||
         kind == EventKind::kCrashPoint || kind == EventKind::kViolation || kind == EventKind::kNote;
}

bool Highlighted(const Span& s, const Violation* v) {
  if (v == nullptr) return false;
  if (s.op >= 0 && std::count(v->ops.begin(), v->ops.end(), static_cast<uint64_t>(s.op))) return true;
  for (const std::string& path : v->objects)
    if (!path.empty() && s.detail.find(path) != std::string::npos) return true;
  return false;
}

std::string Svg(const RunReport& r) {
  const Violation* v = r.first_violation();
  std::set<uint32_t> used;
  std::vector<int64_t> times{0, r.sim_time_ns};
  for (const Span& s : r.spans) {
    used.insert(s.task);
    times.push_back(s.start_ns);
    times.push_back(s.end_ns);
  }
  std::vector<const TraceEvent*> instants;
  if (r.trace)
    for (const TraceEvent& e : r.trace->events())
      if (Drawn(e.kind)) {
        instants.push_back(&e);
        used.insert(e.task);
        times.push_back(e.time_ns);
      }
  if (v != nullptr && v->time_ns >= 0) times.push_back(v->time_ns);
  Axis axis(times);
  Lanes lanes = LayOutLanes(r, used);
  int height = 30 + kLaneHeight * static_cast<int>(lanes.order.size()) + 20;
  std::string out = fmt::format(
      "<svg xmlns='http://www.w3.org/2000/svg' width='{:.0f}' height='{}' font-family='monospace' "
      "font-size='11'>\n",
      axis.width(), height);
  auto lane_y = [&](uint32_t task) { return 30 + kLaneHeight * lanes.lane_of[task]; };
  for (size_t i = 0; i < lanes.order.size(); ++i) {
    int y = 30 + kLaneHeight * static_cast<int>(i);
    uint32_t t = lanes.order[i];
    out += fmt::format("<rect x='0' y='{}' width='{:.0f}' height='{}' fill='{}'/>\n", y, axis.width(),
                       kLaneHeight, i % 2 ? "#f7f7f7" : "#ffffff");
    out += fmt::format("<text x='14' y='{}'>{}</text>\n", y + 15,
                       Escape(t < r.task_names.size() ? r.task_names[t] : "kernel"));
  }
  for (const auto& [lane, name] : lanes.groups)
    out += fmt::format("<line x1='0' x2='{:.0f}' y1='{}' y2='{}' stroke='#999'/>"
                       "<text x='2' y='{}' font-weight='bold' fill='#555'>{}</text>\n",
                       axis.width(), 30 + kLaneHeight * lane, 30 + kLaneHeight * lane,
                       30 + kLaneHeight * lane - 2, Escape(name));
  // Time ticks: about one label per 120 px.
  double next_label = 0;
  for (const auto& [t, x] : axis.points()) {
    if (x < next_label) continue;
    out += fmt::format("<line x1='{0:.1f}' x2='{0:.1f}' y1='18' y2='{1}' stroke='#eee'/>"
                       "<text x='{0:.1f}' y='12' fill='#666'>{2:.3f}ms</text>\n",
                       x, height - 20, t / 1e6);
    next_label = x + 120;
  }
  for (const Span& s : r.spans) {
    double x0 = axis.X(s.start_ns), x1 = std::max(axis.X(s.end_ns), x0 + 3);
    bool hot = Highlighted(s, v);
    const char* fill = s.op >= 0 ? (s.outcome == "ok" ? "#8fd18f" : "#f2c14e") : (s.fault ? "#ffb36b" : "#9ec5e8");
    out += fmt::format(
        "<rect x='{:.1f}' y='{}' width='{:.1f}' height='{}' rx='2' fill='{}' stroke='{}' stroke-width='{}'>"
        "<title>{} {} -> {} [{:.6f}ms .. {:.6f}ms]</title></rect>\n",
        x0, lane_y(s.task) + 3, x1 - x0, kLaneHeight - 6, fill, hot ? "#d62728" : "#555", hot ? 3 : 0.5,
        Escape(s.name), Escape(s.detail), Escape(s.outcome), s.start_ns / 1e6, s.end_ns / 1e6);
    if (x1 - x0 > 60)
      out += fmt::format("<text x='{:.1f}' y='{}' font-size='9'>{}</text>\n", x0 + 2, lane_y(s.task) + 14,
                         Escape(s.name));
  }
  for (const TraceEvent* e : instants) {
    double x = axis.X(e->time_ns);
    int y = e->task == kKernel || !lanes.lane_of.count(e->task) ? 22 : lane_y(e->task) + kLaneHeight / 2;
    out += fmt::format("<circle cx='{:.1f}' cy='{}' r='5' fill='{}'><title>{} {:.6f}ms: {}</title></circle>\n",
                       x, y, InstantColor(e->kind), EventKindName(e->kind), e->time_ns / 1e6,
                       Escape(e->detail));
  }
  if (v != nullptr) {
    double x = axis.X(v->time_ns >= 0 ? v->time_ns : r.sim_time_ns);
    out += fmt::format("<line x1='{0:.1f}' x2='{0:.1f}' y1='18' y2='{1}' stroke='#d62728' stroke-width='2' "
                       "stroke-dasharray='4 3'><title>violation: {2}</title></line>\n",
                       x, height - 20, Escape(v->invariant));
  }
  return out + "</svg>\n";
}

const char* kStyle = R"(
body{font-family:system-ui,sans-serif;margin:24px;color:#222}
h1{font-size:20px;margin:0 0 8px} h2{font-size:16px;margin:20px 0 6px}
.fail{color:#d62728} .ok{color:#2ca02c}
code,pre{background:#f4f4f4;padding:2px 6px;border-radius:3px}
pre{padding:8px;overflow-x:auto}
.timeline{overflow-x:auto;border:1px solid #ddd}
table{border-collapse:collapse;font-size:12px;font-family:monospace}
td{padding:1px 8px;border-bottom:1px solid #eee;vertical-align:top}
tr.hot td{background:#fde0e0}
.legend span{display:inline-block;margin-right:14px}
.sw{display:inline-block;width:12px;height:12px;margin-right:4px;vertical-align:middle;border-radius:2px}
)";

}  // namespace

std::string HtmlReport(const RunReport& r, const std::string& replay_command) {
  const Violation* v = r.first_violation();
  std::ostringstream out;
  out << "<!DOCTYPE html>\n<html><head><meta charset='utf-8'><title>"
      << Escape(fmt::format("seedbed: {} [{}] seed {}", r.config.scenario, r.config.variant, r.config.seed))
      << "</title><style>" << kStyle << "</style></head><body>\n";
  out << fmt::format("<h1>{} <small>[{}]</small> seed {}</h1>\n", Escape(r.config.scenario),
                     Escape(r.config.variant), r.config.seed);
  if (v != nullptr) {
    out << fmt::format("<p class='fail'><b>VIOLATION {}</b>: {}</p>\n", Escape(v->invariant), Escape(v->message));
    out << "<pre>";
    for (const std::string& line : v->evidence) out << Escape(line) << "\n";
    out << "</pre>\n";
  } else {
    out << "<p class='ok'><b>every invariant held</b></p>\n";
  }
  out << fmt::format("<p>replay: <code>{}</code></p>\n", Escape(replay_command));
  out << fmt::format("<p>{} events, {:.6f}s simulated, {} decisions, {} context switches, trace {:016x}</p>\n",
                     r.events, r.sim_time_ns / 1e9, r.decisions.size(), r.context_switches, r.trace_hash);
  if (!r.fault_plan.empty()) out << "<p>faults: <code>" << Escape(r.fault_plan) << "</code></p>\n";
  out << "<h2>Timeline</h2>\n<div class='legend'>"
         "<span><i class='sw' style='background:#9ec5e8'></i>I/O</span>"
         "<span><i class='sw' style='background:#ffb36b'></i>I/O with a fault</span>"
         "<span><i class='sw' style='background:#8fd18f'></i>client op acknowledged</span>"
         "<span><i class='sw' style='background:#f2c14e'></i>client op failed/unknown</span>"
         "<span><i class='sw' style='background:#d62728'></i>crash / violation</span>"
         "<span><i class='sw' style='background:#2ca02c'></i>restart</span>"
         "<span><i class='sw' style='background:#9467bd'></i>crash point</span>"
         "<span><i class='sw' style='border:3px solid #d62728'></i>named by the violation</span></div>\n";
  out << "<div class='timeline'>" << Svg(r) << "</div>\n";
  out << "<h2>Events</h2>\n<table>\n";
  if (r.trace) {
    for (const TraceEvent& e : r.trace->events()) {
      if (e.kind == EventKind::kStep) continue;
      bool hot = false;
      if (v != nullptr)
        for (const std::string& path : v->objects) hot = hot || (!path.empty() && e.detail.find(path) != std::string::npos);
      std::string who = e.task < r.task_names.size() ? r.task_names[e.task] : "kernel";
      out << fmt::format("<tr{}><td>{:.6f}ms</td><td>{}</td><td>{}</td><td>{}</td></tr>\n", hot ? " class='hot'" : "",
                         e.time_ns / 1e6, Escape(who), EventKindName(e.kind), Escape(e.detail));
    }
  }
  out << "</table>\n</body></html>\n";
  return out.str();
}

absl::Status WriteRunReports(const RunReport& report, const std::string& dir, const std::string& stem,
                             const std::string& replay_command) {
  auto write = [&](const std::string& name, const std::string& text) -> absl::Status {
    std::ofstream out(dir + "/" + name, std::ios::binary | std::ios::trunc);
    out << text;
    out.close();
    if (!out) return absl::PermissionDeniedError(fmt::format("cannot write {}/{}", dir, name));
    return absl::OkStatus();
  };
  std::ostringstream timeline;
  WriteTextTimeline(report, timeline);
  if (auto s = write(stem + ".trace.json", PerfettoJson(report)); !s.ok()) return s;
  if (auto s = write(stem + ".html", HtmlReport(report, replay_command)); !s.ok()) return s;
  return write(stem + ".timeline.txt", timeline.str());
}

}  // namespace seedbed::reports
