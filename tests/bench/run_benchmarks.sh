# Runs the benchmarks in BUILD_DIR and updates a markdown report: the machine, the date, and one
# section per benchmark with what it measures, the exact command, its wall time and its output.
# Each generated section stands between "<!-- generated: ID -->" and "<!-- end generated: ID -->"
# lines and is replaced in place (tests/bench/merge_report.sh); everything outside those markers is
# hand-written (figures this script does not produce, e.g. the decoders' long fuzz runs) and kept
# byte for byte, wherever it stands. Never edit inside the markers by hand.
# `make bench` calls this after building the release preset.
# Usage: tests/bench/run_benchmarks.sh BUILD_DIR OUTPUT_MD
# Environment (defaults keep the whole target under 15 minutes from a clean build, see README
# notes in the report): BASELINE_SECONDS (per seed bug, real-thread baseline; default 20),
# SCENARIO_SECONDS (CPU s per scenario variant; default 1.5), CAMPAIGNS (per bug and strategy;
# default 20), SCALING_SEEDS (seeds per scaling run; default 1..20000: a run of a few seconds, so that fork and start-up do not weigh), SHRINK_ATTEMPTS (runs
# per shrink; default 1500), SHRINK_SECONDS (backstop per shrink; default 300), DETERMINISM_SEEDS (campaign run twice per seed; default 1..200),
# LEVELDB_SWEEP_SEEDS (leveldb_bench: clean seeds in one process; default 10000), STRATEGY_CAMPAIGNS
# (strategy_bench: campaigns per bug and strategy; default 20), STRATEGY_ARGS (more strategy_bench
# flags, e.g. "--strategies random,pos --only slatedb"), STRATEGY_FIXED_SEEDS (seeds per strategy of
# each fixed variant; default 1000, 0 skips), STRATEGY_FIXED_VARIANTS (which fixed variants, an
# extended regex on scenario:variant; default the bundled non-engine scenarios), QUICK=1 (a smoke
# run), SECTIONS (comma-separated section IDs to regenerate, e.g. SECTIONS=strategy_bench,scaling;
# the others keep their text; IDs: kernel_bench world_bench memory_bench scenario_bench
# stress_baseline bugfind_bench strategy_bench fixed_sweep scaling shrink determinism, then the other
# *_bench names; the header always, the summary only when every section runs).
# To add a benchmark: name it tests/bench/<name>_bench.cc (CMake builds it) and, if it needs
# arguments or an explanation, add a `section_<name>_bench` function below; otherwise the default
# section runs it without arguments.
set -euo pipefail

