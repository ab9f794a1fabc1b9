"""SendLocalList: each OCPP charger's local authorisation list in step with the site's cards.

A charger authorises from its local list while it cannot reach the site, so the list holds
exactly the cards that may charge there now: active (not blocked, group not blocked, valid
today, no budget used up) and allowed at every bay of the charger (OCPP 1.6's list is the
whole charge point's: a card allowed at only some of its connectors is left out rather than
let charge at the others). Each entry's idTagInfo is what Authorize answers — Accepted, the
card's expiryDate (the charger expires it on its own) and parentIdTag (its group).

- After boot (or a reconnect) the charger's `GetLocalListVersion` is compared with the
  version the site last sent it (`OcppLocalList`, kept across restarts): a different
  version gets a Full list, the same one only the difference (Differential), if any.
- When cards change (`ConfigurationChanged` with "cards"), the difference goes out as a
  Differential with the next version. VersionMismatch falls back to Full; Failed is logged
  and tried again at the next change or boot; NotSupported (or list version -1, or
  LocalAuthListEnabled false) turns syncing off for the connection, logged once.
- `LocalAuthListMaxLength` caps the list: when more cards may charge, the most recently
  used ones are listed and the number left out is logged and stored. `SendLocalListMaxLength`
  caps one message: a longer update is sent as a Full (or Differential) and Differentials
  after it, each with its own version.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from stationmgr.auth import Standing, standing
from stationmgr.cards import card_facts
from stationmgr.clock import to_datetime, to_epoch
from stationmgr.store.locallist_models import OcppLocalList
from stationmgr.store.models import Card, ChargeSession
from stationmgr.store.persist import Persister

if TYPE_CHECKING:
    from stationmgr.engine import Engine
    from stationmgr.ocpp.handlers import ChargePointSite
    from stationmgr.ocpp.rpc import Rpc

log = logging.getLogger(__name__)

IDTAG_MAX = 20
Entries = dict[str, dict[str, Any]]  # idTag → idTagInfo


# ---------------------------------------------------------------- what the list should hold


@dataclass(frozen=True, slots=True)
class Candidate:
    """A card that may charge at a charger, with when it was last used (for the cap)."""

    id_tag: str
    info: dict[str, Any]
    last_used: float


def _time_text(dt: datetime) -> str:
    return dt.astimezone(UTC).isoformat().replace("+00:00", "Z")


def id_tag_info(valid_to: datetime | None, group: str | None) -> dict[str, Any]:
    """idTagInfo of a listed card, as Authorize answers it."""
    info: dict[str, Any] = {"status": "Accepted"}
    if valid_to is not None:
        info["expiryDate"] = _time_text(valid_to)
    if group:
        info["parentIdTag"] = group[:IDTAG_MAX]
    return info


def candidates(
    s: Session, bay_ids: Iterable[int], now: float, policies: Iterable[Any] = ()
) -> list[Candidate]:
    """The cards that may charge at every one of `bay_ids` now (see the module text);
    `policies` are the engine's card policies (e.g. a used-up budget refuses)."""
    bays = frozenset(bay_ids)
    when = to_datetime(now)
    used = dict(
        s.execute(
            select(ChargeSession.card_id, func.max(ChargeSession.authorized_at))
            .where(ChargeSession.card_id.is_not(None))
            .group_by(ChargeSession.card_id)
        ).all()
    )
    q = select(Card).options(
        selectinload(Card.group), selectinload(Card.holder), selectinload(Card.allowed)
    )
    out = []
    for card in s.scalars(q):
        if not 0 < len(card.uid) <= IDTAG_MAX:
            continue
        facts = card_facts(s, card)
        if standing(facts, when) is not Standing.ACTIVE:
            continue
        if facts.allowed_bays and not bays <= facts.allowed_bays:
            continue
        if any(policy(s, facts, when) for policy in policies):
            continue
        last = used.get(card.id) or card.created_at
        info = id_tag_info(card.valid_to, card.group.name if card.group else None)
        out.append(Candidate(card.uid, info, to_epoch(last) if last else 0.0))
    return out


def wanted(found: Iterable[Candidate], cap: int | None) -> tuple[Entries, int]:
    """The entries to hold, at most `cap` (the most recently used first), and how many
    cards were left out."""
    ranked = sorted(found, key=lambda c: (-c.last_used, c.id_tag))
    kept = ranked if cap is None else ranked[: max(cap, 0)]
    return {c.id_tag: c.info for c in kept}, len(ranked) - len(kept)


