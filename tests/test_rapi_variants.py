"""The OpenEVSE driver against simulator variants of real units, over real ptys.

Each variant is what the firmware source of that version does (see the simulator's
docstring): heartbeat supervision left in EEPROM by the WiFi gateway, RAPI 4.0.1 and 2.0.3
reply formats, builds without ammeter, BOOTLOCK builds, three-phase installs. Every test
here failed on the driver before these variants were handled.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable, Iterator

import pytest

from stationmgr.clock import WarpClock
from stationmgr.drivers import DeviceConfig, create_charger
from stationmgr.drivers.api import Failsafe
from stationmgr.drivers.openevse import OpenEVSE
from stationmgr.drivers.serial_link import SerialLink
from stationmgr.errors import DeviceError
from stationmgr.sim.ev import EV
from stationmgr.sim.openevse_sim import OpenEVSESim
from stationmgr.sim.transport import PtyEndpoint


@contextlib.contextmanager
def _sim(**kw: object) -> Iterator[OpenEVSESim]:
    speed = kw.pop("speed", 50.0)
    s = OpenEVSESim(PtyEndpoint(), WarpClock(speed), log_commands=True, **kw).start()  # type: ignore[arg-type]
    try:
        yield s
    finally:
        s.stop()


@contextlib.asynccontextmanager
async def _opened(sim: OpenEVSESim, **kw: object) -> AsyncIterator[OpenEVSE]:
    d = OpenEVSE(SerialLink(sim.endpoint.name), reply_timeout_s=0.3, **kw)  # type: ignore[arg-type]
    await d.open()
    try:
        yield d
    finally:
        await d.close()


async def _until(what: str, cond: Callable[[], bool], timeout: float = 5.0) -> None:
    """Wait for a condition, with a deadline (never a fixed sleep)."""
    end = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > end:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)


def _cmds(sim: OpenEVSESim) -> list[str]:
    return [c for _, c in sim.st.commands]


def run(coro: object) -> None:
    asyncio.run(coro)  # type: ignore[arg-type]


# ------------------------------------------------------------ heartbeat supervision


def test_eeprom_heartbeat_is_kept_fed_so_the_current_holds(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The gateway left `$SY 1 6`: polled by us, the charger keeps our 20 A."""
    with _sim(heartbeat=(1, 6)) as sim:

        async def go() -> None:
            with caplog.at_level(logging.WARNING, "stationmgr.drivers.openevse"):
                async with _opened(sim) as d:
                    assert d.supervision == (1, 6, 0)
                    assert "heartbeat supervision is on" in caplog.text
                    await d.set_current_limit(1, 20)
                    sim.plug(EV())
                    # Poll (as the coordinator does) for three supervision intervals.
                    end = time.monotonic() + 3.0
                    while time.monotonic() < end:
                        r = await d.read()
                        assert r.connectors[0].offered_a == 20.0
                        await asyncio.sleep(0.1)
                    assert sim.conn.current_limit_a == 20 and sim.st.hs_trigger == 0
                    assert r.extra["heartbeat"] == {"interval_s": 1, "fallback_a": 6, "trigger": 0}

        run(go())


