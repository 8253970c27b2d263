#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The demo ends in the review window (README's first command, on 20 phantoms and one epoch to stay short):
#  1. headless (no DISPLAY, no WAYLAND_DISPLAY) it does the whole job, exits 0 and prints, as its last line, the
#     command that opens the window; that exact command, run with a clean environment on the test's Xvfb,
#     opens the window on the demo's data;
#  2. with a display, the demo opens the window itself, detached: the CLI exits 0 and the window, titled with the
#     dataset, is up afterwards, with nothing CRITICAL, WARNING or ERROR in its log (FOLDER/window.log).
# Each window runs on a session bus of its own (dbus-run-session), as a desktop session gives one.
#
#   test-demo-window.sh BUILD_ROOT
set -eu

fail() { echo "not ok - $*"; exit 1; }

# Waits up to 30 s for a visible window titled exactly $1; prints its id.
wait_for_window() {
  for _ in $(seq 1 60); do
    w=$(xdotool search --onlyvisible --name "^$1\$" 2>/dev/null | head -n 1) || true
    if [ -n "$w" ]; then echo "$w"; return 0; fi
    sleep 0.5
  done
  return 1
}

# Inside a private session bus: runs "$@" (which starts the window one way or another), waits for the window
# titled "data", checks it stays up and quiet, closes it.
if [ "${1:-}" = --on-own-bus ]; then
  shift
  log=$1; shift
  "$@" || fail "$* exited with $?"
  w=$(wait_for_window data) || { cat "$log"; fail "no window titled 'data' within 30 s"; }
  pid=$(xdotool getwindowpid "$w")
  sleep 3
  kill -0 "$pid" 2>/dev/null || { cat "$log"; fail "the window died"; }
  kill "$pid"
  while kill -0 "$pid" 2>/dev/null; do sleep 0.2; done
  if grep -E 'CRITICAL|WARNING|ERROR' "$log"; then fail "the window printed the lines above"; fi
  exit 0
fi

build=$1
[ -n "${DISPLAY:-}" ] || fail "no DISPLAY: run under xvfb-run"
command -v xdotool >/dev/null || fail "xdotool is missing (.ci/setup installs it)"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/home"
cli=$build/src/cli/cxrcam-cli
demo=$tmp/demo
# A sanitized build (.ci/sanitize) keeps its sanitizer settings in the clean environments below: they belong to the
# build, not to the user's environment that env -i stands for.
sanitizer_env=()
for var in ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS; do
  [ -n "${!var:-}" ] && sanitizer_env+=("$var=${!var}")
done

# 1. Headless.
env -u DISPLAY -u WAYLAND_DISPLAY "$cli" demo --images 20 --epochs 1 "$demo" >"$tmp/demo.out" 2>"$tmp/demo.err" ||
  { cat "$tmp/demo.err"; fail "the headless demo failed"; }
for f in data/BBox_List_2017.csv model/best.pth model/history.csv output/bb_results.csv; do
  [ -s "$demo/$f" ] || fail "the demo wrote no $f"
done
grep -q "mean IoU" "$tmp/demo.out" || fail "the demo printed no localisation summary"
command=$(tail -n 1 "$tmp/demo.err" | sed 's/^ *//')
# The window opens on the comparison's winner: the method and threshold the demo's cam step used, and its layer
# as the window's Target layer row offers it.
cam_step=$(grep '^\$ cxrcam-cli cam ' "$tmp/demo.err") || fail "the demo printed no cam step"
method=$(sed -n 's/.* --method \([^ ]*\) .*/\1/p' <<<"$cam_step")
threshold=$(sed -n 's/.* --threshold \([^ ]*\) .*/\1/p' <<<"$cam_step")
[ -n "$method" ] && [ -n "$threshold" ] || fail "no method or threshold in: $cam_step"
prefix="$build/src/ui/cxrcam $demo/data --model $demo/model/best.pth --method $method --layer "
case $command in
  "$prefix"*" --threshold $threshold") ;;
  *) fail "the demo's last line is '$command', not '$prefix... --threshold $threshold'" ;;
esac
layer=${command#"$prefix"}
layer=${layer%" --threshold $threshold"}
case $layer in
  layer2|layer3|layer4|layer2+layer3|layer2+layer3+layer4) ;;
  *) fail "the window's layer '$layer' is not one the demo compares" ;;
esac
echo "ok - headless, the demo did the job and printed: $command"

env -i PATH=/usr/bin:/bin HOME="$tmp/home" DISPLAY="$DISPLAY" XAUTHORITY="${XAUTHORITY:-}" "${sanitizer_env[@]}" \
  dbus-run-session -- "$0" --on-own-bus "$tmp/printed.log" sh -c "$command >'$tmp/printed.log' 2>&1 &" \
  >"$tmp/bus1.log" 2>&1 || { cat "$tmp/bus1.log"; fail "the printed command did not open the window"; }
echo "ok - that command opens the window on the demo's data"

# 2. With a display: the demo opens the window (it reuses the phantoms and the finished run).
env -i PATH=/usr/bin:/bin HOME="$tmp/home" DISPLAY="$DISPLAY" XAUTHORITY="${XAUTHORITY:-}" "${sanitizer_env[@]}" \
  dbus-run-session -- "$0" --on-own-bus "$demo/window.log" "$cli" demo --images 20 --epochs 1 "$demo" \
  >"$tmp/bus2.log" 2>&1 || { cat "$tmp/bus2.log"; fail "the demo did not open the window"; }
grep -q "Opened the review window" "$tmp/bus2.log" || { cat "$tmp/bus2.log"; fail "the demo did not say it opened it"; }
echo "ok - with a display the demo exits and leaves the window open on the demo"
