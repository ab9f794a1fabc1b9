#!/usr/bin/env bash
# Regenerate the README's screenshots of the board, a curve and the history from the demo
# site (no display needed); the cards page's picture is made with the cards page's work.
# Each run is a fresh demo database; PNGs are reduced to a 256-colour palette.
set -euo pipefail
cd "$(dirname "$0")/.."
out=docs/screenshots
mkdir -p "$out"
export QT_QPA_PLATFORM=offscreen
sm=.venv/bin/stationmgr
$sm demo --speed 20 --bay P1 --screenshot "$out/board.png" --screenshot-after 14
$sm demo --speed 120 --bay P3 --screenshot "$out/curve.png" --screenshot-after 30
$sm demo --speed 20 --page history --screenshot "$out/history.png" --screenshot-after 6
.venv/bin/python - "$out"/board.png "$out"/curve.png "$out"/history.png <<'PY'
import sys
from PIL import Image
for path in sys.argv[1:]:
    im = Image.open(path).convert("RGB")
    im.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(
        path, optimize=True
    )
PY
ls -l "$out"
