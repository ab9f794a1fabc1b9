"""Render the app icon's PNG (Linux .desktop, 256 px) and Windows .ico from the SVG.

Run after changing resources/icons/stationmgr.svg:
    QT_QPA_PLATFORM=offscreen .venv/bin/python packaging/render_icons.py
"""

from __future__ import annotations

import sys
from pathlib import Path

from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

ICONS = Path(__file__).resolve().parent.parent / "resources" / "icons"


def render(svg: Path, size: int) -> QImage:
    img = QImage(size, size, QImage.Format.Format_ARGB32)
    img.fill(Qt.GlobalColor.transparent)
    painter = QPainter(img)
    QSvgRenderer(str(svg)).render(painter)
    painter.end()
    return img


def main() -> int:
    _app = QGuiApplication(sys.argv[:1])
    svg = ICONS / "stationmgr.svg"
    png = ICONS / "stationmgr.png"
    render(svg, 256).save(str(png))
    Image.open(png).save(
        ICONS / "stationmgr.ico", sizes=[(s, s) for s in (16, 24, 32, 48, 64, 128, 256)]
    )
    print(f"wrote {png} and {png.with_suffix('.ico')}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
