#!/bin/sh
# Usage: screenshot_ctest.sh SEEDBED_BINARY OUT_DIR SCREENSHOT_SCRIPT
# Renders the HTML reports of four pinned failures in headless Chromium (Debian's `chromium`, which
# `make deps` installs): a screenshot of each (a PNG that is not blank), and the page's own self-test
# (REPORT.html#selftest, read back with --dump-dom), which drives the page as a user would: wheel
# zoom, key pan, the compressed axis, the minimap, search and lane filtering, toggling the causal
# arrows, the per-key history view, clicking an op for its detail, and that the violation's named
# ops or objects are highlighted. Exit 0 ok, 1 failed (chromium missing included: this test must run).
set -eu
seedbed=$1
out=$2
script=$3
chromium_bin=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$chromium_bin" ]; then
  echo "FAIL: chromium is not installed, so the HTML reports cannot be rendered (make deps installs it:"
  echo "      apt-get install -y chromium)"
  exit 1
fi
rm -rf "$out"
mkdir -p "$out"
status=0
# scenario variant seed: rqlite's Windows rename vs an open stream, slatedb's manifest ahead of the
# WAL, cnosdb's Raft leader without a committed entry, slatedb's zombie writer whose fence WAL the GC
# deleted (#1622), so an acknowledged write is lost (no-lost-acknowledged-writes).
for case in "rqlite.snapshot_stream_lock buggy 1" "slatedb.wal_id_last_seen buggy 39" "cnosdb.raft_wal_io buggy 4" \
            "slatedb.zombie_writer buggy-1622 17"; do
  set -- $case
  name="$1.$2.seed$3"
  set +e
  "$seedbed" run "$1" --variant "$2" --seed "$3" --report "$out" >"$out/$name.log" 2>&1
  code=$?
  set -e
  if [ "$code" -ne 1 ]; then
    echo "FAIL: $name should fail with exit 1 (the pinned seed no longer shows its bug?), got $code"
    cat "$out/$name.log"; status=1; continue
  fi
  html="$out/$name.html"
  [ -s "$html" ] || { echo "FAIL: no report $html"; status=1; continue; }
  # The lost write's report is taller: its per-key view with the missing mark is below the timeline.
  size=1600x1300
  [ "$1" = slatedb.zombie_writer ] && size=1600x2300
  sh "$script" "$html" "$out/$name.png" "$size" || { status=1; continue; }
  size=$(wc -c <"$out/$name.png")
  magic=$(head -c 4 "$out/$name.png" | tail -c 3)
  if [ "$magic" != "PNG" ] || [ "$size" -lt 60000 ]; then
    echo "FAIL: $out/$name.png is not a rendered report ($size bytes)"; status=1
  fi
  profile=$(mktemp -d)
  abs=$(cd "$out" && pwd)/$name.html
  timeout 60 "$chromium_bin" --headless --no-sandbox --disable-gpu --user-data-dir="$profile" --window-size=1600,1000 \
    --virtual-time-budget=10000 --dump-dom "file://$abs#selftest" 2>/dev/null >"$out/$name.dom.html" || true
  rm -rf "$profile"
  # The self-test's lines: "PASS name (...)" / "FAIL name (...)", then DONE.
  sed -n 's/.*<pre id="selftest">//; /^\(PASS\|FAIL\|INFO\|first-paint\|frame-ms\|counts\|DONE\)/p' "$out/$name.dom.html" >"$out/$name.selftest.txt"
  echo "== $name"; cat "$out/$name.selftest.txt"
  grep -q '^DONE' "$out/$name.selftest.txt" || { echo "FAIL: $name: the page's self-test did not finish"; status=1; }
  if grep -q '^FAIL' "$out/$name.selftest.txt"; then echo "FAIL: $name: a self-test check failed"; status=1; fi
  for check in zoom-wheel pan-key reset-key axis-compressed minimap search filter-process filter-lanes \
               arrows-whole-run arrows-toggle violation-names per-key-view click-detail; do
    grep -q "^PASS $check" "$out/$name.selftest.txt" || { echo "FAIL: $name: no PASS $check"; status=1; }
  done
done
# What each report must show of its bug (the data the page draws, checked in the self-test's counts).
grep -q '^PASS violation-names (.* [1-9][0-9]* holds' "$out/rqlite.snapshot_stream_lock.buggy.seed1.selftest.txt" ||
  { echo "FAIL: rqlite: the follower's open handle of the snapshot's .db is not highlighted"; status=1; }
grep -q '^PASS arrows-toggle ([1-9][0-9]* arrows, [1-9][0-9]* drawn' "$out/cnosdb.raft_wal_io.buggy.seed4.selftest.txt" ||
  { echo "FAIL: cnosdb: no Raft messages drawn as arrows"; status=1; }
grep -q '^PASS violation-names (.* [1-9][0-9]* state bands' "$out/cnosdb.raft_wal_io.buggy.seed4.selftest.txt" ||
  { echo "FAIL: cnosdb: the leader's term band the violation names is not highlighted"; status=1; }
grep -q '^PASS per-key-view ([1-9][0-9]* keys; [^:]*: [1-9][0-9]* bars' "$out/slatedb.wal_id_last_seen.buggy.seed39.selftest.txt" ||
  { echo "FAIL: slatedb: the per-key history view drew no ops"; status=1; }
# Leases (Runtime::HoldBegin): each Raft leader's term; both zombie writers' epochs.
grep -q '^INFO holds .*lease [1-9]' "$out/cnosdb.raft_wal_io.buggy.seed4.selftest.txt" ||
  { echo "FAIL: cnosdb: no Raft leader term drawn as a lease"; status=1; }
grep -q '^INFO holds .*lease [2-9]' "$out/slatedb.zombie_writer.buggy-1622.seed17.selftest.txt" ||
  { echo "FAIL: slatedb zombie: the two writers' epochs are not drawn as leases"; status=1; }
grep -q '^PASS missing-mark (op [0-9]* put ' "$out/slatedb.zombie_writer.buggy-1622.seed17.selftest.txt" ||
  { echo "FAIL: slatedb zombie: the per-key view does not mark the lost acknowledged write as missing"; status=1; }
[ "$status" -eq 0 ] && echo "ok: screenshots and self-tests in $out"
exit "$status"
