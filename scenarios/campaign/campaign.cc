#include "scenarios/campaign/campaign.h"

#include <poll.h>
#include <sys/ioctl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <limits>
#include <new>
#include <optional>
#include <set>
#include <stdexcept>
#include <utility>
#include <string>
#include <vector>

#include "fmt/format.h"
#include "nlohmann/json.hpp"
#include "scenarios/campaign/guided.h"
#include "scenarios/harness/signature.h"

namespace seedbed {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;  // campaign pacing and seeds/s only: never reaches a run

struct Unit {
  size_t cell;
  uint64_t seed;
};

// The i-th unit of this shard: seeds of the shard in order, every cell for each seed.
Unit UnitAt(const CampaignOptions& o, uint64_t i) {
  uint64_t seed_index = i / o.cells.size();
  return {static_cast<size_t>(i % o.cells.size()),
          o.seed_first + static_cast<uint64_t>(o.shard_index) +
              static_cast<uint64_t>(o.shard_count) * seed_index};
}

// Seeds of the shard: of seed_first..seed_last, those with (s - first) % count == index. In 128
// bits: 0..2^64-1 holds 2^64 seeds.
unsigned __int128 ShardSeeds(const CampaignOptions& o, uint64_t seed_last) {
  if (seed_last < o.seed_first || seed_last - o.seed_first < static_cast<uint64_t>(o.shard_index)) return 0;
  return static_cast<unsigned __int128>((seed_last - o.seed_first - static_cast<uint64_t>(o.shard_index)) /
                                        static_cast<uint64_t>(o.shard_count)) +
         1;
}

// Units of the campaign; a --time campaign may go on until the last seed below 2^64.
uint64_t UnitCount(const CampaignOptions& o) {
  unsigned __int128 units =
      ShardSeeds(o, o.time_limit_s ? std::numeric_limits<uint64_t>::max() : o.seed_last) * o.cells.size();
  return units > std::numeric_limits<uint64_t>::max() ? std::numeric_limits<uint64_t>::max()
                                                      : static_cast<uint64_t>(units);
}

// CPU seconds of this process (a worker runs one simulation at a time, on one thread).
double ProcessCpuSeconds() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) / 1e9;
}

// A guided failing run's decisions travel to the parent, which writes its failure file from them
// (the seed alone does not give the run: its list came from the worker's corpus).
json DecisionsJson(const DecisionList& list) {
  json out = json::array();
  for (const Decision& d : list) out.push_back({static_cast<int>(d.kind), d.value, d.site});
  return out;
}

DecisionList DecisionsFromJson(const json& j) {
  DecisionList out;
  for (const json& d : j)
    out.push_back({d.at(1).get<uint64_t>(), static_cast<DecisionKind>(d.at(0).get<int>()), d.at(2).get<uint32_t>()});
  return out;
}

// The guided runs' failing seeds whose decisions a cell keeps (the smallest seeds): enough for the
// first seed of every failure group of a campaign in practice.
constexpr size_t kMaxGuidedReplays = 256;

json RunUnit(const CampaignOptions& o, uint64_t unit_index, const Unit& unit, GuidedCorpus* corpus) {
  RunConfig config = o.base;
  config.scenario = o.cells[unit.cell].scenario;
  config.variant = o.cells[unit.cell].variant;
  config.seed = unit.seed;
  config.replay = nullptr;
  config.hints = unit.cell < o.hints.size() ? o.hints[unit.cell] : nullptr;
  if (config.pct_steps == 0 && config.hints != nullptr) config.pct_steps = config.hints->steps;
  const bool guided = config.strategy == Strategy::kGuided && corpus != nullptr;
  std::optional<DecisionList> child;
  if (guided) child = corpus->Child(unit.seed);
  if (child) {
    config.replay = &*child;
    config.replay_options = ReplayOptions{ReplayMatch::kBySite, ReplayTail::kSeed};
  }
  auto start = Clock::now();
  const double cpu_start = ProcessCpuSeconds();
  absl::StatusOr<RunReport> report = RunOnce(config);
  bool nondet = false;
  if (report.ok() && o.check_determinism) {
    absl::StatusOr<RunReport> again = RunOnce(config);
    nondet = !again.ok() || again->trace_hash != report->trace_hash;
  }
  double wall_s = std::chrono::duration<double>(Clock::now() - start).count();
  double cpu_s = ProcessCpuSeconds() - cpu_start;
  json line{{"unit", unit_index}, {"cell", unit.cell}, {"seed", unit.seed}, {"wall_s", wall_s},
            {"cpu_s", cpu_s},      {"nondet", nondet}};
  if (!report.ok()) {
    line["failed"] = true;
    line["invariant"] = "harness-error";
    line["message"] = std::string(report.status().message());
    return line;
  }
  line["failed"] = report->failed;
  line["strategy"] = StrategyLabel(report->config);
  if (guided) {
    line["kept"] = corpus->Offer(report->decisions, report->features, unit.seed);
    if (report->failed) line["decisions"] = DecisionsJson(report->decisions);
  }
  line["invariant"] = report->invariant();
  line["message"] = report->failed ? report->first_violation()->message : "";
  line["signature"] = FailureSignature(*report);
  line["events"] = report->events;
  line["sim_ns"] = report->sim_time_ns;
  line["faults_injected"] = report->faults_injected;
  line["swarm"] = report->swarm_enabled;
  if (!report->counters.empty()) {
    json counters = json::object();
    for (const auto& [name, value] : report->counters) counters[name] = value;
    line["counters"] = std::move(counters);
  }
  json points = json::array();
  for (const RunReport::CoveragePoint& p : report->coverage_points)
    points.push_back({p.name, p.crash_point, p.reached, p.armed, p.fired});
  line["coverage"] = std::move(points);
  return line;
}

