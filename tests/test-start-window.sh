#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Starts the review window as a user would, with a clean environment (env -i: no GSETTINGS_SCHEMA_DIR, no
# XDG_DATA_DIRS into the build, no GSETTINGS_BACKEND), on its own session bus, on a small phantom dataset, and
# asserts that the window comes up showing that dataset, is still alive after 6 seconds, and printed no
# CRITICAL, WARNING or ERROR; and that its translations are found (the German --help).
#
#   test-start-window.sh build    BUILD_ROOT PREFIX BINDIR DATADIR
#       the binary in the build tree: it must find the build folder's schema and catalogues by itself.
#   test-start-window.sh install  BUILD_ROOT PREFIX BINDIR DATADIR
#       `meson install --destdir` into a temporary folder, then the installed binary. Installing into a destdir
#       skips the post-install step (gnome.post_install does nothing under DESTDIR), so this test compiles the
#       destdir's schemas itself and points XDG_DATA_DIRS at the destdir's share (and /usr/share), as the
#       post-install step and the default XDG_DATA_DIRS do at a real prefix. The catalogues are found through the prefix compiled in,
#       which a destdir install does not have, so the German check runs on the build tree's binary only here.
#   test-start-window.sh fallback BUILD_ROOT PREFIX BINDIR DATADIR
#       the installed binary with no schema anywhere (nothing compiled, XDG_DATA_DIRS=/usr/share, which holds
#       none, so not even a cxrcam installed in /usr/local counts): it must start with its defaults and say so.
#
# Under meson test this runs on an Xvfb of its own (tests/ui-test-wrapper.sh sets DISPLAY; DISPLAY and XAUTHORITY
# are passed on: they are the display, not the app's environment).
set -eu
mode=$1 build=$2 prefix=$3 bindir=$4 datadir=$5

fail() { echo "not ok - $*"; exit 1; }
[ -n "${DISPLAY:-}" ] || fail "no DISPLAY: run under xvfb-run"
command -v xdotool >/dev/null || fail "xdotool is missing (.ci/setup installs it)"

tmp=$(mktemp -d)
bus_pid=
# Ends the app; dbus-run-session then ends its bus (and the bus the services it started).
stop_app() {
  [ -n "$bus_pid" ] || return 0
  [ -s "$tmp/app.pid" ] && kill "$(cat "$tmp/app.pid")" 2>/dev/null
  wait "$bus_pid" 2>/dev/null || true
  bus_pid=
}
install_log=
cleanup() {
  stop_app
  if [ -n "$install_log" ]; then
    if [ -f "$tmp/install-log.txt" ]; then cp -p "$tmp/install-log.txt" "$install_log"; else rm -f "$install_log"; fi
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT
mkdir "$tmp/home"

cli=$build/src/cli/cxrcam-cli
app=$build/src/ui/cxrcam
share=
if [ "$mode" != build ]; then
  # meson install rewrites the build's install log, which `ninja uninstall` follows: the real install's is put
  # back right after (or by cleanup() if this is killed). The install and fallback tests run in parallel, so the
  # save, install and restore hold a lock: else one could save the other's destdir log as the real one.
  install_log=$build/meson-logs/install-log.txt
  exec 9>"$build/meson-private/cxrcam-test-install.lock"
  flock 9
  if [ -f "$install_log" ]; then cp -p "$install_log" "$tmp/install-log.txt"; fi
  meson install -C "$build" --no-rebuild --quiet --destdir "$tmp/root" >"$tmp/install.log" 2>&1 ||
    { cat "$tmp/install.log"; fail "meson install --destdir"; }
  if [ -f "$tmp/install-log.txt" ]; then cp -p "$tmp/install-log.txt" "$install_log"; else rm -f "$install_log"; fi
  install_log=
  exec 9>&-
  root=$tmp/root
  app=$root$bindir/cxrcam
  cli=$root$bindir/cxrcam-cli
  share=$root$datadir
  for f in "$app" "$cli" "$share/glib-2.0/schemas/org.cxrcam.Cxrcam.gschema.xml" \
           "$share/applications/org.cxrcam.Cxrcam.desktop" "$share/metainfo/org.cxrcam.Cxrcam.metainfo.xml" \
           "$share/icons/hicolor/scalable/apps/org.cxrcam.Cxrcam.svg" \
           "$share/icons/hicolor/symbolic/apps/org.cxrcam.Cxrcam-symbolic.svg" \
           "$root$prefix/share/locale/de/LC_MESSAGES/cxrcam.mo"; do
    [ -e "$f" ] || fail "meson install did not install ${f#"$root"}"
  done
  echo "ok - meson install --destdir installs the programs, schema, desktop file, metainfo, icons, catalogue"
fi
# Data folders: Debian's own (GTK's schemas and icons) and, for the installed app, the destdir's share; never the
# default's /usr/local/share, where .ci/setup installs a cxrcam whose schema would hide what is tested here.
[ -e /usr/share/glib-2.0/schemas/org.cxrcam.Cxrcam.gschema.xml ] &&
  fail "a cxrcam schema is installed under /usr: these tests cannot tell whose schema the app found"
extra_env=()
case $mode in
  install)
    glib-compile-schemas "$share/glib-2.0/schemas" || fail "glib-compile-schemas on the installed schema"
    extra_env=("XDG_DATA_DIRS=$share:/usr/share") ;;
  fallback)
    extra_env=("XDG_DATA_DIRS=/usr/share") ;;
