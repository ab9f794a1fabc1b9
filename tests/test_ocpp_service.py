"""The OCPP 1.6J endpoint of a real service process (`stationmgr run --ocpp-listen`),
driven by the `ocpp` package's own ChargePoint over the `websockets` library (a client we
did not write), against real SQLite: boot, authorisation accepted and refused, a
transaction with meter values booked as a session, offline-replayed messages at their own
timestamps, a stop for an unknown transaction answered and recorded, retried messages
idempotent, bad frames answered with CallErrors, and refused upgrades (404, 401, no
subprotocol)."""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import websockets
from ocpp.routing import on
from ocpp.v16 import ChargePoint, call, call_result
from ocpp.v16.enums import Action, ConfigurationStatus, RemoteStartStopStatus
from sqlalchemy import select

from stationmgr.store.db import open_database
from stationmgr.store.models import ChargerEvent, ChargeSession, Fault, MeterSample
from tests.billing_site import SELLER
from tests.helpers.service import RunningService, cli, env_for, service
from tests.helpers.wait import wait_until

pytestmark = pytest.mark.timeout(300)

GOOD = "A1B2C3D4"
BLOCKED = "0BADCAFE"
DATED = "C0FFEE01"  # valid to the end of 2030-12-31 (UTC), in group Staff
PASSWORD = "cp2-Secret-pass"


@dataclass
class Site:
    tmp: Path
    url: str
    svc: RunningService
    ocpp_url: str

    def rows(self, fn: Any) -> Any:
        db = open_database(self.url, upgrade=False)
        try:
            with db.session() as s:
                return fn(s)
        finally:
            db.dispose()


def _ok(r: Any) -> None:
    assert r.returncode == 0, r.stdout + r.stderr


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    tmp = tmp_path_factory.mktemp("ocpp")
    url = _make_site(tmp)
    with _running(tmp, url) as s:
        yield s


@contextmanager
def _running(tmp: Path, url: str, name: str = "svc") -> Iterator[Site]:
    url_file = tmp / f"{name}-ocpp.url"
    url_file.unlink(missing_ok=True)
    extra = ("--ocpp-listen", "127.0.0.1:0", "--ocpp-url-file", str(url_file))
    with service(tmp, url, *extra, env=env_for(), name=name) as svc:
        yield Site(tmp, url, svc, url_file.read_text().strip())


def _make_site(tmp: Path) -> str:
    url = f"sqlite:///{tmp / 'site.sqlite3'}"
    open_database(url, create=True).dispose()
    env = env_for()
    db = ("--db", url)
    _ok(
        cli(
            *db,
            "chargers",
            "add",
            "North",
            "--driver",
            "ocpp",
            "--charge-point-id",
            "CP1",
            "--bays",
            "N1,N2",
            env=env,
        )
    )
    _ok(
        cli(
            *db,
            "chargers",
            "add",
            "South",
            "--driver",
            "ocpp",
            "--charge-point-id",
            "CP2",
            "--bays",
            "S1",
            env=env,
        )
    )
    _ok(cli(*db, "cards", "add", GOOD, "--holder", "Ada", "--group", "Staff", env=env))
    _ok(cli(*db, "cards", "add", BLOCKED, "--holder", "Bo", "--blocked", env=env))
    dated = ("--holder", "Dag", "--group", "Staff", "--valid-to", "2030-12-31")
    _ok(cli(*db, "cards", "add", DATED, *dated, env=env))
    _ok(cli(*db, "secrets", "set", "ocpp:CP2", env={**env, "STATIONMGR_SECRET": PASSWORD}))
    for key, value in SELLER.items():  # a receipt is numbered only for an identified seller
        _ok(cli(*db, "site", "set", key, value, env=env))
    return url


class Point(ChargePoint):
    """A charge point on the `ocpp` package; it accepts our configuration."""

    configured: list[tuple[str, str]]

    @on(Action.change_configuration)
    async def on_change_configuration(self, key: str, value: str) -> Any:
        self.configured.append((key, value))
        return call_result.ChangeConfiguration(status=ConfigurationStatus.accepted)


