#!/usr/bin/env bash
# The shrink section of reports/BENCHMARKS.md (run_benchmarks.sh calls it; it can run alone):
# each seed bug's pinned failing seed (tests/scenarios/seed_scenarios_test.cc) is run with a
# failure file, then shrunk within an attempt budget (deterministic: the result is a function of
# the file and the budget, whatever the machine's speed; the time bound is only a backstop, and
# the table says when it cut a shrink). Prints markdown on stdout.
# Then, per buggy variant, the first SWEEP_SEEDS failing seeds of 1..200, each shrunk within
# SWEEP_ATTEMPTS: how many shrank to their input's signature.
# Usage: tests/bench/shrink_table.sh SEEDBED_BINARY [ATTEMPTS [SECONDS [SWEEP_ATTEMPTS [SWEEP_SEEDS]]]]
set -euo pipefail
seedbed_bin=$1
attempts=${2:-1500}
seconds=${3:-300}
sweep_attempts=${4:-300}
sweep_seeds=${5:-5}
tmp_dir=$(mktemp -d)
trap 'rm -rf "$tmp_dir"' EXIT
start=$(date +%s.%N)

# Hand-minimal schedules (non-default decisions a person needs to show the bug with the input's
# signature; each explained below the table). Six are worked out; the others show "-".
declare -A hand=(
  ["influxdb3.duplicate_writer buggy 1"]=0
  ["influxdb3.ambiguous_retry buggy 3"]=2
  ["slatedb.flush_self_fence buggy 2"]=3
  ["slatedb.zombie_writer buggy-1622 17"]=1
  ["slatedb.zombie_writer buggy-1622 1"]=0
  ["rqlite.snapshot_stream_lock buggy 1"]=0
)
cases=(
  "influxdb3.duplicate_writer buggy 1" "influxdb3.ambiguous_retry buggy 3"
  "slatedb.wal_id_last_seen buggy 39" "slatedb.flush_self_fence buggy 2"
  "slatedb.zombie_writer buggy-271 56" "slatedb.zombie_writer buggy-1622 17"
  "slatedb.zombie_writer buggy-1622 1"
  "rqlite.snapshot_stream_lock buggy 1" "rqlite.snapshot_stream_lock buggy-posix 1"
  "cnosdb.raft_wal_io buggy 13" "cnosdb.raft_wal_io buggy 121")
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
echo "Made by \`tests/bench/shrink_table.sh build/release/seedbed $attempts $seconds $sweep_attempts $sweep_seeds\`."
echo
echo "Each seed bug's pinned failing seed: \`seedbed run S --variant V --seed N --report DIR\`, then"
echo "\`seedbed shrink DIR/S.V.seedN.failure.json --attempts $attempts --time ${seconds}s\` (tests/bench/shrink_table.sh)."
echo "The attempt budget decides the result (the time bound is a backstop: 'time limit' below says it"
echo "cut a shrink, whose result then depends on the machine's speed). Non-default decisions are the"
echo "choices the story needs; decisions count what a replay needs (the defaults that end each site's"
echo "stream are implied). A kept edit never grows faults, crashes, non-default decisions, context"
echo "switches or decisions. Same signature: the shrunk file replays exactly and fails with the"
echo "input's signature (scenarios/harness/signature.h)."
echo
echo "| scenario variant seed | non-default | decisions | hand-minimal | faults | crashes | context switches | events | runs, time, stopped by | same signature |"
echo "|---|---|---|---|---|---|---|---|---|---|"
printf '%s' "$rows"
echo
echo "Same signature after shrinking: $same of $total."
echo
# Target: the median of (after non-default) over the hand-minimal cases within 2x of theirs; and,
# per case, after / hand (0 / 0 counts as 1, n / 0 as a miss).
med=$(awk 'NF == 2 { a[++n] = $1; h[n] = $2 } END {
  for (i = 1; i <= n; i++) { r[i] = h[i] == 0 ? (a[i] == 0 ? 1 : 1e9) : a[i] / h[i] }
  for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
  for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (h[j] < h[i]) { t = h[i]; h[i] = h[j]; h[j] = t }
  for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (r[j] < r[i]) { t = r[i]; r[i] = r[j]; r[j] = t }
  met = 0
  for (i = 1; i <= n; i++) met += r[i] <= 2
  ma = n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
  mh = n % 2 ? h[(n + 1) / 2] : (h[n / 2] + h[n / 2 + 1]) / 2
  mr = n % 2 ? r[(n + 1) / 2] : (r[n / 2] + r[n / 2 + 1]) / 2
  printf "%s %s %s %.2f %s %d %d", ma, mh, (ma <= 2 * mh) ? "met" : "MISSED", mr, (mr <= 2) ? "met" : "MISSED", met, n }' <<< "$ratios")
