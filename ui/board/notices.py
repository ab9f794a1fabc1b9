"""A refused or unknown card at a bay, told at once: the site's `card_refused` event as one
short line for the tile (shown for `NOTICE_S` seconds) and the status bar. The card is
named as the site wrote it (`stationmgr.auth.shown_uid`: no reader version byte)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

NOTICE_S = 8.0  # how long the tile shows it (a person at the bay looks up, reads, taps again)

# The core's reasons (stationmgr.auth, stationmgr.sessions) in the attendant's words.
REASONS = {
    "card is blocked": QT_TRANSLATE_NOOP("notice", "blocked"),
    "card group is blocked": QT_TRANSLATE_NOOP("notice", "card group blocked"),
    "card is not allowed at this bay": QT_TRANSLATE_NOOP("notice", "not allowed at this bay"),
    "card already has a session running": QT_TRANSLATE_NOOP("notice", "already charging elsewhere"),
    "bay is busy with another session": QT_TRANSLATE_NOOP("notice", "bay is busy"),
    "bay is out of order": QT_TRANSLATE_NOOP("notice", "bay is out of order"),
    "charger does not answer": QT_TRANSLATE_NOOP("notice", "charger does not answer"),
}


@dataclass(frozen=True, slots=True)
class CardNotice:
    text: str  # the tile's line
    until: float  # time.monotonic() when the tile stops showing it


def refusal_text(data: dict[str, Any]) -> str:
    """ "Unknown card DEADBEEF" or "Card 0A1B2C3D refused: blocked" (one line)."""
    from stationmgr.auth import shown_uid

    uid = data.get("card_uid")
    card = shown_uid(str(uid), exact=True) if uid else ""
    why = str(data.get("why") or data.get("status") or "")
    if why == "unknown card":
        return QCoreApplication.translate("notice", "Unknown card {0}").format(card).strip()
    reason = QCoreApplication.translate("notice", REASONS[why]) if why in REASONS else why
    if card:
        return QCoreApplication.translate("notice", "Card {0} refused: {1}").format(card, reason)
    return QCoreApplication.translate("notice", "Card refused: {0}").format(reason)


def notice_for(data: dict[str, Any], now: float | None = None) -> CardNotice:
    start = time.monotonic() if now is None else now
    return CardNotice(refusal_text(data), start + NOTICE_S)