def test_a_missed_heartbeat_is_reported_acknowledged_and_our_current_restored(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with _sim(heartbeat=(1, 6)) as sim:

        async def go() -> None:
            async with _opened(sim) as d:
                await d.set_current_limit(1, 20)
                sim.plug(EV())
                # The site stops talking: the charger falls back on its own.
                await _until("the fallback", lambda: sim.st.hs_trigger == 2)
                assert sim.conn.current_limit_a == 6
                with caplog.at_level(logging.WARNING, "stationmgr.drivers.openevse"):
                    r = await d.read()
                c = r.connectors[0]
                assert c.offered_a == 6.0 and r.extra["heartbeat_missed"] is True
                assert "offers 6 A, not the 20 A set" in caplog.text
                assert "missed heartbeat acknowledged" in caplog.text
                # Acknowledged with the cookie, and our 20 A sent again (the ack alone
                # would restore the EEPROM maximum, 32 A).
                assert sim.st.hs_trigger == 1 and sim.conn.current_limit_a == 20
                assert (await d.read()).connectors[0].offered_a == 20.0

        run(go())


def test_failsafe_sets_the_supervision_and_switches_it_off(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with _sim() as sim:

        async def go() -> None:
            async with _opened(sim, installation_max_a=16) as d:
                assert isinstance(d, Failsafe)
                assert d.supervision == (0, 0, 0)  # $GY: off on a fresh EEPROM
                await d.set_failsafe(5, 10)
                assert (sim.st.hs_interval, sim.st.hs_fallback) == (5, 10)
                await d.read()
                assert "SY" in _cmds(sim)[-6:]  # the pulse that keeps it fed
                with caplog.at_level(logging.WARNING, "stationmgr.drivers.openevse"):
                    await d.set_failsafe(300, 0)  # "stop": the firmware cannot, 6 A
                assert (sim.st.hs_interval, sim.st.hs_fallback) == (65, 6)
                assert "cannot stop charging on its own" in caplog.text
                await d.set_failsafe(2, 40)  # never above the installation maximum
                assert sim.st.hs_fallback == 16
                await d.set_failsafe(0, 0)
                assert (sim.st.hs_interval, sim.st.hs_fallback) == (0, 0)
                before = len(_cmds(sim))
                await d.read()
                assert "SY" not in _cmds(sim)[before:]  # off: no pulses

        run(go())


def test_a_current_the_charger_imposed_is_visible_and_warned_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with _sim() as sim:

        async def go() -> None:
            async with _opened(sim) as d:
                await d.set_current_limit(1, 24)
                assert (await d.read()).connectors[0].offered_a == 24.0
                sim.conn.set_current(10, sim.now)  # e.g. over temperature, another client
                with caplog.at_level(logging.WARNING, "stationmgr.drivers.openevse"):
                    r1, r2 = await d.read(), await d.read()
                assert r1.connectors[0].offered_a == r2.connectors[0].offered_a == 10.0
                assert r1.extra["offered_a"] == 10.0 and r1.extra["limit_a"] == 24.0
                assert caplog.text.count("offers 10 A, not the 24 A set") == 1

        run(go())


# ------------------------------------------------------------ old RAPI versions


def test_rapi_4_0_1_decimal_status_st_messages_and_two_value_range() -> None:
    with _sim(firmware="5.1.0") as sim:

        async def go() -> None:
            async with _opened(sim) as d:
                assert (d.firmware, d.rapi_version) == ("D5.1.0", "4.0.1")
                woke: list[int] = []
                d.on_change(lambda: woke.append(1))
                sim.plug(EV())
                await _until("a $ST message", lambda: bool(woke))
                await _until("charge", lambda: sim.conn.power_w > 0)
                r = (await d.read()).connectors[0]
                assert (r.plugged, r.charging, r.raw_state) == (True, True, "03")
                assert r.power_w and r.power_w > 1000
                await d.allow_charging(1, False)  # asleep: `$GS` "254 n", plug from $G0
                r = (await d.read()).connectors[0]
                assert (r.plugged, r.allowed, r.raw_state) == (True, False, "fe")
                sim.unplug()
                assert not (await d.read()).connectors[0].plugged

        run(go())


def test_rapi_2_works_without_sequence_ids() -> None:
    """D4.4.0 never echoes ids; with one, `$SC 16 V :01` has a token too many ($NK)."""
    with _sim(firmware="4.4.0") as sim:

        async def go() -> None:
            async with _opened(sim) as d:
                assert (d.firmware, d.rapi_version) == ("D4.4.0", "2.0.3")
                await d.set_current_limit(1, 16)
                assert sim.conn.current_limit_a == 16
                sim.plug(EV())
                r = (await d.read()).connectors[0]
                assert r.plugged and r.offered_a == 16.0

        run(go())


def test_rapi_1_is_refused_with_the_firmware_named() -> None:
    with _sim(firmware="4.4.0") as sim:
        sim.rapi_version, sim.rapi = "1.0.5", (1, 0, 5)

        async def go() -> None:
            with pytest.raises(DeviceError, match=r"firmware D4\.4\.0 \(RAPI 1\.0\.5\)"):
                async with _opened(sim):
                    pass

        run(go())


# ------------------------------------------------------------ builds


def test_a_build_without_ammeter_still_reads() -> None:
    with _sim(ammeter=False) as sim:

        async def go() -> None:
            async with _opened(sim) as d:
                assert (d.has_ammeter, d.has_energy) == (False, False)
                sim.plug(EV())
                before = len(_cmds(sim))
                r = (await d.read()).connectors[0]
                assert r.plugged and r.energy_wh is None and r.power_w is None
                assert r.currents_a == () and r.session_energy_wh is None
                assert _cmds(sim)[before:] == ["GS", "GE"]  # $GG/$GU probed once at open

        run(go())


@pytest.mark.parametrize("gate_open", [False, True])
def test_bootlock_is_cleared_and_a_shut_gate_stays_shut(gate_open: bool) -> None:
    with _sim(bootlock=True) as sim:

        async def go() -> None:
            async with _opened(sim) as d:
                await d.allow_charging(1, gate_open)
                sim.plug(EV())
                r = (await d.read()).connectors[0]
                assert r.allowed is False  # boot locked: no charge yet
                assert not sim.st.boot_locked and "SB" in _cmds(sim)
                assert sim.st.mode == ("active" if gate_open else "sleeping")
                r = (await d.read()).connectors[0]
                assert r.allowed is gate_open

        run(go())


def test_three_phase_energy_and_power_are_the_whole_install() -> None:
    """Three phases at 230 V, firmware built for 240 V: `$SV` and ×3 make it right."""
    with _sim(phases=3, voltage_v=230.0, configured_v=240.0, speed=200.0) as sim:

        async def go() -> None:
            async with _opened(sim, phases=3, nominal_voltage_v=230.0) as d:
                assert sim.st.configured_mv == 230000  # $SV at open
                sim.plug(EV(capacity_wh=60000, soc=0.2, max_power_w=11000))
                start = sim.conn.energy_total_wh
                await _until("some energy", lambda: sim.conn.energy_total_wh - start > 200)
                r = await d.read()
                c = r.connectors[0]
                truth = sim.conn.energy_total_wh - start
                assert c.session_energy_wh == pytest.approx(truth, rel=0.02, abs=3)
                assert c.power_w == pytest.approx(sim.conn.power_w, rel=0.01)
                assert c.voltages_v == (230.0,) * 3 and len(c.currents_a) == 3
                sim.reboot()  # `$SV` is volatile: sent again
                await d.read()
                assert sim.st.configured_mv == 230000

        run(go())


# ------------------------------------------------------------ installation maximum


def test_never_more_than_the_installation_maximum(caplog: pytest.LogCaptureFixture) -> None:
    with _sim() as sim:

        async def go() -> None:
            settings = {"installation_max_a": 16}
            d = create_charger("openevse", DeviceConfig(sim.endpoint.name, settings=settings))
            info = await d.open()
            try:
                assert info.max_current_a == 16.0
                with caplog.at_level(logging.WARNING, "stationmgr.drivers.openevse"):
                    await d.set_current_limit(1, 32)  # type: ignore[attr-defined]
                assert sim.conn.current_limit_a == 16 and "32 A asked, 16 A sent" in caplog.text
                sent = [c for c in sim.st.commands if c[1] == "SC"]
                assert len(sent) == 1
            finally:
                await d.close()

        run(go())


# ------------------------------------------------------------ continuity proof


def test_session_elapsed_is_charging_time_and_both_reset_at_plug_in() -> None:
    with _sim(speed=100.0) as sim:

        async def go() -> None:
            async with _opened(sim) as d:
                await d.allow_charging(1, False)
                sim.plug(EV())
                t0 = sim.now
                await _until("time passing asleep", lambda: sim.now - t0 > 30)
                c = (await d.read()).connectors[0]
                assert c.session_elapsed_s == 0.0  # plugged, but not charging
                await d.allow_charging(1, True)
                await _until("charging", lambda: sim.conn.charge_s > 60)
                c1 = (await d.read()).connectors[0]
                assert c1.session_elapsed_s and c1.session_elapsed_s >= 60
                assert c1.session_energy_wh and c1.session_energy_wh > 0
                sim.set_paused(True)  # the car stops drawing: elapsed holds
                frozen = sim.conn.charge_s
                t1 = sim.now
                await _until("time passing paused", lambda: sim.now - t1 > 30)
                c2 = (await d.read()).connectors[0]
                assert c2.session_elapsed_s == int(frozen)
                sim.unplug()
                # A new car, held asleep so its own charging time stays 0 however long the
                # read takes on a loaded machine: the charger's clock and energy restart.
                await d.allow_charging(1, False)
                sim.plug(EV())
                c3 = (await d.read()).connectors[0]
                assert sim.conn.charge_s == 0 < frozen
                assert (c3.session_elapsed_s or 0) == 0
                assert (c3.session_energy_wh or 0) < (c2.session_energy_wh or 0)

        run(go())


def test_settings_reach_the_driver() -> None:
    d = create_charger(
        "openevse",
        DeviceConfig("/dev/null", settings={"phases": 3, "nominal_voltage_v": 220}),
    )
    assert (d.phases, d.nominal_voltage_v) == (3, 220.0)  # type: ignore[attr-defined]
    d = create_charger("openevse", DeviceConfig("/dev/null"))
    assert (d.phases, d.nominal_voltage_v, d.installation_max_a) == (1, None, None)  # type: ignore[attr-defined]


def test_a_nominal_voltage_for_the_other_service_level_is_not_sent(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A US unit at L1 (120 V) with the default 230 V: $SV would double the energy."""
    with _sim(voltage_v=120.0) as sim:

        async def go() -> None:
            with caplog.at_level(logging.WARNING, "stationmgr.drivers.openevse"):
                async with _opened(sim, nominal_voltage_v=230.0) as d:
                    await d.read()
                    await d.read()
            assert sim.st.configured_mv == 120000 and "SV" not in _cmds(sim)
            assert caplog.text.count("service level L1") == 1

        run(go())
