"""The strict parsers of typed input, fuzzed: any text gives a value in range or a UserError
(one line), never another exception — the documented error type only."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from stationmgr import validate
from stationmgr.billing.site import parse_month
from stationmgr.billing.tariffs import MAX_MONEY_MINOR, parse_money, parse_vat
from stationmgr.cards import parse_date
from stationmgr.drivers import check_settings
from stationmgr.errors import UserError
from stationmgr.settings import check_values
from stationmgr.store.db import check_url

# Text with what broke the old parsers: digits of other scripts, `_`, exponents, signs, huge
# digit runs, nan/inf, control characters.
PIECES = st.sampled_from(
    [
        *("1", "0", "9" * 30, "_", "e", "E", "+", "-", ".", ",", "²", "١", "٣", "nan", "inf"),
        *("\x00", "\x1b", " ", "0x1f", "1e400", "-0", "%", ":", "T", "2026-03-01", "9999"),
    ]
)
TEXT = st.one_of(st.text(max_size=40), st.lists(PIECES, max_size=8).map("".join))


def only_user_error(fn, *args, **kw):  # type: ignore[no-untyped-def]
    try:
        return fn(*args, **kw)
    except UserError as e:
        assert "\n" not in str(e) and len(str(e)) < 400
        return None


@settings(max_examples=400, deadline=None)
@given(TEXT)
def test_numbers(text: str) -> None:
    n = only_user_error(validate.parse_int, text, "n", minimum=-5, maximum=10**12)
    assert n is None or (isinstance(n, int) and -5 <= n <= 10**12)
    x = only_user_error(validate.parse_float, text, "x", minimum=0, maximum=1e6)
    assert x is None or (math.isfinite(x) and 0 <= x <= 1e6)
    i = only_user_error(validate.parse_id, text, "id")
    assert i is None or 1 <= i <= validate.MAX_ID
    m = only_user_error(parse_money, text)
    assert m is None or 0 <= m <= MAX_MONEY_MINOR
    v = only_user_error(parse_vat, text)
    assert v is None or 0 <= v <= 10_000
    if n is not None:  # what parses is what an ASCII reading says
        assert str(n) == str(int(text.strip()))


@settings(max_examples=400, deadline=None)
@given(TEXT)
def test_names_dates_and_settings(text: str) -> None:
    name = only_user_error(validate.clean_name, text, "name", max_len=40)
    assert name is None or (name == name.strip() and 0 < len(name) <= 40)
    assert "\x1b" not in validate.printable(text)
    only_user_error(parse_date, text, "date")
    only_user_error(parse_date, text, "date", end_of_day=True)
    only_user_error(parse_month, text)
    for key in ("turnaround_s", "auth_lock", "attempts", "bogus"):
        only_user_error(check_settings, "openevse", {key: text})
    for key in ("failsafe_a", "timeout_ms", "gate", "parity"):
        only_user_error(check_settings, "heidelberg", {key: text})
    only_user_error(check_values, "alerts", {"stalled_after_min": text})
    only_user_error(check_values, "session", {"retap_stops": text})


@settings(max_examples=200, deadline=None)
@given(TEXT)
def test_database_urls(text: str) -> None:
    only_user_error(check_url, text, False)
    only_user_error(check_url, "sqlite:///" + text.replace("\x00", ""), False)
