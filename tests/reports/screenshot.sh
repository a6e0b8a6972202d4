#!/bin/sh
# Renders a Seedbed HTML report in headless Chromium (Debian's `chromium` package) and saves a PNG.
# Usage: tests/reports/screenshot.sh REPORT.html OUT.png [WIDTHxHEIGHT]
# Exit: 0 written, 2 bad usage, 77 chromium not installed (CTest: skipped), 1 no or empty PNG.
set -eu
if [ $# -lt 2 ]; then
  echo "usage: $0 REPORT.html OUT.png [WIDTHxHEIGHT]" >&2
  exit 2
fi
html=$1
png=$2
size=${3:-1600x1000}
if [ ! -f "$html" ]; then
  echo "$0: no such file: $html" >&2
  exit 2
fi
chromium_bin=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$chromium_bin" ]; then
  echo "SKIP: chromium is not installed (apt-get install -y chromium)" >&2
  exit 77
fi
abs_html=$(cd "$(dirname "$html")" && pwd)/$(basename "$html")
rm -f "$png"
# A private profile directory: no state shared with a user's browser or between runs.
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
"$chromium_bin" --headless --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir="$profile" \
  --screenshot="$png" --window-size="$(echo "$size" | tr x ,)" "file://$abs_html" >/dev/null 2>&1 || true
if [ ! -s "$png" ]; then
  echo "$0: chromium wrote no screenshot to $png" >&2
  exit 1
fi
echo "screenshot: $png ($(wc -c <"$png") bytes)"
