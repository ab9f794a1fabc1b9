#!/usr/bin/env bash
# Install everything the tests need and run them headless: the README's test command.
# Extra arguments go to pytest (e.g. scripts/test.sh -k cards).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --test
export QT_QPA_PLATFORM=offscreen
export PYTHON_KEYRING_BACKEND=keyring.backends.null.Keyring
if [ -z "${STATIONMGR_TEST_PG:-}" ] && [ "$(id -u)" = 0 ]; then
  STATIONMGR_TEST_PG=$(scripts/pg-test-server.sh || true)
  export STATIONMGR_TEST_PG
  if [ -n "${CI:-}" ] && [ -z "$STATIONMGR_TEST_PG" ]; then
    # CI is root and installs PostgreSQL itself: a run without it would pass with every
    # PostgreSQL test skipped, so it is red instead.
    echo "test: no PostgreSQL test server (see above); CI runs the PostgreSQL tests too" >&2
    exit 1
  fi
fi
.venv/bin/ruff check --output-format concise .
.venv/bin/lint-imports
set +e
export STATIONMGR_HANG_LOG="${STATIONMGR_HANG_LOG:-$(mktemp -t stationmgr-hang.XXXXXX)}"
# A last guard under the tests' own watchdogs (tests/conftest.py): the run ends, red, well
# inside CI's limit even if something hangs where no Python timeout can reach it.
timeout --kill-after=30 "${STATIONMGR_TEST_WALL_S:-4500}" .venv/bin/python -m pytest "$@"
status=$?
set -e
if [ "$status" != 0 ] && grep -q "^Thread\|^Current thread" "$STATIONMGR_HANG_LOG" 2>/dev/null; then
  echo "test: a test hung; the tests' watchdog ended the run:" >&2
  cat "$STATIONMGR_HANG_LOG" >&2
fi
rm -f "$STATIONMGR_HANG_LOG"
if [ "$status" = 124 ] || [ "$status" = 137 ]; then
  echo "test: the test run passed its wall-clock limit and was stopped" >&2
  exit 1
fi
if [ "$status" = 5 ]; then
  echo "test: no tests were collected — that is a failure" >&2
  exit 1
fi
# The Linux bundle: build it and run it once offscreen (CI's full run; skipped when pytest
# got arguments, i.e. a developer's filtered run, or with STATIONMGR_SKIP_BUNDLE=1).
if [ "$status" = 0 ] && [ "$#" = 0 ] && [ -z "${STATIONMGR_SKIP_BUNDLE:-}" ]; then
  packaging/build.sh || { echo "test: the packaged bundle failed (see above)" >&2; exit 1; }
fi
exit "$status"
