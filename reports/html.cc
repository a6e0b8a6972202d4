// The HTML report: one self-contained page (inline CSS and SVG, no script, no network) that a
// storage engineer opens at 3 a.m.: what broke, the evidence, the one command that replays it, and a
// swimlane timeline (a lane per task, grouped by process) with what the violation names in red.
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
#include "scenarios/harness/file_io.h"

namespace seedbed::reports {
namespace {

using namespace internal;

constexpr int kLaneHeight = 24;
constexpr int kGroupHeight = 20;
constexpr int kLabelWidth = 230;
constexpr int kAxisHeight = 34;
constexpr double kPointWidth = 12;    // a zero-length op or an instant
constexpr double kMaxWidth = 9000;    // wider timelines are compressed
constexpr size_t kMaxSpans = 6000;    // beyond this, the spans nearest the violation are drawn
constexpr size_t kMaxTableRows = 4000;
constexpr double kScreenWidth = 1350;  // a timeline wider than this opens on the violation

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

std::string Shorten(std::string_view text, size_t max) {
  if (text.size() <= max) return std::string(text);
  return std::string(text.substr(0, max - 1)) + "\u2026";
}

// "cluster/wal/00000000000000000003" -> "wal/…0003": long zero-padded ids stay recognisable.
std::string ShortPath(std::string_view path) {
  std::string out;
  size_t slash = path.find('/');
  std::string_view rest = slash != std::string_view::npos && path.find('/', slash + 1) != std::string_view::npos
                              ? path.substr(slash + 1)
                              : path;
  size_t digits = 0;
  while (digits < rest.size() && std::isdigit(static_cast<unsigned char>(rest[rest.size() - 1 - digits]))) ++digits;
  if (digits > 6) return fmt::format("{}\u2026{}", rest.substr(0, rest.size() - digits), rest.substr(rest.size() - 4));
  return std::string(rest);
}

// A point (instant or zero-length op) drawn in a lane at an instant.
struct Mark {
  uint32_t task;
  int64_t time_ns;
};

// An order-preserving time axis. Every instant where something is drawn gets a column wide enough
// for the most marks any one lane has there; the gap between instants grows with the log of its
// length, so a microsecond race and a minute of idling both stay readable.
class Axis {
 public:
  Axis(const std::vector<int64_t>& times, const std::map<std::pair<int64_t, uint32_t>, int>& marks_per_lane) {
    std::map<int64_t, int> columns;
    for (int64_t t : times) columns.try_emplace(t, 0);
    for (const auto& [key, n] : marks_per_lane) columns[key.first] = std::max(columns[key.first], n);
    double x = 0;
    int64_t last = columns.empty() ? 0 : columns.begin()->first;
    for (const auto& [t, n] : columns) {
      x += 4 + 14 * std::log10(1.0 + static_cast<double>(t - last) / 1e5);  // 100 µs ~ 4 px more
      xs_[t] = x;
      x += n * kPointWidth;
      last = t;
    }
    width_ = x + 20;
    scale_ = width_ > kMaxWidth - kLabelWidth ? (kMaxWidth - kLabelWidth) / width_ : 1.0;
  }
  // x of an instant's column (the first mark's slot).
  double X(int64_t t) const {
    auto it = xs_.lower_bound(t);
    double x = it == xs_.end() ? width_ - 20 : it->second;
    return kLabelWidth + 8 + x * scale_;
  }
  double slot() const { return kPointWidth * scale_; }
  double width() const { return kLabelWidth + 8 + width_ * scale_ + 10; }
  const std::map<int64_t, double>& columns() const { return xs_; }

