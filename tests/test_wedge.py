"""The keyboard-wedge burst classifier, with injected key times (no sleeping)."""

from __future__ import annotations

import pytest

from stationmgr.wedge import WedgeClassifier, WedgeTiming


def feed(c: WedgeClassifier, text: str, start: float, gap: float) -> float:
    t = start
    for ch in text:
        c.key(ch, t)
        t += gap
    return t


@pytest.mark.parametrize("card", ["0169552957", "0A1B2C3D", "3d2c1b0a", "04A1B2C3D4E5F6"])
def test_reader_burst_is_a_card(card: str) -> None:
    c = WedgeClassifier()
    t = feed(c, card, 100.0, 0.008)
    b = c.enter(t)
    assert b.from_reader and b.text == card and b.reason == ""


def test_person_typing_is_not_a_card() -> None:
    c = WedgeClassifier()
    t = feed(c, "0169552957", 100.0, 0.18)
    b = c.enter(t)
    assert not b.from_reader
    assert b.text == "0169552957"


def test_burst_after_hand_typed_text_is_returned_alone() -> None:
    c = WedgeClassifier()
    t = feed(c, "abc12", 10.0, 0.2)  # someone typed, then tapped a card
    t = feed(c, "0A1B2C3D", t + 1.0, 0.005)
    b = c.enter(t)
    assert b.from_reader and b.text == "0A1B2C3D"


def test_slow_enter_after_burst_is_typing() -> None:
    c = WedgeClassifier()
    t = feed(c, "0A1B2C3D", 0.0, 0.005)
    assert not c.enter(t + 2.0).from_reader


def test_letters_outside_hex_break_the_burst() -> None:
    c = WedgeClassifier()
    t = feed(c, "0A1B2C3DXYZ", 0.0, 0.005)
    b = c.enter(t)
    assert not b.from_reader


def test_too_short_and_too_long_runs() -> None:
    c = WedgeClassifier()
    assert not c.enter(feed(c, "1234", 0.0, 0.005)).from_reader
    assert not c.enter(feed(c, "1" * 21, 0.0, 0.005)).from_reader


def test_one_slow_gap_inside_splits_the_run() -> None:
    c = WedgeClassifier()
    t = feed(c, "0A1B", 0.0, 0.005)
    t = feed(c, "2C3D", t + 0.3, 0.005)  # a pause mid-number: only 4 fast chars at the end
    assert not c.enter(t).from_reader


def test_edit_key_means_a_person() -> None:
    c = WedgeClassifier()
    t = feed(c, "0A1B2C3", 0.0, 0.005)
    c.edit()
    t = feed(c, "D", t, 0.005)
    assert not c.enter(t).from_reader


def test_whole_burst_must_be_quick() -> None:
    c = WedgeClassifier(WedgeTiming(max_gap_s=0.05, max_total_s=0.2))
    t = feed(c, "0123456789", 0.0, 0.04)  # every gap fine, but 400 ms in all
    b = c.enter(t)
    assert not b.from_reader and "took" in b.reason


def test_state_resets_after_enter() -> None:
    c = WedgeClassifier()
    c.enter(feed(c, "hello", 0.0, 0.2))
    assert c.text == ""
    b = c.enter(feed(c, "0A1B2C3D", 5.0, 0.004))
    assert b.from_reader and b.text == "0A1B2C3D"
    assert not c.enter(9.0).from_reader
