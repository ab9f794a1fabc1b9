"""A refused card is named as one writes it: an RDM6300 frame's zero version byte is not
part of the card number people know (review finding 10: "card 00DEADBEEF refused")."""

from __future__ import annotations

from stationmgr.auth import shown_uid


def test_a_zero_version_byte_is_dropped() -> None:
    assert shown_uid("00DEADBEEF", exact=True) == "DEADBEEF"
    assert shown_uid("00deadbeef") == "DEADBEEF"  # typed, any case
    assert shown_uid("deadbeef") == "DEADBEEF"


def test_other_forms_stay_canonical() -> None:
    assert shown_uid("4B00423C15", exact=True) == "4B00423C15"  # a real version byte
    assert shown_uid("0A 1B 2C 3D") == "0A1B2C3D"
    assert shown_uid("04A1B2C3D4E5F6", exact=True) == "04A1B2C3D4E5F6"
    assert shown_uid("ABC-TAG") == "ABC-TAG"  # an OCPP idTag that is no card number
