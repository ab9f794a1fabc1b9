"""Card numbers: every row of docs/card-numbers.md's tables, enrolled in one form and
presented in another, on a real SQLite database through the card service (the same calls
the CLI, the GUI and the engine make)."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from stationmgr.auth import exact_text, parse_uid
from stationmgr.cards import (
    CardInput,
    add_card,
    export_csv,
    find_card_facts,
    get_card,
    import_csv,
)
from stationmgr.cli import main
from stationmgr.errors import UserError
from stationmgr.store.db import Database, open_database
from stationmgr.store.models import Card

DOC = Path(__file__).resolve().parent.parent / "docs" / "card-numbers.md"
_FORM = re.compile(r"(frame )?`([^`]+)`")


def _table(heading: str) -> list[list[str]]:
    """The rows (cells) of the first table after `heading` in the doc."""
    text = DOC.read_text("utf-8").split(heading, 1)[1]
    rows = []
    for line in text.splitlines():
        if line.startswith("|"):
            rows.append([c.strip() for c in line.strip().strip("|").split("|")])
        elif rows:
            break
    return rows[2:]  # header and rule


def _forms(cell: str) -> list[tuple[str, bool]]:
    """(text, from a reader) for every form in a cell."""
    return [(m[2], bool(m[1])) for m in _FORM.finditer(cell)]


MATCH_ROWS = _table("## Forms and published examples")
PAIRS = [
    pytest.param(a, b, id=f"{a[0]}~{b[0]}")
    for row in MATCH_ROWS
    for a in _forms(row[1])
    for b in _forms(row[3])
]
NON_PAIRS = [
    pytest.param(a, b, id=f"{a[0]}!~{b[0]}")
    for row in _table("Pairs that look alike but are **not** one card")
    for a in _forms(row[1])
    for b in _forms(row[2])
]


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    d = open_database(f"sqlite:///{tmp_path_factory.mktemp('cards') / 'site.sqlite3'}")
    yield d
    d.dispose()


@pytest.fixture
def s(db: Database) -> Iterator[Session]:
    """A unit of work that is never committed: every case starts from an empty card list."""
    with db.sessions() as session:
        yield session
        session.rollback()


def enrol(s: Session, form: tuple[str, bool]) -> Card:
    text, from_reader = form
    return add_card(s, CardInput(uid=exact_text(text) if from_reader else text))


def found(s: Session, form: tuple[str, bool]) -> int | None:
    text, from_reader = form
    facts = find_card_facts(s, text, exact=from_reader)
    return facts.card_id if facts else None


def test_the_doc_tables_are_read() -> None:
    assert len(MATCH_ROWS) >= 15 and len(PAIRS) >= 60 and len(NON_PAIRS) >= 5


@pytest.mark.parametrize("row", MATCH_ROWS, ids=[r[1] for r in MATCH_ROWS])
def test_stored_as(row: list[str]) -> None:
    [(example, from_reader)] = _forms(row[1])
    [(stored, _)] = _forms(row[2])
    assert parse_uid(exact_text(example) if from_reader else example) == stored


@pytest.mark.parametrize(("a", "b"), PAIRS)
def test_enrol_one_form_present_the_other(
    s: Session, a: tuple[str, bool], b: tuple[str, bool]
) -> None:
    """Both directions: the card is found, `cards show` finds it, and enrolling the other
    form is refused as the same card."""
    for first, second in ((a, b), (b, a)):
        card = enrol(s, first)
        assert found(s, second) == card.id, f"enrolled {first}, presented {second}"
        if not second[1]:
            assert get_card(s, second[0]).id == card.id
        with pytest.raises(UserError, match="already enrolled"):
            enrol(s, second)
        s.delete(card)
        s.flush()


@pytest.mark.parametrize(("a", "b"), NON_PAIRS)
def test_look_alikes_are_other_cards(s: Session, a: tuple[str, bool], b: tuple[str, bool]) -> None:
    for first, second in ((a, b), (b, a)):
        card = enrol(s, first)
        assert found(s, second) is None, f"enrolled {first}, presented {second}"
        other = enrol(s, second)  # a card of its own
        assert found(s, second) == other.id and found(s, first) == card.id
        s.delete(card)
        s.delete(other)
        s.flush()


def test_desk_reader_typing_and_reversed_bay_reader_are_one_card(s: Session) -> None:
    """Issue 10: the desk serial reader gives 5 bytes, typing the number 4, a bay reader
    writes the bytes reversed; one card, found by all three."""
    card = enrol(s, ("005A6B7C8D", True))
    assert card.uid == "005A6B7C8D" and card.uid_key == "5A6B7C8D"
    with pytest.raises(UserError, match="already enrolled as 005A6B7C8D"):
        add_card(s, CardInput(uid="5A6B7C8D"))
    assert found(s, ("5A6B7C8D", False)) == card.id
    assert found(s, ("8D7C6B5A", True)) == card.id  # a bay reader in reversed byte order
    assert found(s, ("005A6B7C8D", True)) == card.id


def test_all_digit_frame_from_the_desk_matches_the_printed_number(s: Session) -> None:
    """Review defect 8: the desk enrolment of frame 0100423515 stored 05FC575B, which the
    printed 0004338965 and an 8-hex wedge 00423515 did not find."""
    card = enrol(s, ("0100423515", True))
    assert card.uid == "0100423515"
    assert get_card(s, "0004338965").id == card.id
    assert get_card(s, "00423515").id == card.id


def test_eleven_digits_with_leading_zeros_enrol_and_show_alike(s: Session) -> None:
    """Reliability defect 15: `00169552957` enrolled, but `cards show 00169552957` said
    'no card'."""
    card = add_card(s, CardInput(uid="00169552957"))
    assert card.uid == "0A1B2C3D"
    assert get_card(s, "00169552957").id == card.id


def test_cards_stored_in_the_old_forms_keep_matching(s: Session) -> None:
    """Rows written by the old code (no migration): its 5-byte and decimal-read forms."""
    old = [Card(uid="010A1B2C3D", uid_key="0A1B2C3D"), Card(uid="05FC575B", uid_key="05FC575B")]
    s.add_all(old)
    s.flush()
    assert get_card(s, "0169552957").id == old[0].id
    assert found(s, ("010A1B2C3D", True)) == old[0].id
    assert get_card(s, "100423515").id == old[1].id  # what the old desk enrolment stored
    assert get_card(s, "0100423515").id == old[1].id  # typed as then


def test_a_tie_between_two_cards_matches_neither(s: Session) -> None:
    """Two 7-byte cards with the same first 3 bytes: a 4-byte reader's number for them is
    ambiguous. The bay refuses it (nobody charged on a guess), `cards show` says so."""
    a = add_card(s, CardInput(uid="04C43BC21C2680"))
    b = add_card(s, CardInput(uid="04C43B1122334A"))
    assert found(s, ("1002701960", False)) is None
    with pytest.raises(UserError, match="matches several cards"):
        get_card(s, "1002701960")
    assert found(s, ("04C43BC21C2680", True)) == a.id  # the full UID still decides
    assert found(s, ("04C43B1122334A", True)) == b.id


def test_exact_spelling_wins_over_another_reading(s: Session) -> None:
    """`0169552957` read as decimal is 0A1B2C3D; as EM4100 hex, 01 69 55 29 57. With both
    enrolled, the preferred reading wins for typed text; a reader's frame is hex."""
    dec = add_card(s, CardInput(uid="0A1B2C3D"))
    hexa = add_card(s, CardInput(uid="0x0169552957"))
    assert get_card(s, "0169552957").id == dec.id  # typed 10 digits: decimal first
    assert get_card(s, "0x0169552957").id == hexa.id
    assert found(s, ("0169552957", True)) == hexa.id
    assert found(s, ("000A1B2C3D", True)) == dec.id


