"""The OCPP message log's own rules, on real SQLite: frames become entries with the answered
call's action, huge payloads are cut, the stored ring keeps the newest messages per charger
and the running service's memory and the database merge once each."""

from __future__ import annotations

import json

from stationmgr.ocpp import msglog
from stationmgr.site_setup import ChargerInput, add_charger
from stationmgr.store.db import Database
from stationmgr.store.ocpp_models import OcppMessage


def test_frames_are_named_by_their_call_and_cut_when_huge() -> None:
    calls: dict[str, str] = {}
    call = msglog.parse(1, 10.0, "out", json.dumps([2, "u1", "Reset", {"type": "Hard"}]), calls)
    answer = msglog.parse(1, 11.0, "in", json.dumps([3, "u1", {"status": "Accepted"}]), calls)
    error = msglog.parse(1, 12.0, "in", json.dumps([4, "u9", "NotImplemented", "no", {}]), calls)
    bad = msglog.parse(1, 13.0, "in", "not json at all", calls)
    assert (call.kind, call.action, call.unique_id, call.payload) == (
        "Call", "Reset", "u1", '{"type":"Hard"}',
    )  # fmt: skip
    assert (answer.kind, answer.action, answer.payload) == (
        "CallResult",
        "Reset",
        '{"status":"Accepted"}',
    )
    assert (error.kind, error.action) == ("CallError", None)  # answers no call we saw
    assert json.loads(error.payload) == ["NotImplemented", "no", {}]
    assert (bad.kind, bad.payload) == ("Invalid", "not json at all")
    huge = msglog.parse(
        1, 14.0, "in", json.dumps([2, "u2", "DataTransfer", {"data": "x" * 9000}]), {}
    )
    assert len(huge.payload) < msglog.MAX_PAYLOAD + 60 and huge.payload.endswith("characters, cut)")


def test_the_stored_ring_keeps_the_newest_per_charger(sqlite_db: Database) -> None:
    with sqlite_db.session() as s:
        a = add_charger(s, ChargerInput("a", "ocpp", "", settings={"charge_point_id": "A"})).id
        b = add_charger(s, ChargerInput("b", "ocpp", "", settings={"charge_point_id": "B"})).id
    ring = msglog._Ring()
    total = msglog.KEEP + 3 * msglog.PRUNE_EVERY
    for i in range(total):
        with sqlite_db.session() as s:
            ring.apply(s, msglog.Traced(a, float(i), "in", "Call", "Heartbeat", f"a{i}", "{}"))
            if i < 3:
                ring.apply(s, msglog.Traced(b, float(i), "in", "Call", "Heartbeat", f"b{i}", "{}"))
    with sqlite_db.session() as s:
        kept_a = msglog.stored(s, a, 10_000)
        kept_b = msglog.stored(s, b, 10_000)
        rows = s.query(OcppMessage).count()
    assert msglog.KEEP <= len(kept_a) < msglog.KEEP + msglog.PRUNE_EVERY
    assert kept_a[-1].unique_id == f"a{total - 1}" and kept_a[0].at < kept_a[-1].at
    assert [t.unique_id for t in kept_b] == ["b0", "b1", "b2"]  # the other charger untouched
    assert rows == len(kept_a) + 3

    live = [msglog.Traced(a, float(total - 1), "in", "Call", "Heartbeat", f"a{total - 1}", "{}"),
            msglog.Traced(a, float(total), "out", "Call", "Reset", "new", "{}")]  # fmt: skip
    merged = msglog.merged(kept_a, live, 5)
    assert [t.unique_id for t in merged] == [f"a{total - i}" for i in (4, 3, 2, 1)] + ["new"]