bool WriteAll(int fd, const std::string& text) {
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

// A signal that kills a worker mid-run (the engine under test crashed, or the kernel aborted on a
// stack overflow) must not lose the batch not yet sent nor hide which seed did it: the handler
// writes both, then lets the signal take its course (the handler it replaced, e.g. ASan's, runs).
// Only async-signal-safe calls in the handler; the state is set before each run.
struct CrashReport {
  int fd = -1;
  const std::string* pending = nullptr;
  uint64_t unit = 0;
  uint64_t cell = 0;
  uint64_t seed = 0;
};
CrashReport g_crash;
constexpr int kCrashSignals[] = {SIGSEGV, SIGBUS, SIGABRT, SIGFPE, SIGILL};
struct sigaction g_previous[std::size(kCrashSignals)];

char* AppendNumber(char* out, uint64_t n) {
  char digits[24];
  int k = 0;
  do {
    digits[k++] = static_cast<char>('0' + n % 10);
    n /= 10;
  } while (n != 0);
  while (k > 0) *out++ = digits[--k];
  return out;
}

char* AppendText(char* out, const char* text) {
  while (*text != '\0') *out++ = *text++;
  return out;
}

void OnCrashSignal(int sig) {
  if (g_crash.pending != nullptr && !g_crash.pending->empty()) {
    // Best effort: a write the pipe refuses changes nothing for a process about to die.
    [[maybe_unused]] ssize_t n = write(g_crash.fd, g_crash.pending->data(), g_crash.pending->size());
  }
  char line[160];
  char* p = AppendText(line, "{\"cell\":");
  p = AppendNumber(p, g_crash.cell);
  p = AppendText(p, ",\"seed\":");
  p = AppendNumber(p, g_crash.seed);
  p = AppendText(p, ",\"unit\":");
  p = AppendNumber(p, g_crash.unit);
  p = AppendText(p, ",\"crashed\":");
  p = AppendNumber(p, static_cast<uint64_t>(sig));
  p = AppendText(p, "}\n");
  [[maybe_unused]] ssize_t n = write(g_crash.fd, line, static_cast<size_t>(p - line));
  for (size_t i = 0; i < std::size(kCrashSignals); ++i)
    if (kCrashSignals[i] == sig) sigaction(sig, &g_previous[i], nullptr);
  raise(sig);
}

void InstallCrashReport(int fd, const std::string* pending) {
  g_crash.fd = fd;
  g_crash.pending = pending;
  // An alternate stack, so that the handler runs even when a guard page stopped a stack overflow.
  static char alternate[64 * 1024];
  stack_t ss{};
  ss.ss_sp = alternate;
  ss.ss_size = sizeof alternate;
  sigaltstack(&ss, nullptr);
  for (size_t i = 0; i < std::size(kCrashSignals); ++i) {
    struct sigaction action {};
    action.sa_handler = OnCrashSignal;
    sigemptyset(&action.sa_mask);
    // SA_ONSTACK: on the alternate stack. SA_NODEFER: the raise() from the handler is delivered.
    action.sa_flags = SA_ONSTACK | SA_NODEFER;
    sigaction(kCrashSignals[i], &action, &g_previous[i]);
  }
}

// SIGINT / SIGTERM while a campaign runs: the first stops it cleanly, a second abandons the runs
// in flight. Workers inherit the handler: they stop between runs.
volatile sig_atomic_t g_stop_signal = 0;
volatile sig_atomic_t g_stop_count = 0;

void OnStopSignal(int sig) {
  if (g_stop_signal == 0) g_stop_signal = sig;
  g_stop_count = g_stop_count + 1;
}

// After the runs (StopSignalsAfterRuns): the first signal is remembered, a second ends the process.
void OnStopSignalAfterRuns(int sig) {
  if (g_stop_signal == 0) {
    g_stop_signal = sig;
    return;
  }
  signal(sig, SIG_DFL);
  raise(sig);
}

// The unit a worker is running, in memory it shares with the parent (MAP_SHARED): a worker killed
// by a signal it cannot catch (SIGKILL: the OOM killer) still tells which seed it was on.
constexpr uint64_t kIdle = std::numeric_limits<uint64_t>::max();
struct WorkerSlot {
  std::atomic<uint64_t> in_flight{kIdle};
};
static_assert(std::atomic<uint64_t>::is_always_lock_free);

uint64_t PeakRssMb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<uint64_t>(usage.ru_maxrss) / 1024;  // KiB on Linux
}

