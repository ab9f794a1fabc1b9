"""The OpenEVSE driver against the RAPI simulator over real pseudo-terminals."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator

import pytest

from stationmgr.clock import WarpClock
from stationmgr.drivers import DeviceConfig, create_charger
from stationmgr.drivers.api import ChangeNotifier, Charger, CurrentLimit, Gate
from stationmgr.drivers.bus import PortPool
from stationmgr.drivers.openevse import OpenEVSE
from stationmgr.drivers.serial_link import SerialLink
from stationmgr.errors import DeviceError
from stationmgr.sim.ev import EV
from stationmgr.sim.openevse_sim import OpenEVSESim
from stationmgr.sim.transport import PtyEndpoint, WireTime
from tests.helpers.wait import async_wait_until


@pytest.fixture
def sim() -> Iterator[OpenEVSESim]:
    s = OpenEVSESim(PtyEndpoint(), WarpClock(50.0), log_commands=True).start()
    try:
        yield s
    finally:
        s.stop()


def _driver(sim: OpenEVSESim, **kw: object) -> OpenEVSE:
    return OpenEVSE(SerialLink(sim.endpoint.name), reply_timeout_s=0.3, **kw)  # type: ignore[arg-type]


@contextlib.asynccontextmanager
async def _opened(sim: OpenEVSESim, **kw: object) -> AsyncIterator[OpenEVSE]:
    d = _driver(sim, **kw)
    await d.open()
    try:
        yield d
    finally:
        await d.close()


async def _delivered(sim: OpenEVSESim, wh: float) -> None:
    """Until the simulated charger has delivered `wh` more in this plug-in (its own Ws)."""
    start = sim.conn.session_ws
    await async_wait_until(
        lambda: sim.conn.session_ws >= start + wh * 3600, what=f"{wh:g} Wh delivered"
    )


def run(coro: object) -> object:
    return asyncio.run(coro)  # type: ignore[arg-type]


def test_registered_with_its_capabilities(sim: OpenEVSESim) -> None:
    async def go() -> None:
        pool = PortPool()
        d = create_charger("openevse", DeviceConfig(sim.endpoint.name), pool)
        assert isinstance(d, Charger | Gate | CurrentLimit | ChangeNotifier)
        assert all(isinstance(d, c) for c in (Charger, Gate, CurrentLimit, ChangeNotifier))
        info = await d.open()
        assert (info.model, info.firmware, info.min_current_a, info.max_current_a) == (
            "OpenEVSE",
            "8.2.1",
            6.0,
            32.0,
        )
        # One owner per port: a second driver on the same port shares the link.
        d2 = create_charger("openevse", DeviceConfig(sim.endpoint.name), pool)
        assert d2.link is d.link  # type: ignore[attr-defined]
        await d.close()
        await pool.close_all()

    run(go())


def test_reading_decodes_state_vflags_and_energy(sim: OpenEVSESim) -> None:
    async def go() -> None:
        async with _opened(sim) as d:
            r = (await d.read()).connectors[0]
            assert (r.plugged, r.charging, r.raw_state, r.fault) == (False, False, "01", None)
            await d.allow_charging(1, False)
            sim.plug(EV(capacity_wh=2000, soc=0.5))
            r = (await d.read()).connectors[0]
            # Asleep with a car: plugged from vflags 0x0100, not offering energy.
            assert (r.plugged, r.allowed, r.raw_state, r.power_w) == (True, False, "fe", 0.0)
            await d.allow_charging(1, True)
            await _delivered(sim, 1.0)
            reading = await d.read()
            r = reading.connectors[0]
            assert r.charging and r.allowed and r.raw_state == "03"
            assert r.power_w and r.power_w > 7000 and r.voltages_v == (240.0,)
            ws = reading.extra["session_energy_wh"]
            assert r.energy_wh == int(ws)  # lifetime 0 + whole Wh of the session
            assert [c for _, c in sim.st.commands][-6:].count("GS") == 1

    run(go())


def test_energy_register_is_monotonic_across_unplug_and_next_plug_in(sim: OpenEVSESim) -> None:
    async def go() -> None:
        async with _opened(sim) as d:
            seen: list[float] = []
            for _ in range(2):
                sim.plug(EV(capacity_wh=2000, soc=0.5))
                for _ in range(3):
                    await _delivered(sim, 1.0)
                    seen.append((await d.read()).connectors[0].energy_wh or 0.0)
                sim.unplug()
                seen.append((await d.read()).connectors[0].energy_wh or 0.0)
                # The firmware folded Ws/3600, truncated, into the lifetime counter.
                log = sim.st.sessions[-1]
                assert seen[-1] == sim.st.lifetime_wh
                assert log.lifetime_after_wh - log.lifetime_before_wh == log.ws_at_unplug // 3600
            assert seen == sorted(seen) and seen[-1] > 0

    run(go())


def test_a_car_leaving_and_another_arriving_between_polls(sim: OpenEVSESim) -> None:
    async def go() -> None:
        async with _opened(sim) as d:
            sim.plug(EV(capacity_wh=2000, soc=0.5))
            await _delivered(sim, 2.0)
            before = (await d.read()).connectors[0].energy_wh or 0.0
            sim.unplug()
            sim.plug(EV(capacity_wh=2000, soc=0.5))
            await _delivered(sim, 2.0)
            reading = await d.read()
            after = reading.connectors[0].energy_wh or 0.0
            first = sim.st.sessions[0]
            assert before <= first.lifetime_after_wh <= after
            # Folded the old session, then counts the new one's Ws on top.
            ws = round(float(reading.extra["session_energy_wh"]) * 3600)  # type: ignore[arg-type]
            assert after == first.lifetime_after_wh + ws // 3600

    run(go())


def test_a_car_arriving_between_the_energy_and_status_commands(sim: OpenEVSESim) -> None:
    """The car before left since the last poll and the next one arrives after `$GU` but
    before `$GS`: `$GU` still holds the old plug-in's Ws (already folded into the lifetime
    counter), `$GS` says plugged as at the last poll. Counting those Ws on top made the
    register jump by the old session's energy (the kill test saw 2845 then 2627 Wh)."""

    async def go() -> None:
        async with _opened(sim) as d:
            sim.plug(EV(capacity_wh=2000, soc=0.5))
            await _delivered(sim, 3.0)
            assert (await d.read()).connectors[0].plugged
            sim.unplug()
            folded = sim.st.lifetime_wh
            assert sim.st.sessions[-1].ws_at_unplug >= 3 * 3600

            def arrive(_stamp: float, cmd: str) -> None:
                if cmd == "GS" and not sim.conn.plugged:
                    sim.plug(EV(capacity_wh=2000, soc=0.5))

            sim.on_command.append(arrive)
            try:
                reading = (await d.read()).connectors[0]
            finally:
                sim.on_command.remove(arrive)
            assert reading.plugged
            assert reading.energy_wh == folded  # the new plug-in has delivered nothing yet
            assert (reading.session_energy_wh or 0.0) < 1.0

    run(go())