esac

# A small dataset in a folder whose name becomes the window's title.
"$cli" make-demo --images 20 --size 256 "$tmp/phantoms" >"$tmp/make-demo.log" 2>&1 ||
  { cat "$tmp/make-demo.log"; fail "cxrcam-cli make-demo"; }

# German on screen: the catalogues are found (the option descriptions come from the same catalogue as the
# window's text).
if [ "$mode" = build ]; then
  help=$(env -i PATH=/usr/bin:/bin HOME="$tmp/home" LC_ALL=de_DE.UTF-8 "$app" --help 2>&1) || true
  case $help in
    *"Diesen Modell-Checkpoint öffnen"*) echo "ok - the build tree's German catalogue is found" ;;
    *) echo "$help"; fail "cxrcam --help under LC_ALL=de_DE.UTF-8 is not German (is de_DE.UTF-8 generated?)" ;;
  esac
fi

# A sanitized build (.ci/sanitize) keeps its sanitizer settings: they belong to the build, not to the user's
# environment that env -i stands for.
for var in ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS; do
  [ -n "${!var:-}" ] && extra_env+=("$var=${!var}")
done

log=$tmp/app.log
start=$(date +%s)
env -i PATH=/usr/bin:/bin HOME="$tmp/home" DISPLAY="$DISPLAY" XAUTHORITY="${XAUTHORITY:-}" "${extra_env[@]}" \
  dbus-run-session -- sh -c 'echo $$ >"$3"; exec "$0" "$1" >"$2" 2>&1' "$app" "$tmp/phantoms" "$log" "$tmp/app.pid" \
  >"$tmp/bus.log" 2>&1 &
bus_pid=$!

window=
for _ in $(seq 1 60); do
  window=$(xdotool search --onlyvisible --name '^phantoms$' 2>/dev/null | head -n 1) || true
  [ -n "$window" ] && break
  kill -0 "$bus_pid" 2>/dev/null || break
  sleep 0.5
done
[ -n "$window" ] || { cat "$log"; fail "no visible window titled 'phantoms' within 30 s"; }
echo "ok - the window is up on the dataset after $(($(date +%s) - start)) s"

while [ $(($(date +%s) - start)) -lt 6 ]; do sleep 0.5; done
kill -0 "$(cat "$tmp/app.pid")" 2>/dev/null || { cat "$log"; fail "the app died within 6 s"; }
echo "ok - still running after 6 s"
stop_app

if grep -E 'CRITICAL|WARNING|ERROR' "$log"; then fail "the app printed the lines above"; fi
echo "ok - no CRITICAL, WARNING or ERROR"
if [ "$mode" = fallback ]; then
  grep -q "No settings schema" "$log" || { cat "$log"; fail "without a schema the app did not say so"; }
  echo "ok - without a schema it runs with its defaults and says so"
else
  if grep "No settings schema" "$log"; then fail "the app did not find its schema"; fi
  echo "ok - the schema was found"
fi