@asynccontextmanager
async def connected(site: Site, cpid: str, **kw: Any) -> AsyncIterator[Point]:
    async with websockets.connect(
        f"{site.ocpp_url}/ocpp/{cpid}", subprotocols=["ocpp1.6"], **kw
    ) as ws:
        cp = Point(cpid, ws)
        cp.configured = []
        task = asyncio.create_task(cp.start())
        try:
            yield cp
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)


def iso(dt: datetime) -> str:
    return dt.astimezone(UTC).isoformat().replace("+00:00", "Z")


def energy(at: datetime, wh: float, w: float | None = None, unit: str = "Wh") -> dict:
    values = [{"value": str(wh), "measurand": "Energy.Active.Import.Register", "unit": unit}]
    if w is not None:
        values.append({"value": str(w), "measurand": "Power.Active.Import", "unit": "W"})
        values.append({"value": "16.0", "measurand": "Current.Import", "phase": "L1", "unit": "A"})
    return {"timestamp": iso(at), "sampled_value": values}


def session(site: Site, txid: int) -> ChargeSession | None:
    def get(s: Any) -> Any:
        row = s.scalar(select(ChargeSession).where(ChargeSession.tx_uid == f"ocpp-{txid}"))
        if row is not None:
            s.expunge(row)
        return row

    return site.rows(get)


def test_boot_authorise_transaction_and_stop(site: Site) -> None:
    async def run() -> tuple[Any, ...]:
        async with connected(site, "CP1") as cp:
            boot = await cp.call(call.BootNotification("Model-X", "Vendor-Y"))
            hb = await cp.call(call.Heartbeat())
            good = await cp.call(call.Authorize(GOOD))
            bad = await cp.call(call.Authorize(BLOCKED))
            unknown = await cp.call(call.Authorize("DEADBEEF"))
            await cp.call(call.StatusNotification(1, "NoError", "Preparing"))
            t0 = datetime.now(UTC).replace(microsecond=0)
            start = await cp.call(call.StartTransaction(1, GOOD, 1000, iso(t0)))
            again = await cp.call(call.StartTransaction(1, GOOD, 1000, iso(t0)))
            txid = start.transaction_id
            await cp.call(call.StatusNotification(1, "NoError", "Charging"))
            await cp.call(
                call.MeterValues(1, [energy(t0 + timedelta(seconds=10), 1500, 7000)], txid)
            )
            await cp.call(
                call.MeterValues(1, [energy(t0 + timedelta(seconds=20), 2.1, 7100, "kWh")], txid)
            )
            stop = await cp.call(
                call.StopTransaction(
                    3500,
                    iso(t0 + timedelta(seconds=40)),
                    txid,
                    reason="EVDisconnected",
                    id_tag=GOOD,
                    transaction_data=[energy(t0 + timedelta(seconds=30), 3000, 6900)],
                )
            )
            stop_again = await cp.call(
                call.StopTransaction(
                    3500, iso(t0 + timedelta(seconds=40)), txid, reason="EVDisconnected"
                )
            )
            await cp.call(call.StatusNotification(1, "NoError", "Available"))
            wait_until(lambda: len(cp.configured) == 2, 30, "the configuration after boot")
            return boot, hb, good, bad, unknown, start, again, stop, stop_again, t0, cp.configured

    boot, hb, good, bad, unknown, start, again, stop, stop_again, t0, conf = asyncio.run(run())
    assert boot.status == "Accepted" and boot.interval > 0 and boot.current_time
    assert hb.current_time
    assert good.id_tag_info == {"status": "Accepted", "parent_id_tag": "Staff"}
    assert bad.id_tag_info["status"] == "Blocked"
    assert unknown.id_tag_info["status"] == "Invalid"
    assert start.id_tag_info["status"] == "Accepted" and start.transaction_id > 0
    assert again.transaction_id == start.transaction_id  # a retried start: the same id
    assert stop.id_tag_info["status"] == "Accepted"
    assert stop_again is not None
    assert dict(conf)["MeterValueSampleInterval"].isdigit()
    assert "Energy.Active.Import.Register" in dict(conf)["MeterValuesSampledData"]

    row = wait_until(
        lambda: (r := session(site, start.transaction_id)) and r.stopped_at and r,
        30,
        "the stored session",
    )
    assert row.meter_start_wh == 1000 and row.meter_stop_wh == 3500
    assert row.energy_wh == 2500  # meterStop - meterStart
    assert row.stop_reason == "EVDisconnected"
    assert row.authorized_at == t0 and row.stopped_at == t0 + timedelta(seconds=40)
    assert row.card_uid == GOOD and row.holder_name == "Ada"

    def samples(s: Any) -> list[tuple[datetime, int]]:
        q = (
            select(MeterSample.ts, MeterSample.energy_wh)
            .where(MeterSample.session_id == row.id)
            .order_by(MeterSample.ts)
        )
        return [tuple(r) for r in s.execute(q)]

    assert site.rows(samples) == [
        (t0 + timedelta(seconds=10), 1500),
        (t0 + timedelta(seconds=20), 2100),  # kWh in, Wh stored
        (t0 + timedelta(seconds=30), 3000),  # transactionData
    ]
    # Receipts read the same tables as for a serial charger's session.
    pdf = site.tmp / f"receipt-{row.id}.pdf"
    r = cli("--db", site.url, "receipt", str(row.id), "-o", str(pdf), env=env_for())
    assert r.returncode == 0, r.stdout + r.stderr
    assert pdf.read_bytes().startswith(b"%PDF")
    assert (
        site.rows(
            lambda s: s.scalar(
                select(ChargeSession.id).where(
                    ChargeSession.tx_uid == f"ocpp-{start.transaction_id}"
                )
            )
        )
        == row.id
    )  # one row