def test_reboot_is_reported_and_the_register_drops(sim: OpenEVSESim) -> None:
    async def go() -> None:
        async with _opened(sim) as d:
            sim.plug(EV(capacity_wh=2000, soc=0.5))
            await _delivered(sim, 2.0)
            sim.set_paused(True)  # nothing flows after the boot either
            e1 = (await d.read()).connectors[0].energy_wh or 0.0
            changes: list[int] = []
            d.on_change(lambda: changes.append(1))
            sim.reboot()
            await async_wait_until(lambda: changes, what="the boot message ($AB)")
            r = await d.read()
            assert r.rebooted and changes
            assert (r.connectors[0].energy_wh or 0.0) < e1
            assert not (await d.read()).rebooted

    run(go())


def test_at_messages_interleaved_with_replies_wake_the_poller(sim: OpenEVSESim) -> None:
    async def go() -> None:
        async with _opened(sim) as d:
            woke: list[int] = []
            d.on_change(lambda: woke.append(1))
            await d.allow_charging(1, False)  # $OK, then $AT (state fe)
            sim.plug(EV())  # the controller pushes $AT on its own
            await async_wait_until(lambda: len(woke) >= 2, what="two $AT messages")
            await d.read()
            assert len(woke) >= 2 and d.async_lines >= 2

    run(go())


