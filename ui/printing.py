"""Printing a finished PDF (a receipt) on this PC's printer: through the operating system's
own print path, since this Qt build has no PDF renderer — on Windows the PDF viewer's
"print" verb, elsewhere CUPS' `lp`. Called on the worker: it may wait for the spooler."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

from stationmgr.errors import UserError

LP_TIMEOUT_S = 30.0


def print_pdf(path: str, printer: str | None = None) -> str:
    """Send `path` to `printer` (None: the default one); a line saying where it went.
    UserError with one line when this PC has no print path or the spooler refuses."""
    if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
        os.startfile(path, "print")  # type: ignore[attr-defined]
        return "the default printer"
    lp = shutil.which("lp")
    if lp is None:
        raise UserError(
            "no printing on this PC: CUPS' lp command is not installed (the PDF is saved)"
        )
    argv = [lp, *(["-d", printer] if printer else []), "--", path]
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=LP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        raise UserError("the print system did not answer in 30 s (the PDF is saved)") from None
    if done.returncode != 0:
        why = (done.stderr or done.stdout).strip().splitlines()
        raise UserError(f"the printer refused the receipt: {why[-1] if why else 'no reason'}")
    out = done.stdout.strip()  # "request id is Office-12 (1 file(s))"
    return out.split(" (")[0].removeprefix("request id is ") if out else (printer or "default")
