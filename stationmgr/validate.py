"""Strict parsing of what people and files type: numbers, booleans, names.

Python's own `int()`/`float()`/`Decimal()` accept `1_000`, `'²'`-like digits from other
scripts, `nan`, `inf` and 5,000-digit strings; a site's settings and prices must not. Every
function here raises `UserError` with one line that names the field, so the CLI exits 2.
"""

from __future__ import annotations

import math
import re

from stationmgr.errors import UserError

_INT = re.compile(r"[+-]?[0-9]{1,18}")
_FLOAT = re.compile(r"[+-]?(?:[0-9]{1,15}(?:\.[0-9]{0,9})?|\.[0-9]{1,9})(?:[eE][+-]?[0-9]{1,3})?")
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_DECIMAL = re.compile(r"([0-9]{1,15})(?:[.,]([0-9]{1,9}))?")

# What the database columns hold: ids are 64-bit on every backend, other integers 32-bit
# on PostgreSQL; dates are years a site can have (so "the day after" always exists).
MAX_ID = 2**63 - 1
MAX_INT32 = 2**31 - 1
MIN_YEAR = 1970
MAX_YEAR = 9998


def parse_int(
    value: object, what: str, *, minimum: int | None = None, maximum: int | None = None
) -> int:
    """An ASCII decimal integer (no `_`, no other scripts' digits), within the range."""
    if isinstance(value, bool):
        raise UserError(f"{what} must be a whole number, not {value!r}")
    if isinstance(value, int):
        n = value
    else:
        text = str(value).strip()
        if not _INT.fullmatch(text):
            if re.fullmatch(r"[+-]?[0-9]+", text):
                raise UserError(f"{what} is too large ({len(text)} digits)")
            raise UserError(f"{what} must be a whole number, not {_show(value)}")
        n = int(text)
    _check_range(n, what, minimum, maximum)
    return n


def parse_float(
    value: object, what: str, *, minimum: float | None = None, maximum: float | None = None
) -> float:
    """A finite ASCII decimal number (no `_`, `nan`, `inf`, hex), within the range."""
    if isinstance(value, bool):
        raise UserError(f"{what} must be a number, not {value!r}")
    if isinstance(value, int | float):
        x = float(value)
    else:
        text = str(value).strip()
        if not _FLOAT.fullmatch(text):
            raise UserError(f"{what} must be a number, not {_show(value)}")
        x = float(text)
    if not math.isfinite(x):
        raise UserError(f"{what} must be a finite number, not {_show(value)}")
    _check_range(x, what, minimum, maximum)
    return x


def parse_id(value: object, what: str) -> int:
    """A row id as people type it: ASCII digits, 1 … 2**63-1 (what the column holds)."""
    return parse_int(value, what, minimum=1, maximum=MAX_ID)


def parse_decimal(value: object, what: str, *, places: int, maximum: int) -> int:
    """`12.50` or `12,50` → an integer in 10**-places units (12.50, places=2 → 1250).

    Plain ASCII digits only (no `_`, exponent, sign, `nan` or other scripts' digits), at
    most `places` decimals, at most `maximum` units: money and energy are exact integers.
    """
    text = str(value).strip()
    m = _DECIMAL.fullmatch(text)
    if not m:
        if text.startswith("-") and _DECIMAL.fullmatch(text[1:]):
            raise UserError(f"{what} must not be negative, not {_show(value)}")
        raise UserError(f"invalid {what} {_show(value)}: expected a number like 12.50")
    whole, frac = m.group(1), (m.group(2) or "").rstrip("0")
    if len(frac) > places:
        words = {1: "one", 2: "two", 3: "three"}
        raise UserError(f"{what} {_show(value)}: at most {words.get(places, places)} decimals")
    units = int(whole) * 10**places + int(frac.ljust(places, "0") or 0)
    if units > maximum:
        raise UserError(f"{what} must be at most {_units(maximum, places)}, not {_show(value)}")
    return units


def _units(n: int, places: int) -> str:
    return f"{n // 10**places}" + (f".{n % 10**places:0{places}d}" if n % 10**places else "")


def printable(value: object) -> str:
    """Text safe to print on a terminal: control characters (ESC, BEL, CR…) shown as
    `\\x1b`-style escapes, so a stored name can never drive the terminal."""
    text = "" if value is None else str(value)
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def parse_bool(value: object, what: str) -> bool:
    """true/false, yes/no, on/off, 1/0 — never Python's truthiness of a string."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise UserError(f"{what} must be true or false, not {_show(value)}")


def parse_choice(value: object, what: str, choices: tuple[str, ...]) -> str:
    text = str(value).strip()
    if text not in choices:
        raise UserError(f"{what} must be one of {', '.join(choices)}, not {_show(value)}")
    return text


def clean_name(value: object, what: str, *, max_len: int = 120) -> str:
    """A name as people read it: control characters refused, blanks stripped, not empty."""
    text = str(value)
    if _CONTROL.search(text):
        raise UserError(f"{what} must not contain control characters")
    text = text.strip()
    if not text:
        raise UserError(f"{what} must not be empty")
    if len(text) > max_len:
        raise UserError(f"{what} is longer than {max_len} characters")
    return text


def _check_range(x: float, what: str, minimum: float | None, maximum: float | None) -> None:
    if minimum is not None and x < minimum:
        raise UserError(f"{what} must be at least {_num(minimum)}, not {_num(x)}")
    if maximum is not None and x > maximum:
        raise UserError(f"{what} must be at most {_num(maximum)}, not {_num(x)}")


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() and abs(x) < 1e15 else repr(x)


def _show(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "…'"
