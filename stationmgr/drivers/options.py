"""Typed driver settings: each driver declares its settings with types and ranges.

A charger or reader row keeps its settings as a JSON dict. They are checked against the
driver's schema when a person sets them (`chargers add/set`, the setup dialog) and again
when the engine builds the driver, so a stored typo (`turnaround_s=abc`, `failsafe_a=nan`,
`auth_lock=false` read as true) is one clear line naming the charger, never a crash.

`COMMON_CHARGER_SETTINGS` apply to every charger driver: what the installation allows and
what the charger should do when the site cannot command it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from stationmgr import validate
from stationmgr.errors import UserError


@dataclass(frozen=True)
class Setting:
    """One setting: its name, type (int, float, bool, str), default, range or choices."""

    name: str
    kind: type
    default: Any = None  # None: not set (the driver uses what the device says)
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()
    doc: str = ""

    def parse(self, value: object) -> Any:
        what = f"setting {self.name}"
        if value is None:
            return None
        if self.kind is bool:
            return validate.parse_bool(value, what)
        if self.kind is int:
            return validate.parse_int(
                value,
                what,
                minimum=None if self.minimum is None else int(self.minimum),
                maximum=None if self.maximum is None else int(self.maximum),
            )
        if self.kind is float:
            return validate.parse_float(value, what, minimum=self.minimum, maximum=self.maximum)
        if self.choices:
            return validate.parse_choice(value, what, self.choices)
        return validate.clean_name(value, what)


COMMON_CHARGER_SETTINGS: tuple[Setting, ...] = (
    Setting(
        "installation_max_a",
        float,
        None,
        6,
        80,
        doc="the circuit's rating in A; no current above it is ever offered "
        "(required where the device cannot tell its own maximum)",
    ),
    Setting(
        "offline",
        str,
        "stop",
        choices=("stop", "safe_current"),
        doc="what the charger does on its own when the site cannot command it",
    ),
    Setting(
        "offline_current_a",
        float,
        6.0,
        6,
        80,
        doc="with offline=safe_current: the current it falls back to",
    ),
)


def parse_settings(
    schema: Sequence[Setting], settings: Mapping[str, Any] | None, owner: str = ""
) -> dict[str, Any]:
    """Check `settings` against `schema`: every key known, every value typed and in range.

    Returns every setting of the schema, with defaults for those not given. Raises
    `UserError` with one line (prefixed by `owner`, e.g. "charger north: ") on the first bad
    one.
    """
    by_name = {s.name: s for s in schema}
    prefix = f"{owner}: " if owner else ""
    out: dict[str, Any] = {s.name: s.default for s in schema}
    for key, value in (settings or {}).items():
        spec = by_name.get(str(key))
        if spec is None:
            known = ", ".join(sorted(by_name)) or "none"
            raise UserError(f"{prefix}unknown setting {str(key)!r} (known: {known})")
        try:
            out[spec.name] = spec.parse(value)
        except UserError as e:
            raise UserError(f"{prefix}{e}") from None
    return out


def describe(schema: Sequence[Setting]) -> list[str]:
    """One line per setting, for `--help`-like listings and the docs."""
    lines = []
    for s in schema:
        kind = "|".join(s.choices) if s.choices else s.kind.__name__
        rng = ""
        if s.minimum is not None or s.maximum is not None:
            rng = f" [{s.minimum if s.minimum is not None else ''}…"
            rng += f"{s.maximum if s.maximum is not None else ''}]"
        default = "" if s.default is None else f" (default {s.default})"
        lines.append(f"{s.name}={kind}{rng}{default}: {s.doc}".rstrip(": "))
    return lines