// Results go to the parent in batches (at most 64 KiB or 100 ms apart): a write per seed woke the
// parent thousands of times a second, and with --jobs equal to the cores its context switches took
// CPU from the workers (--jobs 2 gave 1.75x --jobs 1 on 2 cores).
// Runs units first, first + jobs, ... (first = the worker's index, or the first unit of its share
// not yet reported), leaving out `skip` (units already reported: runs that killed a worker). The
// last line says why it stopped: {"done"} (out of units, time or a stop signal) or {"recycle"}
// (a bound of CampaignOptions reached: the parent starts a fresh worker); a worker that ends
// without either died.
[[noreturn]] void Worker(const CampaignOptions& o, uint64_t first, const std::set<uint64_t>& skip, int fd,
                         Clock::time_point deadline, WorkerSlot* slot) {
  constexpr size_t kFlushBytes = 64 * 1024;
  constexpr auto kFlushEvery = std::chrono::milliseconds(100);
  const uint64_t count = UnitCount(o);
  const uint64_t jobs = static_cast<uint64_t>(o.jobs);
  std::string pending;
  auto last_flush = Clock::now();
  bool ok = true;
  bool recycle = false;
  uint64_t runs = 0;
  InstallCrashReport(fd, &pending);
  std::map<size_t, GuidedCorpus> corpora;  // guided campaigns: this worker's corpus per cell
  uint64_t i = first;
  for (; i < count && ok; i = count - i <= jobs ? count : i + jobs) {
    if (g_stop_signal != 0) break;
    if (o.time_limit_s && Clock::now() >= deadline) break;
    if (skip.count(i) != 0) continue;
    if (recycle) break;  // after the bound, with a unit left for the fresh worker
    const Unit unit = UnitAt(o, i);
    g_crash.unit = i;
    g_crash.cell = unit.cell;
    g_crash.seed = unit.seed;
    slot->in_flight.store(i);
    pending += RunUnit(o, i, unit, &corpora[unit.cell]).dump();
    pending += '\n';
    slot->in_flight.store(kIdle);
    ++runs;
    recycle = (o.recycle_after_runs > 0 && runs >= o.recycle_after_runs) ||
              (o.recycle_rss_mb > 0 && PeakRssMb() >= o.recycle_rss_mb);
    const auto now = Clock::now();
    if (pending.size() >= kFlushBytes || now - last_flush >= kFlushEvery) {
      ok = WriteAll(fd, pending);
      pending.clear();
      last_flush = now;
    }
  }
  json last = json{{"done", true}};
  if (g_stop_signal != 0) {
    last["stopped"] = static_cast<int>(g_stop_signal);  // the parent may not have seen the signal
  } else if (recycle && i < count) {
    last = json{{"recycle", i}};
  }
  pending += last.dump();
  pending += '\n';
  if (ok) WriteAll(fd, pending);
  close(fd);
  _exit(0);
}

// A failing seed of cell `c`, counted in its signature's group.
void CountFailure(CellResult& c, uint64_t seed, const std::string& invariant, const std::string& signature,
                  const std::string& message) {
  c.failures++;
  if (c.cell.expect_failure && !c.cell.Expected(invariant)) c.unexpected++;
  if (!c.first_failing_seed || seed < *c.first_failing_seed) c.first_failing_seed = seed;
  auto group = std::find_if(c.groups.begin(), c.groups.end(),
                            [&](const FailureGroup& g) { return g.key() == signature; });
  if (group == c.groups.end()) {
    c.groups.push_back({invariant, 0, seed, message, signature});
    group = c.groups.end() - 1;
  }
  group->count++;
  group->seeds.Insert(seed);
  if (seed <= group->first_seed) {
    group->first_seed = seed;
    group->first_message = message;
  }
}

void Aggregate(const json& line, std::vector<CellResult>& cells) {
  CellResult& c = cells.at(line.at("cell").get<size_t>());
  uint64_t seed = line.at("seed").get<uint64_t>();
  c.seeds++;
  if (line.contains("crashed") || line.contains("exited")) {
    std::string how;
    if (line.contains("exited")) {
      how = fmt::format("its worker exited with status {} during the run", line.at("exited").get<int>());
    } else if (const int sig = line.at("crashed").get<int>(); sig == SIGKILL) {
      c.killed++;
      how = "its worker was killed by SIGKILL (the OOM killer or an operator; the seed may be innocent: "
            "rerun it alone)";
    } else {
      how = fmt::format("the run was killed by signal {} ({})", sig, strsignal(sig));
    }
    const std::string message = how + "; a fresh worker went on with the next seeds";
    CountFailure(c, seed, std::string(kCrashInvariant), FailureSignature(kCrashInvariant, message, {}), message);
    return;
  }
  c.cpu_s += line.at("cpu_s").get<double>();
  c.wall_s += line.at("wall_s").get<double>();
  c.events += line.value("events", uint64_t{0});
  c.sim_ns += line.value("sim_ns", int64_t{0});
  c.faults_injected += line.value("faults_injected", uint64_t{0});
  if (line.contains("swarm") && !line.at("swarm").empty()) {
    std::string plan;
    for (const json& kind : line.at("swarm")) {
      c.fault_kinds[kind.get<std::string>()]++;
      plan += (plan.empty() ? "" : ",") + kind.get<std::string>();
    }
    c.swarm_runs++;
    c.swarm_plans[plan]++;
  }
  for (const json& p : line.value("coverage", json::array())) {
    std::string name = p.at(0).get<std::string>();
    uint64_t reached = p.at(2).get<uint64_t>();
    if (p.at(1).get<bool>()) {
      CellResult::CrashPointTally& t = c.crash_points[name];
      t.runs_reached += reached > 0;
      t.reached += reached;
      t.runs_armed += p.at(3).get<bool>();
      t.runs_fired += p.at(4).get<uint64_t>() > 0;
      t.fired += p.at(4).get<uint64_t>();
    } else {
      CellResult::ProbeTally& t = c.probes[name];
      t.runs_reached += reached > 0;
      t.reached += reached;
    }
  }
  if (line.at("nondet").get<bool>()) {
    c.nondeterministic++;
    c.nondeterministic_seeds.push_back(seed);
  }
  if (!line.at("failed").get<bool>()) return;
  const std::string invariant = line.at("invariant").get<std::string>();
  const std::string message = line.at("message").get<std::string>();
  CountFailure(c, seed, invariant, line.value("signature", FailureSignature(invariant, message, {})), message);
  c.failures_by_strategy[line.value("strategy", std::string("random"))]++;
  if (line.contains("decisions")) {
    c.guided_replays[seed] = DecisionsFromJson(line.at("decisions"));
    if (c.guided_replays.size() > kMaxGuidedReplays) c.guided_replays.erase(std::prev(c.guided_replays.end()));
  }
}