def test_a_card_with_a_validity_end_is_answered_with_its_expiry_date(site: Site) -> None:
    """idTagInfo carries the card's validity end (the charger's cache then expires it on its
    own), beside parentIdTag; a card without one carries none."""
    t0 = datetime.now(UTC).replace(microsecond=0)

    async def run() -> tuple[Any, ...]:
        async with connected(site, "CP1") as cp:
            await cp.call(call.BootNotification("Model-X", "Vendor-Y"))
            dated = await cp.call(call.Authorize(DATED))
            open_ended = await cp.call(call.Authorize(GOOD))
            start = await cp.call(call.StartTransaction(2, DATED, 0, iso(t0)))
            stop = await cp.call(
                call.StopTransaction(
                    100, iso(t0 + timedelta(seconds=5)), start.transaction_id, id_tag=DATED
                )
            )
            return dated, open_ended, start, stop

    dated, open_ended, start, stop = asyncio.run(run())
    expiry = datetime.fromisoformat(dated.id_tag_info["expiry_date"].replace("Z", "+00:00"))
    assert (expiry.date().isoformat(), expiry.tzinfo is not None) == ("2030-12-31", True)
    assert dated.id_tag_info["status"] == "Accepted"
    assert dated.id_tag_info["parent_id_tag"] == "Staff"
    assert "expiry_date" not in open_ended.id_tag_info
    assert start.id_tag_info["expiry_date"] == dated.id_tag_info["expiry_date"]
    assert start.id_tag_info["parent_id_tag"] == "Staff"
    assert stop.id_tag_info["expiry_date"] == dated.id_tag_info["expiry_date"]


def test_offline_replay_is_booked_at_its_own_times(site: Site) -> None:
    past = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=3)

    async def run() -> tuple[int, Any]:
        async with connected(site, "CP1") as cp:
            await cp.call(call.BootNotification("Model-X", "Vendor-Y"))
            start = await cp.call(call.StartTransaction(2, GOOD, 50_000, iso(past)))
            await cp.call(
                call.MeterValues(
                    2, [energy(past + timedelta(minutes=30), 55_000)], start.transaction_id
                )
            )
            stop = await cp.call(
                call.StopTransaction(
                    60_000, iso(past + timedelta(hours=1)), start.transaction_id, reason="Local"
                )
            )
            return start.transaction_id, stop

    txid, stop = asyncio.run(run())
    assert stop is not None
    row = wait_until(lambda: (r := session(site, txid)) and r.stopped_at and r, 30, "session")
    assert row.authorized_at == past and row.plugged_at == past
    assert row.stopped_at == past + timedelta(hours=1)
    assert row.energy_wh == 10_000 and row.stop_reason == "Local"


