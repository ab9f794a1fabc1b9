"""The OCPP charger calls of `RemoteClient` (a mixin; see `ocpp_local` for what they do)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from stationmgr.client import ocpp_models as o


class RemoteOcpp:
    if TYPE_CHECKING:  # RemoteClient's own

        def _call(
            self, method: str, path: str, body: Any = None, params: dict[str, str] | None = None
        ) -> Any: ...

    def _ocpp_path(self, name: str, tail: str = "") -> str:
        return f"/chargers/{quote(name, safe='')}/ocpp{tail}"

    def ocpp_command(self, name: str, cmd: o.OcppCommand) -> o.OcppAnswer:
        return o.OcppAnswer.from_json(self._call("POST", self._ocpp_path(name), cmd.to_json()))

    def ocpp_configuration(self, name: str, keys: list[str] | None = None) -> o.OcppConfiguration:
        params = {"key": ",".join(keys)} if keys else None
        answer = self._call("GET", self._ocpp_path(name, "/configuration"), params=params)
        return o.OcppConfiguration.from_json(answer)

    def change_ocpp_configuration(self, name: str, change: o.OcppConfigChange) -> o.OcppAnswer:
        path = self._ocpp_path(name, "/configuration")
        return o.OcppAnswer.from_json(self._call("POST", path, change.to_json()))

    def ocpp_log(self, name: str, limit: int = 50) -> list[o.OcppMessageRow]:
        answer = self._call("GET", self._ocpp_path(name, "/log"), params={"limit": str(limit)})
        return [o.OcppMessageRow.from_json(x) for x in answer["items"]]
