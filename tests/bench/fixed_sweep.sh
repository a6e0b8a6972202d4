#!/usr/bin/env bash
# Fixed variants under every strategy (issue 18): for every expected-clean (scenario, variant) of the
# seedbed command and every strategy, one `seedbed fuzz SCENARIO --variant V --seeds 1..N --strategy S
# --jobs J --no-shrink --expect` campaign; prints one table row per campaign as it ends (variant x
# strategy: seeds run, failures, seeds/s, the command's exit status, wall time). A failure on a fixed
# variant is a false failure or a real bug: the row says FAILED and the campaign's log (under --out)
# holds its replay command (a guided run's decisions come from the campaign's corpus, so its seed
# alone does not replay it: rerun the log's command with --out DIR for the failure file, which
# does). Exit status: 0 when every campaign ran its seeds clean, 1 otherwise; 2 on bad arguments.
# Not run by `make bench` (hours for every strategy at 10,000 seeds); reports/BENCHMARKS.md, "Fixed
# variants, 10,000 seeds per strategy", has its figures and the command that made them.
#
# Usage: tests/bench/fixed_sweep.sh [--seedbed BIN] [--seeds N] [--strategies LIST] [--variants REGEX]
#                                   [--jobs J] [--out DIR]
#   --seedbed     the command (default build/release/seedbed)
#   --seeds       seeds 1..N per campaign (default 10000)
#   --strategies  comma-separated: a strategy `seedbed fuzz --strategy` takes, or pctD for PCT of depth
#                 D (default: every strategy the command's --strategy help names, pct as pct2,pct3)
#   --variants    only the cells whose "scenario:variant" matches this extended regex (default all)
#   --jobs        --jobs of each campaign (default 2)
#   --out         a folder for each campaign's log and the table, table.txt (default /tmp/fixed_sweep)
set -euo pipefail

repo_root=$(cd "$(dirname "$0")/../.." && pwd)
seedbed=$repo_root/build/release/seedbed
seeds=10000
strategies=""
variants=""
jobs=2
out=/tmp/fixed_sweep
usage() {
  sed -n '/^# Usage:/,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2
  exit 2
}
while [[ $# -gt 0 ]]; do
  [[ $# -ge 2 ]] || usage
  case $1 in
    --seedbed) seedbed=$2 ;;
    --seeds) seeds=$2 ;;
    --strategies) strategies=$2 ;;
    --variants) variants=$2 ;;
    --jobs) jobs=$2 ;;
    --out) out=$2 ;;
    *) usage ;;
  esac
  shift 2
done
[[ "$seeds" =~ ^[1-9][0-9]*$ ]] || { echo "--seeds takes a whole number >= 1, not '$seeds'" >&2; exit 2; }
[[ -x "$seedbed" ]] || { echo "no seedbed command at $seedbed (build it: cmake --build --preset release --target seedbed)" >&2; exit 2; }

# The strategies: by default the names the command's --strategy help lists ("...: random, pct, pos
# or surw (..."), so a strategy added to the command is swept without editing this script.
if [[ -z "$strategies" ]]; then
  strategies=$("$seedbed" fuzz --help | sed -n 's/.*--strategy.*Scheduling strategy: \([^(]*\).*/\1/p' |
               sed 's/ or /, /g; s/[ .]*$//; s/, */,/g; s/\bpct\b/pct2,pct3/')
  [[ -n "$strategies" ]] || { echo "could not read the strategies from '$seedbed fuzz --help'" >&2; exit 2; }
fi

# The expected-clean cells, from `seedbed list`: a scenario's line names its variants, and a line
# "    V is expected to break: ..." each failing one.
cells=$("$seedbed" list | awk '
  /^[^ ].* variants: / { if (name != "") emit(); name = $1; sub(/.* variants: /, ""); n = split($0, vs, /, */); delete broken; next }
  /^    [^ ]+ is expected to break:/ { broken[$1] = 1 }
  END { if (name != "") emit() }
  function emit(  i) { for (i = 1; i <= n; i++) if (!(vs[i] in broken)) print name ":" vs[i] }')
if [[ -n "$variants" ]]; then
  cells=$(grep -E -- "$variants" <<< "$cells" || true)
fi
[[ -n "$cells" ]] || { echo "no fixed variant matches '$variants'" >&2; exit 2; }

mkdir -p "$out"
table=$out/table.txt
header=$(printf '%-28s %-26s %-10s %8s %8s %9s %3s %9s  %s' scenario variant strategy seeds failures seeds/s rc "wall s" verdict)
echo "$header" | tee "$table"
any_bad=0
IFS=',' read -r -a strategy_list <<< "$strategies"
for cell in $cells; do
  scenario=${cell%%:*} variant=${cell#*:}
  for s in "${strategy_list[@]}"; do
    args=(--strategy "$s")
    if [[ "$s" =~ ^pct([0-9]+)$ ]]; then args=(--strategy pct --pct-depth "${BASH_REMATCH[1]}"); fi
    log=$out/$scenario.$variant.$s.log
    cmd=("$seedbed" fuzz "$scenario" --variant "$variant" --seeds "1..$seeds" "${args[@]}" --jobs "$jobs" --no-shrink --expect)
    start=$(date +%s.%N)
    rc=0
    { echo "\$ ${cmd[*]}"; "${cmd[@]}"; } > "$log" 2>&1 || rc=$?
    wall=$(echo "$(date +%s.%N) - $start" | bc -l)
    # The cell's row of the campaign table: "  VARIANT  SEEDS  FAILURES  FIRST  SEEDS/S  verdict".
    row=$(awk -v v="$variant" '$1 == v && $2 ~ /^[0-9]+$/ { print; exit }' "$log")
    run=$(awk '{ print $2 }' <<< "$row")
    failures=$(awk '{ print $3 }' <<< "$row")
    rate=$(echo "${run:-0} / $wall" | bc -l | xargs printf '%.0f')
    verdict=ok
    if [[ -n "$failures" && "$failures" != 0 ]]; then
      verdict="FAILED: $failures failing seeds on a fixed variant (replay lines in $log)"
      any_bad=1
    elif [[ "$rc" != 0 || "${run:-0}" != "$seeds" ]]; then
      verdict="ERROR: exit $rc, ${run:-no} seeds run (see $log)"
      any_bad=1
    fi
    printf '%-28s %-26s %-10s %8s %8s %9s %3s %9.1f  %s\n' "$scenario" "$variant" "$s" "${run:--}" \
      "${failures:--}" "$rate" "$rc" "$wall" "$verdict" | tee -a "$table"
  done
done
echo "command: $0 --seedbed $seedbed --seeds $seeds --strategies $strategies${variants:+ --variants '$variants'} --jobs $jobs --out $out" | tee -a "$table"
exit "$any_bad"