def test_unknown_stop_is_answered_and_recorded(site: Site) -> None:
    at = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=5)

    async def run() -> Any:
        async with connected(site, "CP1") as cp:
            return await cp.call(call.StopTransaction(4242, iso(at), -1, id_tag=GOOD))

    stop = asyncio.run(run())
    assert stop.id_tag_info["status"] == "Accepted"

    def events(s: Any) -> list[tuple[str, str | None, dict]]:
        q = select(ChargerEvent).where(ChargerEvent.kind == "ocpp_unknown_stop")
        return [(e.code, e.ts, json.loads(e.detail)) for e in s.scalars(q)]

    found = wait_until(lambda: site.rows(events), 30, "the reconciliation record")
    code, ts, detail = found[-1]
    assert code == "-1" and ts == at and detail["meterStop"] == 4242


def test_fault_is_linked_to_bay_and_session(site: Site) -> None:
    t0 = datetime.now(UTC).replace(microsecond=0)

    async def run() -> int:
        async with connected(site, "CP1") as cp:
            start = await cp.call(call.StartTransaction(1, GOOD, 9000, iso(t0)))
            await cp.call(
                call.StatusNotification(
                    1,
                    "GroundFailure",
                    "Faulted",
                    vendor_error_code="E42",
                    info="RCD tripped",
                    timestamp=iso(t0 + timedelta(seconds=5)),
                )
            )
            await cp.call(
                call.StopTransaction(
                    9100, iso(t0 + timedelta(seconds=6)), start.transaction_id, reason="Other"
                )
            )
            await cp.call(call.StatusNotification(1, "NoError", "Available"))
            return start.transaction_id

    txid = asyncio.run(run())
    row = wait_until(lambda: (r := session(site, txid)) and r.stopped_at and r, 30, "session")

    def faults(s: Any) -> list[tuple[str, int | None, bool]]:
        q = select(Fault).where(Fault.session_id == row.id)
        return [(f.code, f.bay_id, f.cleared_at is not None) for f in s.scalars(q)]

    cleared = wait_until(
        lambda: (f := site.rows(faults)) and all(c for *_, c in f) and f,
        30,
        "the fault raised and cleared",
    )
    assert cleared == [("GroundFailure", row.bay_id, True)]

    def detail(s: Any) -> list[dict]:
        q = select(ChargerEvent).where(ChargerEvent.kind == "ocpp_fault")
        return [json.loads(e.detail) for e in s.scalars(q)]

    assert (
        wait_until(lambda: site.rows(detail), 30, "the fault detail")[-1]["vendorErrorCode"]
        == "E42"
    )


def test_bad_frames_get_call_errors_and_keep_the_connection(site: Site) -> None:
    async def run() -> list[Any]:
        async with websockets.connect(f"{site.ocpp_url}/ocpp/CP1", subprotocols=["ocpp1.6"]) as ws:
            out = []
            for frame in (
                "not json",
                '[2,"a1","NoSuchAction",{}]',
                '[2,"a2","Heartbeat",{"x":1}]',
                '[2,"a3","StartTransaction",{"connectorId":1}]',
                '[2,"a4","Heartbeat",{}]',
            ):
                await ws.send(frame)
                out.append(json.loads(await asyncio.wait_for(ws.recv(), 30)))
            return out

    err_json, err_action, err_extra, err_missing, ok = asyncio.run(run())
    assert err_json[0] == 4 and err_json[2] == "FormationViolation"
    assert err_action[:3] == [4, "a1", "NotImplemented"]
    assert err_extra[0] == 4 and err_extra[1] == "a2"
    assert err_missing[0] == 4 and err_missing[1] == "a3"
    assert ok[0] == 3 and ok[1] == "a4" and "currentTime" in ok[2]
    assert site.svc.proc.poll() is None