@pytest.mark.parametrize(
    "typed", ["0x0100423515", "213,02000", "04C43BC21C2680", "0A1B2C3D", "75 - 4340757"]
)
def test_export_then_import_keeps_the_card(s: Session, tmp_path: Path, typed: str) -> None:
    """A stored UID written to CSV reads back as the same UID: `0100423515` (hex bytes) was
    exported as is and imported as the decimal 05FC575B, another card."""
    card = add_card(s, CardInput(uid=typed))
    out = io.StringIO()
    export_csv(s, out)
    other = open_database(f"sqlite:///{tmp_path / 'other.sqlite3'}")
    try:
        with other.session() as s2:
            assert import_csv(s2, out.getvalue()) == 1
            assert s2.scalar(select(Card.uid)) == card.uid
    finally:
        other.dispose()


@pytest.fixture
def url(tmp_path: Path) -> str:
    u = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    assert main(["--db", u, "db", "create"]) == 0
    return u


def test_cli_enrol_and_show_eleven_digits(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    """Reliability defect 15, as reported: `cards show 00169552957` said 'no card'."""
    assert main(["--db", url, "cards", "add", "00169552957"]) == 0
    assert main(["--db", url, "cards", "show", "00169552957"]) == 0
    assert "0A1B2C3D" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("9" * 5000, "too long"),  # was a ValueError traceback (int()'s digit limit)
        ("-1", "must not have a sign"),  # was enrolled as 00000001
        ("²", "characters no reader writes"),
        ("0x12", "after 0x"),
        ("256,00001", "Wiegand-26"),
        ("12 34 56", "3 bytes"),
        ("9999999999999", "too large"),
        ("123456789012345", "no known form"),
    ],
)
def test_cli_refuses_a_bad_card_number_with_one_line(
    url: str, capsys: pytest.CaptureFixture[str], text: str, why: str
) -> None:
    assert main(["--db", url, "cards", "add", text]) == 2
    err = capsys.readouterr().err.strip()
    assert why in err and "\n" not in err and "Traceback" not in err
    db = open_database(url)
    try:
        with db.session() as s:
            assert s.scalar(select(Card.id)) is None  # nothing written
    finally:
        db.dispose()
