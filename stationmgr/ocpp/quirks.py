"""Where named chargers deviate from OCPP 1.6, as data: one row per model family, matched on
the BootNotification's chargePointVendor / chargePointModel, applied by the Core handlers.

Each fix is a flag with one pure function, so a row says what a model needs and a test
checks each function on the model's own kind of message. A charger that matches no row
gets `NONE` (the standard as written). `docs/devices/ocpp.md` lists the rows, what was
tested and how; `setup` is what the owner must do on the charger (shown there and logged
at the charger's boot).

The quirks a charge point matched are remembered per charge point id for this run: a
charger that reconnects after a network drop does not boot again.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)

ENERGY = "Energy.Active.Import.Register"
POWER = "Power.Active.Import"
_HEX = re.compile(r"[0-9A-Fa-f]+")


@dataclass(frozen=True)
class Quirks:
    name: str
    vendor: str = ""  # regular expressions, case-insensitive, searched in the boot fields
    model: str = ""
    # The id tag is the card's UID padded with zeros to 16 hex digits (KEBA, seen in
    # master/slave groups): also look the card up by its 4- or 7-byte UID.
    padded_id_tags: bool = False
    # Power.Active.Import only per phase, no total: the total is their sum (ABB Terra AC).
    phase_power: bool = False
    # Now and then an Energy.Active.Import.Register of 0 mid-transaction (a dropout, not a
    # meter reset): such a reading is left out (ABB Terra AC firmware 1.5.x).
    zero_energy_dropouts: bool = False
    setup: str = ""  # what the owner does on the charger for OCPP to the site

    def matches(self, vendor: str, model: str) -> bool:
        return bool(
            (self.vendor or self.model)
            and (not self.vendor or re.search(self.vendor, vendor, re.IGNORECASE))
            and (not self.model or re.search(self.model, model, re.IGNORECASE))
        )

    # ------------------------------------------------------------ the fixes

    def id_tags(self, id_tag: str) -> list[str]:
        """The id tag and the forms the card may be enrolled under, most likely first."""
        forms = [id_tag]
        if self.padded_id_tags and len(id_tag) == 16 and _HEX.fullmatch(id_tag):
            for n in (14, 8):  # a 7-byte, then a 4-byte UID
                if set(id_tag[n:]) == {"0"}:
                    forms.append(id_tag[:n])
        return forms

    def meter_values(self, meter_values: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """MeterValue entries as the standard would have them (the input is not changed)."""
        if not (self.phase_power or self.zero_energy_dropouts):
            return meter_values
        return [self._entry(mv) for mv in meter_values]

    def _entry(self, mv: dict[str, Any]) -> dict[str, Any]:
        values = list(mv.get("sampledValue") or [])
        if self.zero_energy_dropouts:
            values = [sv for sv in values if not _zero_energy(sv)]
        if self.phase_power and not any(
            _measurand(sv) == POWER and sv.get("phase") is None for sv in values
        ):
            total = _phase_sum(values)
            if total is not None:
                values.append({"value": f"{total:g}", "measurand": POWER, "unit": "W"})
        return {**mv, "sampledValue": values}


def _measurand(sv: dict[str, Any]) -> str:
    return str(sv.get("measurand") or ENERGY)


def _zero_energy(sv: dict[str, Any]) -> bool:
    if _measurand(sv) != ENERGY or sv.get("phase") is not None:
        return False
    try:
        return float(sv.get("value", "")) == 0.0
    except (TypeError, ValueError):
        return False


def _phase_sum(values: list[dict[str, Any]]) -> float | None:
    total, seen = 0.0, False
    for sv in values:
        if _measurand(sv) != POWER or not str(sv.get("phase") or "").startswith("L"):
            continue
        if "-" in str(sv["phase"]):  # L1-N: the same power again, measured to neutral
            continue
        try:
            value = float(sv["value"])
        except (KeyError, TypeError, ValueError):
            continue
        total += value * 1000 if sv.get("unit") == "kW" else value
        seen = True
    return total if seen else None


NONE = Quirks("standard OCPP 1.6")

TABLE: tuple[Quirks, ...] = (
    Quirks(
        "KEBA KeContact P30",
        vendor=r"keba",
        model=r"kc-p30|p30|kecontact",
        padded_id_tags=True,
        setup="Web interface (or the DIP switches on older c-series): OCPP enabled, "
        "central system URL ws(s)://SITE:PORT/ocpp/ and the charge point id; in a "
        "master/slave group only the master connects, its slaves' connectors follow.",
    ),
    Quirks(
        "ABB Terra AC",
        vendor=r"^abb",
        model=r"terra|tac",
        phase_power=True,
        zero_energy_dropouts=True,
        setup="TerraConfig app (Bluetooth): OCPP server URL ws(s)://SITE:PORT/ocpp/, "
        "charge point id = the serial (TACW…) unless changed.",
    ),
    Quirks(
        "Easee Home / Charge",
        vendor=r"easee",
        setup="Local OCPP is off by default and is enabled from Easee's own portal or app "
        "(OCPP settings: connection type, central system URL ws(s)://SITE:PORT/ocpp/); the "
        "charge point id is the charger's serial (EH…). The charger keeps its cloud link "
        "for firmware updates.",
    ),
    Quirks(
        "Zaptec Go / Pro",
        vendor=r"zaptec",
        setup="Native OCPP is enabled per installation in the Zaptec portal (installation → "
        "OCPP, 'native OCPP' with the central system URL ws(s)://SITE:PORT/ocpp/); the "
        "charge point id is the charger's device id (ZAP…), shown there.",
    ),
)


def match(vendor: str | None, model: str | None) -> Quirks:
    v, m = str(vendor or ""), str(model or "")
    return next((q for q in TABLE if q.matches(v, m)), NONE)


_REMEMBERED: dict[str, Quirks] = {}


def at_boot(cpid: str, boot: dict[str, Any]) -> Quirks:
    """The charge point's quirks from its BootNotification, remembered for this run."""
    q = match(boot.get("chargePointVendor"), boot.get("chargePointModel"))
    if len(_REMEMBERED) >= 10_000:
        _REMEMBERED.clear()
    _REMEMBERED[cpid] = q
    if q is not NONE:
        log.info("charge point %s is a %s: its quirks are applied", cpid, q.name)
    return q


def of(cpid: str) -> Quirks:
    """What the charge point's last boot (this run) matched; the standard before any."""
    return _REMEMBERED.get(cpid, NONE)
