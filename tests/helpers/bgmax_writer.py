"""Crafts BgMax files for tests, written from Bankgirot's published record layout (not with
the reader's code, so a misplaced field in either shows up)."""

from __future__ import annotations

from datetime import date


def payment_record(reference: str, amount_minor: int, serial: str, sender: str = "") -> str:
    """A 20 record as Bankgirot writes it (used to craft test files)."""
    return (
        "20"
        + sender.rjust(10, "0")[:10]
        + reference.ljust(25)[:25]
        + str(amount_minor).rjust(18, "0")
        + "2"  # a checked OCR reference
        + "1"  # electronic payment
        + serial.rjust(12, "0")[:12]
        + "0"
    ).ljust(80)


def bgmax_file(
    payee_bankgiro: str, paid_on: date, payments: list[tuple[str, int]], timestamp: str
) -> bytes:
    """A one-section BgMax file with `payments` (reference, öre)."""
    lines = ["01" + "BGMAX".ljust(20) + "01" + timestamp.ljust(20)[:20] + "P"]
    lines.append("05" + payee_bankgiro.rjust(10, "0") + " " * 10 + "SEK")
    for i, (ref, amount) in enumerate(payments, 1):
        lines.append(payment_record(ref, amount, f"{i:012d}", sender="9912346"))
    total = sum(a for _, a in payments)
    lines.append(
        "15"
        + "1234567890".ljust(35)
        + paid_on.strftime("%Y%m%d")
        + "00001"
        + str(total).rjust(18, "0")
        + "SEK"
        + str(len(payments)).rjust(8, "0")
    )
    lines.append("70" + str(len(payments)).rjust(8, "0") + "0" * 8 + "0" * 8 + "00000001")
    return ("\r\n".join(x.ljust(80) for x in lines) + "\r\n").encode("latin-1")