def test_refused_upgrades(site: Site) -> None:
    async def status(cpid: str, **kw: Any) -> int:
        try:
            async with websockets.connect(f"{site.ocpp_url}/ocpp/{cpid}", **kw):
                return 101
        except websockets.InvalidStatus as e:
            return e.response.status_code

    def basic(user: str, password: str) -> dict[str, str]:
        token = base64.b64encode(f"{user}:{password}".encode()).decode()
        return {"additional_headers": {"Authorization": f"Basic {token}"}}

    async def run() -> list[int]:
        proto = {"subprotocols": ["ocpp1.6"]}
        return [
            await status("NOPE", **proto),
            await status("CP2", **proto),
            await status("CP2", **proto, **basic("CP2", "wrong")),
            await status("CP2", **proto, **basic("CP2", PASSWORD)),
            await status("CP1"),  # no subprotocol offered
        ]

    assert asyncio.run(run()) == [404, 401, 401, 101, 400]
    log = site.svc.log()
    assert log.count("charge point NOPE refused") == 1
    assert "charge point CP2 refused: no credentials (HTTP 401)" in log
    assert "charge point CP2 refused: wrong credentials (HTTP 401)" in log


def test_a_dropped_connection_and_a_restart_leave_the_session_open(
    tmp_path: Path,
) -> None:
    url = _make_site(tmp_path)
    t0 = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=10)

    async def begin(site: Site) -> int:
        async with connected(site, "CP1") as cp:
            start = await cp.call(call.StartTransaction(1, GOOD, 100, iso(t0)))
            return start.transaction_id

    async def end(site: Site, txid: int) -> tuple[Any, int]:
        async with connected(site, "CP1") as cp:
            stop = await cp.call(
                call.StopTransaction(900, iso(t0 + timedelta(minutes=5)), txid, reason="Local")
            )
            nxt = await cp.call(call.StartTransaction(2, GOOD, 0, iso(t0 + timedelta(minutes=6))))
            return stop, nxt.transaction_id

    with _running(tmp_path, url, "first") as site:
        txid = asyncio.run(begin(site))
        wait_until(lambda: session(site, txid), 30, "the session stored")
    row = session(site, txid)
    assert row is not None and row.stopped_at is None  # the charger has not said it ended
    with _running(tmp_path, url, "second") as site:
        stop, next_id = asyncio.run(end(site, txid))
        row = wait_until(lambda: (r := session(site, txid)) and r.stopped_at and r, 30, "closed")
    assert stop is not None
    assert row.energy_wh == 800 and row.stopped_at == t0 + timedelta(minutes=5)
    assert next_id > txid  # a transactionId is never given twice


