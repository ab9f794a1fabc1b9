"""Fault tracing: the last messages of each charge point, both directions.

Every OCPP-J frame the endpoint sends or receives becomes one `Traced` entry (time,
direction, Call/CallResult/CallError, action, unique id, payload cut at `MAX_PAYLOAD`
characters). An answer is named by the action of the call it answers.

Where they are kept, and why both:
- in memory, the last `KEEP` per charger: what the running service shows at once (the
  database copy may be a batch behind);
- in the database (`ocpp_messages`), a ring of the same size pruned by the writer: a
  charger's last words before a fault are most wanted after the service restarted (or
  crashed with it), and `stationmgr chargers log NAME` then reads them without a running
  service, like `faults list`. The cost is one small row per message in the writer's
  ordinary batches, never waited for (500 charge points at one message per 10 s is 50 rows
  a second in batches of up to 200) — cheap next to what each message does already.
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from stationmgr.clock import to_datetime, to_epoch
from stationmgr.store.ocpp_models import OcppMessage

if TYPE_CHECKING:
    from stationmgr.engine import Engine
    from stationmgr.store.persist import Persister

log = logging.getLogger(__name__)

KEEP = 200  # messages per charger, in memory and in the database
MAX_PAYLOAD = 4000  # characters of a payload kept (a diagnostics blob is cut)
PRUNE_EVERY = 50  # the writer trims a charger's rows once per this many new ones
KINDS = {2: "Call", 3: "CallResult", 4: "CallError"}
IN, OUT = "in", "out"


@dataclass(frozen=True, slots=True)
class Traced:
    """One frame, as the log keeps it (also the writer's record)."""

    charger_id: int
    at: float
    direction: str  # IN from the charger, OUT to it
    kind: str  # Call, CallResult, CallError, Invalid
    action: str | None
    unique_id: str | None
    payload: str


def _cut(text: str) -> str:
    if len(text) <= MAX_PAYLOAD:
        return text
    return f"{text[:MAX_PAYLOAD]}… ({len(text)} characters, cut)"


def parse(charger_id: int, at: float, direction: str, text: str, calls: dict[str, str]) -> Traced:
    """A frame as an entry; `calls` (unique id → action of an unanswered call) names the
    answers and is updated."""
    try:
        frame = json.loads(text)
        kind = KINDS[frame[0]] if isinstance(frame, list) and len(frame) >= 3 else None
    except (ValueError, TypeError, KeyError):
        kind = None
    if kind is None:
        return Traced(charger_id, at, direction, "Invalid", None, None, _cut(text))
    uid = str(frame[1])[:64]
    body: Any
    if kind == "Call":
        action = str(frame[2])[:40]
        body = frame[3] if len(frame) > 3 else None
        if len(calls) > 100:  # answers that never came: forget the oldest
            calls.pop(next(iter(calls)))
        calls[uid] = action
    else:
        action = calls.pop(uid, None)
        body = frame[2] if kind == "CallResult" else frame[2:]
    payload = json.dumps(body, separators=(",", ":"), ensure_ascii=False, default=str)
    return Traced(charger_id, at, direction, kind, action, uid, _cut(payload))


class MessageLog:
    """The endpoint's log: `tracer(charger_id)` for each connection's `Rpc.trace`."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.recent: dict[int, deque[Traced]] = defaultdict(lambda: deque(maxlen=KEEP))

    def tracer(self, charger_id: int) -> Callable[[str, str], None]:
        calls: dict[str, str] = {}

        def trace(direction: str, text: str) -> None:
            entry = parse(charger_id, self.engine.clock.now(), direction, text, calls)
            self.recent[charger_id].append(entry)
            writer = self.engine.writer
            if writer is not None:
                try:
                    writer.put(entry)
                except Exception:  # the log must never cost a message its answer
                    log.debug("OCPP message not logged", exc_info=True)

        return trace

    def last(self, charger_id: int) -> list[Traced]:
        return list(self.recent.get(charger_id, ()))


def stored(s: Session, charger_id: int, limit: int) -> list[Traced]:
    """The newest `limit` stored messages of a charger, oldest first."""
    q = (
        select(OcppMessage)
        .where(OcppMessage.charger_id == charger_id)
        .order_by(OcppMessage.id.desc())
        .limit(limit)
    )
    rows = list(s.scalars(q))
    return [
        Traced(r.charger_id, to_epoch(r.ts), r.direction, r.kind, r.action, r.unique_id, r.payload)
        for r in reversed(rows)
    ]


def merged(stored_rows: list[Traced], live: list[Traced], limit: int) -> list[Traced]:
    """The database's rows and the running service's (which may be a batch ahead), once
    each, oldest first, the newest `limit`."""
    seen: dict[tuple[Any, ...], Traced] = {}
    for t in (*stored_rows, *live):
        seen[(round(t.at, 3), t.direction, t.kind, t.unique_id, t.payload[:64])] = t
    return sorted(seen.values(), key=lambda t: t.at)[-limit:]


def install(persister: Persister) -> None:
    """Register the writer's handler (once per persister)."""
    if Traced not in persister.handlers:
        persister.register(Traced, _Ring().apply)


class _Ring:
    def __init__(self) -> None:
        self.added: dict[int, int] = defaultdict(int)

    def apply(self, s: Session, rec: Traced) -> None:
        s.add(
            OcppMessage(
                charger_id=rec.charger_id,
                ts=to_datetime(rec.at),
                direction=rec.direction,
                kind=rec.kind,
                action=rec.action,
                unique_id=rec.unique_id,
                payload=rec.payload,
            )
        )
        self.added[rec.charger_id] += 1
        if self.added[rec.charger_id] % PRUNE_EVERY == 1:  # the first one too: after a restart
            s.flush()
            q = (
                select(OcppMessage.id)
                .where(OcppMessage.charger_id == rec.charger_id)
                .order_by(OcppMessage.id.desc())
                .offset(KEEP)
                .limit(1)
            )
            cutoff = s.scalar(q)
            if cutoff is not None:
                s.execute(
                    delete(OcppMessage).where(
                        OcppMessage.charger_id == rec.charger_id, OcppMessage.id <= cutoff
                    )
                )