// The figures of a progress line so far. `cell` is the one the latest result came from (-1: none).
CampaignProgress Progress(const CampaignOptions& o, const std::vector<CellResult>& cells, uint64_t total,
                          double elapsed_s, int cell) {
  CampaignProgress p;
  p.total = total;
  for (const CellResult& c : cells) {
    p.done += c.seeds;
    const uint64_t expected = c.cell.expect_failure ? c.failures - std::min(c.unexpected, c.failures) : 0;
    p.expected_failures += expected;
    p.unexpected_failures += c.failures - expected;
    p.nondeterministic += c.nondeterministic;
  }
  p.rate = elapsed_s > 0 ? p.done / elapsed_s : 0;
  if (total > 0) {
    p.fraction = static_cast<double>(std::min(p.done, total)) / static_cast<double>(total);
  } else if (o.time_limit_s && *o.time_limit_s > 0) {
    p.fraction = std::min(1.0, elapsed_s / *o.time_limit_s);
  }
  if (o.time_limit_s) {
    p.left_s = std::max(0.0, *o.time_limit_s - elapsed_s);
  } else if (p.rate > 0) {
    p.left_s = (total - std::min(total, p.done)) / p.rate;
  }
  if (cell >= 0 && static_cast<size_t>(cell) < cells.size())
    p.cell = cells[cell].cell.scenario + " " + cells[cell].cell.variant;
  return p;
}

// Progress on a terminal: one line redrawn in place (fits the terminal, asked each time, so that a
// resize is followed); elsewhere (a log file, a pipe) a line every few seconds.
void PrintProgress(const CampaignOptions& o, const std::vector<CellResult>& cells, uint64_t total,
                   double elapsed_s, std::ostream& out, bool final_line, int cell = -1) {
  CampaignProgress p = Progress(o, cells, total, elapsed_s, final_line ? -1 : cell);
  if (final_line) p.left_s.reset();
  if (o.progress_tty) {
    const int columns = o.progress_columns > 0 ? o.progress_columns : TerminalColumns();
    out << "\r" << FormatProgressBar(p, columns) << "\x1b[K";  // erase what a longer line left
    if (final_line) out << "\n";
  } else {
    out << fmt::format("progress: {} seeds{}, {:.0f} seeds/s, {} expected and {} unexpected failures{}{}\n", p.done,
                       total ? fmt::format(" of {}", total) : "", p.rate, p.expected_failures, p.unexpected_failures,
                       p.nondeterministic ? fmt::format(", {} NONDETERMINISTIC", p.nondeterministic) : "",
                       p.left_s ? fmt::format(", {:.0f}s left", *p.left_s) : "");
  }
  out.flush();
}

}  // namespace