def test_a_busy_database_never_holds_or_drops_a_message(site: Site) -> None:
    """Another program holds the write lock: every call is still answered (the records wait
    in the journal) and the session is in the database once the lock is let go."""
    import sqlite3

    t0 = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=2)
    holder = sqlite3.connect(site.url.removeprefix("sqlite:///"), isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")

    async def run() -> tuple[int, Any]:
        async with connected(site, "CP2", additional_headers=_basic("CP2", PASSWORD)) as cp:
            start = await cp.call(call.StartTransaction(1, GOOD, 0, iso(t0)))
            await cp.call(
                call.MeterValues(1, [energy(t0 + timedelta(seconds=30), 400)], start.transaction_id)
            )
            stop = await cp.call(
                call.StopTransaction(700, iso(t0 + timedelta(minutes=1)), start.transaction_id)
            )
            return start.transaction_id, stop

    try:
        txid, stop = asyncio.run(run())
        assert stop is not None
        assert session(site, txid) is None  # not written yet: the lock is still held
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    row = wait_until(lambda: (r := session(site, txid)) and r.stopped_at and r, 60, "written")
    assert row.energy_wh == 700 and row.stop_reason == "Local"


def _basic(user: str, password: str) -> dict[str, str]:
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


class GuestPoint(Point):
    """Accepts the site's RemoteStartTransaction and keeps its id tag, starting nothing:
    the test sends the StartTransaction itself, after the service restarted."""

    remote_starts: list[tuple[int | None, str]]

    @on(Action.remote_start_transaction)
    async def on_remote_start(
        self, id_tag: str, connector_id: int | None = None, **_kw: Any
    ) -> Any:
        self.remote_starts.append((connector_id, id_tag))
        return call_result.RemoteStartTransaction(status=RemoteStartStopStatus.accepted)


def test_a_guest_tag_survives_a_restart_until_it_expires(tmp_path: Path) -> None:
    """RemoteStartTransaction, then the service restarts before the charger's
    StartTransaction: the guest tag was kept (with its expiry), so the late start is the
    guest session the attendant asked for; a tag past its expiry is refused like an
    unknown card; a stopped guest session's tag is deleted."""
    from stationmgr.client.remote import RemoteClient
    from stationmgr.store.ocpp_models import OcppGuestTag

    url = _make_site(tmp_path)

    async def ask(site: Site) -> list[tuple[int | None, str]]:
        async with websockets.connect(f"{site.ocpp_url}/ocpp/CP1", subprotocols=["ocpp1.6"]) as ws:
            cp = GuestPoint("CP1", ws)
            cp.configured, cp.remote_starts = [], []
            task = asyncio.create_task(cp.start())
            try:
                await cp.call(call.BootNotification("Model-X", "Vendor-Y"))
                client = RemoteClient(site.svc.url)
                try:
                    await asyncio.to_thread(
                        wait_until,
                        lambda: all(b.online for b in client.bays() if b.label in ("N1", "N2")),
                        30,
                        "N1 and N2 online",
                    )
                    ids = {b.label: b.bay_id for b in client.bays()}
                    for label in ("N1", "N2"):  # each waits a while for a start that won't come
                        await asyncio.to_thread(client.remote_start, ids[label], "paid at desk")
                finally:
                    client.close()
                return list(cp.remote_starts)
            finally:
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)

    with _running(tmp_path, url, "asked") as site:
        starts = asyncio.run(ask(site))
    assert [c for c, _t in starts] == [1, 2] and all(t.startswith("GUEST-") for _c, t in starts)
    (_c1, tag), (_c2, stale) = starts

    def tags(s: Any) -> dict[str, tuple[datetime, datetime, str | None]]:
        return {
            r.tag: (r.asked_at, r.expires_at, r.tx_uid) for r in s.scalars(select(OcppGuestTag))
        }

    kept = site.rows(tags)
    assert set(kept) == {tag, stale}
    asked_at, expires_at, tx = kept[tag]
    assert expires_at > asked_at and tx is None

    def expire(s: Any) -> None:  # the second one's window has passed (as after a long outage)
        row = s.get(OcppGuestTag, stale)
        row.expires_at = datetime.now(UTC) - timedelta(seconds=1)
        s.commit()

    site.rows(expire)
    t0 = datetime.now(UTC).replace(microsecond=0)

    async def late(site: Site) -> tuple[Any, ...]:
        async with connected(site, "CP1") as cp:
            await cp.call(call.BootNotification("Model-X", "Vendor-Y"))
            authorized = await cp.call(call.Authorize(tag))
            refused = await cp.call(call.Authorize(stale))
            start = await cp.call(call.StartTransaction(1, tag, 0, iso(t0)))
            during = site.rows(tags)
            stop = await cp.call(
                call.StopTransaction(
                    900, iso(t0 + timedelta(seconds=30)), start.transaction_id, id_tag=tag,
                    reason="Local",
                )
            )  # fmt: skip
            return authorized, refused, start, during, stop

    with _running(tmp_path, url, "restarted") as site:
        authorized, refused, start, during, stop = asyncio.run(late(site))
        row = wait_until(
            lambda: (r := session(site, start.transaction_id)) and r.stopped_at and r, 30, "booked"
        )
        gone = wait_until(lambda: tag not in (t := site.rows(tags)) and t, 30, "tag deleted")
    assert authorized.id_tag_info["status"] == "Accepted"
    assert refused.id_tag_info["status"] == "Invalid"
    assert start.id_tag_info["status"] == "Accepted" and start.transaction_id > 0
    assert stop.id_tag_info["status"] == "Accepted"
    assert row.holder_name == "Guest" and row.guest_reason == "paid at desk"
    assert row.energy_wh == 900 and row.card_uid is None
    assert during[tag][2] in (None, f"ocpp-{start.transaction_id}")  # written by the writer
    assert set(gone) == {stale}  # the expired one stays until the next guest start
