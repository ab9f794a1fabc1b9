"""`scripts/screenshots.sh`'s command: `stationmgr demo --screenshot FILE` with `--lang`,
`--size` (a screen of that size, QT_SCALE_FACTOR as on a laptop at 125 %) and `--dialog`
(a dialog framed over its page), run as the script runs it; bad flags are one line, exit 2."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QColor, QImage

ROOT = Path(__file__).resolve().parent.parent


def demo_shot(tmp_path: Path, *args: str, scale: str = "1") -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env.update(
        QT_QPA_PLATFORM="offscreen",
        QT_SCALE_FACTOR=scale,
        STATIONMGR_HOME=str(tmp_path),
        XDG_CONFIG_HOME=str(tmp_path / "config"),  # as the script: the user's settings unread
    )
    return subprocess.run(
        [sys.executable, "-m", "stationmgr", "demo", "--speed", "20", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )


def test_a_page_in_swedish_at_laptop_size(tmp_path: Path) -> None:
    shot = tmp_path / "sv" / "history.png"
    shot.parent.mkdir()
    r = demo_shot(
        tmp_path,
        *("--lang", "sv", "--size", "1366x768", "--page", "history"),
        *("--screenshot", str(shot), "--screenshot-after", "2"),
        scale="1.25",
    )
    assert r.returncode == 0, r.stderr
    assert shot.stat().st_size > 10_000
    image = QImage(str(shot))
    assert (image.width(), image.height()) == (1366, 768)
    colours = {image.pixel(x, y) for x in range(0, 1366, 7) for y in range(0, 768, 7)}
    assert len(colours) > 20  # a drawn window, not an empty canvas


def test_a_dialog_is_framed_over_its_page(tmp_path: Path) -> None:
    shot = tmp_path / "add-charger.png"
    r = demo_shot(
        tmp_path,
        *("--lang", "en", "--size", "1280x800", "--dialog", "add-charger"),
        *("--screenshot", str(shot), "--screenshot-after", "1"),
    )
    assert r.returncode == 0, r.stderr
    image = QImage(str(shot))
    assert (image.width(), image.height()) == (1280, 800)
    bar = QColor(58, 58, 62).rgb()  # the title bar drawn above the dialog
    rows = [y for y in range(800) if sum(image.pixel(x, y) == bar for x in range(0, 1280, 4)) > 60]
    assert rows, "no dialog title bar in the picture"


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("--screenshot", "x.png", "--size", "1366"), "expected WIDTHxHEIGHT"),
        (("--screenshot", "x.png", "--dialog", "bogus"), "no dialog 'bogus': one of session"),
        (("--dialog", "session"), "--dialog is for a screenshot"),
        (("--screenshot", "x.png", "--lang", "de"), "invalid choice: 'de'"),
    ],
)
def test_screenshot_flags_are_checked(tmp_path: Path, args: tuple[str, ...], says: str) -> None:
    r = demo_shot(tmp_path, *args)
    assert r.returncode == 2, r.stderr
    assert says in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert not (ROOT / "x.png").exists() and not (tmp_path / "x.png").exists()
