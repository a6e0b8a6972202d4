#!/usr/bin/env bash
# Merges a freshly generated benchmark report into the existing one (run_benchmarks.sh's last step):
# each generated section sits between
#   <!-- generated: ID -->  and  <!-- end generated: ID -->
# lines. A section of NEW replaces the section of the same ID in OLD in place; everything of OLD
# outside those markers (the hand-written sections, wherever they stand) is kept byte for byte, and
# so is a generated section NEW does not have (a run of some sections only, SECTIONS=...). A section
# that only NEW has goes right after the nearest one before it in NEW that OLD has too (or before
# OLD's first section).
# NEW may also hold "<!-- kept: ID -->" lines: a section this run did not make, standing where it
# would have; OLD's section of that ID stays, and a new section after it in NEW goes after it.
# An OLD with no markers (a report from before them) keeps what follows its legacy line
# "<!-- Hand-written sections below: ... -->", after NEW.
# Usage: tests/bench/merge_report.sh OLD NEW > MERGED   (OLD may be missing: NEW as it is)
# Exit 2 on bad input: a missing NEW, or an OLD or NEW whose markers do not pair up.
set -euo pipefail

if [[ $# -ne 2 ]]; then
  echo "usage: $0 OLD NEW > MERGED" >&2
  exit 2
fi
old=$1 new=$2
[[ -f "$new" ]] || { echo "merge_report: no generated report at $new" >&2; exit 2; }

# Checks that the markers of a file pair up, one level deep, each ID once.
check_markers() {
  awk -v file="$1" '
    function fail(msg) { printf "merge_report: %s line %d: %s\n", file, NR, msg > "/dev/stderr"; bad = 1; exit 2 }
    /^<!-- generated: [^ ]+ -->$/ {
      if (open != "") fail("section " $3 " starts inside section " open)
      if ($3 in seen) fail("section " $3 " appears twice")
      open = $3; seen[$3] = 1; next
    }
    /^<!-- kept: [^ ]+ -->$/ {
      if (open != "") fail("kept section " $3 " inside section " open)
      if ($3 in seen) fail("section " $3 " appears twice")
      seen[$3] = 1; next
    }
    /^<!-- end generated: [^ ]+ -->$/ {
      if ($4 != open) fail("end of section " $4 " but the open one is \"" open "\"")
      open = ""; next
    }
    END { if (!bad && open != "") { printf "merge_report: %s: section %s never ends\n", file, open > "/dev/stderr"; exit 2 } }
  ' "$1"
}
check_markers "$new"
if [[ ! -f "$old" ]]; then
  grep -v '^<!-- kept: [^ ]* -->$' "$new" || true
  exit 0
fi
check_markers "$old"

if ! grep -q '^<!-- generated: [^ ]* -->$' "$old"; then
  grep -v '^<!-- kept: [^ ]* -->$' "$new" || true
  legacy='<!-- Hand-written sections below: kept as they are by tests/bench/run_benchmarks.sh -->'
  if grep -qxF "$legacy" "$old"; then
    echo
    awk -v m="$legacy" 'kept || $0 == m { kept = 1; print }' "$old"
  fi
  exit 0
fi

# Pass 1 reads NEW: each section's lines (with its markers) and the order of the IDs. Pass 2 walks
# OLD, copying it, with NEW's sections in place of OLD's and NEW's other sections after their
# predecessor in NEW.
awk '
  FNR == NR {
    if ($0 ~ /^<!-- kept: [^ ]+ -->$/) { order[++n] = $3; next }
    if ($0 ~ /^<!-- generated: [^ ]+ -->$/) { id = $3; order[++n] = id; body[id] = "" }
    if (id != "") body[id] = body[id] $0 "\n"
    if ($0 ~ /^<!-- end generated: [^ ]+ -->$/) id = ""
    next
  }
  $0 ~ /^<!-- generated: [^ ]+ -->$/ { in_old[$3] = 1 }
  { old_lines[++m] = $0 }
  END {
    # A NEW-only section follows the nearest section before it in NEW that OLD has (or heads the list).
    for (i = 1; i <= n; i++) {
      if (order[i] in in_old || !(order[i] in body)) continue
      anchor = ""
      for (j = i - 1; j >= 1; j--) if (order[j] in in_old) { anchor = order[j]; break }
      after[anchor] = after[anchor] body[order[i]]
    }
    inside = ""
    for (k = 1; k <= m; k++) {
      line = old_lines[k]
      if (inside == "" && line ~ /^<!-- generated: [^ ]+ -->$/) {
        split(line, f, " "); inside = f[3]
        if (first == "") { first = inside; if ("" in after) { printf "%s", after[""]; delete after[""] } }
        if (inside in body) printf "%s", body[inside]
      }
      if (inside == "" || !(inside in body)) print line
      if (inside != "" && line ~ /^<!-- end generated: [^ ]+ -->$/) {
        if (inside in after) printf "%s", after[inside]
        inside = ""
      }
    }
  }
' "$new" "$old"