if [[ $# -ne 2 ]]; then
  echo "usage: $0 BUILD_DIR OUTPUT_MD" >&2
  exit 2
fi
build_dir=$(cd "$1" && pwd)
repo_root=$(cd "$(dirname "$0")/../.." && pwd)
output=$2
bench_dir="$build_dir/tests/bench"
if [[ ! -d "$bench_dir" ]]; then
  echo "no benchmarks in $bench_dir (configure with -DSEEDBED_BENCH=ON and build them)" >&2
  exit 2
fi

baseline_s=${BASELINE_SECONDS:-20}
scenario_s=${SCENARIO_SECONDS:-1.5}
campaigns=${CAMPAIGNS:-20}
scaling_seeds=${SCALING_SEEDS:-1..20000}
shrink_s=${SHRINK_SECONDS:-300}
shrink_attempts=${SHRINK_ATTEMPTS:-1500}
determinism_seeds=${DETERMINISM_SEEDS:-1..200}
strategy_campaigns=${STRATEGY_CAMPAIGNS:-20}
strategy_fixed_seeds=${STRATEGY_FIXED_SEEDS:-1000}
strategy_fixed_variants=${STRATEGY_FIXED_VARIANTS:-^(cnosdb|influxdb3|rqlite|slatedb)\.}
kernel_args=()
if [[ "${QUICK:-0}" == 1 ]]; then
  baseline_s=2; scenario_s=0.3; campaigns=3; scaling_seeds=1..60; shrink_s=30; shrink_attempts=50; determinism_seeds=1..5; LEVELDB_SWEEP_SEEDS=${LEVELDB_SWEEP_SEEDS:-200}
  strategy_campaigns=3; strategy_fixed_seeds=20
  kernel_args=(--quick)
fi

cpu_model=$(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//' || true)
[[ -n "$cpu_model" ]] || cpu_model=unknown
load=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)
tmp_dir=$(mktemp -d)
trap 'rm -rf "$tmp_dir"' EXIT
body=$tmp_dir/body.md
: > "$body"
sections=${SECTIONS:-}
ran=()
script_start=$(date +%s.%N)

elapsed_since() { echo "$(date +%s.%N) - $1" | bc -l | xargs printf '%.1f'; }

# One section: a heading, what it measures, the exact command, its wall time and output.
run_section() {  # title, description, command...
  local title=$1 description=$2
  shift 2
  echo "running: $title" >&2
  local start
  start=$(date +%s.%N)
  local out
  out=$("$@" 2>&1) || out="$out
(exit status $?)"
  last_out=$out  # for the summary
  {
    echo "## $title"
    echo
    echo "$description"
    echo
    echo '```'
    echo "\$ ${*//$repo_root\//}"
    echo "$out"
    echo '```'
    echo
    echo "(wall time $(elapsed_since "$start") s; load average after: $(cut -d' ' -f1-3 /proc/loadavg))"
    echo
  } >> "$body"
}

section_kernel_bench() {
  run_section "Kernel: fiber switch, scheduler step, timer events" \
"Raw boost::context round trip (resume + yield), a Seedbed scheduler step (N tasks each yielding
M times, random strategy, decisions recorded, trace hashed but events not kept), timer events per
second, and the step / raw ratio. Targets (issue 7): step <= 3x raw, timer events >= 10 M/s.
Times are the thread's CPU time, best of 7 repetitions." \
    "$bench_dir/kernel_bench" "${kernel_args[@]}"
  kernel_out=$last_out
}

section_world_bench() {
  run_section "World: cost of a simulated object-store put, per fault kind" \
"Nanoseconds (process CPU time) per simulated put with no faults, with latency models, and with
error and ambiguity draws. No target; it shows what each fault kind costs the hot path." \
    "$bench_dir/world_bench"
}

section_memory_bench() {
  run_section "Memory: 100,000 live tasks" \
"100,000 tasks each blocked in SleepFor, measured while all are live: peak RSS (VmHWM), RSS per
task, and stack bytes per task (mapped vs touched). Target (issue 7): 100,000 live tasks in
<= 2 GiB. A guarded stack is two memory mappings (PROT_NONE guard page + stack) and Linux caps a
process at vm.max_map_count mappings (65530 by default), so the pool maps guarded stacks up to a
quarter of that limit and carves the rest from slabs of 64 stacks per mapping, each with a canary
word checked at every switch (sim/stack_pool.h). A slab stack touches one more page (its canary)." \
    "$bench_dir/memory_bench" --tasks 100000
  memory_out=$last_out
  run_section "Memory: 10,000 live tasks (all guarded)" \
"The same with 10,000 tasks: every stack guarded, no canary page." \
    "$bench_dir/memory_bench" --tasks 10000
}

section_scenario_bench() {
  run_section "Per scenario: seeds/s, events/s, simulated time / CPU time" \
"Every runnable (scenario, variant), seeds 1.. via RunOnce in one thread for $scenario_s CPU s each.
seeds/s and events/s per core (thread CPU time); sim/cpu = simulated seconds per CPU second.
Targets (issue 7): >= 1,000 seeds/s per core on the small scenarios; simulated time >= 10,000x
wall time on latency-bound scenarios. sqlite.crash_recovery (issue 13, unmodified libsqlite3,
~200 transactions per seed): target >= 500 seeds/s per core." \
    "$bench_dir/scenario_bench" --seconds "$scenario_s"
  scenario_out=$last_out
}

section_leveldb_bench() {
  run_section "LevelDB (Debian's libleveldb 1.23) in the simulated world: seeds/s; 10,000 clean seeds in one process" \
    "leveldb.crash_recovery per variant on one core (CPU-time limited), puts per seed and simulated / CPU time; then \
${LEVELDB_SWEEP_SEEDS:-10000} seeds of sync-machine-ext4 (machine crashes on ext4 data=ordered with WriteOptions::sync: \
LevelDB keeps every acknowledged write, so 0 failures are expected) in this one process, never recycled, with its RSS \
every 1,000 seeds (crashed LevelDB instances are abandoned, as a real crash abandons memory). Targets: >= 500 seeds/s \
per core; <= 1 MiB RSS growth per 1,000 seeds per worker." \
    "$bench_dir/leveldb_bench" --seconds "$scenario_s" --sweep-seeds "${LEVELDB_SWEEP_SEEDS:-10000}"
}

section_stress_baseline() {
  run_section "Real-thread baseline: the engine on PosixEnv with real threads" \
"What a user without Seedbed would do: each seed bug's buggy configuration on model/env/posix
(real threads, a fresh temp directory per iteration, real timing scaled 10x faster than the
scenario's simulated durations), the nearest real stand-ins for the faults (a wrapping object
store injecting latency, transient errors and applied-then-timed-out puts from a seeded PRNG;
crashes by abandoning a Db without Close and reopening; duplicate writers as two Db instances on
one directory; a second writer opening from another thread; Flush() from a thread racing the
background flush; for cnosdb, raft nodes on threads over an in-process PosixNetwork with real
delays, loss and partitions, WAL disk errors from a wrapping FileSystem, crashes by stopping a
node and reopening it on its directory), and the same invariants. After a failure the search goes on, up to 5 failures within the budget;
\"median est s\" is the median time to failure of a search failing at a constant rate,
ln 2 x searched s / failures (below the mean: in the baseline's favour). Limit: $baseline_s s per bug
(the issue asks for up to 60 s; $baseline_s s keeps \`make bench\` under 15 minutes from a clean
build: 8 bugs x $baseline_s s). rqlite #1774 needs Windows file sharing, which Linux does not have:
its POSIX variant runs. Real timing makes these figures vary from run to run." \
    "$bench_dir/stress_baseline" --seconds "$baseline_s" --tsv "$tmp_dir/baseline.tsv"
}

section_bugfind_bench() {
  run_section "Seed bugs: seeds and time to first failure (random and PCT) vs the baseline" \
"For every failing (scenario, variant): $campaigns campaigns with distinct base seeds (b*1000),
each stopped at its first failing seed; medians over campaigns. Time is the thread's CPU time
(wall shown beside it; the machine is shared). baseline s = the real-thread baseline's estimated
median time to failure above (>N: not found within N s); ratio = baseline / median CPU s (with >N: a lower
bound). Targets (issue 7): median <= 1 s, and >= 100x sooner than the baseline." \
    "$bench_dir/bugfind_bench" --campaigns "$campaigns" --baseline "$tmp_dir/baseline.tsv"
  bugfind_out=$last_out
}

section_strategy_bench() {
  run_section "Strategies side by side: seeds and CPU time to first failure (issue 18)" \
"For every failing (scenario, variant) of the seedbed command (LevelDB's too) and every strategy the
command takes (pct as d=2 and d=3): $strategy_campaigns campaigns (STRATEGY_CAMPAIGNS) with distinct base
seeds (b*1000+b-1, so that campaigns start at different portfolio members), each stopped at its first failing seed (at most 5,000 seeds or 4 CPU s); medians over
campaigns. pct2/pct3: PCT d=2/d=3 with k from calibration runs; pos: partial-order sampling; surw:
selectively uniform walk; portfolio: its members in round-robin per seed (found by: which member found
each campaign's failure); guided: feedback-guided fuzzing of decision lists, one corpus per campaign.
fail % = failures found / seeds run (the rate of a geometric trial). vs rnd = random's median seeds /
this row's (above 1: fewer seeds than random). Calibration runs (3 per row) are not counted. README,
\"Strategies\", says what each strategy does. STRATEGY_ARGS adds flags (--strategies, --only)." \
    "$bench_dir/strategy_bench" --campaigns "$strategy_campaigns" ${STRATEGY_ARGS:-}
}

# Fixed variants under every strategy, tests/bench/fixed_sweep.sh (the 10,000-seed sweep of every
# fixed variant is hand-written below: hours).
section_fixed_sweep() {
  local seedbed_bin="$build_dir/seedbed"
  [[ -x "$seedbed_bin" && "$strategy_fixed_seeds" -gt 0 ]] || return 0
  run_section "Fixed variants under every strategy (issue 18)" \
"Every expected-clean variant matching STRATEGY_FIXED_VARIANTS ('$strategy_fixed_variants'), seeds
1..$strategy_fixed_seeds (STRATEGY_FIXED_SEEDS) per strategy the command takes, one \`seedbed fuzz SCENARIO
--variant V --seeds 1..N --strategy S --jobs 2 --no-shrink --expect\` each; a false failure would show
as failures > 0 (and verdict FAILED) on a fixed variant. seeds/s is per wall second with --jobs 2." \
    "$repo_root/tests/bench/fixed_sweep.sh" --seedbed "$seedbed_bin" --seeds "$strategy_fixed_seeds" \
    --variants "$strategy_fixed_variants" --out "$tmp_dir/fixed_sweep"
}

# Shrinking: each seed bug's pinned failing seed shrunk within an attempt budget (deterministic),
# then the first 5 failing seeds of every buggy variant (same signature or not);
# tests/bench/shrink_table.sh writes the section (it also runs alone).
section_shrink() {
  local seedbed_bin="$build_dir/seedbed"
  [[ -x "$seedbed_bin" ]] || return 0
  echo "running: shrinking" >&2
  "$repo_root/tests/bench/shrink_table.sh" "$seedbed_bin" "$shrink_attempts" "$shrink_s" >> "$body"
}

# Determinism: every bundled (scenario, variant) over a seed range, each seed run twice and the
# full trace hashes compared; buggy variants are expected to fail, fixed ones to pass.
section_determinism() {
  local seedbed_bin="$build_dir/seedbed"
  [[ -x "$seedbed_bin" ]] || return 0
  run_section "Determinism: every scenario and variant, each seed run twice" \
"\`--check-determinism\` runs every seed twice and compares the trace hashes (exit 3 on a mismatch);
\`--expect\` exits 0 when buggy variants fail and fixed ones pass. seeds/s counts each seed once." \
    "$seedbed_bin" fuzz --all --seeds "$determinism_seeds" --jobs "$(nproc)" --check-determinism --expect
}

# Campaign scaling: the seedbed command with --jobs 1 and --jobs 2, seeds per wall second.
section_scaling() {
  local seedbed_bin="$build_dir/seedbed"
  [[ -x "$seedbed_bin" ]] || return 0
  local scenario=influxdb3.duplicate_writer variant=fixed
  local lines="" rate1="" rate2=""
  # Alternating rounds, best of 3 per --jobs value: the machine is shared and a single pair of
  # runs swung between 1.6x and 1.9x.
  local round
  for round in 1 2 3; do
  for jobs in 1 2; do
    local start out wall seeds
    start=$(date +%s.%N)
    out=$(/usr/bin/time -f "cpu %U %S" -o "$tmp_dir/time.txt" \
          "$seedbed_bin" fuzz "$scenario" --variant "$variant" --seeds "$scaling_seeds" --jobs "$jobs" 2>&1 || true)
    wall=$(echo "$(date +%s.%N) - $start" | bc -l)
    local cpu
    cpu=$(awk '/^cpu/ {print $2 + $3}' "$tmp_dir/time.txt")
    seeds=$(echo "$out" | awk '/ seeds in / {print $1; exit}')  # "N seeds in Xs with J jobs"
    local rate
    rate=$(echo "$seeds / $wall" | bc -l | xargs printf '%.0f')
    lines+="\$ ${seedbed_bin#$repo_root/} fuzz $scenario --variant $variant --seeds $scaling_seeds --jobs $jobs
$out
=> $seeds seeds in $(printf '%.2f' "$wall") s wall = $rate seeds/s; CPU (user+sys, all processes) $cpu s = $(echo "$seeds / $cpu" | bc -l | xargs printf '%.0f') seeds per CPU s (load average after: $(cut -d' ' -f1-3 /proc/loadavg))

"
    if [[ $jobs == 1 ]]; then
      [[ -z "$rate1" || "$rate" -gt "$rate1" ]] && rate1=$rate
    else
      [[ -z "$rate2" || "$rate" -gt "$rate2" ]] && rate2=$rate
    fi
  done
  done
  scaling_ratio=$(echo "$rate2 / $rate1" | bc -l | xargs printf '%.2f')
  {
    echo "## Campaign scaling: --jobs 1 vs --jobs 2"
    echo
    echo "The seedbed command's fuzz campaign (forked workers), seeds per wall second, same seeds each"
    echo "time, three alternating rounds; the ratio is of the best rate of each. Target (issue 7):"
    echo "--jobs 2 >= 1.9x --jobs 1. The machine has $(nproc) cores shared with"
    echo "other work (see the load averages), so the wall ratio is bounded by the cores actually free;"
    echo "seeds per CPU second (children included) shows whether a worker's per-seed cost grows with --jobs."
    echo
    echo '```'
    printf '%s' "$lines"
    echo "best: --jobs 1 $rate1 seeds/s, --jobs 2 $rate2 seeds/s; ratio ${scaling_ratio}x (target >= 1.9x)"
    echo '```'
    echo
  } >> "$body"
}

selected() { [[ -z "$sections" || ",$sections," == *",$1,"* ]]; }
# One generated section (or a few under one ID): what the command writes, between markers.
generated() {  # id, command...
  local id=$1
  shift
  # A section not run stands as a "kept" line, so a new section after it lands in its place.
  selected "$id" || { echo "<!-- kept: $id -->" >> "$body"; return 0; }
  local whole=$body
  body=$tmp_dir/section.md
  : > "$body"
  "$@"
  body=$whole
  # A section with nothing to run (its binary not built) writes nothing: the report keeps its text.
  [[ -s "$tmp_dir/section.md" ]] || { echo "<!-- kept: $id -->" >> "$body"; return 0; }
  { echo "<!-- generated: $id -->"; cat "$tmp_dir/section.md"; echo "<!-- end generated: $id -->"; } >> "$body"
  ran+=("$id")
}

# Fixed order first (bugfind_bench reads the baseline's results), then any other *_bench present.
ordered=(kernel_bench world_bench memory_bench scenario_bench stress_baseline bugfind_bench strategy_bench)
for name in "${ordered[@]}"; do
  [[ -x "$bench_dir/$name" ]] && generated "$name" "section_$name"
done
generated fixed_sweep section_fixed_sweep
generated scaling section_scaling
generated shrink section_shrink
generated determinism section_determinism
for bin in "$bench_dir"/*_bench; do
  [[ -x "$bin" ]] || continue
  name=$(basename "$bin")
  [[ " ${ordered[*]} " == *" $name "* ]] && continue
  if declare -F "section_$name" > /dev/null; then
    generated "$name" "section_$name"
  else
    generated "$name" run_section "$name" "Output of $name." "$bin"
  fi
done
[[ ${#ran[@]} -gt 0 ]] || { echo "SECTIONS=$sections names no section this build has" >&2; exit 2; }

# The summary against issue 7's targets, from the figures above (a full run only: a partial one
# would drop rows), then the header; both go first.
verdict() { if [[ "$1" == 1 ]]; then echo met; else echo MISSED; fi; }
summary() {
  echo "## Summary against the targets (issue 7)"
  echo
  echo "| target | measured | |"
  echo "|---|---|---|"
  if [[ -n "${kernel_out:-}" ]]; then
    ratio=$(echo "$kernel_out" | sed -n 's/.*| ratio \([0-9.]*\)x.*/\1/p')
    timer=$(echo "$kernel_out" | sed -n 's/.*| timer events \([0-9.]*\) M\/s.*/\1/p')
    echo "| scheduler step <= 3x raw switch | ${ratio}x | $(verdict "$(echo "$ratio <= 3" | bc -l)") |"
    echo "| timer events >= 10 M/s | ${timer} M/s | $(verdict "$(echo "$timer >= 10" | bc -l)") |"
  fi
  if [[ -n "${memory_out:-}" ]]; then
    reached=$(echo "$memory_out" | sed -n 's/^live tasks: \([0-9]*\) requested, \([0-9]*\) reached.*/\2/p')
    gib=$(echo "$memory_out" | sed -n 's/^peak RSS.* = \([0-9.]*\) GiB.*/\1/p')
    echo "| 100,000 live tasks in <= 2 GiB | $reached tasks live, peak RSS $gib GiB | $(verdict "$(echo "$reached >= 100000 && $gib <= 2" | bc -l)") |"
  fi
  if [[ -n "${scenario_out:-}" ]]; then
    echo "$scenario_out" | awk '$1 ~ /\./ && $2 != "variant" {
        rate = $4 + 0; simcpu = $8; sub(/x$/, "", simcpu); simcpu = simcpu + 0
        printf "| %s %s: >= 1,000 seeds/s per core; sim/CPU >= 10,000x | %s seeds/s; %sx | %s |\n", $1, $2, rate, simcpu,
               (rate >= 1000 ? "seeds/s met" : "seeds/s MISSED") ", " (simcpu >= 10000 ? "sim/CPU met" : "sim/CPU MISSED") }'
  fi
  if [[ -n "${bugfind_out:-}" ]]; then
    echo "$bugfind_out" | awk '$1 ~ /\./ && $3 ~ /^(random|pct)$/ {
        ratio = $10; r = ratio; sub(/^>/, "", r); sub(/x$/, "", r)
        ok = ($11 == "met") && (ratio == "-" || r + 0 >= 100)
        printf "| %s %s %s: median <= 1 s, >= 100x the baseline | median %s CPU s (%s/%s found); baseline %s s; ratio %s | %s |\n",
               $1, $2, $3, $6, substr($4, 1, index($4, "/") - 1), substr($4, index($4, "/") + 1), $9, ratio, (ok ? "met" : "MISSED") }'
  fi
  if [[ -n "${scaling_ratio:-}" ]]; then
    echo "| --jobs 2 >= 1.9x --jobs 1 | ${scaling_ratio}x | $(verdict "$(echo "$scaling_ratio >= 1.9" | bc -l)") |"
  fi
  echo
}
{
  echo "<!-- generated: header -->"
  echo "# Seedbed benchmarks"
  echo
  echo "Generated by \`make bench\` (tests/bench/run_benchmarks.sh) between the \`<!-- generated: ID -->\`"
  echo "markers (each section is replaced in place); hand-written sections stand outside them and say"
  echo "\"hand-written\" in their title. The header below is of the last run."
  echo
  echo "- Date: $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "- Machine: $(nproc) CPUs, $cpu_model, $(awk '/MemTotal/ {printf "%.1f GiB RAM", $2/1048576}' /proc/meminfo)"
  echo "- Load average at start: $load (the machine may be shared: CPU-time figures are the ones to compare)"
  echo "- Git: $(git -C "$(dirname "$0")" describe --always --dirty 2>/dev/null || echo unknown)"
  echo "- Build: $build_dir ($(grep -m1 '^CMAKE_BUILD_TYPE' "$build_dir/CMakeCache.txt" 2>/dev/null | cut -d= -f2 || echo unknown))"
  echo "- Command: \`$0 $*\` (BASELINE_SECONDS=$baseline_s SCENARIO_SECONDS=$scenario_s CAMPAIGNS=$campaigns SCALING_SEEDS=$scaling_seeds SHRINK_ATTEMPTS=$shrink_attempts SHRINK_SECONDS=$shrink_s DETERMINISM_SEEDS=$determinism_seeds STRATEGY_CAMPAIGNS=$strategy_campaigns STRATEGY_FIXED_SEEDS=$strategy_fixed_seeds${sections:+ SECTIONS=$sections})"
  echo "- Sections this run regenerated: ${sections:-all} (${ran[*]}); total time $(elapsed_since "$script_start") s"
  echo "<!-- end generated: header -->"
  echo
  if [[ -z "$sections" ]]; then
    echo "<!-- generated: summary -->"
    summary
    echo "<!-- end generated: summary -->"
  else
    echo "<!-- kept: summary -->"
  fi
  cat "$body"
} > "$tmp_dir/new.md"
"$repo_root/tests/bench/merge_report.sh" "$output" "$tmp_dir/new.md" > "$tmp_dir/merged.md"
mv "$tmp_dir/merged.md" "$output"
echo "wrote $output"
