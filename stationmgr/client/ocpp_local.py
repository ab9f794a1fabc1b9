"""The OCPP charger calls of `LocalClient` (a mixin): maintenance commands, the charger's
own configuration, its message log.

A command needs the OCPP endpoint running in this process (`stationmgr run
--ocpp-listen`; elsewhere over `--site`): it is checked against the operator's role first,
then sent (`ocpp.commands`, on the engine's loop), then audited with the charger's answer —
a refusal or no answer as outcome `failed`. The message log is read from the database
and, when the endpoint runs here, from its memory (a batch ahead of the writer).
"""

from __future__ import annotations

from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import select

from stationmgr.access import audit
from stationmgr.access.context import operator_name, record
from stationmgr.client import ocpp_models as o
from stationmgr.client.errors import NotFound
from stationmgr.errors import DeviceError, UserError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from stationmgr.access.context import Actor
    from stationmgr.engine import Engine
    from stationmgr.ocpp.commands import OcppCommands, Target
    from stationmgr.store.db import Database

T = TypeVar("T")
MAX_LOG = 1000
MAX_KEY = 50  # CiString50 (ChangeConfiguration.key)
MAX_VALUE = 500  # CiString500


def _iso(ts: float) -> str:
    from stationmgr.client.local import iso

    return iso(ts, "milliseconds") or ""


