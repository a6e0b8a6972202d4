#include "scenarios/campaign.h"

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <iterator>
#include <optional>
#include <utility>
#include <string>
#include <vector>

#include "fmt/format.h"
#include "nlohmann/json.hpp"
#include "scenarios/signature.h"

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

uint64_t UnitCount(const CampaignOptions& o) {
  if (o.seed_last < o.seed_first + static_cast<uint64_t>(o.shard_index)) return 0;
  uint64_t seeds = (o.seed_last - o.seed_first - o.shard_index) / o.shard_count + 1;
  return seeds * o.cells.size();
}

json RunUnit(const CampaignOptions& o, const Unit& unit) {
  RunConfig config = o.base;
  config.scenario = o.cells[unit.cell].scenario;
  config.variant = o.cells[unit.cell].variant;
  config.seed = unit.seed;
  config.replay = nullptr;
  auto start = Clock::now();
  absl::StatusOr<RunReport> report = RunOnce(config);
  bool nondet = false;
  if (report.ok() && o.check_determinism) {
    absl::StatusOr<RunReport> again = RunOnce(config);
    nondet = !again.ok() || again->trace_hash != report->trace_hash;
  }
  double wall_s = std::chrono::duration<double>(Clock::now() - start).count();
  json line{{"cell", unit.cell}, {"seed", unit.seed}, {"wall_s", wall_s}, {"nondet", nondet}};
  if (!report.ok()) {
    line["failed"] = true;
    line["invariant"] = "harness-error";
    line["message"] = std::string(report.status().message());
    return line;
  }
  line["failed"] = report->failed;
  line["invariant"] = report->invariant();
  line["message"] = report->failed ? report->first_violation()->message : "";
  line["signature"] = FailureSignature(*report);
  line["events"] = report->events;
  line["sim_ns"] = report->sim_time_ns;
  line["faults_injected"] = report->faults_injected;
  line["swarm"] = report->swarm_enabled;
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

// Results go to the parent in batches (at most 64 KiB or 100 ms apart): a write per seed woke the
// parent thousands of times a second, and with --jobs equal to the cores its context switches took
// CPU from the workers (--jobs 2 gave 1.75x --jobs 1 on 2 cores).
// Runs units first, first + jobs, ... (first = the worker's index, or where a crashed worker
// stopped).
[[noreturn]] void Worker(const CampaignOptions& o, uint64_t first, int fd, Clock::time_point deadline) {
  constexpr size_t kFlushBytes = 64 * 1024;
  constexpr auto kFlushEvery = std::chrono::milliseconds(100);
  uint64_t count = UnitCount(o);
  std::string pending;
  auto last_flush = Clock::now();
  bool ok = true;
  InstallCrashReport(fd, &pending);
  for (uint64_t i = first;; i += static_cast<uint64_t>(o.jobs)) {
    if (o.time_limit_s) {
      if (Clock::now() >= deadline) break;
    } else if (i >= count) {
      break;
    }
    const Unit unit = UnitAt(o, i);
    g_crash.unit = i;
    g_crash.cell = unit.cell;
    g_crash.seed = unit.seed;
    pending += RunUnit(o, unit).dump();
    pending += '\n';
    const auto now = Clock::now();
    if (pending.size() >= kFlushBytes || now - last_flush >= kFlushEvery) {
      ok = WriteAll(fd, pending);
      pending.clear();
      last_flush = now;
      if (!ok) break;
    }
  }
  if (ok && !pending.empty()) WriteAll(fd, pending);
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
  if (line.contains("crashed")) {
    const int sig = line.at("crashed").get<int>();
    const std::string message = fmt::format(
        "the run was killed by signal {} ({}); the worker went on with the next seeds", sig, strsignal(sig));
    CountFailure(c, seed, std::string(kCrashInvariant), FailureSignature(kCrashInvariant, message, {}), message);
    return;
  }
  c.cpu_s += line.at("wall_s").get<double>();
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
}

void PrintProgress(const CampaignOptions& o, const std::vector<CellResult>& cells, uint64_t total,
                   double elapsed_s, std::ostream& out, bool final_line) {
  uint64_t done = 0, failures = 0;
  for (const CellResult& c : cells) {
    done += c.seeds;
    failures += c.failures;
  }
  double rate = elapsed_s > 0 ? done / elapsed_s : 0;
  std::string left;
  if (o.time_limit_s) {
    left = fmt::format("{:.0f}s left", std::max(0.0, *o.time_limit_s - elapsed_s));
  } else if (rate > 0) {
    left = fmt::format("{:.0f}s left", (total - done) / rate);
  }
  if (o.progress_tty) {
    int width = 30;
    int filled = total ? static_cast<int>(width * done / total) : width;
    out << fmt::format("\r[{:<{}}] {} seeds, {:.0f} seeds/s, {} failures, {}   ",
                       std::string(filled, '#'), width, done, rate, failures, left);
    if (final_line) out << "\n";
  } else {
    out << fmt::format("progress: {} seeds{}, {:.0f} seeds/s, {} failures, {}\n", done,
                       total ? fmt::format(" of {}", total) : "", rate, failures, left);
  }
  out.flush();
}

}  // namespace

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

