"""History and audit filters from the text a person typed (CLI flags or the API's query
fields), checked once here for every client: one UserError line for anything wrong."""

from __future__ import annotations

import re
from datetime import tzinfo
from typing import Protocol

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from stationmgr import validate
from stationmgr.access.audit import DENIED, FAILED, OK, AuditFilter
from stationmgr.cards import day_after, get_card, parse_date
from stationmgr.client.errors import NotFound
from stationmgr.errors import UserError
from stationmgr.store.models import Bay, CardHolder
from stationmgr.store.queries import SessionFilter
from stationmgr.validate import printable

OUTCOMES = (OK, DENIED, FAILED)


class SessionArgs(Protocol):
    since: str | None
    until: str | None
    bay: str | None
    card: str | None
    holder: str | None
    open: bool


class AuditArgs(Protocol):
    since: str | None
    until: str | None
    operator: str | None
    action: str | None
    outcome: str | None
    target: str | None


def as_id(text: str) -> int | None:
    """The text as a row id (ASCII digits, within 64 bits), or None: then it is a name."""
    try:
        return validate.parse_id(text, "id")
    except UserError:
        return None


def bay_id(s: Session, text: str) -> int:
    """A bay by label or id (NotFound otherwise)."""
    ref = as_id(text)
    by_id = Bay.id == ref if ref is not None else False
    found = s.scalar(select(Bay.id).where(or_(Bay.label == text, by_id)).limit(1))
    if found is None:
        raise NotFound(f"no bay {printable(text)[:60]!r}")
    return found


def _period(since_text: str | None, until_text: str | None, tz: tzinfo | None = None):  # type: ignore[no-untyped-def]
    """--from/--to: bare dates are the site's local days (`tz`), --to included."""
    since = parse_date(since_text, "--from date", tz=tz)
    until = parse_date(until_text, "--to date", tz=tz)
    if until is not None and until_text and len(until_text.strip()) == 10:
        until = day_after(until)
    if since and until and until <= since:
        raise UserError("--to is before --from")
    return since, until


def session_filter(s: Session, args: SessionArgs) -> SessionFilter:
    from stationmgr.billing.site import site_tz

    since, until = _period(args.since, args.until, site_tz(s))
    bay = bay_id(s, args.bay) if args.bay else None
    card_id = get_card(s, args.card).id if args.card else None
    holder_id = holder_name = None
    if args.holder:
        ref = as_id(args.holder)
        if ref is not None:
            if s.get(CardHolder, ref) is None:
                raise UserError(f"no card holder with id {ref}")
            holder_id = ref
        elif re.fullmatch(r"[0-9]+", args.holder.strip()):
            raise UserError(f"no card holder with id {args.holder.strip()[:30]}")
        else:
            holder_name = args.holder
    return SessionFilter(since, until, bay, card_id, holder_id, holder_name, open_only=args.open)


def audit_filter(args: AuditArgs) -> AuditFilter:
    since, until = _period(args.since, args.until)
    if args.outcome and args.outcome not in OUTCOMES:
        raise UserError(f"unknown outcome {args.outcome[:20]!r}: one of {', '.join(OUTCOMES)}")
    return AuditFilter(
        since, until, args.operator or None, args.action or None, args.outcome, args.target
    )