int TerminalColumns() {
  winsize size{};
  if (ioctl(STDERR_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) return size.ws_col;
  if (const char* columns = std::getenv("COLUMNS"); columns != nullptr) {
    char* end = nullptr;
    const long n = std::strtol(columns, &end, 10);
    if (end != columns && *end == '\0' && n > 0 && n < 10000) return static_cast<int>(n);
  }
  return 80;
}

std::string FormatProgressBar(const CampaignProgress& p, int columns) {
  const size_t width = static_cast<size_t>(std::max(columns, 20) - 1);  // the last column would wrap
  const std::string seeds = p.total ? fmt::format("{}/{}", p.done, p.total) : std::to_string(p.done);
  const std::string nondeterministic =
      p.nondeterministic > 0 ? fmt::format(", {} NONDETERMINISTIC", p.nondeterministic) : "";
  // The figures in words, then in short; the unexpected failures are never cut.
  const std::string full = fmt::format("{} seeds  {:.0f}/s  failures: {} UNEXPECTED, {} expected{}{}", seeds, p.rate,
                                       p.unexpected_failures, p.expected_failures, nondeterministic,
                                       p.left_s ? fmt::format("  {:.0f}s left", *p.left_s) : "");
  const std::string brief = fmt::format("{}  {} UNEXPECTED, {} expected{}  {:.0f}/s{}", seeds, p.unexpected_failures,
                                        p.expected_failures, nondeterministic, p.rate,
                                        p.left_s ? fmt::format("  {:.0f}s", *p.left_s) : "");
  const std::string cell = p.cell.empty() ? "" : "  " + p.cell;
  constexpr size_t kBarMin = 10, kBarMax = 30;
  auto with_bar = [&](const std::string& text) -> std::optional<std::string> {
    if (text.size() + 3 + kBarMin > width) return std::nullopt;  // "[" bar "] " text
    const size_t bar = std::min(kBarMax, width - text.size() - 3);
    const size_t filled =
        std::min(bar, static_cast<size_t>(static_cast<double>(bar) * std::clamp(p.fraction, 0.0, 1.0)));
    return "[" + std::string(filled, '#') + std::string(bar - filled, '.') + "] " + text;
  };
  for (const std::string& text : {full + cell, brief + cell})
    if (auto line = with_bar(text)) return *line;
  if (brief.size() + cell.size() <= width) return brief + cell;
  // The cell, cut at its end, where there is room for a useful part of it.
  if (!cell.empty() && brief.size() + 2 + 10 <= width) return brief + cell.substr(0, width - brief.size() - 3) + "...";
  return brief.size() <= width ? brief : brief.substr(0, width - 3) + "...";
}

uint64_t CampaignResult::total_seeds() const {
  uint64_t n = 0;
  for (const auto& c : cells) n += c.seeds;
  return n;
}
uint64_t CampaignResult::total_failures() const {
  uint64_t n = 0;
  for (const auto& c : cells) n += c.failures;
  return n;
}
uint64_t CampaignResult::total_nondeterministic() const {
  uint64_t n = 0;
  for (const auto& c : cells) n += c.nondeterministic;
  return n;
}

namespace {

// What the parent knows of one worker slot (units slot, slot + jobs, ...) across the processes
// that ran it.
struct SlotState {
  pid_t pid = -1;
  int fd = -1;
  std::string buffer;
  uint64_t next = 0;             // first unit of the slot's share not yet reported
  std::set<uint64_t> ahead;      // units past `next` already reported (runs that killed a worker)
  enum class End { kNone, kDone, kRecycle, kCrashReported } end = End::kNone;
  uint64_t reported_since_spawn = 0;
  int fruitless_deaths = 0;      // deaths in a row with nothing reported: a slot that cannot run
  bool finished = false;
};

void MarkReported(SlotState& s, uint64_t unit, uint64_t jobs, uint64_t count) {
  s.reported_since_spawn++;
  if (unit != s.next) {
    s.ahead.insert(unit);
    return;
  }
  auto advance = [&] { s.next = count - s.next <= jobs ? count : s.next + jobs; };
  advance();
  while (s.next < count && s.ahead.erase(s.next) != 0) advance();
}

// Adds seed index k of cell c to the cell's not-run ranges (k increasing per cell).
void AddNotRun(const CampaignOptions& o, CellResult& c, uint64_t k_first, uint64_t k_last) {
  const uint64_t base = o.seed_first + static_cast<uint64_t>(o.shard_index);
  const uint64_t step = static_cast<uint64_t>(o.shard_count);
  c.not_run += k_last - k_first + 1;
  uint64_t first = base + k_first * step, last = base + k_last * step;
  if (!c.not_run_ranges.empty() && c.not_run_ranges.back().second + step == first) {
    c.not_run_ranges.back().second = last;
  } else if (c.not_run_ranges.size() < kMaxNotRunRanges) {
    c.not_run_ranges.emplace_back(first, last);
  } else {
    c.not_run_ranges_truncated = true;
  }
}

// Fills each cell's not_run from the slots' progress: below the lowest `next` every unit was
// reported; between the lowest and the highest each unit is looked at; above the highest every
// unit of a cell is missing but those reported ahead.
void CountNotRun(const CampaignOptions& o, uint64_t count, const std::vector<SlotState>& slots,
                 std::vector<CellResult>& cells) {
  const uint64_t jobs = static_cast<uint64_t>(o.jobs), n_cells = cells.size();
  uint64_t low = count, high = 0;
  for (const SlotState& s : slots) {
    low = std::min(low, s.next);
    high = std::max(high, s.next);
  }
  auto missing = [&](uint64_t u) {
    const SlotState& s = slots[u % jobs];
    return u >= s.next && s.ahead.count(u) == 0;
  };
  // Runs per cell of consecutive missing seed indices, closed when a seed ran.
  std::vector<std::optional<std::pair<uint64_t, uint64_t>>> open(n_cells);
  auto flush = [&](size_t c) {
    if (open[c]) AddNotRun(o, cells[c], open[c]->first, open[c]->second);
    open[c].reset();
  };
  auto note = [&](uint64_t u) {
    size_t c = static_cast<size_t>(u % n_cells);
    uint64_t k = u / n_cells;
    if (!missing(u)) return flush(c);
    if (open[c] && open[c]->second + 1 == k) {
      open[c]->second = k;
    } else {
      flush(c);
      open[c] = std::pair{k, k};
    }
  };
  for (uint64_t u = low; u < high; ++u) note(u);
  // Above `high`: only units reported ahead ran. Walk them in order, whole stretches between.
  std::set<uint64_t> ran;
  for (const SlotState& s : slots)
    for (uint64_t u : s.ahead)
      if (u >= high) ran.insert(u);
  uint64_t from = high;
  auto stretch = [&](uint64_t lo, uint64_t hi) {  // units [lo, hi) all missing
    if (lo >= hi) return;
    for (size_t c = 0; c < n_cells; ++c) {
      const uint64_t r = lo % n_cells;
      const uint64_t u0 = lo + (c >= r ? c - r : n_cells - r + c);  // first unit of cell c from lo
      if (u0 < lo || u0 >= hi) continue;
      const uint64_t u1 = (hi - 1) - ((hi - 1) % n_cells + n_cells - c) % n_cells;  // last below hi
      note(u0);
      open[c]->second = u1 / n_cells;
    }
  };
  for (uint64_t u : ran) {
    stretch(from, u);
    note(u);
    from = u + 1;
  }
  stretch(from, count);
  for (size_t c = 0; c < n_cells; ++c) flush(c);
}

// SIGINT and SIGTERM go to `handler`, with the stop flag cleared; the old actions go to `saved`.
void InstallStopHandler(void (*handler)(int), struct sigaction saved[2]) {
  g_stop_signal = 0;
  g_stop_count = 0;
  struct sigaction action {};
  action.sa_handler = handler;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, &saved[0]);
  sigaction(SIGTERM, &action, &saved[1]);
}
void RestoreStopHandlers(const struct sigaction saved[2]) {
  sigaction(SIGINT, &saved[0], nullptr);
  sigaction(SIGTERM, &saved[1], nullptr);
}

// Installs the stop handler for SIGINT and SIGTERM for as long as it lives.
class StopSignals {
 public:
  StopSignals() { InstallStopHandler(OnStopSignal, saved_); }
  ~StopSignals() { RestoreStopHandlers(saved_); }
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

 private:
  struct sigaction saved_[2];
};

}  // namespace