CampaignResult RunCampaign(const CampaignOptions& o, std::ostream& progress) {
  CampaignResult result;
  for (const CampaignCell& cell : o.cells) {
    CellResult c;
    c.cell = cell;
    result.cells.push_back(std::move(c));
  }
  if (o.cells.empty()) return result;
  uint64_t total = o.time_limit_s ? 0 : UnitCount(o);
  auto start = Clock::now();
  auto deadline = start + std::chrono::duration_cast<Clock::duration>(
                              std::chrono::duration<double>(o.time_limit_s.value_or(0)));
  std::vector<int> fds(static_cast<size_t>(o.jobs), -1);
  std::vector<pid_t> pids(static_cast<size_t>(o.jobs), -1);
  // Where worker w goes on after a crash (the unit after the one that killed it), if it crashed.
  std::vector<std::optional<uint64_t>> resume_at(static_cast<size_t>(o.jobs));
  progress.flush();
  auto spawn = [&](size_t w, uint64_t first) {
    int pipe_fds[2];
    if (pipe(pipe_fds) != 0) throw std::runtime_error("pipe failed");
    progress.flush();
    pid_t pid = fork();
    if (pid < 0) throw std::runtime_error("fork failed");
    if (pid == 0) {
      close(pipe_fds[0]);
      for (int fd : fds)
        if (fd >= 0) close(fd);
      Worker(o, first, pipe_fds[1], deadline);
    }
    close(pipe_fds[1]);
    fds[w] = pipe_fds[0];
    pids[w] = pid;
  };
  for (int w = 0; w < o.jobs; ++w) spawn(static_cast<size_t>(w), static_cast<uint64_t>(w));
  std::vector<std::string> buffers(fds.size());
  size_t open = fds.size();
  auto last_print = start;
  while (open > 0) {
    std::vector<pollfd> polls;
    for (int fd : fds) polls.push_back({fd, POLLIN, 0});
    int ready = poll(polls.data(), polls.size(), 1000);
    if (ready < 0 && errno != EINTR) break;
    for (size_t i = 0; i < polls.size(); ++i) {
      if (fds[i] < 0 || !(polls[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      char chunk[65536];
      ssize_t n = read(fds[i], chunk, sizeof chunk);
      if (n <= 0) {
        close(fds[i]);
        fds[i] = -1;
        if (resume_at[i]) {
          // The worker reported a crash: reap it and start a fresh one after the unit that killed it.
          int status = 0;
          waitpid(pids[i], &status, 0);
          buffers[i].clear();
          const uint64_t next = *std::exchange(resume_at[i], std::nullopt);
          spawn(i, next);
          continue;
        }
        open--;
        continue;
      }
      buffers[i].append(chunk, static_cast<size_t>(n));
      size_t eol;
      while ((eol = buffers[i].find('\n')) != std::string::npos) {
        json line = json::parse(buffers[i].substr(0, eol));
        if (line.contains("crashed"))
          resume_at[i] = line.at("unit").get<uint64_t>() + static_cast<uint64_t>(o.jobs);
        Aggregate(line, result.cells);
        buffers[i].erase(0, eol + 1);
      }
    }
    auto now = Clock::now();
    double since = std::chrono::duration<double>(now - last_print).count();
    if (since >= (o.progress_tty ? 0.2 : 5.0)) {
      PrintProgress(o, result.cells, total, std::chrono::duration<double>(now - start).count(),
                    progress, false);
      last_print = now;
    }
  }
  for (size_t w = 0; w < pids.size(); ++w) {
    int status = 0;
    waitpid(pids[w], &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
      progress << fmt::format("worker {} died ({}); its remaining seeds were not run\n", w,
                              WIFSIGNALED(status) ? strsignal(WTERMSIG(status)) : "non-zero exit");
  }
  result.wall_s = std::chrono::duration<double>(Clock::now() - start).count();
  PrintProgress(o, result.cells, total, result.wall_s, progress, true);
  for (CellResult& c : result.cells) {
    std::sort(c.groups.begin(), c.groups.end(),
              [](const FailureGroup& a, const FailureGroup& b) { return a.first_seed < b.first_seed; });
    std::sort(c.nondeterministic_seeds.begin(), c.nondeterministic_seeds.end());
  }
  return result;
}

void SeedSet::InsertRange(uint64_t first, uint64_t last) {
  // Absorb every range that overlaps or touches [first, last].
  auto it = ranges_.upper_bound(first);
  if (it != ranges_.begin()) {
    auto before = std::prev(it);
    if (first == 0 || before->second >= first - 1) it = before;
  }
  uint64_t lo = first, hi = last;
  while (it != ranges_.end() && (it->first <= hi || (hi != UINT64_MAX && it->first == hi + 1))) {
    lo = std::min(lo, it->first);
    hi = std::max(hi, it->second);
    size_ -= it->second - it->first + 1;
    it = ranges_.erase(it);
  }
  ranges_[lo] = hi;
  size_ += hi - lo + 1;
}

void SeedSet::Merge(const SeedSet& other) {
  for (const auto& [first, last] : other.ranges_) InsertRange(first, last);
}

std::vector<uint64_t> SeedSet::ToVector() const {
  std::vector<uint64_t> out;
  for (const auto& [first, last] : ranges_)
    for (uint64_t s = first;; ++s) {
      out.push_back(s);
      if (s == last) break;
    }
  return out;
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


std::string FormatCampaignTable(const CampaignResult& result) {
  std::string out = fmt::format("{:<30} {:<11} {:>7} {:>8} {:>11} {:>9}  {}\n", "scenario", "variant",
                                "seeds", "failures", "first fail", "seeds/s", "verdict");
  for (const CellResult& c : result.cells) {
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
    out += fmt::format("{:<30} {:<11} {:>7} {:>8} {:>11} {:>9.0f}  {}\n", c.cell.scenario,
                       c.cell.variant, c.seeds, c.failures,
                       c.first_failing_seed ? std::to_string(*c.first_failing_seed) : "-",
                       c.seeds_per_s(), verdict);
  }
  return out;
}

}  // namespace seedbed