read -r med_after med_hand med_verdict med_ratio ratio_verdict cases_met cases_n <<< "$med"
echo "Over the $cases_n hand-minimal cases: median non-default decisions after shrinking $med_after, median"
echo "hand-minimal $med_hand (within 2x: $med_verdict); median per-case ratio after / hand-minimal"
echo "$med_ratio (0 / 0 counts as 1; within 2x: $ratio_verdict); $cases_met of $cases_n cases within 2x."
echo
echo "Hand-minimal schedules (non-default decisions a person needs for the input's signature). Checked"
echo "on the shrunk file by replaying every subset of its non-default decisions with the rest set to 0"
echo "(\`seedbed shrink F --attempts 0\` prints the replayed run's signature):"
echo "- influxdb3.duplicate_writer buggy 1: 0. The all-default run (no faults, every latency 0, each task"
echo "  runs until it blocks) fails: both writers open at once, load the same last sequence number and"
echo "  put wal/1; the second plain put overwrites the first. The shrinker's first run reaches it."
echo "- influxdb3.ambiguous_retry buggy 3: 2. The swarm must enable ambiguous puts (one kSwarm decision)"
echo "  and one WAL put must apply but answer a timeout (one kFault decision); the retry's AlreadyExists"
echo "  then stops the lone writer. Neither can be dropped (the subset replay), and the shrinker keeps"
echo "  exactly these two."
echo "- slatedb.flush_self_fence buggy 2: 3. The caller's flush() must try WAL N while the flush task's"
echo "  Create of WAL N is in flight: store latency enabled (one kSwarm decision), that put slow (one"
echo "  latency) and one think time that lands the caller's flush() inside it. Checked: the shrunk file"
echo "  with only its swarm switch, its last latency scaled to 15 ms and its second think time scaled"
echo "  to 109 ms, every other decision 0, fails with the signature. The shrinker keeps 7 (the swarm"
echo "  switch, 4 latencies, 2 think times), none of which can be zeroed: its edits only zero or lower"
echo "  values, and the 3-decision schedule needs two of them raised."
echo "- slatedb.zombie_writer buggy-1622 1: 0. The all-default run fails with this seed's signature"
echo "  (single-writer: the old writer acknowledges above the newer writer's fence once GC deleted it)."
echo "- slatedb.zombie_writer buggy-1622 17: 1. The all-default run fails, but as single-writer (the row"
echo "  above), so the lost-write signature needs at least one non-default decision; one think time of an"
echo "  old client (~312 ms after its first write) is enough, and it is what the shrinker keeps."
echo "- rqlite.snapshot_stream_lock buggy 1: 0. The all-zero list fails with the same signature (the"
echo "  subset replay), but its run has 102 context switches against the input's 37, so the shrinker's"
echo "  never-grow rule (no kept edit adds context switches) forbids it and it stops at 4."
echo

# Same signature over several failing seeds of every buggy variant (not only the pinned one).
sweep_variants=(
  "influxdb3.duplicate_writer buggy" "influxdb3.ambiguous_retry buggy" "slatedb.wal_id_last_seen buggy"
  "slatedb.flush_self_fence buggy" "slatedb.zombie_writer buggy-271" "slatedb.zombie_writer buggy-1622"
  "rqlite.snapshot_stream_lock buggy" "rqlite.snapshot_stream_lock buggy-posix" "cnosdb.raft_wal_io buggy")
sweep_rows="" sweep_same=0 sweep_total=0
for c in "${sweep_variants[@]}"; do
  read -r scenario variant <<< "$c"
  n=0 same_n=0 seeds="" before_nd="" after_nd=""
  for seed in $(seq 1 200); do
    ((n < sweep_seeds)) || break
    dir="$tmp_dir/sweep"
    rm -rf "$dir" && mkdir -p "$dir"
    "$seedbed_bin" run "$scenario" --variant "$variant" --seed "$seed" --report "$dir" > /dev/null 2>&1 || true
    file="$dir/$scenario.$variant.seed$seed.failure.json"
    [[ -f "$file" ]] || continue
    n=$((n + 1))
    input_sig=$(grep -o '"signature": "[^"]*"' "$file" | cut -d'"' -f4 || true)
    out=$("$seedbed_bin" shrink "$file" --attempts "$sweep_attempts" --time "${seconds}s" 2> /dev/null || true)
    shrunk="$dir/$scenario.$variant.seed$seed.shrunk.failure.json"
    shrunk_sig=$(grep -o '"signature": "[^"]*"' "$shrunk" 2> /dev/null | cut -d'"' -f4 || true)
    replay_out=$("$seedbed_bin" replay "$shrunk" 2> /dev/null || true)
    if [[ -n "$input_sig" && "$input_sig" == "$shrunk_sig" ]] &&
       grep -q 'reproduced the recorded run exactly' <<< "$replay_out"; then
      same_n=$((same_n + 1))
      seeds+="$seed "
    else
      seeds+="$seed(differs) "
    fi
    before_nd+="$(awk '/^before:/ { gsub(/[(),]/, "", $4); print $4 }' <<< "$out") "
    after_nd+="$(awk '/^after:/ { gsub(/[(),]/, "", $4); print $4 }' <<< "$out") "
  done
  median() { tr ' ' '\n' | awk 'NF { a[++n] = $1 } END {
    if (n == 0) { print "-"; exit }
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
    print (n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2) }'; }
  sweep_rows+="| $scenario $variant | ${seeds% } | $same_n of $n | $(median <<< "$before_nd") -> $(median <<< "$after_nd") |"$'\n'
  sweep_same=$((sweep_same + same_n))
  sweep_total=$((sweep_total + n))
done
echo "### Same signature over several failing seeds"
echo
echo "Per buggy variant, the first $sweep_seeds failing seeds of 1..200 (\`seedbed run ... --report DIR\`),"
echo "each shrunk with \`seedbed shrink FILE --attempts $sweep_attempts --time ${seconds}s\`. Same signature:"
echo "the shrunk file replays exactly and its signature is the one the input failure file records."
echo
echo "| scenario variant | failing seeds shrunk | same signature | non-default decisions, median before -> after |"
echo "|---|---|---|---|"
printf '%s' "$sweep_rows"
echo
echo "Same signature after shrinking: $sweep_same of $sweep_total failing seeds."
echo
echo "(wall time $(echo "$(date +%s.%N) - $start" | bc -l | xargs printf '%.1f') s; load average after: $(cut -d' ' -f1-3 /proc/loadavg))"
echo