StopSignalsAfterRuns::StopSignalsAfterRuns() { InstallStopHandler(OnStopSignalAfterRuns, saved_); }
StopSignalsAfterRuns::~StopSignalsAfterRuns() { RestoreStopHandlers(saved_); }

int StopSignalsAfterRuns::signal() const { return g_stop_signal; }
const volatile sig_atomic_t* StopSignalsAfterRuns::flag() const { return &g_stop_signal; }
std::string StopSignalsAfterRuns::Name(int sig) {
  return sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" : strsignal(sig);
}

absl::Status CheckCampaignSize(const CampaignOptions& o) {
  if (o.cells.empty() || o.time_limit_s) return absl::OkStatus();
  unsigned __int128 units = ShardSeeds(o, o.seed_last) * o.cells.size();
  if (units > std::numeric_limits<uint64_t>::max())
    return absl::InvalidArgumentError(fmt::format(
        "seed range {}..{} is too large: {} cells of {} seeds make 2^64 runs or more", o.seed_first, o.seed_last,
        o.cells.size(), ShardSeeds(o, o.seed_last) == (static_cast<unsigned __int128>(1) << 64)
                            ? std::string("2^64")
                            : std::to_string(static_cast<uint64_t>(ShardSeeds(o, o.seed_last)))));
  return absl::OkStatus();
}

bool CampaignResult::complete() const {
  if (!stopped_by.empty()) return false;
  for (const CellResult& c : cells)
    if (c.not_run > 0 || c.killed > 0) return false;
  return true;
}

namespace {

// Calibration runs for strategies that need them (the same in every shard and worker: fixed seeds).
CampaignOptions WithHints(const CampaignOptions& options) {
  CampaignOptions o = options;
  if (!NeedsHints(o.base.strategy) || !o.hints.empty()) return o;
  for (const CampaignCell& cell : o.cells) {
    RunConfig c = o.base;
    c.scenario = cell.scenario;
    c.variant = cell.variant;
    absl::StatusOr<std::shared_ptr<const StrategyHints>> hints = EstimateHints(c);
    // On an error the cell's runs report the same one (harness-error).
    o.hints.push_back(hints.ok() ? *hints : nullptr);
  }
  return o;
}

}  // namespace

