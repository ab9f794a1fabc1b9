#!/usr/bin/env bash
# Set up stationmgr and open the demo site (virtual chargers, cards, cars coming and going).
# Without a display it runs the same site headless and prints a summary.
# Extra arguments go to `stationmgr demo` (e.g. --speed 60).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
if [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] && [ "$(uname)" = Linux ]; then
  exec .venv/bin/stationmgr demo --headless --duration 60 "$@"
fi
exec .venv/bin/stationmgr demo "$@"
