"""OpenEVSE over RAPI (the controller's serial ASCII protocol), one charger per port.

Capabilities: Charger, Gate (sleep/enable, or the auth lock where the firmware has it —
probed once), CurrentLimit (``$SC amps V``: volatile, no EEPROM wear, never above the
installation maximum), Failsafe (heartbeat supervision ``$SY``), ChangeNotifier
(``$AT``/``$ST``/``$AB`` lines make the coordinator poll at once).

The reply formats follow the RAPI version from ``$GV`` (`rapi_frames.Dialect`): RAPI ≥ 3.0.0
gets a sequence id on every request and the reply must echo it; RAPI 2.x never echoes one,
so requests go without (as the official gateway sends them). A reply that does not come
(the controller drops a line over 32 bytes, or the line was garbled) is retried after
`reply_timeout_s`, at most `attempts` times, then the read fails with DeviceError — it never
hangs.

Heartbeat supervision (``$SY interval fallback``, kept in EEPROM; the WiFi gateway leaves
``5 6`` behind): ``open()`` reads ``$GY``; every ``read()`` sends a ``$SY`` pulse while
supervision is on, so a polled charger keeps the current we set, and a charger the site
stops polling falls back on its own. A missed pulse (the firmware then offers the fallback
until acknowledged) is acknowledged (``$SY 165``) and our current re-sent. The firmware
cannot fall back below 6 A: a fallback of 0 A ("stop") becomes 6 A, logged once.

Energy and power: ``$GU`` and ``$GG`` measure one phase, with the voltage the firmware is
configured for (240 V US builds, 230 V EU) unless a voltmeter is built in. The driver sends
``$SV`` with the site's `nominal_voltage_v`, when it is set, where the firmware takes
it (volatile: again after a reboot) and multiplies energy and power by `phases` (a
three-phase install).

The energy register (what the session machine subtracts): ``$GU`` gives the session's
watt-seconds (reset at plug-in, kept after unplug until the next plug-in) and the lifetime
Wh, which the firmware (`EnergyMeter::endSession`) increases only at unplug, by the session's
Ws / 3600 **truncated**. We report

    energy_wh = lifetime_wh + (Ws // 3600 while a car is plugged in, else 0)

The firmware folds a session into the lifetime counter exactly when the car leaves and
starts a new one (Ws = 0) exactly when a car arrives, so "plugged" says whether the Ws is
still outside the lifetime counter. The register is therefore monotonic across plug-in,
unplug and our own restarts (it is computed from the device alone, no memory), and a
session's delta equals exactly what the charger's lifetime counter gains for it (< 1 Wh
below the true Ws, by the firmware's truncation). `$GU` and `$GS` are two commands, so
`$GU` is asked first and, when `$GS` shows the plug state changed since the last poll, once
more: both then describe the same side of the plug-in or unplug. A boot (``$AB``) loses the
unfolded Ws — the register drops, which the session machine keeps as a counter reset — and
is reported as ``ChargerReading.rebooted``.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable

from stationmgr.drivers import DeviceConfig, register_charger
from stationmgr.drivers import rapi_frames as rapi
from stationmgr.drivers.api import ChargerInfo, ChargerReading, ConnectorReading
from stationmgr.drivers.options import Setting
from stationmgr.drivers.serial_link import SerialLink, get_link
from stationmgr.errors import DeviceError

log = logging.getLogger(__name__)

DEFAULT_BAUD = 115200
L1_L2_MV = 150_000  # the firmware's own L1/L2 threshold (L2_VOLTAGE_THRESHOLD)


class OpenEVSE:
    """Driver for an OpenEVSE controller on a serial link."""

    model = "OpenEVSE"
    # The lowest current heartbeat supervision can fall back to (the firmware raises lower
    # values to the J1772 minimum): an OpenEVSE cannot stop a charge on its own.
    failsafe_min_a = 6.0

    def __init__(
        self,
        link: SerialLink,
        *,
        reply_timeout_s: float = 1.0,
        attempts: int = 3,
        use_auth_lock: bool = True,
        phases: int = 1,
        nominal_voltage_v: float | None = None,
        installation_max_a: float | None = None,
    ) -> None:
        self.link = link
        self.reply_timeout_s = reply_timeout_s
        self.attempts = attempts
        self.use_auth_lock = use_auth_lock
        self.phases = phases
        self.nominal_voltage_v = nominal_voltage_v
        self.installation_max_a = installation_max_a
        self.has_auth_lock: bool | None = None  # probed once
        self.firmware: str | None = None
        self.rapi_version: str | None = None
        self.dialect: rapi.Dialect | None = None
        self.has_ammeter: bool | None = None  # `$GG` answered (AMMETER or VOLTMETER build)
        self.has_energy: bool | None = None  # `$GU` answered (KWH_RECORDING build)
        self.voltage_settable: bool | None = None  # `$SV` taken (no voltmeter: V configured)
        self.device_max_a: float | None = None
        self.max_a: float = 32.0  # min(installation max, device max)
        self.supervision: tuple[int, int, int] | None = None  # `$GY`: interval, fallback, trig
        self.limit_a: float | None = None  # the current we set ($SC answer)
        self._allowed: bool | None = None  # the last gate we set
        self._warned_offered: float | None = None
        self._warned_fallback = False
        self._warned_level = False
        self._seq = 0
        self._callbacks: list[Callable[[], None]] = []
        self._booted = False
        self._subscribed = False
        self._last_plugged: bool | None = None
        self._last_total_wh: int | None = None  # `$GU` lifetime Wh at the last poll
        self.retries = 0
        self.async_lines = 0

    # ------------------------------------------------------------ wire

    def _next_seq(self) -> int:
        self._seq = self._seq % 255 + 1
        return self._seq

    def _on_frame(self, line: bytes) -> None:
        """Lines nobody waits for: asynchronous messages (or a reply that came too late)."""
        try:
            frame = rapi.parse(line)
        except rapi.RapiError:
            return
        if not frame.is_async:
            return
        self.async_lines += 1
        if frame.kind == "AB":
            self._booted = True
        if frame.kind in ("AT", "AB", "ST"):
            for cb in list(self._callbacks):
                cb()

    def _subscribe(self) -> None:
        if not self._subscribed:
            self.link.subscribe(self._on_frame)
            self._subscribed = True

    async def command(self, cmd: str, *values: object) -> rapi.Frame:
        """Send one command and return its `$OK` reply; `$NK` raises DeviceError."""
        frame = await self._exchange(cmd, *values)
        if frame.kind != "OK":
            raise DeviceError(f"${cmd} refused: $NK {' '.join(frame.values)}".rstrip())
        return frame

    async def _try(self, cmd: str, *values: object) -> rapi.Frame | None:
        """`$OK` reply, or None when the firmware answers `$NK` (a command it lacks)."""
        frame = await self._exchange(cmd, *values)
        return frame if frame.kind == "OK" else None

    async def _exchange(self, cmd: str, *values: object) -> rapi.Frame:
        self._subscribe()
        use_ids = self.dialect is not None and self.dialect.sequence_ids
        last = "no reply"
        bytes_before = self.link.bytes_in
        for attempt in range(self.attempts):
            if attempt:
                self.retries += 1
            seq = self._next_seq() if use_ids else None
            data = rapi.encode(cmd, *values, seq=seq)
            outcome: dict[str, object] = {}

            def accept(line: bytes, seq: int | None = seq, outcome: dict = outcome) -> bool:
                try:
                    frame = rapi.parse(line)
                except rapi.RapiError as e:
                    # A garbled reply-shaped line: give up on this attempt at once.
                    if b"$OK" in line or b"$NK" in line:
                        outcome["error"] = str(e)
                        return True
                    return False
                if not frame.is_reply:
                    return False
                if frame.seq == seq:  # without ids (RAPI 2.x, `$GV` at open): the next reply
                    outcome["frame"] = frame
                    return True
                if frame.seq is None and frame.kind == "NK":
                    # The firmware answers a bad checksum with a bare $NK (no id echoed).
                    outcome["error"] = "checksum refused"
                    return True
                return False  # a late reply to an earlier request

            try:
                await self.link.request(data, accept, self.reply_timeout_s)
            except TimeoutError:
                last = f"no reply to ${cmd}"
                continue
            if "frame" in outcome:
                return outcome["frame"]  # type: ignore[return-value]
            last = f"bad reply to ${cmd}: {outcome.get('error')}"
        if last.startswith("no reply") and self.link.bytes_in > bytes_before:
            last += " (something answers, but not in RAPI)"
        raise DeviceError(f"OpenEVSE on {self.link.url}: {last} after {self.attempts} tries")

    # ------------------------------------------------------------ Charger

    async def open(self) -> ChargerInfo:
        await self.link.open()
        self._subscribe()
        self.dialect = None  # `$GV` goes without a sequence id: every RAPI answers it
        try:
            reply = await self.command("GV")
            self.firmware, self.rapi_version = rapi.version(reply)
            dialect = rapi.dialect(self.rapi_version)
        except rapi.RapiError as e:
            raise DeviceError(f"{self.link.url}: not an OpenEVSE ({e})") from None
        if dialect.version < (2, 0, 0):
            raise DeviceError(
                f"{self.link.url}: OpenEVSE firmware {self.firmware} (RAPI {self.rapi_version})"
                " sends replies without checksums; update the controller to RAPI 2.0 or later"
            )
        self.dialect = dialect
        if self.use_auth_lock and self.has_auth_lock is None:
            self.has_auth_lock = await self._try("G4") is not None
        lo, hi = 6.0, 32.0
        frame = await self._try("GC")
        if frame is not None:
            try:
                lo_i, hmax, _pilot, cmax = rapi.current_range(frame, dialect)
                lo, hi = float(lo_i), float(min(hmax, cmax))
            except rapi.RapiError:
                pass
        self.device_max_a = hi
        self.max_a = min(hi, self.installation_max_a) if self.installation_max_a else hi
        await self._probe_meter()
        await self._open_supervision()
        self._last_plugged = None
        self._last_total_wh = None
        return ChargerInfo(self.model, self.firmware, 1, lo, max(lo, self.max_a))

    async def _probe_meter(self) -> None:
        """Which of `$GG`/`$GU`/`$SV` this build has (ammeter-less builds answer `$NK`)."""
        gg = await self._try("GG")
        self.has_ammeter = gg is not None
        self.has_energy = await self._try("GU") is not None
        self.voltage_settable = None
        if gg is not None and self.nominal_voltage_v:
            await self._send_voltage(rapi.current_voltage(gg)[1])

    async def _send_voltage(self, mv: int) -> None:
        """`$SV` the nominal voltage when the firmware's differs (volatile: lost at boot)."""
        want = round((self.nominal_voltage_v or 0) * 1000)
        if not want or mv == want or self.voltage_settable is False:
            return
        if (mv < L1_L2_MV) != (want < L1_L2_MV):
            # The firmware runs at the other service level (L1 120 V / L2 240 V, perhaps
            # detected): a nominal voltage for the other one is a setting mistake.
            if not self._warned_level:
                self._warned_level = True
                log.warning(
                    "OpenEVSE on %s runs at %d mV (service level %s), nominal_voltage_v is "
                    "%g V: not sent; check the setting",
                    self.link.url,
                    mv,
                    "L1" if mv < L1_L2_MV else "L2",
                    self.nominal_voltage_v,
                )
            return
        ok = await self._try("SV", want) is not None
        if self.voltage_settable is None:
            how = "set" if ok else "not settable (voltmeter build: measured)"
            log.info("OpenEVSE on %s: voltage %d mV, %s to %d mV", self.link.url, mv, how, want)
        self.voltage_settable = ok

    async def _open_supervision(self) -> None:
        frame = await self._try("GY")
        self.supervision = rapi.heartbeat(frame) if frame is not None else None
        if self.supervision is None:
            return
        interval, fallback, trigger = self.supervision
        if interval:
            log.warning(
                "OpenEVSE on %s: heartbeat supervision is on (%d s, fallback %d A): "
                "kept fed by every poll",
                self.link.url,
                interval,
                fallback,
            )
        if trigger == rapi.HS_MISSED_NOACK:
            await self._ack_missed_pulse()

    async def _ack_missed_pulse(self) -> None:
        """The charger fell back to its fallback current: acknowledge, restore our limit."""
        log.warning("OpenEVSE on %s: missed heartbeat acknowledged", self.link.url)
        frame = await self._exchange("SY", rapi.HS_ACK_COOKIE)
        if frame.values:
            try:
                self.supervision = rapi.heartbeat(frame)
            except rapi.RapiError:
                pass
        if self.limit_a is not None:  # the ack restores the EEPROM maximum, not ours
            await self.set_current_limit(1, self.limit_a)

    async def _pulse(self) -> bool:
        """One `$SY` pulse; True when the charger says a pulse was missed (`$NK`): it then
        holds the fallback current until acknowledged."""
        if not self.supervision or not self.supervision[0]:
            return False
        frame = await self._exchange("SY")
        return frame.kind == "NK"

    async def read(self) -> ChargerReading:
        dialect = self.dialect or rapi.dialect("5.2.1")
        try:
            missed = await self._pulse()
            ws = wh = None
            if self.has_energy:
                ws, wh = rapi.energy(await self.command("GU"))
            st = rapi.status(await self.command("GS"), dialect)
            asleep = st.state in (rapi.STATE_SLEEPING, rapi.STATE_DISABLED)
            # RAPI ≤ 4.0.1: no vflags; a sleeping controller still sees the car ($G0).
            if not st.has_flags and asleep and rapi.connect_state(await self.command("G0")) == 1:
                st = rapi.Status(st.state, st.elapsed_s, 0, rapi.VFLAG_EV_CONNECTED, False)
            if self.has_energy and (st.plugged != self._last_plugged or wh != self._last_total_wh):
                # A car came or left since the last poll, perhaps between these two
                # commands: ask `$GU` again so it is on the same side as `$GS`. The lifetime
                # counter moves only when a plug-in ends, so a changed one says a car left
                # even when `$GS` shows plugged as before (the next car arrived after `$GU`,
                # whose Ws are then the old plug-in's, already counted in the lifetime).
                ws, wh = rapi.energy(await self.command("GU"))
            self._last_total_wh = wh
            ma = mv = None
            if self.has_ammeter:
                ma, mv = rapi.current_voltage(await self.command("GG"))
            offered = float(rapi.settings(await self.command("GE"))[0])
        except rapi.RapiError as e:
            raise DeviceError(f"{self.link.url}: {e}") from None
        rebooted = self._booted
        self._booted = False
        if st.boot_locked:
            await self._clear_boot_lock()
        if mv is not None and self.voltage_settable is not False:
            await self._send_voltage(mv)
        self._check_offered(offered)
        if missed:  # this reading shows the fallback; the next one our current again
            await self._ack_missed_pulse()
        plugged = st.plugged
        self._last_plugged = plugged
        n = self.phases
        energy = None
        if ws is not None and wh is not None:
            energy = float((wh + (ws // 3600 if plugged else 0)) * n)
        amps = ma / 1000.0 if ma is not None and ma >= 0 else None
        volts = mv / 1000.0 if mv is not None else None
        power = amps * volts * n if amps is not None and volts is not None else None
        if power is not None and not st.charging:
            power = 0.0
        allowed = st.state not in (rapi.STATE_SLEEPING, rapi.STATE_DISABLED) and not (
            st.vflags & (rapi.VFLAG_AUTH_LOCKED | rapi.VFLAG_BOOT_LOCK)
        )
        fault = st.fault
        conn = ConnectorReading(
            connector=1,
            plugged=plugged,
            charging=st.charging,
            allowed=allowed and fault is None,
            energy_wh=energy,
            power_w=power,
            currents_a=(amps,) * n if amps is not None else (),
            voltages_v=(volts,) * n if volts is not None else (),
            fault=fault,
            raw_state=f"{st.state:02x}",
            # Proof of continuity: `$GU` Ws restart at a new plug-in (kept after unplug until
            # the next one); `$GS` elapsed is the plug-in's charge time (elapsed + accumulated,
            # reset when a car connects) from RAPI 4 (firmware since Dec 2017); before that it
            # restarts at every relay close, so it proves nothing and is not reported.
            session_elapsed_s=float(st.elapsed_s) if dialect.version >= (4, 0, 0) else None,
            session_energy_wh=ws * n / 3600.0 if ws is not None else None,
            offered_a=offered,
        )
        sup = self.supervision
        return ChargerReading(
            (conn,),
            rebooted=rebooted,
            firmware=self.firmware,
            extra={
                "state_name": rapi.STATE_NAMES.get(st.state, "unknown"),
                "vflags": f"{st.vflags:04x}" if st.has_flags else None,
                "pilot": f"{st.pilot:02x}" if st.has_flags else None,
                "elapsed_s": st.elapsed_s,
                "session_energy_wh": ws * n / 3600.0 if ws is not None else None,
                "total_energy_wh": float(wh * n) if wh is not None else None,
                "rapi_version": self.rapi_version,
                "offered_a": offered,
                "limit_a": self.limit_a,
                "max_a": self.max_a,
                "heartbeat": (
                    {"interval_s": sup[0], "fallback_a": sup[1], "trigger": sup[2]}
                    if sup is not None
                    else None
                ),
                "heartbeat_missed": missed,
                "phases": n,
                "ammeter": self.has_ammeter,
                "voltage": (
                    "measured"
                    if self.voltage_settable is False
                    else "nominal (set)"
                    if self.voltage_settable
                    else "configured in firmware"
                ),
            },
        )

    def _check_offered(self, offered: float) -> None:
        """Warn once when the charger offers another current than we set (e.g. fallback)."""
        if self.limit_a is None or offered == self.limit_a:
            self._warned_offered = None
            return
        if self._warned_offered != offered:
            self._warned_offered = offered
            log.warning(
                "OpenEVSE on %s offers %g A, not the %g A set (a limit of its own)",
                self.link.url,
                offered,
                self.limit_a,
            )

    async def _clear_boot_lock(self) -> None:
        """BOOTLOCK builds wait for `$SB` after boot; keep the gate shut if it was shut."""
        if self._allowed is not True and not self.has_auth_lock:
            await self.command("FS")
        frame = await self.command("SB")
        if frame.values and frame.values[0] != "0":
            log.warning("OpenEVSE on %s: boot lock not cleared (in fault)", self.link.url)

    async def close(self) -> None:
        if self._subscribed:
            self.link.unsubscribe(self._on_frame)
            self._subscribed = False
        await self.link.close()

    # ------------------------------------------------------------ Gate, CurrentLimit

    async def allow_charging(self, connector: int, allowed: bool) -> None:
        self._allowed = allowed
        if self.has_auth_lock:
            await self.command("S4", 0 if allowed else 1)
            if allowed:
                await self.command("FE")
            return
        await self.command("FE" if allowed else "FS")

    async def set_current_limit(self, connector: int, amps: float) -> None:
        want = int(amps)
        if want > self.max_a:
            log.warning(
                "OpenEVSE on %s: %s A asked, %g A sent (installation/device maximum)",
                self.link.url,
                want,
                self.max_a,
            )
            want = int(self.max_a)
        frame = await self._exchange("SC", want, "V")  # V: volatile, no EEPROM write
        try:
            self.limit_a = float(rapi._dec(frame.values[0], "amps")) if frame.values else want
        except rapi.RapiError:
            self.limit_a = float(want)
        if frame.kind != "OK":
            log.info(
                "OpenEVSE on %s clamped %s A to %s A",
                self.link.url,
                want,
                " ".join(frame.values) or "?",
            )

    # ------------------------------------------------------------ Failsafe

    async def set_failsafe(self, timeout_s: float, fallback_a: float) -> None:
        """`$SY interval fallback` (EEPROM; written by the firmware only when it changes).

        The interval is whole seconds, at most 65: the firmware compares `interval * 1000`
        in 16-bit arithmetic, so longer intervals wrap. The fallback is at least 6 A (the
        firmware raises anything lower to the J1772 minimum: it cannot stop on its own)."""
        if timeout_s <= 0:
            frame = await self._try("SY", 0, 0)
            if frame is None:
                return  # no supervision in this build: nothing to switch off
            self.supervision = rapi.heartbeat(frame) if frame.values else (0, 0, 0)
            return
        interval = max(1, min(65, math.ceil(timeout_s)))
        amps = max(6, min(int(fallback_a), int(self.max_a)))
        if fallback_a < 6 and not self._warned_fallback:
            self._warned_fallback = True
            log.warning(
                "OpenEVSE on %s cannot stop charging on its own: heartbeat fallback %g A "
                "raised to 6 A",
                self.link.url,
                fallback_a,
            )
        if self.supervision is not None and self.supervision[2] == rapi.HS_MISSED_NOACK:
            await self._ack_missed_pulse()
        frame = await self._try("SY", interval, amps)
        if frame is None:
            raise DeviceError(
                f"OpenEVSE on {self.link.url}: firmware {self.firmware} has no heartbeat "
                "supervision ($SY)"
            )
        self.supervision = rapi.heartbeat(frame) if frame.values else (interval, amps, 0)

    # ------------------------------------------------------------ ChangeNotifier

    def on_change(self, callback: Callable[[], None]) -> None:
        self._callbacks.append(callback)


def _factory(config: DeviceConfig, ports: object) -> OpenEVSE:
    s = config.settings  # checked against SETTINGS by create_charger
    link = get_link(
        ports,
        config.port,
        baudrate=config.baud or DEFAULT_BAUD,
        turnaround_s=s.get("turnaround_s") or 0.0,
    )
    return OpenEVSE(
        link,
        reply_timeout_s=s.get("reply_timeout_s") or 1.0,
        attempts=s.get("attempts") or 3,
        use_auth_lock=s.get("auth_lock", True) is not False,
        phases=int(s.get("phases") or "1"),
        nominal_voltage_v=s.get("nominal_voltage_v"),
        installation_max_a=s.get("installation_max_a"),
    )


SETTINGS: tuple[Setting, ...] = (
    Setting("turnaround_s", float, 0.0, 0, 5, doc="pause between commands"),
    Setting("reply_timeout_s", float, 1.0, 0.05, 10, doc="waiting for one reply"),
    Setting("attempts", int, 3, 1, 10, doc="tries per command"),
    Setting("auth_lock", bool, True, doc="gate with the auth lock ($S4) where the build has it"),
    Setting(
        "phases",
        str,
        "1",
        choices=("1", "3"),
        doc="1 or 3: a three-phase install (the charger measures one phase; energy and "
        "power are multiplied by 3)",
    ),
    Setting(
        "nominal_voltage_v",
        float,
        None,
        100,
        480,
        doc="line-to-neutral voltage; sent with $SV where the firmware takes it "
        "(not set: the firmware's own configured voltage, 240 V US / 230 V EU builds)",
    ),
)

register_charger("openevse", _factory, SETTINGS)