def difference(held: Entries, want: Entries) -> list[dict[str, Any]]:
    """A Differential's localAuthorizationList: new and changed entries with their
    idTagInfo, removed ones without (OCPP: an entry without idTagInfo is deleted)."""
    out: list[dict[str, Any]] = [
        {"idTag": tag, "idTagInfo": info}
        for tag, info in sorted(want.items())
        if held.get(tag) != info
    ]
    out += [{"idTag": tag} for tag in sorted(held) if tag not in want]
    return out


def full_list(want: Entries) -> list[dict[str, Any]]:
    return [{"idTag": tag, "idTagInfo": info} for tag, info in sorted(want.items())]


def chunks(items: list[dict[str, Any]], size: int | None) -> list[list[dict[str, Any]]]:
    """`items` in messages of at most `size` entries (at least one message, maybe empty)."""
    if not items:
        return [[]]
    step = len(items) if size is None else max(size, 1)
    return [items[i : i + step] for i in range(0, len(items), step)]


def applied(held: Entries, update: list[dict[str, Any]], full: bool) -> Entries:
    """What the charger holds after accepting `update`."""
    out = {} if full else dict(held)
    for item in update:
        if "idTagInfo" in item:
            out[item["idTag"]] = item["idTagInfo"]
        else:
            out.pop(item["idTag"], None)
    return out


# ---------------------------------------------------------------- kept across restarts


@dataclass(frozen=True, slots=True)
class LocalListSent:
    """A SendLocalList the charger accepted: its list version and entries now."""

    charger_id: int
    version: int
    entries: dict[str, dict[str, Any]]
    omitted: int
    at: float


def install(persister: Persister) -> None:
    if LocalListSent not in persister.handlers:
        persister.register(LocalListSent, _store)


def _store(s: Session, rec: LocalListSent) -> None:
    row = s.get(OcppLocalList, rec.charger_id)
    if row is None:
        row = OcppLocalList(charger_id=rec.charger_id)
        s.add(row)
    row.version = rec.version
    row.entries = dict(rec.entries)
    row.omitted = rec.omitted
    row.updated_at = to_datetime(rec.at)


@dataclass(frozen=True, slots=True)
class Held:
    version: int
    entries: Entries


