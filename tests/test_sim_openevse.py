"""The RAPI simulator checked with raw bytes on a pty (no driver code involved), so a
protocol bug cannot hide behind a driver and a simulator that agree with each other."""

from __future__ import annotations

import contextlib
import json
import os
import select
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stationmgr.clock import WarpClock
from stationmgr.errors import UserError
from stationmgr.sim.control import send_control
from stationmgr.sim.ev import EV
from stationmgr.sim.openevse_sim import OpenEVSESim
from stationmgr.sim.reader_sim import ReaderSim
from stationmgr.sim.scenario import Arrival, Scenario, ScenarioRunner, day_start, load_scenario
from stationmgr.sim.transport import PtyEndpoint, WireTime
from tests.helpers.wait import wait_until


class Wire:
    """The driver's end of the pty, raw."""

    def __init__(self, path: str) -> None:
        import termios
        import tty

        self.fd = os.open(path, os.O_RDWR | os.O_NOCTTY)
        tty.setraw(self.fd, termios.TCSANOW)
        self._pending: list[bytes] = []

    def send(self, data: bytes) -> None:
        os.write(self.fd, data)

    def lines(self, timeout: float = 1.0, want: int = 1) -> list[bytes]:
        buf = b""
        end = time.monotonic() + timeout
        while time.monotonic() < end and buf.count(b"\r") < want:
            r, _, _ = select.select([self.fd], [], [], 0.05)
            if r:
                buf += os.read(self.fd, 4096)
        return [x for x in buf.split(b"\r") if x]

    def reply(self, timeout: float = 10.0) -> bytes:
        """The next reply, skipping the controller's own announcements ($AT, $ST, $WF): it
        sends those when its state or offered current changes, between our replies, and a
        loaded machine may deliver one just before the reply we wait for."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if not self._pending:
                self._pending = self.lines(timeout=0.2)
            while self._pending:
                line = self._pending.pop(0)
                if not line.startswith((b"$AT", b"$ST", b"$WF")):
                    return line
        raise AssertionError("no reply from the simulator")

    def close(self) -> None:
        os.close(self.fd)


@pytest.fixture
def sim_wire() -> Iterator[tuple[OpenEVSESim, Wire]]:
    sim = OpenEVSESim(PtyEndpoint(), WarpClock(1.0)).start()
    wire = Wire(sim.endpoint.name)
    wire.lines(timeout=10)  # the state the controller announced at power-up ($AT)
    try:
        yield sim, wire
    finally:
        wire.close()
        sim.stop()


def xor(data: bytes) -> int:
    c = 0
    for b in data:
        c ^= b
    return c


def test_worked_example_bytes(sim_wire: tuple[OpenEVSESim, Wire]) -> None:
    sim, wire = sim_wire
    sim.plug(EV())
    wire.lines(timeout=10)  # $AT: a car
    wire.send(b"$GS :1A^5A\r")
    line = next(x for x in wire.lines() if x.startswith(b"$OK"))
    body, chk = line.rsplit(b"^", 1)
    assert body.startswith(b"$OK 03 ") and body.endswith(b" 0140 :1A")
    assert int(chk, 16) == xor(body) and chk == chk.upper()


def test_additive_and_no_checksum_are_accepted(sim_wire: tuple[OpenEVSESim, Wire]) -> None:
    _, wire = sim_wire
    wire.send(b"$GV*" + f"{sum(b'$GV') & 0xFF:02X}".encode() + b"\r")
    assert wire.lines()[0].startswith(b"$OK 8.2.1 5.2.1^")
    wire.send(b"$GV\r")
    assert wire.lines()[0].startswith(b"$OK 8.2.1 5.2.1^")


def test_bad_checksum_gets_a_bare_nk_and_unknown_command_echoes_the_id(
    sim_wire: tuple[OpenEVSESim, Wire],
) -> None:
    _, wire = sim_wire
    wire.send(b"$GS :1A^00\r")
    assert wire.lines() == [b"$NK^" + f"{xor(b'$NK'):02X}".encode()]
    wire.send(b"$ZZ :22\r")
    assert wire.lines() == [b"$NK :22^" + f"{xor(b'$NK :22'):02X}".encode()]


def test_over_32_bytes_is_dropped_without_reply(sim_wire: tuple[OpenEVSESim, Wire]) -> None:
    _, wire = sim_wire
    wire.send(b"$S1 26 11 23 20 45 00 11 22 33 44 55\r")
    assert wire.lines(timeout=0.4) == []
    wire.send(b"garbage$GV\r")  # '$' restarts the buffer
    assert wire.lines()[0].startswith(b"$OK 8.2.1")


def test_sleep_then_async_state_after_the_reply(sim_wire: tuple[OpenEVSESim, Wire]) -> None:
    sim, wire = sim_wire
    wire.send(b"$FS :05\r")
    lines = wire.lines(want=2)
    assert lines[0] == b"$OK :05^" + f"{xor(b'$OK :05'):02X}".encode()
    assert lines[1].startswith(b"$AT fe 01 32 0000^")
    sim.plug(EV())
    (at,) = wire.lines()
    assert at.startswith(b"$AT fe 02 32 0100^")  # asleep, but the car shows in vflags


def test_energy_meter_truncates_into_the_lifetime_counter() -> None:
    sim = OpenEVSESim(PtyEndpoint(), WarpClock(3600.0))  # one real second is an hour
    try:
        sim.plug(EV(capacity_wh=100_000, soc=0.1, max_power_w=7000))
        t = time.monotonic()
        while time.monotonic() - t < 0.05:
            sim.tick()
        sim.unplug()
        log = sim.st.sessions[0]
        assert log.ws_at_unplug and log.ws_at_unplug % 3600  # not a whole Wh
        assert log.lifetime_after_wh == log.ws_at_unplug // 3600
        assert int(sim.conn.session_ws) == log.ws_at_unplug  # Ws kept after unplug
        sim.plug(EV())
        assert sim.conn.session_ws == 0
    finally:
        sim.endpoint.close()


def test_reboot_announces_itself_and_wipes_the_session_ws(
    sim_wire: tuple[OpenEVSESim, Wire],
) -> None:
    sim, wire = sim_wire
    sim.plug(EV())
    wait_until(lambda: sim.tick() or sim.conn.session_ws > 3600, what="1 Wh delivered")
    sim.set_paused(True)  # so nothing flows again after the boot
    wire.lines(timeout=0.2)
    sim.reboot()
    boot = next(x for x in wire.lines(timeout=10, want=2) if x.startswith(b"$AB"))
    body, chk = boot.split(b"^")
    assert body.startswith(b"$AB ") and body.endswith(b" 8.2.1") and int(chk, 16) == xor(body)
    assert sim.conn.session_ws == 0 and sim.st.sessions[0].reboots == 1
    assert sim.st.sessions[0].lost_ws[0] > 0  # what the boot wiped


def test_wire_time() -> None:
    # RAPI $GS with checksum at 19200 baud: 30 bytes → 15.6 ms (wire-time.md).
    assert round(WireTime(19200, 10).delay(7, 23) * 1000, 1) == 15.6
    assert WireTime(0, 10, 0.1).delay(7, 23) == 0.1


def test_scenario_file(tmp_path: Path) -> None:
    f = tmp_path / "day.json"
    f.write_text(
        json.dumps(
            {
                "start": "07:00",
                "arrivals": [
                    {"at": "08:05", "card": "0A1B2C3D", "soc": 0.4, "departure": "12:30"},
                    {"at": 600, "capacity_wh": 40000},
                ],
            }
        )
    )
    sc = load_scenario(f)
    assert [a.at_s for a in sc.arrivals] == [7 * 3600 + 600, 8 * 3600 + 300]
    assert sc.arrivals[1].card == "0A1B2C3D" and sc.arrivals[1].departure_s == 12.5 * 3600
    f.write_text(json.dumps({"arrivals": [{"at": "soon"}]}))
    with pytest.raises(UserError, match="neither HH:MM nor seconds"):
        load_scenario(f)


def test_simulate_process_serves_a_pty_and_a_control_socket(tmp_path: Path) -> None:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "stationmgr",
            "simulate",
            "openevse",
            "--control",
            "0",
            "--link",
            str(tmp_path / "evse"),
        ],
        stdout=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        assert proc.stdout is not None
        path = proc.stdout.readline().decode().strip()
        control = proc.stdout.readline().decode().split()[1]
        host, port = control.rsplit(":", 1)
        assert path == str(tmp_path / "evse") and os.path.islink(path)
        assert send_control((host, int(port)), "plug soc=0.5") == "ok"
        wire = Wire(path)
        try:
            wire.send(b"$GS\r")
            replies = [x for x in wire.lines(timeout=3, want=2) if x.startswith(b"$OK")]
            assert replies and replies[0].startswith(b"$OK 03 ")
        finally:
            wire.close()
        status = json.loads(send_control((host, int(port)), "status")[3:])
        assert status["plugged"] and status["state"] == "03"
        assert send_control((host, int(port)), "fault bogus").startswith("error")
        proc.terminate()
        assert proc.wait(10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(10)


class _NullEndpoint(PtyEndpoint):
    def __init__(self) -> None:  # no pty: collect what the device writes
        self.name = "null"
        self.out = b""

    def write(self, data: bytes) -> None:
        self.out += data

    def wait(self, timeout: float) -> bool:
        return False

    def close(self) -> None:
        pass


@given(st.binary(max_size=120))
@settings(deadline=None, max_examples=200)
def test_fuzz_the_simulators_own_parser(data: bytes) -> None:
    sim = OpenEVSESim(_NullEndpoint(), WarpClock(1.0))
    sim.feed(data)
    sim.feed(b"\r$GV\r")  # still answers afterwards
    out = sim.endpoint.out  # type: ignore[attr-defined]
    assert any(x.startswith(b"$OK 8.2.1 5.2.1^") for x in out.split(b"\r")[-3:])


@given(
    st.recursive(
        st.none() | st.booleans() | st.floats() | st.text(max_size=8),
        lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=8), c, max_size=3),
        max_leaves=10,
    )
)
@settings(deadline=None, max_examples=150)
def test_fuzz_scenario_files_only_user_error(
    tmp_path_factory: pytest.TempPathFactory, doc: object
) -> None:
    f = tmp_path_factory.mktemp("sc") / "day.json"
    f.write_text(json.dumps({"arrivals": [doc] if not isinstance(doc, list) else doc}))
    try:
        load_scenario(f)
    except UserError:
        pass


def test_scenario_runner_plugs_taps_and_leaves() -> None:
    sim = OpenEVSESim(PtyEndpoint(), WarpClock(200.0)).start()
    reader = ReaderSim(PtyEndpoint()).start()
    taps: list[str] = []
    reader.on_frame.append(lambda _t, card: taps.append(card))
    try:
        start = sim.clock.now() - day_start(sim.clock.now())
        sc = Scenario(
            [
                Arrival(
                    start + 20,
                    EV(capacity_wh=2000, soc=0.5),
                    "0A1B2C3D",
                    start + 400,
                    tap_after_s=10,
                )
            ]
        )
        runner = ScenarioRunner(sc, sim, reader).start()
        assert runner.done.wait(15)
        runner.stop()
        (log,) = sim.st.sessions
        assert log.unplugged_at and log.lifetime_after_wh and log.lifetime_after_wh > 0
        assert taps and set(taps) == {"0A1B2C3D"}
    finally:
        reader.stop()
        sim.stop()


def test_random_faults_come_and_clear() -> None:
    sim = OpenEVSESim(
        _NullEndpoint(),
        WarpClock(1.0),
        fault_rate=1.0,
        fault_kinds=("gfci",),
        fault_duration_s=0.2,
        seed=3,
    )
    sim._next_random = 0.0
    sim.step(0)
    assert sim.st.electrical_fault == "gfci" and sim.state_code() == 0x06
    clear_at = sim._fault_clear_at
    assert clear_at is not None
    wait_until(lambda: time.monotonic() >= clear_at, what="the fault's duration")
    sim._next_random = time.monotonic() + 60  # no new one
    sim.step(0)
    assert sim.st.electrical_fault is None and sim.st.gfci_count == 1


# ------------------------------------------------------------ variants of real units


def _ok(text: str) -> bytes:
    return text.encode() + b"^" + f"{xor(text.encode()):02X}".encode()


@contextlib.contextmanager
def _variant(**kw: object) -> Iterator[tuple[OpenEVSESim, Wire]]:
    sim = OpenEVSESim(PtyEndpoint(), WarpClock(1.0), **kw).start()  # type: ignore[arg-type]
    wire = Wire(sim.endpoint.name)
    wire.lines(timeout=10)  # the power-up announcement ($AT, or $ST on old firmware)
    try:
        yield sim, wire
    finally:
        wire.close()
        sim.stop()


def test_ff_e_0_turns_echo_on_like_the_firmware_bug() -> None:
    with _variant() as (_, wire):
        wire.send(b"$FF E 0^51\r")  # python-openevse's first command
        # Not echoed (echo was off while it was read), but now on: LF after the reply.
        assert b"\r".join(wire.lines()) == _ok("$OK") + b"\r\n"
        wire.send(b"$GV :07\r")
        raw = b"\r".join(wire.lines(want=2))
        assert raw.startswith(b"$GV :07\r" + _ok("$OK 8.2.1 5.2.1 :07") + b"\r\n")
        wire.send(b"$FF Q 1\r")
        assert _ok("$NK") in b"\r".join(wire.lines(want=2))  # unknown feature


def test_temperature_ammeter_and_heartbeat_commands() -> None:
    with _variant() as (sim, wire):
        wire.send(b"$GP\r")
        assert wire.reply() == _ok("$OK -2560 254 -2560")
        wire.send(b"$GA\r")
        assert wire.reply() == _ok("$OK 220 0")
        wire.send(b"$GY\r")
        assert wire.reply() == _ok("$OK 0 0 0")
        wire.send(b"$SY 1 6 :11\r")
        assert wire.reply() == _ok("$OK 1 6 0 :11")
        # No pulse for the interval: the current drops to the fallback, pulses get $NK.
        end = time.monotonic() + 5
        while sim.st.hs_trigger != 2 and time.monotonic() < end:
            time.sleep(0.05)
        assert sim.conn.current_limit_a == 6
        wire.send(b"$SY\r")
        assert wire.reply() == _ok("$NK 1 6 2")
        wire.send(b"$SY 165\r")  # the acknowledgement restores the EEPROM maximum
        assert wire.reply() == _ok("$OK 1 6 1")
        assert sim.conn.current_limit_a == 32
        wire.send(b"$SY 0 0\r")
        assert wire.reply() == _ok("$OK 0 0 0")


def test_heartbeat_interval_wraps_at_16_bits_like_the_avr() -> None:
    sim = OpenEVSESim(_NullEndpoint(), WarpClock(1.0), heartbeat=(66, 6))
    sim.st.hs_last = time.monotonic() - 1.0  # 66 000 ms & 0xFFFF = 464 ms
    sim._hs_check()
    assert sim.st.hs_trigger == 2 and sim.conn.current_limit_a == 6


def test_rapi_4_decimal_status_st_and_two_value_range() -> None:
    with _variant(firmware="5.1.0") as (_sim, wire):
        wire.send(b"$GV :01\r")
        assert wire.lines()[0] == _ok("$OK D5.1.0 4.0.1 :01")
        wire.send(b"$FS\r")
        assert wire.lines(want=2) == [_ok("$OK"), _ok("$ST fe")]
        wire.send(b"$GS\r")
        assert wire.lines() == [_ok("$OK 254 0")]
        wire.send(b"$GC\r")
        assert wire.lines() == [_ok("$OK 6 32")]
        wire.send(b"$GY\r")
        assert wire.lines() == [_ok("$NK")]  # no heartbeat supervision before RAPI 5


def test_rapi_2_does_not_echo_ids_and_counts_them_as_arguments() -> None:
    with _variant(firmware="4.4.0") as (_sim, wire):
        wire.send(b"$GV :01\r")
        assert wire.lines()[0] == _ok("$OK D4.4.0 2.0.3")
        wire.send(b"$SC 16 V :02\r")
        assert wire.lines()[0].startswith(b"$NK")  # four tokens
        wire.send(b"$SC 16 V\r")
        assert wire.lines()[0] == _ok("$OK 16")


def test_builds_without_ammeter_and_with_bootlock() -> None:
    with _variant(ammeter=False, bootlock=True) as (sim, wire):
        for cmd in (b"$GG\r", b"$GU\r", b"$GA\r", b"$SV 230000\r"):
            wire.send(cmd)
            assert wire.lines() == [_ok("$NK")]
        sim.plug(EV())
        wire.lines(timeout=0.3)
        wire.send(b"$GS\r")
        assert wire.lines()[0] == _ok("$OK 00 0 02 4100")  # boot locked, car seen
        assert sim.conn.power_w == 0
        wire.send(b"$SB\r")
        assert wire.lines()[0] == _ok("$OK 0")
        assert not sim.st.boot_locked and sim.conn.enabled


def test_elapsed_is_charging_time_and_fd_freezes_the_plug() -> None:
    sim = OpenEVSESim(_NullEndpoint(), WarpClock(1.0))
    sim.clock = _Manual()  # type: ignore[assignment]
    sim.feed(b"$FS\r")
    sim.plug(EV())
    sim.clock.t += 600  # ten minutes plugged, asleep
    sim.tick()
    assert int(sim.conn.charge_s) == 0
    sim.feed(b"$FE\r")
    sim.clock.t += 100
    sim.tick()
    sim.clock.t += 100
    sim.tick()
    assert 100 <= sim.conn.charge_s <= 200
    sim.feed(b"$FD\r")
    sim.unplug()  # the firmware does not see it while disabled
    sim.endpoint.out = b""  # type: ignore[attr-defined]
    sim.feed(b"$GS\r")
    assert b"$OK ff " in sim.endpoint.out and b" 0100^" in sim.endpoint.out  # type: ignore[attr-defined]
    sim.feed(b"$FE\r")  # back: the unplug is seen now, the session folded
    assert sim.vflags() & 0x0100 == 0 and not sim.st.in_session


class _Manual:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.t = 1_000_000.0

    def now(self) -> float:
        return self.t


def test_three_phase_meter_counts_one_phase_at_the_configured_voltage() -> None:
    sim = OpenEVSESim(_NullEndpoint(), WarpClock(1.0), phases=3, voltage_v=230, configured_v=240)
    sim.clock = _Manual()  # type: ignore[assignment]
    sim.plug(EV(capacity_wh=60000, soc=0.2, max_power_w=11000))
    sim.clock.t += 3600
    sim.tick()
    sim.clock.t += 3600
    sim.tick()
    truth_ws = sim.conn.energy_total_wh * 3600
    assert sim.conn.session_ws == pytest.approx(truth_ws / 3 * 240 / 230)
    sim.feed(b"$GG\r")
    amps = sim.conn.power_w / 230 / 3
    assert f"$OK {round(amps * 1000)} 240000".encode() in sim.endpoint.out  # type: ignore[attr-defined]


def test_simulate_cli_variants(tmp_path: Path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "stationmgr", "simulate", "openevse", "--firmware", "5.1.0",
         "--echo", "--link", str(tmp_path / "evse")],
        stdout=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        path = proc.stdout.readline().decode().strip()
        wire = Wire(path)
        try:
            wire.lines(timeout=0.3)
            wire.send(b"$GV\r")
            lines = wire.lines(want=2)
            assert lines[0] == b"$GV" and lines[1] == _ok("$OK D5.1.0 4.0.1")
        finally:
            wire.close()
        proc.terminate()
        assert proc.wait(10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(10)
    bad = subprocess.run(
        [sys.executable, "-m", "stationmgr", "simulate", "openevse", "--heartbeat", "5"],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=60,
    )
    assert bad.returncode == 2 and "INTERVAL,FALLBACK" in bad.stderr
