#!/usr/bin/env bash
# Screenshots of every page and the main dialogs, in English and Swedish, at 1280×800 and at a
# small laptop's 1366×768 with 125 % scaling, from the demo site, without a display:
#   docs/screenshots/<lang>/<size>/<page or dialog>.png
# Each picture is a fresh demo (`stationmgr demo --screenshot FILE --page P | --dialog D
# --lang L --size WxH`), with settings of its own (the user's theme and language are not
# read), then reduced to a 256-colour palette to stay small.
#   scripts/screenshots.sh                 # everything (about 50 pictures, some minutes)
#   scripts/screenshots.sh en 1280x800     # one language and size
#   PYTHON=/path/to/python scripts/screenshots.sh   # another interpreter (default .venv's)
set -euo pipefail
cd "$(dirname "$0")/.."
py=${PYTHON:-.venv/bin/python}
langs=${1:-"en sv"}
sizes=${2:-"1280x800 1366x768"}
pages="board history alerts cards billing chargers capacity audit"
dialogs="session add-charger card wizard"

export QT_QPA_PLATFORM=offscreen
conf=$(mktemp -d)
trap 'rm -rf "$conf"' EXIT
export XDG_CONFIG_HOME="$conf"  # a clean QSettings: light theme, no remembered window

made=()
failed=0
shoot() {  # shoot LANG SIZE NAME ARGS...
  local lang=$1 size=$2 name=$3
  shift 3
  local scale=1
  [ "$size" = 1366x768 ] && scale=1.25  # a 14" laptop at 125 %
  local out="docs/screenshots/$lang/$size/$name.png"
  mkdir -p "$(dirname "$out")"
  QT_SCALE_FACTOR=$scale "$py" -m stationmgr demo --speed 20 --lang "$lang" --size "$size" \
    --screenshot "$out" "$@" >/dev/null 2>&1 || { echo "failed: $out" >&2; failed=1; return 0; }
  echo "$out"
  made+=("$out")
}

for lang in $langs; do
  for size in $sizes; do
    shoot "$lang" "$size" board --page board --bay P1 --screenshot-after 12
    for page in ${pages#board }; do
      case $page in  # alerts: long enough for a blocked bay and a fault to be raised
        alerts) shoot "$lang" "$size" alerts --page alerts --speed 120 --screenshot-after 20 ;;
        *) shoot "$lang" "$size" "$page" --page "$page" --screenshot-after 5 ;;
      esac
    done
    for dialog in $dialogs; do
      shoot "$lang" "$size" "$dialog" --dialog "$dialog" --screenshot-after 4
    done
  done
done

"$py" - "${made[@]}" <<'PY'
import sys
from PIL import Image
for path in sys.argv[1:]:
    im = Image.open(path).convert("RGB")
    im.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(
        path, optimize=True
    )
PY
du -ch "${made[@]}" | tail -1
exit $failed
