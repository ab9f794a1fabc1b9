"""Screenshots for the documentation (`--screenshot FILE [--dialog NAME] [--size WxH]`):
the window as it is, or with one of its dialogs open over it, as a person would see them.

A dialog is opened the way the page opens it (the history's session detail, the chargers'
Add-charger, the cards' Edit card) and drawn centred on the window's picture; the first-run
wizard is drawn alone (it comes before the window), on a throwaway database of its own at
its charger step. `--size` is the PNG's size in pixels, as on a screen of that size: with
the offscreen platform the screen itself is made that size (`offscreen_screen`), so a
dialog meets the limits it would meet there (QT_SCALE_FACTOR applies as on a laptop)."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QApplication, QWidget

from stationmgr.errors import UserError

# dialog → the page it opens over
DIALOGS = {"session": "history", "add-charger": "chargers", "card": "cards", "wizard": None}


def parse_size(text: str) -> tuple[int, int]:
    """`1366x768` → (1366, 768); anything else is one clear line."""
    w, sep, h = text.lower().partition("x")
    if not sep or not w.isdigit() or not h.isdigit() or not (320 <= int(w) <= 7680):
        raise UserError(f"--size {text!r}: expected WIDTHxHEIGHT in pixels, e.g. 1366x768")
    if not 240 <= int(h) <= 4320:
        raise UserError(f"--size {text!r}: the height must be 240–4320 pixels")
    return int(w), int(h)


def offscreen_screen(size: tuple[int, int]) -> None:
    """Make the offscreen platform's screen `size` pixels (it is 800×800 by default), before
    the QApplication exists; another platform is left alone (its screen is real)."""
    platform = os.environ.get("QT_QPA_PLATFORM", "")
    if platform != "offscreen":
        return
    screen = {"name": "shot", "x": 0, "y": 0, "width": size[0], "height": size[1]}
    screen.update({"logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1})
    fd, path = tempfile.mkstemp(prefix="stationmgr-screen-", suffix=".json")
    with os.fdopen(fd, "w") as f:
        json.dump({"screens": [screen]}, f)
    os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={path}"
    import atexit

    atexit.register(lambda: Path(path).unlink(missing_ok=True))


def window_size(size: tuple[int, int]) -> QSize:
    """The window's logical size for a picture of `size` pixels (QT_SCALE_FACTOR)."""
    app = QApplication.instance()
    ratio = app.devicePixelRatio() if app is not None else 1.0  # type: ignore[union-attr]
    return QSize(round(size[0] / ratio), round(size[1] / ratio))


def prepare(win: Any, page: str) -> None:
    """What a person would do first on `page` to see it at work: Billing shows the month."""
    if page == "billing" and "billing" in win.pages:
        win.pages["billing"].accountant.reload()


def open_dialog(win: Any, name: str) -> QWidget:
    """Open `name` the way its page does; returns the dialog (not yet loaded)."""
    if name == "session":
        page = win.pages["history"]
        row = next((i for i, r in enumerate(page.model.rows) if r.stopped_at), 0)
        if not page.model.rows:
            raise UserError("no session in the history to show")
        page.open_detail(row)
        return _newest_dialog(page)
    if name == "add-charger":
        dlg = win.pages["chargers"].open_charger(None)
        dlg.name.setText("North")  # as someone starts filling it in: the bay labels follow
        return dlg  # type: ignore[no-any-return]
    if name == "card":
        page = win.pages["cards"]
        rows = page.model.rows
        if not rows:
            raise UserError("no card to show")
        with_holder = next((r for r in rows if r.holder), rows[0])
        return page.open_dialog(with_holder.card_id)  # type: ignore[no-any-return]
    if name == "wizard":
        return _wizard_at_charger_step(win.ctx.worker)
    raise UserError(f"no dialog {name!r}: one of {', '.join(DIALOGS)}")


def loaded(dialog: QWidget) -> bool:
    """Whether the dialog shows what it read from the site (each says so its own way)."""
    for attr in ("loaded", "ready"):
        if hasattr(dialog, attr):
            return bool(getattr(dialog, attr))
    if hasattr(dialog, "detail"):
        return dialog.detail is not None
    return True