class ListStore:
    """The lists the site sent, per charger: this run's in memory (the journal may hold
    them while the database is busy), else as stored."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._known: dict[int, Held] = {}

    async def get(self, charger_id: int) -> Held | None:
        if charger_id in self._known:
            return self._known[charger_id]
        assert self.engine.writer is not None

        def read(s: Session) -> Held | None:
            row = s.get(OcppLocalList, charger_id)
            return None if row is None else Held(row.version, dict(row.entries or {}))

        return await self.engine.writer.read(read)

    async def put(self, charger_id: int, held: Held, omitted: int) -> None:
        self._known[charger_id] = held
        writer = self.engine.writer
        assert writer is not None
        now = self.engine.clock.now()
        rec = LocalListSent(charger_id, held.version, held.entries, omitted, now)
        await writer.durable([writer.put(rec)])


# ---------------------------------------------------------------- one connected charger


@dataclass(frozen=True, slots=True)
class ListLimits:
    """What the charger said of its local list (None: it did not say)."""

    enabled: bool = True
    total: int | None = None  # LocalAuthListMaxLength
    per_message: int | None = None  # SendLocalListMaxLength

    @classmethod
    def of(cls, config: dict[str, str]) -> ListLimits:
        return cls(
            enabled=config.get("LocalAuthListEnabled", "true").strip().lower() != "false",
            total=_count(config.get("LocalAuthListMaxLength")),
            per_message=_count(config.get("SendLocalListMaxLength")),
        )


def _count(text: str | None) -> int | None:
    try:
        n = int(str(text).strip())
    except (TypeError, ValueError):
        return None
    return n if n >= 0 else None


class NotSupported(Exception):
    """The charger has no local list (or it is off): stop asking on this connection."""


class LocalListSync:
    """Keeps one connected charger's local list in step (`sync`, one at a time)."""

    def __init__(self, engine: Engine, cp: ChargePointSite, rpc: Rpc, store: ListStore) -> None:
        self.engine = engine
        self.cp = cp
        self.rpc = rpc
        self.store = store
        self.off = False  # NotSupported: nothing more on this connection
        self._offers: set[asyncio.Task[str]] = set()
        self._omitted_logged: int | None = None

    async def sync(self, limits: ListLimits) -> None:
        if self.off:
            return
        if not limits.enabled:
            self._turn_off("LocalAuthListEnabled is false")
            return
        try:
            await self._sync(limits)
        except NotSupported as e:
            self._turn_off(str(e))

    def _turn_off(self, why: str) -> None:
        if self.off:
            return
        self.off = True
        log.info("charge point %s: no local list kept (%s)", self.cp.cpid, why)

    async def _sync(self, limits: ListLimits) -> None:
        answer = await self.rpc.call("GetLocalListVersion", {})
        version = int(answer.get("listVersion", -1))
        if version < 0:
            raise NotSupported("the charger has no local authorisation list")
        want, omitted = await self._wanted(limits)
        held = await self.store.get(self.cp.charger_id)
        if held is not None and held.version == version:
            update = difference(held.entries, want)
            if not update:
                log.info(
                    "charge point %s: local list version %d in step (%d card(s))",
                    self.cp.cpid,
                    version,
                    len(want),
                )
                return
            if await self._send(held, update, False, limits, omitted):
                return
        base = Held(max(version, held.version if held else 0), {})
        await self._send(base, full_list(want), True, limits, omitted)

    async def _wanted(self, limits: ListLimits) -> tuple[Entries, int]:
        assert self.engine.writer is not None
        bays = list(self.cp.bays.values())
        now = self.engine.clock.now()
        policies = list(self.engine.card_policies)
        found = await self.engine.writer.read(lambda s: candidates(s, bays, now, policies))
        want, omitted = wanted(found, limits.total)
        if omitted and omitted != self._omitted_logged:
            log.warning(
                "charge point %s: %d card(s) that may charge there do not fit its local "
                "list (LocalAuthListMaxLength %s): the %d most recently used are listed",
                self.cp.cpid,
                omitted,
                limits.total,
                len(want),
            )
        self._omitted_logged = omitted
        return want, omitted

    async def _send(
        self,
        held: Held,
        items: list[dict[str, Any]],
        full: bool,
        limits: ListLimits,
        omitted: int,
    ) -> bool:
        """Send `items` as a Full (or Differential) and Differentials after it; True when
        the charger took them all. False on VersionMismatch of a Differential (the caller
        sends Full)."""
        for i, part in enumerate(chunks(items, limits.per_message)):
            kind = "Full" if full and i == 0 else "Differential"
            after = Held(held.version + 1, applied(held.entries, part, kind == "Full"))
            payload: dict[str, Any] = {"listVersion": after.version, "updateType": kind}
            if part:
                payload["localAuthorizationList"] = part
            status = await self._offer(payload, after, omitted, len(part))
            if status == "Accepted":
                held = after
                continue
            if status == "VersionMismatch" and kind == "Differential" and not full:
                return False
            if status == "NotSupported":
                raise NotSupported("SendLocalList NotSupported")
            return True
        return True

    async def _offer(self, payload: dict[str, Any], after: Held, omitted: int, n: int) -> str:
        """One SendLocalList; an Accepted one is recorded even when the connection (and
        with it this sync) ends as the answer arrives: the charger holds that list now."""

        async def offer() -> str:
            status = str((await self.rpc.call("SendLocalList", payload)).get("status"))
            kind, version = payload["updateType"], after.version
            if status == "Accepted":
                await self.store.put(self.cp.charger_id, after, omitted)
                log.info(
                    "charge point %s: local list version %d (%s, %d change(s), %d card(s))",
                    self.cp.cpid,
                    version,
                    kind,
                    n,
                    len(after.entries),
                )
            elif status == "VersionMismatch" and kind == "Differential":
                log.info("charge point %s: local list version mismatch; sending it whole",
                         self.cp.cpid)  # fmt: skip
            elif status == "NotSupported":
                self._turn_off("SendLocalList NotSupported")
            else:
                log.warning(
                    "charge point %s: SendLocalList %s version %d answered %s; tried again "
                    "at the next change or boot",
                    self.cp.cpid,
                    kind,
                    version,
                    status,
                )
            return status

        task = asyncio.create_task(offer())
        self._offers.add(task)
        task.add_done_callback(self._offers.discard)
        return await asyncio.shield(task)


__all__ = [
    "Candidate",
    "ListLimits",
    "ListStore",
    "LocalListSent",
    "LocalListSync",
    "applied",
    "candidates",
    "chunks",
    "difference",
    "install",
    "wanted",
]
