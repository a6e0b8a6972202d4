#!/usr/bin/env bash
# The shrink section of reports/BENCHMARKS.md (run_benchmarks.sh calls it; it can run alone):
# each seed bug's pinned failing seed (tests/scenarios/seed_scenarios_test.cc) is run with a
# failure file, then shrunk within an attempt budget (deterministic: the result is a function of
# the file and the budget, whatever the machine's speed; the time bound is only a backstop, and
# the table says when it cut a shrink). Prints markdown on stdout.
# Usage: tests/bench/shrink_table.sh SEEDBED_BINARY [ATTEMPTS [SECONDS]]
set -euo pipefail
seedbed_bin=$1
attempts=${2:-1500}
seconds=${3:-300}
tmp_dir=$(mktemp -d)
trap 'rm -rf "$tmp_dir"' EXIT
start=$(date +%s.%N)

# Hand-minimal schedules (non-default decisions a person needs to show the bug; each explained
# below the table). Only three are worked out; the others show "-".
declare -A hand=(
  ["influxdb3.duplicate_writer buggy 1"]=0
  ["slatedb.flush_self_fence buggy 2"]=1
  ["influxdb3.ambiguous_retry buggy 3"]=2
)
cases=(
  "influxdb3.duplicate_writer buggy 1" "influxdb3.ambiguous_retry buggy 3"
  "slatedb.wal_id_last_seen buggy 4" "slatedb.flush_self_fence buggy 2"
  "slatedb.zombie_writer buggy-271 43" "slatedb.zombie_writer buggy-1622 6"
  "rqlite.snapshot_stream_lock buggy 1" "rqlite.snapshot_stream_lock buggy-posix 1"
  "cnosdb.raft_wal_io buggy 13")
rows="" same=0 total=0
for c in "${cases[@]}"; do
  read -r scenario variant seed <<< "$c"
  dir="$tmp_dir/$scenario.$variant.$seed"
  mkdir -p "$dir"
  "$seedbed_bin" run "$scenario" --variant "$variant" --seed "$seed" --report "$dir" > /dev/null 2>&1 || true
  file="$dir/$scenario.$variant.seed$seed.failure.json"
  if [[ ! -f "$file" ]]; then
    rows+="| $scenario $variant $seed | (the seed did not fail) | | | | | | | |"$'\n'
    continue
  fi
  out=$("$seedbed_bin" shrink "$file" --attempts "$attempts" --time "${seconds}s" 2> /dev/null || true)
  before_sig=$(grep -m1 '^signature: ' <<< "$out" | cut -d' ' -f2- || true)
  # The shrunk file's run must fail with the same signature: replay it and compare.
  shrunk="$dir/$scenario.$variant.seed$seed.shrunk.failure.json"
  after_sig=$(grep -o '"signature": "[^"]*"' "$shrunk" 2> /dev/null | cut -d'"' -f4 || true)
  replay_ok=no
  replay_out=$("$seedbed_bin" replay "$shrunk" 2> /dev/null || true)
  grep -q 'reproduced the recorded run exactly' <<< "$replay_out" && replay_ok=yes
  total=$((total + 1))
  verdict="no"
  if [[ -n "$before_sig" && "$before_sig" == "$after_sig" && "$replay_ok" == yes ]]; then
    verdict="yes"
    same=$((same + 1))
  fi
  rows+=$(awk -v name="$c" -v hand="${hand[$c]:--}" -v same="$verdict" '
    function story(prefix) {
      d[prefix]=$2; n[prefix]=$4; f[prefix]=$6; k[prefix]=$8; s[prefix]=$10; e[prefix]=$13; cp[prefix]=$15
      gsub(/[(),]/, "", n[prefix]); gsub(/[(),]/, "", cp[prefix])
    }
    /^before:/ { story("b") }
    /^after:/  { story("a") }
    /runs tried/ { runs=$1; secs=$7; sub(/,$/, "", secs); stop=$0; sub(/.*stopped by /, "", stop); sub(/ \(.*/, "", stop) }
    END { printf "| %s | %s -> %s | %s -> %s | %s | %s -> %s | %s -> %s | %s -> %s | %s -> %s | %s runs, %s, %s | %s |\n",
                 name, n["b"], n["a"], d["b"], d["a"], hand, f["b"], f["a"], k["b"], k["a"], s["b"], s["a"],
                 e["b"], e["a"], runs, secs, stop, same }' <<< "$out")
  rows+=$'\n'
done
echo "## Shrinking: the story before and after"
echo
echo "Each seed bug's pinned failing seed: \`seedbed run S --variant V --seed N --report DIR\`, then"
echo "\`seedbed shrink DIR/S.V.seedN.failure.json --attempts $attempts --time ${seconds}s\` (tests/bench/shrink_table.sh)."
echo "The attempt budget decides the result (the time bound is a backstop: 'time limit' below says it"
echo "cut a shrink, whose result then depends on the machine's speed). Non-default decisions are the"
echo "choices the story needs; decisions count what a replay needs (the defaults that end each site's"
echo "stream are implied). A kept edit never grows faults, crashes, non-default decisions, context"
echo "switches or decisions. Same signature: the shrunk file replays exactly and fails with the"
echo "input's signature (scenarios/signature.h)."
echo
echo "| scenario variant seed | non-default | decisions | hand-minimal | faults | crashes | context switches | events | runs, time, stopped by | same signature |"
echo "|---|---|---|---|---|---|---|---|---|---|"
printf '%s' "$rows"
echo
echo "Same signature after shrinking: $same of $total."
echo
echo "Hand-minimal schedules (non-default decisions):"
echo "- influxdb3.duplicate_writer buggy 1: 0. Both writers load the same last sequence number at open"
echo "  in the all-default run (every latency 0, each task runs until it blocks), so both put wal/1"
echo "  and the second overwrites the first with no choice at all."
echo "- slatedb.flush_self_fence buggy 2: 1. The caller's flush() and the background flush task must"
echo "  both try WAL N: with every other choice default the flush task wins the race unless one"
echo "  think time lets the caller's flush() reach the put while the task's Create is in flight."
echo "- influxdb3.ambiguous_retry buggy 3: 2. One put must be ambiguous (a fault decision: it applies"
echo "  but answers a timeout) and the swarm must enable that fault kind (a swarm decision); the retry's"
echo "  AlreadyExists then stops the lone writer."
echo
echo "(wall time $(echo "$(date +%s.%N) - $start" | bc -l | xargs printf '%.1f') s; load average after: $(cut -d' ' -f1-3 /proc/loadavg))"
echo
