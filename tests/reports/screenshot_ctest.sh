#!/bin/sh
# Usage: screenshot_ctest.sh SEEDBED_BINARY OUT_DIR SCREENSHOT_SCRIPT
# Writes the report of a pinned failing seed (influxdb3.duplicate_writer buggy, seed 1), renders it
# with screenshot.sh and checks the PNG: exit 0 ok, 77 skipped (no chromium), 1 failed.
set -eu
seedbed=$1
out=$2
script=$3
if ! command -v chromium >/dev/null 2>&1 && ! command -v chromium-browser >/dev/null 2>&1; then
  echo "SKIP: chromium is not installed (apt-get install -y chromium); the HTML report was not rendered"
  exit 77
fi
rm -rf "$out"
mkdir -p "$out"
set +e
"$seedbed" run influxdb3.duplicate_writer --variant buggy --seed 1 --report "$out" >"$out/run.log" 2>&1
code=$?
set -e
if [ "$code" -ne 1 ]; then
  echo "FAIL: the pinned seed should fail with exit 1, got $code"; cat "$out/run.log"; exit 1
fi
html="$out/influxdb3.duplicate_writer.buggy.seed1.html"
[ -s "$html" ] || { echo "FAIL: no report $html"; exit 1; }
sh "$script" "$html" "$out/report.png"
# A PNG starts with \211PNG; a blank page compresses to a few kilobytes.
size=$(wc -c <"$out/report.png")
magic=$(head -c 4 "$out/report.png" | tail -c 3)
if [ "$magic" != "PNG" ] || [ "$size" -lt 20000 ]; then
  echo "FAIL: $out/report.png is not a rendered report ($size bytes)"; exit 1
fi
echo "ok: $out/report.png ($size bytes)"
