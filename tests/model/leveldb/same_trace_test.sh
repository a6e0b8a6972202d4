#!/bin/sh
# The same seeds of leveldb.crash_recovery give the same trace hashes in separate processes (address
# randomisation on, and off through setarch -R when available) and with LevelDB linked shared or
# static. Usage: same_trace_test.sh SHARED_EXE STATIC_EXE VARIANT FIRST LAST
set -eu
shared=$1 static=$2 variant=$3 first=$4 last=$5
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$shared" "$variant" "$first" "$last" > "$out/shared1"
"$shared" "$variant" "$first" "$last" > "$out/shared2"
"$static" "$variant" "$first" "$last" > "$out/static"
if command -v setarch >/dev/null 2>&1 && setarch "$(uname -m)" -R true 2>/dev/null; then
  setarch "$(uname -m)" -R "$static" "$variant" "$first" "$last" > "$out/static_norandom"
else
  cp "$out/static" "$out/static_norandom"
fi
lines=$(wc -l < "$out/shared1")
expected=$((last - first + 1))
if [ "$lines" -ne "$expected" ]; then
  echo "expected $expected lines, got $lines"; exit 1
fi
status=0
for other in shared2 static static_norandom; do
  if ! cmp -s "$out/shared1" "$out/$other"; then
    echo "trace hashes differ: shared (first process) vs $other:"
    diff "$out/shared1" "$out/$other" | head -20
    status=1
  fi
done
[ "$status" -eq 0 ] && echo "$expected seeds of $variant: identical trace hashes in 4 processes (shared twice, static, static without ASLR)"
exit $status
