"""What History, the session detail and the Cards page say in words: stop reasons and who
stopped (not OCPP's spellings), counts without "(s)", totals as h:mm rather than "0 h"."""

from __future__ import annotations

from stationmgr.ocpp_words import StopReason
from ui import fmt, words


def test_every_stop_reason_has_words(qapp) -> None:
    for reason in StopReason:
        assert words.stop_reason(reason.value) != reason.value
    assert words.stop_reason("EVDisconnected") == "The car was unplugged"  # as on the receipt
    assert words.stop_reason("SomethingNew") == "SomethingNew"  # a charger's own word, kept
    assert words.stop_reason(None) == ""


def test_who_stopped(qapp) -> None:
    assert words.stopped_by("ev") == "the car"
    assert words.stopped_by("system") == "stationmgr"
    assert words.stopped_by("olga") == "olga"
    assert words.stopped_by(None) == "–"


def test_counts_and_totals(qapp) -> None:
    assert words.plural(1, "1 card", "{0} cards") == "1 card"
    assert words.plural(3, "1 card", "{0} cards") == "3 cards"
    assert fmt.hours(2_400) == "0:40 h" and fmt.hours(90_000) == "25:00 h"