def test_no_reply_times_out_and_retries_never_hangs(sim: OpenEVSESim) -> None:
    async def go() -> None:
        async with _opened(sim, attempts=2) as d:
            sim.inject("silence", 30)
            with pytest.raises(DeviceError, match=r"no reply to \$G[SU] after 2 tries"):
                await d.read()
            assert d.retries == 1
            sim.clear()
            assert (await d.read()).connectors[0].raw_state == "01"

    run(go())


def test_bad_checksums_and_garbage_are_retried(sim: OpenEVSESim) -> None:
    async def go() -> None:
        async with _opened(sim) as d:
            sim.inject("badsum", 2)
            await d.read()
            assert d.retries >= 1 and sim.st.badsum_left == 0
            sim.inject("garbage", 4)
            await d.read()
            await d.read()
            sim.inject("badsum", 10)
            with pytest.raises(DeviceError, match="bad reply"):
                await d.read()
            sim.st.badsum_left = 0
            await d.read()

    run(go())


def test_gate_uses_the_auth_lock_when_the_firmware_has_it() -> None:
    sim = OpenEVSESim(PtyEndpoint(), WarpClock(50.0), auth_lock=True, log_commands=True).start()
    try:

        async def go() -> None:
            async with _opened(sim) as d:
                assert d.has_auth_lock is True
                await d.allow_charging(1, False)
                sim.plug(EV())
                r = (await d.read()).connectors[0]
                assert r.allowed is False and sim.st.auth_locked
                await d.allow_charging(1, True)
                await async_wait_until(lambda: sim.conn.power_w > 0, what="charging")
                r = (await d.read()).connectors[0]
                assert r.allowed and r.charging
                assert "S4" in [c for _, c in sim.st.commands]

        run(go())
    finally:
        sim.stop()


def test_default_firmware_falls_back_to_sleep_and_enable(sim: OpenEVSESim) -> None:
    async def go() -> None:
        async with _opened(sim) as d:
            assert d.has_auth_lock is False  # $G4 answered $NK
            await d.allow_charging(1, False)
            await d.allow_charging(1, True)
            cmds = [c for _, c in sim.st.commands]
            assert cmds[-2:] == ["FS", "FE"]

    run(go())


def test_current_limit_is_volatile_and_clamped(sim: OpenEVSESim) -> None:
    async def go() -> None:
        async with _opened(sim) as d:
            raw: list[bytes] = []
            d.link.subscribe(raw.append)
            await d.set_current_limit(1, 10)
            assert sim.conn.current_limit_a == 10
            await d.set_current_limit(1, 80)  # answered $NK with the clamped value
            assert sim.conn.current_limit_a == 32

    run(go())


def test_nothing_on_the_port_is_a_device_error() -> None:
    async def go() -> None:
        d = OpenEVSE(SerialLink("/dev/nonexistent-tty"), reply_timeout_s=0.2)
        with pytest.raises(DeviceError, match="cannot open"):
            await d.open()
        await d.close()

    run(go())


def test_a_late_reply_to_an_earlier_request_is_not_taken(sim: OpenEVSESim) -> None:
    async def go() -> None:
        async with _opened(sim) as d:
            sim.wire = WireTime(0, 10, 0.15)  # the controller takes its time to answer
            stale_seq = d._seq  # the id of the request before this one
            body = f"$OK 01 0 01 0000 :{stale_seq:02X}"
            chk = 0
            for ch in body.encode():
                chk ^= ch
            loop = asyncio.get_running_loop()
            loop.call_later(0.05, sim.endpoint.write, f"{body}^{chk:02X}\r".encode())
            reply = await d.command("GV")
            assert reply.values == ("8.2.1", "5.2.1") and reply.seq == stale_seq % 255 + 1

    run(go())
