#!/usr/bin/env bash
# The suite under load: a fresh clone of this checkout's HEAD runs `npm ci` once and then
# the README's test command N times in a row (default 3) while `stress-ng --cpu 2` keeps
# both cores busy, as other work on a shared machine would. Stops at the first failing run
# and keeps its log. Needs what `npm test` needs (root or sudo for Debian's packages) and
# stress-ng (installed here when missing).
#   bash scripts/test-under-load.sh [runs]
set -euo pipefail
runs="${1:-3}"
root="$(cd "$(dirname "$0")/.." && pwd)"
if ! command -v stress-ng >/dev/null; then
  if [ "$(id -u)" = 0 ]; then apt-get install -y -q stress-ng >/dev/null; else sudo apt-get install -y -q stress-ng >/dev/null; fi
fi
work="$(mktemp -d /tmp/dj-under-load.XXXXXX)"
git clone -q "$root" "$work/clone"
cd "$work/clone"
npm ci --no-audit --no-fund >"$work/npm-ci.log" 2>&1
stress-ng --cpu 2 --timeout 0 >/dev/null 2>&1 &
stress=$!
trap 'kill "$stress" 2>/dev/null || true' EXIT
for i in $(seq 1 "$runs"); do
  log="$work/run-$i.log"
  start=$(date +%s)
  if npm test >"$log" 2>&1; then
    echo "run $i of $runs: passed in $(( $(date +%s) - start )) s ($(grep -E '^ℹ pass' "$log" | tail -1))"
  else
    echo "run $i of $runs: FAILED after $(( $(date +%s) - start )) s; log: $log"
    grep -E '^✖' "$log" | sort -u | head -20
    exit 1
  fi
done
echo "all $runs runs passed under load; logs in $work"