CampaignResult RunCampaign(const CampaignOptions& options, std::ostream& progress) {
  const CampaignOptions o = WithHints(options);
  CampaignResult result;
  for (size_t i = 0; i < o.cells.size(); ++i) {
    CellResult c;
    c.cell = o.cells[i];
    if (i < o.hints.size()) c.hints = o.hints[i];
    result.cells.push_back(std::move(c));
  }
  if (o.cells.empty()) return result;
  const uint64_t count = UnitCount(o);
  const uint64_t jobs = static_cast<uint64_t>(o.jobs);
  uint64_t total = o.time_limit_s ? 0 : count;
  StopSignals stop_signals;
  auto start = Clock::now();
  // A --time limit beyond what the clock can add (10^10 s) means no limit in practice.
  const double limit_s = o.time_limit_s.value_or(0);
  auto deadline = limit_s >= 1e9 ? Clock::time_point::max()
                                 : start + std::chrono::duration_cast<Clock::duration>(
                                               std::chrono::duration<double>(limit_s));
  void* shared = mmap(nullptr, sizeof(WorkerSlot) * jobs, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (shared == MAP_FAILED) throw std::runtime_error("mmap of the worker slots failed");
  WorkerSlot* worker_slots = new (shared) WorkerSlot[jobs];
  std::vector<SlotState> slots(jobs);
  for (uint64_t w = 0; w < jobs; ++w) slots[w].next = std::min(w, count);
  progress.flush();
  // Starts a worker for slot w at its first unreported unit; false if it cannot (fork failed).
  auto spawn = [&](size_t w) {
    int pipe_fds[2];
    if (pipe(pipe_fds) != 0) return false;
    progress.flush();
    worker_slots[w].in_flight.store(kIdle);
    pid_t pid = fork();
    if (pid < 0) {
      close(pipe_fds[0]);
      close(pipe_fds[1]);
      return false;
    }
    if (pid == 0) {
      close(pipe_fds[0]);
      for (const SlotState& s : slots)
        if (s.fd >= 0) close(s.fd);
      Worker(o, slots[w].next, slots[w].ahead, pipe_fds[1], deadline, &worker_slots[w]);
    }
    close(pipe_fds[1]);
    SlotState& s = slots[w];
    s.fd = pipe_fds[0];
    s.pid = pid;
    s.end = SlotState::End::kNone;
    s.reported_since_spawn = 0;
    result.worker_starts++;
    return true;
  };
  auto give_up = [&](size_t w, const std::string& why) {
    slots[w].finished = true;
    progress << fmt::format("worker {}: {}; the seeds of its share not yet run are reported as not run\n", w, why);
  };
  for (size_t w = 0; w < slots.size(); ++w)
    if (slots[w].next >= count) {
      slots[w].finished = true;
    } else if (!spawn(w)) {
      give_up(w, "cannot start a worker process");
    }
  int stop = 0;  // the signal that stops the campaign: the parent's, or one a worker reports
  bool forwarded = false, abandoned = false;
  auto last_print = start;
  int latest_cell = -1;  // the cell of the latest result, which a terminal's progress line names
  auto live = [&] {
    return std::any_of(slots.begin(), slots.end(), [](const SlotState& s) { return s.fd >= 0; });
  };
  while (live()) {
    if (stop == 0) stop = g_stop_signal;
    if (stop != 0 && !forwarded) {
      forwarded = true;  // a `kill PID` reaches the parent alone; a Ctrl-C reaches the workers too
      for (const SlotState& s : slots)
        if (s.fd >= 0) kill(s.pid, SIGTERM);
      progress << fmt::format("\n{}: stopping; the runs in flight finish (send it again to abandon them)\n",
                              strsignal(stop));
    }
    if (g_stop_count >= 2 && !abandoned) {
      abandoned = true;
      for (const SlotState& s : slots)
        if (s.fd >= 0) kill(s.pid, SIGKILL);
    }
    std::vector<pollfd> polls;
    for (const SlotState& s : slots) polls.push_back({s.fd, POLLIN, 0});
    int ready = poll(polls.data(), polls.size(), 200);
    if (ready < 0 && errno != EINTR) break;
    for (size_t w = 0; w < polls.size(); ++w) {
      SlotState& s = slots[w];
      if (s.fd < 0 || !(polls[w].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      char chunk[65536];
      ssize_t n = read(s.fd, chunk, sizeof chunk);
      if (n < 0 && errno == EINTR) continue;
      if (n > 0) {
        s.buffer.append(chunk, static_cast<size_t>(n));
        size_t eol;
        while ((eol = s.buffer.find('\n')) != std::string::npos) {
          json line = json::parse(s.buffer.substr(0, eol));
          s.buffer.erase(0, eol + 1);
          if (line.contains("done")) {
            s.end = SlotState::End::kDone;
            // A signal sent to a worker alone (not to the group or the parent) stops the campaign too.
            if (line.contains("stopped") && stop == 0) stop = line.at("stopped").get<int>();
          } else if (line.contains("recycle")) {
            s.end = SlotState::End::kRecycle;
          } else {
            if (line.contains("crashed")) s.end = SlotState::End::kCrashReported;
            MarkReported(s, line.at("unit").get<uint64_t>(), jobs, count);
            Aggregate(line, result.cells);
            if (line.contains("cell")) latest_cell = line.at("cell").get<int>();
          }
        }
        continue;
      }
      // End of the worker's output: it exited or died. Reap it, then account for how.
      close(s.fd);
      s.fd = -1;
      s.buffer.clear();
      int status = 0;
      rusage usage{};
      wait4(s.pid, &status, 0, &usage);
      result.workers_cpu_s += usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6 + usage.ru_stime.tv_sec +
                              usage.ru_stime.tv_usec / 1e6;
      const uint64_t in_flight = worker_slots[w].in_flight.load();
      if (s.end == SlotState::End::kDone) {
        s.finished = true;
        continue;
      }
      if (s.end == SlotState::End::kNone && stop == 0 && g_stop_signal == 0 && in_flight != kIdle) {
        // Died mid-run without a word (SIGKILL, _exit from the engine): that run is its crash.
        const Unit unit = UnitAt(o, in_flight);
        json line{{"unit", in_flight}, {"cell", unit.cell}, {"seed", unit.seed}};
        if (WIFSIGNALED(status)) {
          line["crashed"] = WTERMSIG(status);
        } else {
          line["exited"] = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        }
        MarkReported(s, in_flight, jobs, count);
        Aggregate(line, result.cells);
      }
      if (stop != 0 || g_stop_signal != 0 || s.next >= count) {
        s.finished = true;
        continue;
      }
      s.fruitless_deaths = s.reported_since_spawn == 0 && s.end == SlotState::End::kNone ? s.fruitless_deaths + 1 : 0;
      if (s.fruitless_deaths >= 3) {
        give_up(w, fmt::format("three workers in a row died before reporting a run (last: {})",
                               WIFSIGNALED(status) ? strsignal(WTERMSIG(status)) : "exit"));
        continue;
      }
      if (!spawn(w)) give_up(w, "cannot start a replacement worker process");
    }
    auto now = Clock::now();
    double since = std::chrono::duration<double>(now - last_print).count();
    if (since >= (o.progress_tty ? 0.2 : 5.0)) {
      PrintProgress(o, result.cells, total, std::chrono::duration<double>(now - start).count(), progress, false,
                    latest_cell);
      last_print = now;
    }
  }
  munmap(shared, sizeof(WorkerSlot) * jobs);
  result.wall_s = std::chrono::duration<double>(Clock::now() - start).count();
  if (stop == 0) stop = g_stop_signal;
  if (stop != 0) result.stopped_by = stop == SIGINT ? "SIGINT" : stop == SIGTERM ? "SIGTERM" : strsignal(stop);
  if (!o.time_limit_s) CountNotRun(o, count, slots, result.cells);
  PrintProgress(o, result.cells, total, result.wall_s, progress, true);
  for (CellResult& c : result.cells) {
    std::sort(c.groups.begin(), c.groups.end(),
              [](const FailureGroup& a, const FailureGroup& b) { return a.first_seed < b.first_seed; });
    std::sort(c.nondeterministic_seeds.begin(), c.nondeterministic_seeds.end());
  }
  return result;
}


std::string_view FailureClassName(FailureClass c) {
  switch (c) {
    case FailureClass::kNew: return "new";
    case FailureClass::kKnown: return "known";
    case FailureClass::kRegressed: return "regressed";
    case FailureClass::kGone: return "gone";
  }
  return "new";
}


namespace {

// `text` in at most `width` characters, ending in "..." when cut.
std::string FitEnd(const std::string& text, size_t width) {
  if (text.size() <= width) return text;
  return width <= 3 ? text.substr(0, width) : text.substr(0, width - 3) + "...";
}

// Cut in the middle, so that both ends still tell names apart ("sync-mac...reorder").
std::string FitMiddle(const std::string& text, size_t width) {
  if (text.size() <= width) return text;
  if (width <= 3) return text.substr(0, width);
  const size_t head = (width - 2) / 2;
  return text.substr(0, head) + "..." + text.substr(text.size() - (width - 3 - head));
}

std::string CellVerdict(const CampaignResult& result, const CellResult& c) {
  std::string verdict;
  if (c.nondeterministic > 0) {
    verdict = fmt::format("NONDETERMINISTIC ({} seeds)", c.nondeterministic);
  } else if (c.unexpected > 0) {
    // Name the unexpected invariants: a buggy variant failing through a harness verdict
    // (deadlock, liveness) has not shown its bug.
    std::string names;
    for (const FailureGroup& g : c.groups)
      if (!c.cell.Expected(g.invariant)) names += fmt::format("{}{} x{}", names.empty() ? "" : ", ", g.invariant, g.count);
    verdict = fmt::format("UNEXPECTED FAILURE ({} of {}): {}", c.unexpected, c.failures, names);
  } else if (c.cell.expect_failure) {
    verdict = c.failures > 0 ? "bug found (expected)" : "NOT FOUND (expected a failure)";
  } else if (c.failures == 0) {
    verdict = "clean (expected)";
  } else if (!result.classified) {
    verdict = "UNEXPECTED FAILURE";
  } else {
    verdict = c.as_expected() ? "known failures only" : "NEW OR REGRESSED FAILURE";
  }
  if (c.unexpected > 0) {
    // the unexpected invariants are named already
  } else if (!result.classified) {
    if (!c.groups.empty()) verdict += fmt::format(": {}", c.groups.front().invariant);
  } else {
    // Every group with its class, then what the baseline knew and no seed hit.
    std::string groups;
    for (const FailureGroup& g : c.groups)
      groups += fmt::format("{}{} ({})", groups.empty() ? "" : ", ", g.invariant, FailureClassName(g.failure_class));
    for (const FailureGroup& g : c.gone)
      groups += fmt::format("{}{} (gone)", groups.empty() ? "" : ", ", g.invariant);
    if (!groups.empty()) verdict += ": " + groups;
  }
  return verdict;
}

}  // namespace

std::string FormatCampaignTable(const CampaignResult& result) {
  // A scenario's name on a line of its own, its variants below it: the table fits kTableColumns
  // with the longest bundled names (leveldb.crash_recovery sync-machine-posix-reorder); a longer
  // variant is cut in the middle, and a verdict longer than a line with "..." (the failure groups
  // below the table, and campaign.md, say it in full).
  size_t variant_width = std::string_view("scenario / variant").size() - 2;
  for (const CellResult& c : result.cells) variant_width = std::max(variant_width, c.cell.variant.size());
  variant_width = std::min(variant_width, kTableVariantColumnsMax);
  std::string out = fmt::format("{:<{}} {:>7} {:>8} {:>10} {:>7}  {}\n", "scenario / variant", variant_width + 2,
                                "seeds", "failures", "first fail", "seeds/s", "verdict");
  const std::string* scenario = nullptr;
  for (const CellResult& c : result.cells) {
    if (scenario == nullptr || *scenario != c.cell.scenario) {
      scenario = &c.cell.scenario;
      out += FitEnd(c.cell.scenario, kTableColumns) + "\n";
    }
    std::string row = fmt::format("  {:<{}} {:>7} {:>8} {:>10} {:>7.0f}  ", FitMiddle(c.cell.variant, variant_width),
                                  variant_width, c.seeds, c.failures,
                                  c.first_failing_seed ? std::to_string(*c.first_failing_seed) : "-",
                                  c.seeds_per_s());
    // A verdict too long for its column goes on a line of its own below the row.
    const std::string verdict = CellVerdict(result, c);
    if (row.size() + verdict.size() <= kTableColumns) {
      out += row + verdict + "\n";
    } else {
      while (!row.empty() && row.back() == ' ') row.pop_back();
      out += FitEnd(row, kTableColumns) + "\n    " + FitEnd(verdict, kTableColumns - 4) + "\n";
    }
    // Which strategy found what (a portfolio's members, each credited with its own failures).
    if (c.failures > 0 && (c.failures_by_strategy.size() > 1 ||
                           (!c.failures_by_strategy.empty() && c.failures_by_strategy.begin()->first != "random"))) {
      std::string found;
      for (const auto& [label, n] : c.failures_by_strategy) found += fmt::format("{}{} {}", found.empty() ? "" : ", ", label, n);
      out += "    " + FitEnd("found by: " + found, kTableColumns - 4) + "\n";
    }
  }
  return out;
}

}  // namespace seedbed
