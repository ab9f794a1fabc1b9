"""The heads of the site's other append-only records — the ledger and the receipts —
anchored outside the database like the audit chain's (`sitekey`).

The ledger's hash chain and the receipts' gapless numbering prove nothing about their end:
deleting the last sale together with its price, lines and session, or the last receipt,
leaves a shorter history that still verifies. So whenever a unit of work that adds ledger
entries or receipts commits, the newest (ledger seq and hash; receipt number and
verification code) is written to the anchor, and `verify` requires it to be there still.

The records are recognised by table name, so this module needs nothing from `billing`; it
is loaded with the audit log (every process that writes loads that).
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.orm import Session

from stationmgr.access import sitekey

log = logging.getLogger(__name__)

# table -> (anchor chain, number field, hash field, what a row is called)
HEADS: dict[str, tuple[str, str, str, str]] = {
    "ledger_entries": ("ledger", "seq", "hash", "ledger entry"),
    "receipts": ("receipts", "number", "verification", "receipt"),
}
_PENDING = "stationmgr.anchors.pending"


@event.listens_for(Session, "before_flush")
def _note_new_heads(s: Session, _ctx: Any, _instances: Any) -> None:
    heads: dict[str, tuple[int, str]] = {}
    for obj in s.new:
        spec = HEADS.get(getattr(obj, "__tablename__", ""))
        if spec is None:
            continue
        chain, number, hash_field, _ = spec
        n, h = getattr(obj, number), getattr(obj, hash_field)
        if (
            isinstance(n, int)
            and isinstance(h, str)
            and (chain not in heads or n > heads[chain][0])
        ):
            heads[chain] = (n, h)
    if not heads:
        return
    site = sitekey.site_id(s, create=True, flush=False)
    pending: dict[str, tuple[str, int, str]] = s.info.setdefault(_PENDING, {})
    for chain, (n, h) in heads.items():
        if chain not in pending or n > pending[chain][1]:
            pending[chain] = (site or "", n, h)


@event.listens_for(Session, "after_commit")
def _anchor_committed(s: Session) -> None:
    for chain, (site, n, h) in s.info.pop(_PENDING, {}).items():
        try:
            sitekey.advance_anchor(site, n, h, chain)
        except Exception:  # committed already; verify tolerates an anchor left behind
            log.exception("could not anchor the %s head #%s", chain, n)


@event.listens_for(Session, "after_rollback")
def _forget(s: Session) -> None:
    s.info.pop(_PENDING, None)


def verify_heads(s: Session) -> list[str]:
    """A `stationmgr verify` check: each anchored head is still in the database."""
    site = sitekey.site_id(s)
    if site is None:
        return []
    problems = []
    for table, (chain, number, hash_field, what) in HEADS.items():
        anchor = sitekey.read_anchor(site, chain)
        if anchor is None:
            continue
        row = s.execute(
            text(f"SELECT {hash_field} FROM {table} WHERE {number} = :n"), {"n": anchor.last_id}
        ).first()
        last = s.execute(text(f"SELECT max({number}) FROM {table}")).scalar()
        if row is None:
            problems.append(
                f"{what} {anchor.last_id} was issued but is gone (the newest is "
                f"{last or 'none'}): the last {chain} records were deleted"
            )
        elif row[0] != anchor.hash:
            problems.append(f"{what} {anchor.last_id} is not the one that was issued (replaced)")
    return problems
