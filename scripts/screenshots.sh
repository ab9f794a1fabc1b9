#!/usr/bin/env bash
# Screenshots of every page and the main dialogs, in English and Swedish, at 1280×800 and at a
# small laptop's 1366×768 with 125 % scaling, and in the dark palette at 1280×800, from the
# demo site, without a display:
#   docs/screenshots/<lang>/<size>[-dark]/<page or dialog>.png
# Each picture is a fresh demo (`stationmgr demo --screenshot FILE --page P | --dialog D
# --lang L --size WxH`), with settings of its own (the user's theme and language are not
# read), then reduced to a 256-colour palette to stay small.
#   scripts/screenshots.sh                 # everything (about 50 pictures, some minutes)
#   scripts/screenshots.sh en 1280x800     # one language and size
#   scripts/screenshots.sh en 1280x800 dark   # ... in one palette (light, dark)
#   PYTHON=/path/to/python scripts/screenshots.sh   # another interpreter (default .venv's)
set -euo pipefail
cd "$(dirname "$0")/.."
py=${PYTHON:-.venv/bin/python}
langs=${1:-"en sv"}
sizes=${2:-"1280x800 1366x768"}
themes=${3:-"light dark"}
pages="board history alerts cards billing chargers capacity audit"
dialogs="session add-charger card wizard"

export QT_QPA_PLATFORM=offscreen
conf=$(mktemp -d)
trap 'rm -rf "$conf"' EXIT
export XDG_CONFIG_HOME="$conf"  # a clean QSettings: light theme, no remembered window

made=()
failed=0
theme=light
shoot() {  # shoot LANG SIZE NAME ARGS...
  local lang=$1 size=$2 name=$3
  shift 3
  local scale=1
  [ "$size" = 1366x768 ] && scale=1.25  # a 14" laptop at 125 %
  local folder=$size
  [ "$theme" = dark ] && folder=$size-dark
  local out="docs/screenshots/$lang/$folder/$name.png"
  mkdir -p "$(dirname "$out")"
  QT_SCALE_FACTOR=$scale "$py" -m stationmgr demo --speed 20 --lang "$lang" --size "$size" \
    --screenshot "$out" "$@" >/dev/null 2>&1 || { echo "failed: $out" >&2; failed=1; return 0; }
  echo "$out"
  made+=("$out")
}

set_theme() {  # the window's Colours setting, as View → Colours stores it
  theme=$1
  mkdir -p "$conf/stationmgr"
  printf '[ui]\ntheme=%s\n' "$theme" > "$conf/stationmgr/stationmgr.conf"
}

for th in $themes; do
set_theme "$th"
for lang in $langs; do
  for size in $sizes; do
    # the dark palette once per language, at the common size
    [ "$th" = dark ] && [ "$size" != 1280x800 ] && continue
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
