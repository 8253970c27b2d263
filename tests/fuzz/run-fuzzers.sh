#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Runs every libFuzzer harness of a -Dfuzzing=true build for SECONDS each, JOBS at a time, on a copy of its seed
# corpus and crash reproducers (the tree's corpus is never written), and prints one line per harness: executions,
# executions per second, coverage (libFuzzer's cov: edges and ft: features) and findings. Exits 1 if any harness
# found a crash, a leak, a timeout or an out-of-memory; the reproducer is kept in OUT/NAME/ (artifact_prefix).
#
#   tests/fuzz/run-fuzzers.sh BUILD_DIR [SECONDS [JOBS [OUT]]]
#   tests/fuzz/run-fuzzers.sh build-fuzz 30 2
#   FUZZERS="npy zip" tests/fuzz/run-fuzzers.sh build-fuzz 600 1 /tmp/fuzz-out
set -eu
build=$1
seconds=${2:-30}
jobs=${3:-2}
here=$(cd "$(dirname "$0")" && pwd)
keep=${4:+yes}
out=${4:-$(mktemp -d "${TMPDIR:-/tmp}/cxrcam-fuzz-XXXXXX")}
mkdir -p "$out"

run_one() {
  name=$1
  dir="$out/$name"
  mkdir -p "$dir/corpus"
  cp "$here/corpus/$name/"* "$dir/corpus/"
  if [ -d "$here/regressions/$name" ]; then
    find "$here/regressions/$name" -type f ! -name '*.md' -exec cp {} "$dir/corpus/" \;
  fi
  # -rss_limit_mb: the limits of cxr-limits.h keep every input far below it; -timeout: no input may take 10 s.
  status=0
  "$build/tests/fuzz/fuzz-$name" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
    -artifact_prefix="$dir/" "$dir/corpus" >"$dir/log" 2>&1 || status=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/log" | tail -1)
  speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$dir/log" | tail -1)
  cov=$(grep -o 'cov: [0-9]* ft: [0-9]*' "$dir/log" | tail -1)
  found=$(find "$dir" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) | wc -l)
  printf '%-14s %10s runs %7s/s  %-20s findings %s (exit %s)\n' "$name" "${runs:-?}" "${speed:-?}" "${cov:-?}" \
    "$found" "$status"
  [ "$status" = 0 ] && [ "$found" = 0 ]
}

# FUZZERS="npy zip" runs only those harnesses.
names=${FUZZERS:-$(cd "$here/corpus" && ls)}
failed=0
# JOBS harnesses at a time: a simple pool of background runs, each reporting through a file.
set -- $names
while [ $# -gt 0 ]; do
  pids=
  for _ in $(seq "$jobs"); do
    [ $# -gt 0 ] || break
    # Under set -e a finding (run_one failing) would end the subshell before it wrote its status, and the wait
    # below would end this script without a summary and without the other harnesses: catch it here.
    (if run_one "$1" >"$out/$1.line" 2>&1; then echo 0; else echo 1; fi >"$out/$1.status") &
    pids="$pids $!"
    shift
  done
  for pid in $pids; do wait "$pid"; done
done
for name in $names; do
  cat "$out/$name.line"
  [ "$(cat "$out/$name.status")" = 0 ] || failed=1
done
if [ "$failed" != 0 ]; then
  echo "fuzzing found something: reproducers and logs in $out" >&2
  exit 1
fi
[ -n "$keep" ] || rm -rf "$out"
