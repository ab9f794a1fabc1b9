"""`stationmgr verify`: a registry of integrity checks over the site's history.

Each check is `"module:function"` taking an open database session and returning a list of
problems (empty: fine), the first broken thing first. Add a check by appending its path to
`VERIFY_CHECKS` (imports stay lazy, so a check's module is loaded only when verifying).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from stationmgr.store.db import Database

Check = Callable[[Session], list[str]]

# name → "module:function"
VERIFY_CHECKS: dict[str, str] = {
    "ledger": "stationmgr.billing.ledger:verify_chain",
    "receipts": "stationmgr.billing.receipts:verify_numbering",
    "invoices": "stationmgr.billing.invoices:verify_invoices",
    "audit": "stationmgr.access.audit:verify_problems",
    # the newest ledger entry and receipt still there (the chains cannot show their end)
    "heads": "stationmgr.access.anchors:verify_heads",
    # closed months unchanged; the ledger against the owner's anchor file
    "months": "stationmgr.billing.months:verify_months",
    "anchors": "stationmgr.billing.anchors:verify_anchor_file",
}


@dataclass(frozen=True)
class CheckResult:
    name: str
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems


def load(path: str) -> Check:
    module, _, fn = path.partition(":")
    return getattr(importlib.import_module(module), fn)  # type: ignore[no-any-return]


def run_checks(
    db: Database, only: list[str] | None = None, anchors: list[str] | None = None
) -> list[CheckResult]:
    """Run every registered check (or those named) in one read-only unit of work; with
    `anchors`, also the ledger against those head codes (`verify --anchor CODE`)."""
    results = []
    with db.session() as s:
        for name, path in VERIFY_CHECKS.items():
            if only and name not in only:
                continue
            results.append(CheckResult(name, load(path)(s)))
        if anchors:
            from stationmgr.billing.anchors import check_codes

            results.append(CheckResult("anchor codes", check_codes(s, anchors)))
        s.rollback()
    return results
