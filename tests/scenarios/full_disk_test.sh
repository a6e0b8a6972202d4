#!/bin/sh
# Issue 14: write errors under `fuzz --out` (a full disk) give exit 2 and leave no 0-byte or
# truncated file. Runs one small campaign into tmpfs mounts of growing size (in a private mount
# namespace: unshare -m as root, unshare -rm otherwise) and compares every file left with the same
# campaign written to an ample directory: each must be whole (byte-equal), none empty, no temporary
# file left. At least one size must fill up (exit 2) and the largest must fit (exit 1).
# Then the other files a campaign's tools write, from that campaign's report: `baseline --out`,
# `merge --junit` and `history --out`, each onto a tmpfs left with 0, 1, 2 and 64 free pages:
# exit 2 with the errno's message when it fills, and whatever is left is whole (before they went
# through the atomic writer, a full disk left a 0-byte baseline.json / junit.xml / history file).
# usage: full_disk_test.sh SEEDBED WORK_DIR      exit 77 (skipped) without mount namespaces
set -u
seedbed=$1
work=$2
rm -rf "$work"
mkdir -p "$work/ref" "$work/mnt"
campaign="fuzz influxdb3.duplicate_writer --variant buggy --seeds 1..3 --no-shrink"
"$seedbed" $campaign --out "$work/ref" >"$work/ref.log" 2>&1
[ $? = 1 ] || { echo "FAIL: the reference campaign did not exit 1"; cat "$work/ref.log"; exit 1; }
# The reference outputs of the report tools (into an ample directory).
mkdir -p "$work/tools"
"$seedbed" baseline "$work/ref" --out "$work/tools/baseline.json" >/dev/null 2>&1 || { echo "FAIL: baseline"; exit 1; }
"$seedbed" merge "$work/ref/campaign.json" --junit "$work/tools/junit.xml" >/dev/null 2>&1
[ $? = 1 ] || { echo "FAIL: merge --junit did not exit 1"; exit 1; }
"$seedbed" history "$work/ref" --out "$work/tools/history" >/dev/null 2>&1 || { echo "FAIL: history"; exit 1; }

if [ "$(id -u)" = 0 ]; then wrap="unshare -m"; else wrap="unshare -rm"; fi
if ! $wrap sh -c "mount -t tmpfs -o size=8k tmpfs '$work/mnt' && umount '$work/mnt'" 2>/dev/null; then
  echo "SKIP: cannot mount a tmpfs in a private mount namespace ($wrap)"
  exit 77
fi

export seedbed work campaign
$wrap sh -c '
  set -u
  filled=0; fitted=0; bad=0
  for size in 8k 24k 80k 160k 240k 8m; do
    mount -t tmpfs -o size=$size tmpfs "$work/mnt" || exit 1
    "$seedbed" $campaign --out "$work/mnt" >"$work/$size.log" 2>&1
    code=$?
    echo "size $size: exit $code: $(ls "$work/mnt" | tr "\n" " ")"
    case $code in
      2) filled=1; grep -q "No space left on device" "$work/$size.log" || { echo "FAIL: no ENOSPC message"; bad=1; } ;;
      1) fitted=1 ;;
      *) echo "FAIL: size $size: exit $code (expected 2 on a full disk, 1 when it fits)"; cat "$work/$size.log"; bad=1 ;;
    esac
    for f in "$work/mnt"/* "$work/mnt"/.[!.]*; do
      [ -e "$f" ] || continue
      name=$(basename "$f")
      case $name in
        .seedbed-write-test) continue ;;
        .*.tmp.*) echo "FAIL: size $size: temporary file $name left"; bad=1; continue ;;
      esac
      [ -s "$f" ] || { echo "FAIL: size $size: $name is empty"; bad=1; continue; }
      case $name in
        campaign.json) "$seedbed" merge "$f" >/dev/null 2>&1; [ $? != 2 ] || { echo "FAIL: size $size: campaign.json does not read back"; bad=1; } ;;
        campaign.md) grep -q "^## Cells" "$f" || { echo "FAIL: size $size: campaign.md is truncated"; bad=1; } ;;
        *) cmp -s "$f" "$work/ref/$name" || { echo "FAIL: size $size: $name differs from the reference (truncated?)"; bad=1; } ;;
      esac
    done
    umount "$work/mnt"
  done
  [ $filled = 1 ] || { echo "FAIL: no size filled the disk: the test tests nothing"; bad=1; }
  [ $fitted = 1 ] || { echo "FAIL: the largest size did not fit the campaign"; bad=1; }

  # The report tools: 128 pages of tmpfs, all but `free` of them taken by a filler file.
  tools_filled=0; tools_fitted=0
  for free in 0 1 2 64; do
    for tool in baseline junit history; do
      mount -t tmpfs -o size=512k tmpfs "$work/mnt" || exit 1
      head -c $(( (128 - free) * 4096 )) /dev/zero >"$work/mnt/filler" 2>/dev/null
      case $tool in
        baseline) "$seedbed" baseline "$work/ref" --out "$work/mnt/baseline.json" >"$work/tool.log" 2>&1; code=$?; fits=0 ;;
        junit) "$seedbed" merge "$work/ref/campaign.json" --junit "$work/mnt/junit.xml" >"$work/tool.log" 2>&1; code=$?; fits=1 ;;
        history) "$seedbed" history "$work/ref" --out "$work/mnt/history" >"$work/tool.log" 2>&1; code=$?; fits=0 ;;
      esac
      rm -f "$work/mnt/filler"
      echo "$tool, $free free pages: exit $code: $(cd "$work/mnt" && find . -type f | sort | tr "\n" " ")"
      if [ $code = 2 ]; then
        tools_filled=1
        grep -q "No space left on device" "$work/tool.log" || { echo "FAIL: $tool: no ENOSPC message"; cat "$work/tool.log"; bad=1; }
      elif [ $code = $fits ]; then
        tools_fitted=1
      else
        echo "FAIL: $tool, $free free pages: exit $code (expected 2 on a full disk, $fits when it fits)"; cat "$work/tool.log"; bad=1
      fi
      for f in $(cd "$work/mnt" && find . -type f | sort); do
        name=${f#./}
        case $(basename "$name") in
          .seedbed-write-test) continue ;;
          .*.tmp.*) echo "FAIL: $tool: temporary file $name left"; bad=1; continue ;;
        esac
        [ -s "$work/mnt/$name" ] || { echo "FAIL: $tool, $free free pages: $name is empty"; bad=1; continue; }
        cmp -s "$work/mnt/$name" "$work/tools/$name" || { echo "FAIL: $tool, $free free pages: $name differs from the reference (truncated?)"; bad=1; }
      done
      umount "$work/mnt"
    done
  done
  [ $tools_filled = 1 ] || { echo "FAIL: the report tools never filled the disk: the test tests nothing"; bad=1; }
  [ $tools_fitted = 1 ] || { echo "FAIL: the report tools never fitted"; bad=1; }
  exit $bad
'