 private:
  std::map<int64_t, double> xs_;
  double width_ = 0;
  double scale_ = 1;
};

struct Layout {
  std::map<uint32_t, int> y_of;                              // task -> lane top
  std::vector<std::pair<int, std::string>> groups;           // (header top, process name)
  std::vector<std::tuple<int, uint32_t, std::string>> lanes;  // (top, task, label)
  int height = 0;
};

Layout LayOut(const RunReport& r, const std::set<uint32_t>& tasks) {
  Layout l;
  std::map<uint32_t, std::vector<uint32_t>> by_process;
  for (uint32_t t : tasks) by_process[t == kKernel ? kKernel : ProcessOf(r, t)].push_back(t);
  int y = kAxisHeight;
  for (const auto& [process, members] : by_process) {
    std::string pname = ProcessName(r, process);
    l.groups.push_back({y, pname});
    y += kGroupHeight;
    for (uint32_t t : members) {
      std::string name = TaskName(r, t);
      if (name.rfind(pname + "/", 0) == 0) name = name.substr(pname.size() + 1);
      if (t == kKernel) name = "(kernel context)";
      l.y_of[t] = y;
      l.lanes.push_back({y, t, name});
      y += kLaneHeight;
    }
  }
  l.height = y + 8;
  return l;
}

bool DrawnInstant(const TraceEvent& e) {
  return e.kind == EventKind::kCrash || e.kind == EventKind::kRestart || e.kind == EventKind::kFault ||
         e.kind == EventKind::kViolation || IsFiredCrashPoint(e);
}

const char* SpanFill(const ReportSpan& rs) {
  const Span& s = rs.span;
  // "ok", "Ok v3", "ok yes": the first word, any case.
  std::string first = s.outcome.substr(0, s.outcome.find(' '));
  bool ok = first.size() == 2 && std::tolower(static_cast<unsigned char>(first[0])) == 'o' &&
            std::tolower(static_cast<unsigned char>(first[1])) == 'k';
  switch (rs.kind) {
    case SpanKind::kClient: return ok ? "#7cc47c" : (s.outcome.rfind("unknown", 0) == 0 ? "#cfcfcf" : "#f2c14e");
    case SpanKind::kDisk: return s.fault ? "#ff9f4a" : (ok ? "#9fd6cf" : "#e9b7a6");
    case SpanKind::kStore: return s.fault ? "#ff9f4a" : (ok ? "#8db9e3" : "#e9b7a6");
  }
  return "#ccc";
}

// One instant's symbol: crash = red X, restart = green triangle, fault = orange diamond, fired crash
// point = purple square, violation = red circle.
std::string Symbol(const TraceEvent& e, double x, double y) {
  std::string tip = fmt::format("<title>{} at {:.6f}ms: {}</title>", EventKindName(e.kind), e.time_ns / 1e6,
                                Escape(e.detail));
  switch (e.kind) {
    case EventKind::kCrash:
      return fmt::format("<g stroke='#c0001a' stroke-width='3'>{0}<line x1='{1:.1f}' y1='{2:.1f}' x2='{3:.1f}' "
                         "y2='{4:.1f}'/><line x1='{1:.1f}' y1='{4:.1f}' x2='{3:.1f}' y2='{2:.1f}'/></g>\n",
                         tip, x - 5, y - 5, x + 5, y + 5);
    case EventKind::kRestart:
      return fmt::format("<polygon points='{:.1f},{:.1f} {:.1f},{:.1f} {:.1f},{:.1f}' fill='#2a9d2a'>{}</polygon>\n",
                         x - 5, y + 5, x + 5, y + 5, x, y - 6, tip);
    case EventKind::kFault:
      return fmt::format("<polygon points='{0:.1f},{1:.1f} {2:.1f},{3:.1f} {0:.1f},{4:.1f} {5:.1f},{3:.1f}' "
                         "fill='#ff7f0e' stroke='#fff'>{6}</polygon>\n",
                         x, y - 6, x + 6, y, y + 6, x - 6, tip);
    case EventKind::kCrashPoint:
      return fmt::format("<rect x='{:.1f}' y='{:.1f}' width='10' height='10' fill='#8e44ad'>{}</rect>\n", x - 5,
                         y - 5, tip);
    default:
      return fmt::format("<circle cx='{:.1f}' cy='{:.1f}' r='6' fill='#d62728'>{}</circle>\n", x, y, tip);
  }
}

// Keeps at most kMaxSpans: every named span, then those nearest the violation.
std::vector<ReportSpan> ChooseSpans(std::vector<ReportSpan> spans, int64_t focus_ns, size_t* dropped) {
  *dropped = 0;
  if (spans.size() <= kMaxSpans) return spans;
  auto distance = [&](const ReportSpan& s) {
    if (s.named) return int64_t{-1};
    if (focus_ns < s.span.start_ns) return s.span.start_ns - focus_ns;
    return focus_ns > s.span.end_ns ? focus_ns - s.span.end_ns : 0;
  };
  std::stable_sort(spans.begin(), spans.end(),
                   [&](const ReportSpan& a, const ReportSpan& b) { return distance(a) < distance(b); });
  *dropped = spans.size() - kMaxSpans;
  spans.resize(kMaxSpans);
  return spans;
}

int64_t ViolationTime(const RunReport& r) {
  const Violation* v = r.first_violation();
  return v == nullptr ? -1 : (v->time_ns >= 0 ? v->time_ns : r.sim_time_ns);
}

// The window [lo, hi] (ns) to draw first: from a few instants before the earliest op the violation
// names (or the violation itself) to a few after the latest. The whole run if it is short or
// nothing failed.
std::pair<int64_t, int64_t> FocusWindow(const RunReport& r, const std::vector<ReportSpan>& spans) {
  const int64_t violation_ns = ViolationTime(r);
  std::set<int64_t> instants{0, r.sim_time_ns};
  for (const ReportSpan& rs : spans) {
    instants.insert(rs.span.start_ns);
    instants.insert(rs.span.end_ns);
  }
  if (violation_ns < 0) return {0, r.sim_time_ns};
  int64_t a = violation_ns, b = violation_ns;
  for (const ReportSpan& rs : spans)
    if (rs.named) {
      a = std::min(a, rs.span.start_ns);
      b = std::max(b, rs.span.end_ns);
    }
  auto lo = instants.lower_bound(a);
  for (int i = 0; i < 16 && lo != instants.begin(); ++i) --lo;
  auto hi = instants.upper_bound(b);
  for (int i = 0; i < 6 && hi != instants.end(); ++i) ++hi;
  return {*lo, hi == instants.end() ? r.sim_time_ns : *hi};
}

// The swimlanes of the ops and events that overlap [lo, hi]; ops that stick out are clipped.
std::string Svg(const RunReport& r, std::vector<ReportSpan> all, int64_t lo, int64_t hi, size_t* dropped,
                double* width) {
  const Violation* v = r.first_violation();
  int64_t violation_ns = ViolationTime(r);
  if (violation_ns > hi) violation_ns = -1;
  std::vector<ReportSpan> spans;
  for (ReportSpan& rs : all) {
    if (rs.span.end_ns < lo || rs.span.start_ns > hi) continue;
    bool point = rs.span.end_ns == rs.span.start_ns;
    rs.span.start_ns = std::max(rs.span.start_ns, lo);
    rs.span.end_ns = std::min(rs.span.end_ns, hi);
    if (!point && rs.span.end_ns == rs.span.start_ns) continue;
    spans.push_back(std::move(rs));
  }
  spans = ChooseSpans(std::move(spans), violation_ns >= 0 ? violation_ns : lo, dropped);
  std::vector<const TraceEvent*> instants;
  if (r.trace)
    for (const TraceEvent& e : r.trace->events())
      if (DrawnInstant(e) && e.time_ns >= lo && e.time_ns <= hi) instants.push_back(&e);

  // Lanes, instants and marks (points that need their own slot in a lane).
  std::set<uint32_t> tasks;
  std::vector<int64_t> times{lo, hi};
  std::map<std::pair<int64_t, uint32_t>, int> marks;
  for (const ReportSpan& rs : spans) {
    tasks.insert(rs.span.task);
    times.push_back(rs.span.start_ns);
    times.push_back(rs.span.end_ns);
    if (rs.span.end_ns == rs.span.start_ns) ++marks[{rs.span.start_ns, rs.span.task}];
  }
  for (const TraceEvent* e : instants) {
    tasks.insert(e->task);
    ++marks[{e->time_ns, e->task}];
  }
  if (violation_ns >= 0) {
    times.push_back(violation_ns);
    ++marks[{violation_ns, kKernel}];
  }
  Axis axis(times, marks);
  *width = axis.width();
  Layout layout = LayOut(r, tasks);
  std::map<std::pair<int64_t, uint32_t>, int> used;  // slots taken so far
  auto slot_x = [&](int64_t t, uint32_t task) { return axis.X(t) + axis.slot() * used[{t, task}]++; };

  std::string out = fmt::format(
      "<svg width='{:.0f}' height='{}' font-family='DejaVu Sans Mono,monospace' "
      "font-size='11'>\n",
      axis.width(), layout.height);
  for (const auto& [y, pname] : layout.groups)
    out += fmt::format("<rect x='0' y='{}' width='{:.0f}' height='{}' fill='#e4e8ee'/>"
                       "<text x='6' y='{}' font-weight='bold' fill='#223'>{}</text>\n",
                       y, axis.width(), kGroupHeight, y + 14, Escape(pname));
  for (size_t i = 0; i < layout.lanes.size(); ++i) {
    const auto& [y, task, label] = layout.lanes[i];
    out += fmt::format("<rect x='0' y='{}' width='{:.0f}' height='{}' fill='{}'/>"
                       "<text x='18' y='{}' fill='#333'>{}</text>\n",
                       y, axis.width(), kLaneHeight, i % 2 ? "#f6f7f9" : "#ffffff", y + 16,
                       Escape(Shorten(label, 28)));
  }
  out += fmt::format("<line x1='{0}' x2='{0}' y1='{1}' y2='{2}' stroke='#bbb'/>\n", kLabelWidth, kAxisHeight,
                     layout.height);
  // Time ticks, about one label per 110 px.
  double next_label = 0;
  std::string last_label;
  for (const auto& [t, unused] : axis.columns()) {
    double x = axis.X(t);
    if (x < next_label) continue;
    std::string label = fmt::format("{:.3f}ms", t / 1e6);
    if (label == last_label) continue;  // instants a few ns apart: one label
    last_label = label;
    out += fmt::format("<line x1='{0:.1f}' x2='{0:.1f}' y1='{1}' y2='{2}' stroke='#e2e2e2'/>"
                       "<text x='{0:.1f}' y='14' fill='#666' font-size='10'>{3}</text>\n",
                       x, kAxisHeight - 12, layout.height, label);
    next_label = x + 110;
  }
  // Spans: ops with a duration as bars, zero-length ones as a slot-wide block.
  std::string named_labels;
  std::map<uint32_t, double> label_end;  // per lane: where its last label ends (labels never overlap)
  for (const ReportSpan& rs : spans) {
    const Span& s = rs.span;
    int y = layout.y_of[s.task];
    double x0 = s.end_ns == s.start_ns ? slot_x(s.start_ns, s.task) : axis.X(s.start_ns);
    double x1 = s.end_ns == s.start_ns ? x0 + axis.slot() - 2 : std::max(axis.X(s.end_ns), x0 + 3);
    out += fmt::format(
        "<rect x='{:.1f}' y='{}' width='{:.1f}' height='{}' rx='2' fill='{}' stroke='{}' stroke-width='{}'>"
        "<title>{} {} -&gt; {}  [{:.6f}ms .. {:.6f}ms]</title></rect>\n",
        x0, y + 4, std::max(x1 - x0, 2.0), kLaneHeight - 8, SpanFill(rs), rs.named ? "#d62728" : "#6b7785",
        rs.named ? 2.5 : 0.6, Escape(s.name), Escape(s.detail), Escape(s.outcome), s.start_ns / 1e6, s.end_ns / 1e6);
    if (rs.named && x0 >= label_end[s.task]) {
      std::string_view path = std::string_view(s.detail).substr(0, s.detail.find(' '));
      std::string text = fmt::format("{} {} \u2192 {}", s.name, ShortPath(path), Shorten(s.outcome, 24));
      label_end[s.task] = x0 + 6.2 * static_cast<double>(text.size()) + 6;
      named_labels += fmt::format("<text x='{:.1f}' y='{}' fill='#b3001b' font-size='10' font-weight='bold' "
                                  "stroke='#fff' stroke-width='3' paint-order='stroke'>{}</text>\n",
                                  x0, y + 2, Escape(text));
    } else if (!rs.named && x1 - x0 > 70) {
      out += fmt::format("<text x='{:.1f}' y='{}' font-size='9' fill='#123'>{}</text>\n", x0 + 3, y + 15,
                         Escape(Shorten(s.name + " " + s.detail, static_cast<size_t>((x1 - x0) / 5.5))));
    }
  }
  for (const TraceEvent* e : instants) {
    uint32_t lane = layout.y_of.count(e->task) ? e->task : kKernel;
    double x = slot_x(e->time_ns, e->task) + axis.slot() / 2;
    out += Symbol(*e, x, layout.y_of.count(lane) ? layout.y_of[lane] + kLaneHeight / 2.0 : kAxisHeight - 6);
  }
  if (violation_ns >= 0) {
    double x = axis.X(violation_ns) - 2;
    out += fmt::format("<line x1='{0:.1f}' x2='{0:.1f}' y1='{1}' y2='{2}' stroke='#d62728' stroke-width='2' "
                       "stroke-dasharray='5 3'><title>violation detected: {3}</title></line>"
                       "<text x='{4:.1f}' y='28' fill='#d62728' font-weight='bold' font-size='11'>\u2716 {3}</text>\n",
                       x, kAxisHeight - 8, layout.height, Escape(v->invariant), x + 4);
  }
  return out + named_labels + "</svg>\n";
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
)";

const char* kLegend =
    "<div class='legend'>"
    "<span><i class='sw' style='background:#8db9e3'></i>object-store op</span>"
    "<span><i class='sw' style='background:#9fd6cf'></i>disk op</span>"
    "<span><i class='sw' style='background:#ff9f4a'></i>op with an injected fault</span>"
    "<span><i class='sw' style='background:#e9b7a6'></i>op failed</span>"
    "<span><i class='sw' style='background:#7cc47c'></i>client op acknowledged</span>"
    "<span><i class='sw' style='background:#f2c14e'></i>client op failed</span>"
    "<span><i class='sw' style='background:#cfcfcf'></i>client op outcome unknown</span>"
    "<span><i class='sw' style='background:#fff;border:2.5px solid #d62728'></i>named by the violation</span>"
    "<br><span><b style='color:#c0001a'>\u2716</b> process crash</span>"
    "<span><b style='color:#2a9d2a'>\u25b2</b> restart</span>"
    "<span><b style='color:#ff7f0e'>\u25c6</b> injected fault</span>"
    "<span><b style='color:#8e44ad'>\u25a0</b> crash point fired</span>"
    "<span><b style='color:#d62728'>\u25cf</b> violation event</span>"
    "<span><b style='color:#d62728'>\u2506</b> violation detected</span>"
    "<span class='muted'>time axis: each instant gets a column; gaps grow with the log of their length. "
    "Hover an op for its details.</span></div>\n";

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
  out << "<h2>Timeline</h2>\n" << kLegend;
  if (r.trace) {
    std::vector<ReportSpan> spans = AllSpans(r);
    size_t dropped = 0, whole_dropped = 0;
    double width = 0;
    std::string whole_svg = Svg(r, spans, 0, r.sim_time_ns, &whole_dropped, &width);
    // Wider than a screen: first the window around the violation, the whole run folded below.
    auto [lo, hi] = width > kScreenWidth ? FocusWindow(r, spans) : std::pair<int64_t, int64_t>{0, r.sim_time_ns};
    bool whole = lo == 0 && hi == r.sim_time_ns;
    std::string svg = whole ? whole_svg : Svg(r, spans, lo, hi, &dropped, &width);
    if (whole) dropped = whole_dropped;
    if (!whole)
      out << fmt::format("<p><b>Around the violation</b>: {:.6f}ms to {:.6f}ms of {:.6f}ms (the whole run is "
                         "below)</p>\n",
                         lo / 1e6, hi / 1e6, r.sim_time_ns / 1e6);
    if (dropped > 0)
      out << fmt::format("<p class='muted'>{} ops far from the violation are not drawn (see the Perfetto trace)</p>\n",
                         dropped);
    out << "<div class='timeline'>" << svg << "</div>\n";
    if (!whole) {
      out << "<details><summary>The whole run</summary>";
      if (whole_dropped > 0)
        out << fmt::format("<p class='muted'>{} ops far from the violation are not drawn</p>", whole_dropped);
      out << "<div class='timeline'>" << whole_svg << "</div></details>\n";
    }
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
