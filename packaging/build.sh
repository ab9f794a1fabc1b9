#!/usr/bin/env bash
# Build the Linux bundle (PyInstaller onedir) and run it once offscreen: `--version`,
# `db create` (migrations) on a fresh database, and a short headless demo site.
#   packaging/build.sh            build into dist/stationmgr and smoke-test it
#   packaging/build.sh --no-demo  skip the demo run (quicker)
# build/pyinstaller keeps PyInstaller's cache, so a rebuild only redoes what changed (delete
# build/ for a clean build). Prints the build time and the bundle size. Exits non-zero, with one line saying which
# step failed, when the build or a smoke run fails.
set -euo pipefail
cd "$(dirname "$0")/.."

run_demo=1
[ "${1:-}" = "--no-demo" ] && run_demo=0

PY=.venv/bin/python
fail() { echo "packaging: $*" >&2; exit 1; }

"$PY" -c "import PyInstaller" 2>/dev/null \
  || fail "PyInstaller is not installed in .venv (scripts/setup.sh installs requirements.lock)"

log=build/pyinstaller.log
mkdir -p build
start=$(date +%s)
if ! "$PY" -m PyInstaller --noconfirm --log-level WARN \
    --distpath dist --workpath build/pyinstaller packaging/stationmgr.spec >"$log" 2>&1; then
  tail -n 30 "$log" >&2
  fail "the PyInstaller build failed (full log: $log)"
fi
built=$(( $(date +%s) - start ))
app=dist/stationmgr/stationmgr
[ -x "$app" ] || fail "the build produced no $app"
size=$(du -sm dist/stationmgr | cut -f1)
echo "packaging: built dist/stationmgr in ${built} s, ${size} MB"

# Smoke runs: no display, a private home and database, nothing of the user's touched.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export QT_QPA_PLATFORM=offscreen
export STATIONMGR_HOME="$tmp/home"
export PYTHON_KEYRING_BACKEND=keyring.backends.null.Keyring

version=$("$app" --version 2>"$tmp/version.err") || { cat "$tmp/version.err" >&2; fail "the bundle did not run: $app --version"; }
if [ -s "$tmp/version.err" ]; then  # e.g. a Qt library missing from the bundle
  cat "$tmp/version.err" >&2
  fail "the bundle complained while starting ($app --version)"
fi
expected=$("$PY" -c "import stationmgr; print('stationmgr', stationmgr.__version__)")
[ "$version" = "$expected" ] || fail "bundle says '$version', the source says '$expected'"
echo "packaging: $version"

"$app" --db "sqlite:///$tmp/site.sqlite3" db create >"$tmp/upgrade.log" 2>&1 \
  || { cat "$tmp/upgrade.log" >&2; fail "the bundle could not migrate a new database"; }
echo "packaging: db create ok (migrations are in the bundle)"

if [ "$run_demo" = 1 ]; then
  start=$(date +%s)
  if ! timeout 120 "$app" demo --headless --duration 5 \
      >"$tmp/demo.log" 2>&1; then
    tail -n 30 "$tmp/demo.log" >&2
    fail "the bundled headless demo failed"
  fi
  grep -iq "session" "$tmp/demo.log" || { cat "$tmp/demo.log" >&2; fail "the demo printed no summary"; }
  echo "packaging: demo --headless ran in $(( $(date +%s) - start )) s:"
  sed 's/^/  /' "$tmp/demo.log" | tail -n 8
  # The desktop app itself, offscreen: Qt, its plugins and our resources are in the bundle.
  if ! timeout 120 "$app" demo --screenshot "$tmp/window.png" \
      --screenshot-after 2 >"$tmp/window.log" 2>&1 || [ ! -s "$tmp/window.png" ]; then
    tail -n 30 "$tmp/window.log" >&2
    fail "the bundled desktop app did not render its window offscreen"
  fi
  echo "packaging: the window rendered offscreen ($(du -k "$tmp/window.png" | cut -f1) kB PNG)"
fi
