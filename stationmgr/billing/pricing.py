"""Pricing: a session's usage and its tariff versions → priced lines in integer minor units.

Pure (no database, no clock). The rounding rule, applied once per line and nowhere else:

1. Quantities are integers: energy in whole Wh (the session's energy rounded half up),
   time in whole seconds, idle time in *whole minutes after the grace period* (a started
   minute is not billed), start fee 1 piece.
2. A line's net amount is quantity × unit price rounded **half up** to a whole minor unit
   (half away from zero for a negative quantity, i.e. a reversal mirrors its sale). A price
   per kWh may have four decimals: it is kept in 1/10 000 of the major unit
   (`energy_e4_per_kwh`), the product Wh × price is exact in those units, and it is rounded
   to a minor unit once, here; nothing is rounded before.
3. A line's VAT is its net amount × VAT rate, rounded the same way; its amount = net + VAT.
4. Totals are sums of the rounded lines, so the lines and the VAT always add up to the total
   on every receipt, statement and export. The idle cap limits the idle line's net amount.

Only a version already valid prices: a session plugged in before any version of its scope is
valid gets no lines at all (`Pricing.tariffs` empty; the month summary and `reconcile` count
it, the closed hook logs it). A minimum billable session (`min_wh`, `min_s` of the version in
force at plug-in): a session below either, and any session that delivered no energy, pays
no start fee.

Prices are net of VAT. A session spanning a tariff change is split at the change: energy by
the meter curve (linear between samples; the last part takes the remainder so the parts add
up to the session's Wh exactly), time by the clock. The start fee is that of the tariff in
force at plug-in; the idle fee (grace, rate, cap) that of the tariff in force when idle
began (the end of charging).
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from stationmgr.sessions import Transaction

KINDS = ("start_fee", "energy", "time", "idle_fee")
TIME_BASES = ("charging", "plugged")


@dataclass(frozen=True, slots=True)
class TariffTerms:
    """One tariff version as pricing needs it (and as it is snapshotted on a session)."""

    id: int | None
    name: str
    valid_from: float  # epoch seconds
    currency: str = "SEK"
    energy_minor_per_kwh: int = 0
    time_minor_per_hour: int = 0
    time_basis: str = "charging"  # or "plugged"
    start_fee_minor: int = 0
    idle_minor_per_min: int = 0
    idle_grace_min: int = 0
    idle_cap_minor: int | None = None
    vat_bp: int = 2500
    energy_e4_per_kwh: int | None = None  # four decimals; None: energy_minor_per_kwh × 100
    min_wh: int = 0  # below this session energy, no start fee
    min_s: int = 0  # below this plugged time, no start fee

    @property
    def energy_e4(self) -> int:
        """The price per kWh in 1/10 000 of the major unit (what pricing multiplies by)."""
        if self.energy_e4_per_kwh is not None:
            return self.energy_e4_per_kwh
        return self.energy_minor_per_kwh * 100

    def snapshot(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_snapshot(cls, d: dict[str, Any]) -> TariffTerms:
        return cls(**d)


@dataclass(frozen=True, slots=True)
class Usage:
    """What was used: times in epoch seconds, energy in Wh, the meter curve as
    (time, Wh delivered so far in this session), ascending."""

    plugged_at: float
    stopped_at: float
    energy_wh: float
    charging_started_at: float | None = None
    charging_ended_at: float | None = None
    curve: tuple[tuple[float, float], ...] = ()


@dataclass(frozen=True, slots=True)
class Line:
    kind: str  # start_fee | energy | time | idle_fee
    tariff_id: int | None
    quantity: int  # Wh | s | min | pcs
    unit: str
    unit_price_minor: int  # per kWh | h | min | piece
    net_minor: int
    vat_bp: int
    vat_minor: int

    @property
    def amount_minor(self) -> int:
        return self.net_minor + self.vat_minor

    def negated(self) -> Line:
        return Line(
            self.kind,
            self.tariff_id,
            -self.quantity,
            self.unit,
            self.unit_price_minor,
            -self.net_minor,
            self.vat_bp,
            -self.vat_minor,
        )


@dataclass(frozen=True, slots=True)
class Pricing:
    currency: str
    lines: tuple[Line, ...] = ()
    tariffs: tuple[TariffTerms, ...] = field(default=())

    @property
    def net_minor(self) -> int:
        return sum(x.net_minor for x in self.lines)

    @property
    def vat_minor(self) -> int:
        return sum(x.vat_minor for x in self.lines)

    @property
    def total_minor(self) -> int:
        return sum(x.amount_minor for x in self.lines)


# Units of a quantity and how many of them make one priced unit.
UNIT_OF = {
    "energy": ("Wh", 1000),
    "time": ("s", 3600),
    "idle_fee": ("min", 1),
    "start_fee": ("pcs", 1),
}


def round_half_up(numerator: int, denominator: int) -> int:
    """numerator / denominator rounded half away from zero, in integers only."""
    if denominator <= 0:
        raise ValueError("denominator must be positive")
    sign = -1 if numerator < 0 else 1
    return sign * ((abs(numerator) * 2 + denominator) // (2 * denominator))


def vat_of(net_minor: int, vat_bp: int) -> int:
    return round_half_up(net_minor * vat_bp, 10_000)


def make_line(kind: str, t: TariffTerms, quantity: int, unit_price: int) -> Line:
    unit, per = UNIT_OF[kind]
    net = round_half_up(quantity * unit_price, per)
    return Line(kind, t.id, quantity, unit, unit_price, net, t.vat_bp, vat_of(net, t.vat_bp))


def energy_line(t: TariffTerms, wh: int) -> Line:
    """Wh × the four-decimal price, rounded once to a minor unit. The line's unit price is the
    price in minor units (rounded, for display); the tariff snapshot keeps the exact one."""
    net = round_half_up(wh * t.energy_e4, 1000 * 100)
    unit_price = round_half_up(t.energy_e4, 100)
    return Line("energy", t.id, wh, "Wh", unit_price, net, t.vat_bp, vat_of(net, t.vat_bp))


def billable(t: TariffTerms, wh: int, plugged_s: float) -> bool:
    """Whether a session pays the version's start fee: it delivered energy, at least
    `min_wh`, and stayed plugged at least `min_s`."""
    return wh > 0 and wh >= t.min_wh and plugged_s >= t.min_s


def in_force(tariffs: Sequence[TariffTerms], at: float) -> TariffTerms | None:
    """The version in force at `at`: the latest whose validity has begun; None before the
    first (a version not yet valid never prices anything)."""
    if not tariffs:
        return None
    starts = [t.valid_from for t in tariffs]
    i = bisect.bisect_right(starts, at) - 1
    return tariffs[i] if i >= 0 else None


def segments(
    tariffs: Sequence[TariffTerms], start: float, end: float, chosen: bool = False
) -> list[tuple[TariffTerms, float, float]]:
    """[start, end] cut where a new version takes effect, each part with its version.
    `chosen`: the versions were picked by a person (a correction names its tariff), so the
    first applies from the start even if its validity began later."""
    ts = sorted(tariffs, key=lambda t: t.valid_from)
    first = in_force(ts, start) or (ts[0] if chosen and ts else None)
    if first is None:
        return []
    out: list[tuple[TariffTerms, float, float]] = []
    cur, cur_start = first, start
    for t in ts:
        if start < t.valid_from < end and t.valid_from > cur.valid_from:
            out.append((cur, cur_start, t.valid_from))
            cur, cur_start = t, t.valid_from
    out.append((cur, cur_start, end))
    return out


def energy_at(curve: Sequence[tuple[float, float]], at: float) -> float:
    """Session energy (Wh) at time `at`, linear between curve points, flat outside."""
    if not curve:
        return 0.0
    times = [p[0] for p in curve]
    i = bisect.bisect_right(times, at)
    if i == 0:
        return curve[0][1]
    if i >= len(curve):
        return curve[-1][1]
    (t0, e0), (t1, e1) = curve[i - 1], curve[i]
    if t1 <= t0:
        return e1
    return e0 + (e1 - e0) * (at - t0) / (t1 - t0)


def _overlap(a0: float, a1: float, b0: float, b1: float) -> float:
    return max(0.0, min(a1, b1) - max(a0, b0))


def price(
    usage: Usage, tariffs: Sequence[TariffTerms], currency: str = "SEK", chosen: bool = False
) -> Pricing:
    """Price a session. `tariffs`: the versions of the session's tariff scope, any order;
    `chosen`: a correction's tariff, applied whatever its validity (see `segments`)."""
    ts = tuple(sorted(tariffs, key=lambda t: t.valid_from))
    start, end = usage.plugged_at, max(usage.stopped_at, usage.plugged_at)
    segs = segments(ts, start, end, chosen)
    if not segs:
        return Pricing(currency)
    currencies = {t.currency for t, _, _ in segs}
    if len(currencies) > 1:
        raise ValueError(f"tariff versions in one session differ in currency: {currencies}")
    currency = segs[0][0].currency
    lines: list[Line] = []

    first = segs[0][0]
    # Energy, split by the curve; the last part takes the remainder (parts add up exactly).
    total_wh = round_half_up(round(usage.energy_wh * 1000), 1000)
    if first.start_fee_minor and billable(first, total_wh, end - start):
        lines.append(make_line("start_fee", first, 1, first.start_fee_minor))

    curve = ((start, 0.0), *usage.curve, (end, usage.energy_wh))
    curve = tuple(sorted(curve, key=lambda p: p[0]))
    done = 0
    for i, (t, _s0, s1) in enumerate(segs):
        wh = total_wh - done if i == len(segs) - 1 else int(energy_at(curve, s1) + 0.5) - done
        wh = max(0, min(wh, total_wh - done))
        done += wh
        if wh and t.energy_e4:
            lines.append(energy_line(t, wh))

    # Time: charging (first to last flow) or plugged, split by the clock.
    c0, c1 = usage.charging_started_at, usage.charging_ended_at
    for t, s0, s1 in segs:
        if not t.time_minor_per_hour:
            continue
        if t.time_basis == "plugged":
            secs = round(_overlap(s0, s1, start, end))
        elif c0 is not None and c1 is not None:
            secs = round(_overlap(s0, s1, max(c0, start), min(c1, end)))
        else:
            secs = 0
        if secs:
            lines.append(make_line("time", t, secs, t.time_minor_per_hour))

    # Idle: from the end of charging to the stop, after the grace period, capped.
    if c1 is not None:
        idle_start = min(max(c1, start), end)
        t = in_force(ts, idle_start) or first
        minutes = int(max(0.0, end - idle_start - t.idle_grace_min * 60) // 60)
        if minutes and t.idle_minor_per_min:
            line = make_line("idle_fee", t, minutes, t.idle_minor_per_min)
            if t.idle_cap_minor is not None and line.net_minor > t.idle_cap_minor:
                net = t.idle_cap_minor
                line = Line(
                    "idle_fee",
                    t.id,
                    minutes,
                    "min",
                    t.idle_minor_per_min,
                    net,
                    t.vat_bp,
                    vat_of(net, t.vat_bp),
                )
            lines.append(line)
    used = tuple(dict.fromkeys(t for t, _, _ in segs))
    return Pricing(currency, tuple(lines), used)


def usage_of(tx: Transaction, now: float | None = None) -> Usage:
    """A session (open: up to `now`) as pricing sees it."""
    end = tx.stopped_at if tx.stopped_at is not None else now
    if end is None:
        raise ValueError("an open session needs `now`")
    c1 = tx.charging_ended_at
    if c1 is not None:
        c1 = min(c1, end)
    return Usage(
        plugged_at=tx.plugged_at,
        stopped_at=end,
        energy_wh=tx.energy_wh,
        charging_started_at=tx.charging_started_at,
        charging_ended_at=c1,
    )


def estimate_cost(tx: Transaction, tariffs: Sequence[TariffTerms], now: float) -> Pricing:
    """The live estimate of a running session, as if it stopped `now` (for the bay board)."""
    return price(usage_of(tx, now), tariffs)
