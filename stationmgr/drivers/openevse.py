"""OpenEVSE over RAPI (the controller's serial ASCII protocol), one charger per port.

Capabilities: Charger, Gate (sleep/enable, or the auth lock where the firmware has it —
probed once), CurrentLimit (``$SC amps V``: volatile, no EEPROM wear), ChangeNotifier
(``$AT``/``$AB`` lines make the coordinator poll at once).

Every request carries a sequence id and an XOR checksum; the reply must echo the id. A reply
that does not come (the controller drops a line over 32 bytes, or the line was garbled) is
retried after `reply_timeout_s`, at most `attempts` times, then the read fails with
DeviceError — it never hangs.

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
from collections.abc import Callable

from stationmgr.drivers import DeviceConfig, register_charger
from stationmgr.drivers import rapi_frames as rapi
from stationmgr.drivers.api import ChargerInfo, ChargerReading, ConnectorReading
from stationmgr.drivers.serial_link import SerialLink, get_link
from stationmgr.errors import DeviceError

log = logging.getLogger(__name__)

DEFAULT_BAUD = 115200


class OpenEVSE:
    """Driver for an OpenEVSE controller on a serial link."""

    model = "OpenEVSE"

    def __init__(
        self,
        link: SerialLink,
        *,
        reply_timeout_s: float = 1.0,
        attempts: int = 3,
        use_auth_lock: bool = True,
    ) -> None:
        self.link = link
        self.reply_timeout_s = reply_timeout_s
        self.attempts = attempts
        self.use_auth_lock = use_auth_lock
        self.has_auth_lock: bool | None = None  # probed once
        self.firmware: str | None = None
        self.rapi_version: str | None = None
        self._seq = 0
        self._callbacks: list[Callable[[], None]] = []
        self._booted = False
        self._subscribed = False
        self._last_plugged: bool | None = None
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
        if frame.kind in ("AT", "AB"):
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

    async def _exchange(self, cmd: str, *values: object) -> rapi.Frame:
        self._subscribe()
        last = "no reply"
        bytes_before = self.link.bytes_in
        for attempt in range(self.attempts):
            if attempt:
                self.retries += 1
            seq = self._next_seq()
            data = rapi.encode(cmd, *values, seq=seq)
            outcome: dict[str, object] = {}

            def accept(line: bytes, seq: int = seq, outcome: dict[str, object] = outcome) -> bool:
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
                if frame.seq == seq:
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
        try:
            reply = await self.command("GV")
            self.firmware, self.rapi_version = rapi.version(reply)
        except rapi.RapiError as e:
            raise DeviceError(f"{self.link.url}: not an OpenEVSE ({e})") from None
        if self.use_auth_lock and self.has_auth_lock is None:
            frame = await self._exchange("G4")
            self.has_auth_lock = frame.kind == "OK"
        lo, hi = 6.0, 32.0
        try:
            lo_i, hmax, _pilot, _cmax = rapi.current_range(await self.command("GC"))
            lo, hi = float(lo_i), float(hmax)
        except DeviceError:
            pass
        self._last_plugged = None
        return ChargerInfo(self.model, self.firmware, 1, lo, hi)

    async def read(self) -> ChargerReading:
        try:
            ws, wh = rapi.energy(await self.command("GU"))
            st = rapi.status(await self.command("GS"))
            if st.plugged != self._last_plugged:
                # A car came or left since the last poll, perhaps between these two
                # commands: ask `$GU` again so it is on the same side as `$GS`.
                ws, wh = rapi.energy(await self.command("GU"))
            ma, mv = rapi.current_voltage(await self.command("GG"))
        except rapi.RapiError as e:
            raise DeviceError(f"{self.link.url}: {e}") from None
        rebooted = self._booted
        self._booted = False
        plugged = st.plugged
        self._last_plugged = plugged
        energy = wh + (ws // 3600 if plugged else 0)
        amps = ma / 1000.0 if ma >= 0 else None
        volts = mv / 1000.0
        power = amps * volts if amps is not None else None
        if power is not None and not st.charging:
            power = 0.0
        allowed = st.state not in (rapi.STATE_SLEEPING, rapi.STATE_DISABLED) and not (
            st.vflags & rapi.VFLAG_AUTH_LOCKED
        )
        fault = st.fault
        conn = ConnectorReading(
            connector=1,
            plugged=plugged,
            charging=st.charging,
            allowed=allowed and fault is None,
            energy_wh=float(energy),
            power_w=power,
            currents_a=(amps,) if amps is not None else (),
            voltages_v=(volts,),
            fault=fault,
            raw_state=f"{st.state:02x}",
        )
        return ChargerReading(
            (conn,),
            rebooted=rebooted,
            firmware=self.firmware,
            extra={
                "state_name": rapi.STATE_NAMES.get(st.state, "unknown"),
                "vflags": f"{st.vflags:04x}",
                "pilot": f"{st.pilot:02x}",
                "elapsed_s": st.elapsed_s,
                "session_energy_wh": ws / 3600.0,
                "total_energy_wh": float(wh),
            },
        )

    async def close(self) -> None:
        if self._subscribed:
            self.link.unsubscribe(self._on_frame)
            self._subscribed = False
        await self.link.close()

    # ------------------------------------------------------------ Gate, CurrentLimit

    async def allow_charging(self, connector: int, allowed: bool) -> None:
        if self.has_auth_lock:
            await self.command("S4", 0 if allowed else 1)
            if allowed:
                await self.command("FE")
            return
        await self.command("FE" if allowed else "FS")

    async def set_current_limit(self, connector: int, amps: float) -> None:
        frame = await self._exchange("SC", int(amps), "V")  # V: volatile, no EEPROM write
        if frame.kind != "OK":
            log.info(
                "OpenEVSE on %s clamped %s A to %s A",
                self.link.url,
                int(amps),
                " ".join(frame.values) or "?",
            )

    # ------------------------------------------------------------ ChangeNotifier

    def on_change(self, callback: Callable[[], None]) -> None:
        self._callbacks.append(callback)


def _factory(config: DeviceConfig, ports: object) -> OpenEVSE:
    s = config.settings
    link = get_link(
        ports,
        config.port,
        baudrate=config.baud or DEFAULT_BAUD,
        turnaround_s=float(s.get("turnaround_s", 0.0)),
    )
    return OpenEVSE(
        link,
        reply_timeout_s=float(s.get("reply_timeout_s", 1.0)),
        attempts=int(s.get("attempts", 3)),
        use_auth_lock=bool(s.get("auth_lock", True)),
    )


register_charger("openevse", _factory)