def picture(win: QWidget, dialog: QWidget | None, size: tuple[int, int] | None) -> QImage:
    """The window (or the wizard alone), with `dialog` centred over it, at `size` pixels."""
    if dialog is not None and not dialog.parent():  # a top-level of its own: alone
        image = framed(dialog)
    else:
        image = win.grab().toImage()
        if dialog is not None:
            _over(image, dialog)
        if size is not None and (image.width(), image.height()) != size:
            image = image.scaled(  # a pixel lost to rounding the logical size
                size[0],
                size[1],
                Qt.AspectRatioMode.IgnoreAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )
    return image


TITLE_H = 26  # the title bar drawn above a dialog (offscreen windows have no frame)


def framed(dialog: QWidget) -> QImage:
    """`dialog` with a plain title bar (its window title) as a desktop would frame it:
    offscreen windows have no frame."""
    top = dialog.grab().toImage()
    ratio = top.devicePixelRatio()
    out = QImage(top.width(), top.height() + round(TITLE_H * ratio), QImage.Format.Format_RGB32)
    out.setDevicePixelRatio(ratio)
    w, h = top.width() / ratio, top.height() / ratio
    p = QPainter(out)
    bar = QRectF(0, 0, w, TITLE_H)
    p.fillRect(bar, QColor(58, 58, 62))
    p.setPen(QColor(240, 240, 240))
    p.drawText(
        bar.adjusted(10, 0, -10, 0), int(Qt.AlignmentFlag.AlignVCenter), dialog.windowTitle()
    )
    p.drawImage(QPointF(0, TITLE_H), top)
    p.setPen(QColor(58, 58, 62))
    p.drawRect(QRectF(0, 0, w - 1 / ratio, h + TITLE_H - 1 / ratio))
    p.end()
    return out


def _over(image: QImage, dialog: QWidget) -> None:
    """Draw `dialog`, framed, centred on the window's `image`, the window dimmed behind."""
    ratio = image.devicePixelRatio()
    top = framed(dialog)
    w, h = top.width() / ratio, top.height() / ratio
    room_w, room_h = image.width() / ratio, image.height() / ratio
    p = QPainter(image)
    p.fillRect(QRectF(0, 0, room_w, room_h), QColor(0, 0, 0, 70))
    p.drawImage(QPointF(int(max(0, (room_w - w) / 2)), int(max(0, (room_h - h) / 2))), top)
    p.end()


def _newest_dialog(page: QWidget) -> QWidget:
    from PySide6.QtWidgets import QDialog

    found = [c for c in page.findChildren(QDialog) if c.isVisible()]
    if not found:
        raise UserError("the dialog did not open")
    return found[-1]


def _wizard_at_charger_step(worker: Any) -> QWidget:
    """The first-run wizard at its charger step, on a throwaway database of its own (the
    demo's kind: a temporary directory, its keys kept there), gone with the wizard."""
    from contextlib import ExitStack

    from stationmgr.cli.demo import demo_database
    from ui.access.wizard import FirstRunWizard

    stack = ExitStack()
    db = stack.enter_context(demo_database(None))
    w = FirstRunWizard(db, worker=worker)
    w.show()
    _fill(w)
    w.charger_page.name.setText("North")
    w.charger_page.port.set_port("/dev/ttyUSB0")
    w.finished.connect(lambda _result: stack.close())
    return w


def _fill(w: Any) -> None:
    steps: list[Callable[[], None]] = [
        lambda: w.site_page.name.setText("Brf Solrosen"),
        lambda: _seller(w.seller_page.fields),
        lambda: _owner(w.owner_page),
        lambda: w.tariff_page.per_kwh.setText("3,25"),
    ]
    for step in steps:
        step()
        w.next()


def _seller(f: Any) -> None:
    f.name.setText("Brf Solrosen")
    f.org_number.setText("769600-1234")
    f.address.setText("Solrosvägen 2; 123 45 Ängelholm")
    f.vat_number.setText("SE769600123401")


def _owner(p: Any) -> None:
    p.username.setText("olga")
    p.display.setText("Olga Nilsson")
    p.password.setText("screenshot-only-Pa55")
    p.again.setText("screenshot-only-Pa55")
