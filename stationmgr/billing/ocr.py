"""OCR payment references as Bankgirot checks them.

An OCR reference is 2–25 digits whose last digit is a Luhn check digit (modulus 10: from the
right, digits are weighted 2, 1, 2, 1 …, a product over 9 counts as the sum of its digits,
and the check digit brings the sum to a multiple of ten). With the optional length check
the digit before it is the reference's full length (check and length digits included)
modulo 10. A payer's bank refuses a reference that fails the check, so a mistyped one never
reaches the invoice register.
"""

from __future__ import annotations

from stationmgr.errors import UserError

MAX_DIGITS = 25


def luhn_digit(digits: str) -> int:
    """The check digit that makes `digits` + it pass the Luhn test."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return (10 - total % 10) % 10


def luhn_ok(digits: str) -> bool:
    return len(digits) >= 2 and digits.isdigit() and luhn_digit(digits[:-1]) == int(digits[-1])


def make_ocr(base: int | str, length_digit: bool = True) -> str:
    """An OCR reference for `base` (e.g. an invoice number): base, [length digit], check."""
    b = str(base)
    if not b.isdigit():
        raise UserError(f"an OCR reference is made of digits, not {b[:30]!r}")
    if length_digit:
        b += str((len(b) + 2) % 10)
    ref = b + str(luhn_digit(b))
    if len(ref) > MAX_DIGITS:
        raise UserError(f"an OCR reference has at most {MAX_DIGITS} digits")
    return ref


def ocr_ok(ref: str, length_digit: bool = True) -> bool:
    """Whether `ref` passes Bankgirot's check (and the length check, when used)."""
    if not (2 <= len(ref) <= MAX_DIGITS and ref.isdigit() and luhn_ok(ref)):
        return False
    if length_digit:
        return len(ref) >= 3 and int(ref[-2]) == len(ref) % 10
    return True
