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
# below the table). Four are worked out; the others show "-".
declare -A hand=(
  ["influxdb3.duplicate_writer buggy 1"]=0
  ["influxdb3.ambiguous_retry buggy 3"]=2
  ["slatedb.flush_self_fence buggy 2"]=3
  ["slatedb.zombie_writer buggy-1622 6"]=1
)
cases=(
  "influxdb3.duplicate_writer buggy 1" "influxdb3.ambiguous_retry buggy 3"
  "slatedb.wal_id_last_seen buggy 4" "slatedb.flush_self_fence buggy 2"
  "slatedb.zombie_writer buggy-271 43" "slatedb.zombie_writer buggy-1622 6"
  "rqlite.snapshot_stream_lock buggy 1" "rqlite.snapshot_stream_lock buggy-posix 1"
  "cnosdb.raft_wal_io buggy 13")
rows="" same=0 total=0 ratios=""
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
  if [[ -n "${hand[$c]:-}" ]]; then
    after_nd=$(awk '/^after:/ { gsub(/[(),]/, "", $4); print $4 }' <<< "$out")
    ratios+="${after_nd:-?} ${hand[$c]}"$'\n'
  fi
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
# Target: the median of (after non-default) over the hand-minimal cases within 2x of theirs.
med=$(awk 'NF == 2 { a[++n] = $1; h[n] = $2 } END {
  for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
  for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (h[j] < h[i]) { t = h[i]; h[i] = h[j]; h[j] = t }
  ma = n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
  mh = n % 2 ? h[(n + 1) / 2] : (h[n / 2] + h[n / 2 + 1]) / 2
  printf "%s %s %s", ma, mh, (ma <= 2 * mh) ? "met" : "MISSED" }' <<< "$ratios")
read -r med_after med_hand med_verdict <<< "$med"
echo "Median non-default decisions after shrinking, over the hand-minimal cases: $med_after; median"
echo "hand-minimal: $med_hand; target (within 2x): $med_verdict."
echo
echo "Hand-minimal schedules (non-default decisions a person needs; the shrinker's first run, every"
echo "decision 0, shows whether 0 suffices):"
echo "- influxdb3.duplicate_writer buggy 1: 0. In the all-default run (no faults, every latency 0, each"
echo "  task runs until it blocks) both writers open at once, load the same last sequence number and"
echo "  put wal/1; the second plain put overwrites the first."
echo "- influxdb3.ambiguous_retry buggy 3: 2. The swarm must enable ambiguous puts (one swarm decision;"
echo "  the lowest probability level, 0.001, is enough because the outcome is itself a decision) and one"
echo "  WAL put must apply but answer a timeout (one fault decision); the retry's AlreadyExists then"
echo "  stops the lone writer."
echo "- slatedb.flush_self_fence buggy 2: 3. The caller's flush() must try WAL N while the flush task's"
echo "  Create of WAL N is in flight: store latency enabled (one swarm decision), that put slow (one"
echo "  latency), and one think time that lands the caller's flush() inside it."
echo "- slatedb.zombie_writer buggy-1622 6: 1. The all-default run does not fail; one pause of the stale"
echo "  writer, long enough for the newer writer's GC to delete the fence WAL, lets its Create succeed."
echo
echo "(wall time $(echo "$(date +%s.%N) - $start" | bc -l | xargs printf '%.1f') s; load average after: $(cut -d' ' -f1-3 /proc/loadavg))"
echo