class LocalOcpp:
    db: Database
    actor: Actor | None
    engine: Engine | None

    if TYPE_CHECKING:  # LocalClient's own

        def _require(self, s: Session, action: str, target: str | None = None) -> None: ...

    # ------------------------------------------------------------ plumbing

    def _ocpp_charger(self, s: Session, name: str) -> tuple[int, str]:
        from stationmgr.drivers.ocpp import DRIVER
        from stationmgr.store.models import Charger

        row = s.scalar(select(Charger).where(Charger.name == name))
        if row is None:
            raise NotFound(f"no charger named {name[:60]!r}")
        if row.driver != DRIVER:
            raise UserError(f"charger {name} is not an OCPP charger (driver {row.driver})")
        return row.id, row.name

    def _commands(self, charger_id: int) -> tuple[OcppCommands, Target]:
        from stationmgr.drivers.ocpp import DRIVER
        from stationmgr.ocpp.commands import ChargerUnavailable, OcppCommands

        engine = self.engine
        cmds = engine.external_commands.get(DRIVER) if engine and engine.running else None
        if not isinstance(cmds, OcppCommands):
            raise ChargerUnavailable(
                "the OCPP endpoint does not run here (`stationmgr run --ocpp-listen`; "
                "give --site to reach it)"
            )
        return cmds, cmds.target(charger_id)

    def _on_loop(self, cmds: OcppCommands, coro: Coroutine[Any, Any, T]) -> T:
        return cmds.engine.submit(coro).result(cmds.timeout_s * 2 + 5)

    def _audited(self, action: str, target: str, asked: dict[str, Any], run: Any) -> o.OcppAnswer:
        """Send (`run()` → the answer), then audit it; a refusal is audited as failed."""
        try:
            answer: o.OcppAnswer = run()
        except DeviceError as e:
            audit.append_now(
                self.db, operator_name(self.actor), action, target, None, asked,
                audit.FAILED, str(e),
            )  # fmt: skip
            raise
        with self.db.session() as s:
            record(s, action, target, None, {**asked, "status": answer.status}, self.actor)
        return answer

    def _connector(self, charger_id: int, bay: str) -> tuple[int, str]:
        from stationmgr.store.models import Bay

        with self.db.session() as s:
            rows = list(s.scalars(select(Bay).where(Bay.charger_id == charger_id)))
        for b in rows:
            if bay.strip() in (b.label, str(b.id)):
                return b.connector, b.label
        labels = ", ".join(b.label for b in rows)
        raise UserError(f"no bay {bay[:40]!r} on this charger (its bays: {labels})")

    # ------------------------------------------------------------ commands

    def ocpp_command(self, name: str, cmd: o.OcppCommand) -> o.OcppAnswer:
        action = "chargers.unlock" if cmd.command == "unlock" else "chargers.maintain"
        if cmd.command not in o.COMMANDS:
            raise UserError(f"unknown OCPP command {cmd.command[:40]!r} ({', '.join(o.COMMANDS)})")
        with self.db.session() as s:
            charger_id, name = self._ocpp_charger(s, name)
            self._require(s, action, target=f"charger {name}")
        payload: dict[str, Any]
        target = f"charger {name}"
        if cmd.command == "reset":
            ocpp_action, payload, ok = (
                "Reset",
                {"type": "Hard" if cmd.hard else "Soft"},
                ("Accepted",),
            )
        elif cmd.command == "clear-cache":
            ocpp_action, payload, ok = "ClearCache", {}, ("Accepted",)
        elif cmd.command == "unlock":
            if not cmd.bay:
                raise UserError("unlock needs the bay")
            connector, label = self._connector(charger_id, cmd.bay)
            ocpp_action, payload, ok = "UnlockConnector", {"connectorId": connector}, ("Unlocked",)
            target = f"bay {label}"
        else:
            message = _trigger_word(cmd.message)
            payload = {"requestedMessage": message}
            if cmd.bay:
                payload["connectorId"] = self._connector(charger_id, cmd.bay)[0]
            ocpp_action, ok = "TriggerMessage", ("Accepted",)
        cmds, t = self._commands(charger_id)

        def run() -> o.OcppAnswer:
            what = f"{ocpp_action} {payload}" if payload else ocpp_action
            status = self._on_loop(cmds, cmds.status_call(t, ocpp_action, payload, ok, what))
            return o.OcppAnswer(name, ocpp_action, status)

        return self._audited(action, target, {ocpp_action: payload}, run)

    def ocpp_configuration(self, name: str, keys: list[str] | None = None) -> o.OcppConfiguration:
        wanted = [k.strip() for k in keys or [] if k.strip()]
        for k in wanted:
            _check_key(k)
        with self.db.session() as s:
            charger_id, name = self._ocpp_charger(s, name)
            self._require(s, "chargers.read", target=f"charger {name}")
        cmds, t = self._commands(charger_id)
        payload = {"key": wanted} if wanted else {}
        answer = self._on_loop(cmds, cmds.call(t, "GetConfiguration", payload))
        rows = [
            o.OcppConfigKey(str(k.get("key")), k.get("value"), bool(k.get("readonly", False)))
            for k in answer.get("configurationKey") or []
        ]
        unknown = [str(k) for k in answer.get("unknownKey") or []]
        return o.OcppConfiguration(name, sorted(rows, key=lambda r: r.key), unknown)

    def change_ocpp_configuration(self, name: str, change: o.OcppConfigChange) -> o.OcppAnswer:
        key = _check_key(change.key.strip())
        if len(change.value) > MAX_VALUE:
            raise UserError(f"a configuration value is at most {MAX_VALUE} characters")
        with self.db.session() as s:
            charger_id, name = self._ocpp_charger(s, name)
            self._require(s, "chargers.configure", target=f"charger {name}")
        cmds, t = self._commands(charger_id)
        ok = ("Accepted", "RebootRequired")
        payload = {"key": key, "value": change.value}

        def run() -> o.OcppAnswer:
            asked = cmds.status_call(t, "ChangeConfiguration", payload, ok, f"{key}={change.value}")
            status = self._on_loop(cmds, asked)
            return o.OcppAnswer(name, "ChangeConfiguration", status)

        return self._audited("chargers.configure", f"charger {name}", {key: change.value}, run)

    # ------------------------------------------------------------ the message log

    def ocpp_log(self, name: str, limit: int = 50) -> list[o.OcppMessageRow]:
        from stationmgr.drivers.ocpp import DRIVER
        from stationmgr.ocpp import msglog
        from stationmgr.ocpp.commands import OcppCommands

        if not 1 <= limit <= MAX_LOG:
            raise UserError(f"--limit must be 1 … {MAX_LOG}")
        with self.db.session() as s:
            charger_id, name = self._ocpp_charger(s, name)
            self._require(s, "chargers.read", target=f"charger {name}")
            rows = msglog.stored(s, charger_id, limit)
        engine = self.engine
        cmds = engine.external_commands.get(DRIVER) if engine is not None else None
        if isinstance(cmds, OcppCommands):
            rows = msglog.merged(rows, cmds.server.messages.last(charger_id), limit)
        return [
            o.OcppMessageRow(_iso(r.at), r.direction, r.kind, r.action, r.unique_id, r.payload)
            for r in rows
        ]


def _check_key(key: str) -> str:
    if not key or len(key) > MAX_KEY or any(not c.isprintable() for c in key):
        raise UserError(f"a configuration key is 1 … {MAX_KEY} printable characters")
    return key


def _trigger_word(text: str | None) -> str:
    for word in o.TRIGGERS:
        if (text or "").strip().lower() == word.lower():
            return word
    raise UserError(f"trigger what? one of {', '.join(o.TRIGGERS)}")
