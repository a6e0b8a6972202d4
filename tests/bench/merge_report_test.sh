#!/usr/bin/env bash
# tests/bench/merge_report.sh on sample reports: a generated section is replaced in place, the
# hand-written text around it (wherever it stands) comes out byte for byte, a section the new run
# did not make stays as it was, a new section lands after its predecessor, a report from before the
# markers keeps what follows its legacy line, and markers that do not pair up are refused (exit 2).
# Usage: merge_report_test.sh [MERGE_SCRIPT]   (seconds; no build needed)
set -euo pipefail

merge=${1:-$(cd "$(dirname "$0")" && pwd)/merge_report.sh}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
check() {  # name, expected file, actual file
  if cmp -s "$2" "$3"; then
    echo "ok: $1"
  else
    echo "FAILED: $1"
    diff -u "$2" "$3" || true
    failures=$((failures + 1))
  fi
}

# Hand-written text with what a naive merge would mangle: printf directives, backslashes, an
# ampersand, trailing blanks, a line that looks almost like a marker, blank lines.
cat > "$tmp/hand1.md" <<'EOF'

## Notes between sections (hand-written)

100% of seeds, `printf "%d\n"`, a \\ backslash & an ampersand, trailing blanks:   
<!-- generated: not-a-marker because of this text -->

EOF
cat > "$tmp/hand2.md" <<'EOF'
## Strategies side by side (hand-written; issue 18)

| a | b |
|---|---|
| 1 | $HOME and $(date) stay text |
EOF
section() {  # id, body line
  printf '<!-- generated: %s -->\n## %s\n\n%s\n<!-- end generated: %s -->\n' "$1" "$1" "$2" "$1"
}
{
  section header "old date"
  section kernel "old kernel figures"
  cat "$tmp/hand1.md"
  section strategy "old strategy table"
  section scaling "old scaling"
  cat "$tmp/hand2.md"
} > "$tmp/old.md"
# The new run: header and kernel regenerated, strategy skipped (SECTIONS=...), a new section
# "fixed" after kernel, scaling regenerated.
{
  section header "new date"
  section kernel "new kernel figures"
  section fixed "new fixed sweep"
  section scaling "new scaling"
} > "$tmp/new.md"
{
  section header "new date"
  section kernel "new kernel figures"
  section fixed "new fixed sweep"
  cat "$tmp/hand1.md"
  section strategy "old strategy table"
  section scaling "new scaling"
  cat "$tmp/hand2.md"
} > "$tmp/expected.md"
# A partial run (SECTIONS=strategy,fixed) marks what it skipped as kept: the new section "fixed"
# goes after "strategy" (its predecessor in the run's order), not after the header.
{
  section header "partial date"
  echo "<!-- kept: kernel -->"
  section strategy "partial strategy table"
  section fixed "partial fixed sweep"
  echo "<!-- kept: scaling -->"
  echo "<!-- kept: not-in-old -->"
} > "$tmp/partial.md"
{
  section header "partial date"
  section kernel "old kernel figures"
  cat "$tmp/hand1.md"
  section strategy "partial strategy table"
  section fixed "partial fixed sweep"
  section scaling "old scaling"
  cat "$tmp/hand2.md"
} > "$tmp/partial_expected.md"
"$merge" "$tmp/old.md" "$tmp/new.md" > "$tmp/merged.md"
check "generated sections replaced in place, hand-written text and skipped sections kept" \
  "$tmp/expected.md" "$tmp/merged.md"
grep -qxF 'old kernel figures' "$tmp/merged.md" && { echo "FAILED: the old kernel section survived"; failures=$((failures + 1)); }

"$merge" "$tmp/old.md" "$tmp/partial.md" > "$tmp/partial_merged.md"
check "a partial run: skipped sections kept, a new one placed after its predecessor in the run" \
  "$tmp/partial_expected.md" "$tmp/partial_merged.md"

# Merging the merged report again with the same run changes nothing.
"$merge" "$tmp/merged.md" "$tmp/new.md" > "$tmp/again.md"
check "merging twice is the same as once" "$tmp/merged.md" "$tmp/again.md"

# No old report: the new one as it is.
"$merge" "$tmp/missing.md" "$tmp/new.md" > "$tmp/fresh.md"
check "no old report: the new one" "$tmp/new.md" "$tmp/fresh.md"

# A report from before the markers: what follows the legacy line is kept after the new report.
legacy='<!-- Hand-written sections below: kept as they are by tests/bench/run_benchmarks.sh -->'
{ echo "# old generated text"; echo; echo "$legacy"; cat "$tmp/hand2.md"; } > "$tmp/legacy.md"
{ cat "$tmp/new.md"; echo; echo "$legacy"; cat "$tmp/hand2.md"; } > "$tmp/legacy_expected.md"
"$merge" "$tmp/legacy.md" "$tmp/new.md" > "$tmp/legacy_merged.md"
check "a report from before the markers keeps its hand-written tail" "$tmp/legacy_expected.md" "$tmp/legacy_merged.md"

# Markers that do not pair up: exit 2 and a message naming the file.
refuse() {  # name, bad file content, as old (1) or new (2)
  printf '%s' "$2" > "$tmp/bad.md"
  local rc=0 args=("$tmp/bad.md" "$tmp/new.md")
  [[ $3 == 2 ]] && args=("$tmp/old.md" "$tmp/bad.md")
  "$merge" "${args[@]}" > /dev/null 2> "$tmp/err.txt" || rc=$?
  if [[ $rc == 2 ]] && grep -q "bad.md" "$tmp/err.txt"; then
    echo "ok: refused: $1"
  else
    echo "FAILED: $1: exit $rc, stderr: $(cat "$tmp/err.txt")"
    failures=$((failures + 1))
  fi
}
refuse "a section that never ends" $'<!-- generated: a -->\ntext\n' 1
refuse "an end without its start" $'text\n<!-- end generated: a -->\n' 2
refuse "a section inside another" $'<!-- generated: a -->\n<!-- generated: b -->\n<!-- end generated: b -->\n<!-- end generated: a -->\n' 2
refuse "a kept section inside a section" $'<!-- generated: a -->\n<!-- kept: b -->\n<!-- end generated: a -->\n' 2
refuse "a section twice" $'<!-- generated: a -->\n<!-- end generated: a -->\n<!-- generated: a -->\n<!-- end generated: a -->\n' 1

if [[ $failures -gt 0 ]]; then
  echo "$failures check(s) failed"
  exit 1
fi
echo "all merge_report checks passed"
