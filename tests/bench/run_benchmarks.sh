#!/usr/bin/env bash
# Runs every benchmark binary present in BUILD_DIR and writes a markdown report: the machine, the
# date, and one section per benchmark with the exact command and its output.
# Usage: tests/bench/run_benchmarks.sh BUILD_DIR OUTPUT_MD
# To add a benchmark: name it tests/bench/<name>_bench.cc (CMake builds it) and, if it needs
# arguments or an explanation, add a `section_<name>_bench` function below; otherwise the default
# section runs it without arguments.
set -euo pipefail

if [[ $# -ne 2 ]]; then
  echo "usage: $0 BUILD_DIR OUTPUT_MD" >&2
  exit 2
fi
build_dir=$(cd "$1" && pwd)
output=$2
bench_dir="$build_dir/tests/bench"
if [[ ! -d "$bench_dir" ]]; then
  echo "no benchmarks in $bench_dir (configure with -DSEEDBED_BENCH=ON and build them)" >&2
  exit 2
fi

cpu_model=$(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//' || true)
[[ -n "$cpu_model" ]] || cpu_model=unknown
load=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)

# One section: a heading, what it measures, the exact command, its output.
run_section() {  # title, description, command...
  local title=$1 description=$2
  shift 2
  {
    echo "## $title"
    echo
    echo "$description"
    echo
    echo '```'
    echo "\$ $*"
    "$@" 2>&1 || echo "(exit status $?)"
    echo '```'
    echo
  } >> "$output.tmp"
}

section_kernel_bench() {
  run_section "Kernel: fiber switch, scheduler step, timer events" \
"Raw boost::context round trip (resume + yield), a Seedbed scheduler step (N tasks each yielding
M times, random strategy, decisions recorded, trace hashed but events not kept), timer events per
second, and the step / raw ratio. Targets (issue 2): step <= 3x raw, timer events >= 10 M/s.
Times are the thread's CPU time, best of 7 repetitions." \
    "$bench_dir/kernel_bench"
}

{
  echo "# Seedbed benchmarks"
  echo
  echo "- Date: $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "- Machine: $(nproc) CPUs, $cpu_model"
  echo "- Load average at start: $load (the machine may be shared; see each section's notes)"
  echo "- Git: $(git -C "$(dirname "$0")" describe --always --dirty 2>/dev/null || echo unknown)"
  echo "- Build: $build_dir ($(grep -m1 '^CMAKE_BUILD_TYPE' "$build_dir/CMakeCache.txt" 2>/dev/null | cut -d= -f2 || echo unknown))"
  echo "- Command: \`$0 $*\`"
  echo
} > "$output.tmp"

found=0
for bin in "$bench_dir"/*_bench; do
  [[ -x "$bin" ]] || continue
  found=1
  name=$(basename "$bin")
  if declare -F "section_$name" > /dev/null; then
    "section_$name"
  else
    run_section "$name" "Output of $name." "$bin"
  fi
done
if [[ $found -eq 0 ]]; then
  echo "no *_bench binaries in $bench_dir" >&2
  rm -f "$output.tmp"
  exit 2
fi
mv "$output.tmp" "$output"
echo "wrote $output"
