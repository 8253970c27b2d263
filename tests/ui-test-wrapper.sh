#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Runs one UI test (its command line: "$@") on an X server, a session bus and XDG folders of its own, so that the
# UI tests run in parallel like the others. They shared xvfb-run's one display before: two windows on it take
# each other's focus and xdotool's keys, and `xvfb-run -a` started twice at once can pick the same display.
#
# Xvfb chooses a free display itself and reports it on -displayfd once it accepts clients: no race, no sleep. The
# server ends with the test, whatever way the test ends (meson's timeout kills the whole process group). -noreset:
# many tests close their last window and open another (a child window, a second start of the app), and a server
# that resets as its last client leaves refused the next one once ("cannot open display", test-demo-window, on
# the loaded machine).
set -eu

tmp=$(mktemp -d "${TMPDIR:-/tmp}/cxrcam-ui-test.XXXXXX")
xvfb_pid=
cleanup() {
  if [ -n "$xvfb_pid" ]; then
    kill "$xvfb_pid" 2>/dev/null || true
    wait "$xvfb_pid" 2>/dev/null || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

# meson's MALLOC_PERTURB_ and the tests' MALLOC_CHECK_ are for the code under test, not for the server.
mkfifo "$tmp/displayfd"
env -u MALLOC_PERTURB_ -u MALLOC_CHECK_ Xvfb -displayfd 3 -screen 0 1600x1000x24 -nolisten tcp -noreset \
  3>"$tmp/displayfd" </dev/null >"$tmp/xvfb.log" 2>&1 &
xvfb_pid=$!
display=
read -r display <"$tmp/displayfd" || true
if [ -z "$display" ]; then
  echo "ui-test-wrapper: Xvfb did not start:" >&2
  cat "$tmp/xvfb.log" >&2
  exit 1
fi
export DISPLAY=":$display"
# The server has no access control file (only local clients reach it): a cookie of an outer xvfb-run is not for it.
unset XAUTHORITY WAYLAND_DISPLAY

# Nothing the toolkit keeps per user (recently used files, caches, the training page's default run folder when
# a dataset is read-only) is shared with another test or with the user.
for d in cache config data state; do mkdir "$tmp/$d"; done
export XDG_CACHE_HOME="$tmp/cache" XDG_CONFIG_HOME="$tmp/config" XDG_DATA_HOME="$tmp/data" XDG_STATE_HOME="$tmp/state"

status=0
dbus-run-session -- "$@" || status=$?
exit "$status"
