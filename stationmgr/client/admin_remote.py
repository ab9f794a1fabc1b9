"""The administration calls of `RemoteClient` (a mixin; the routes are in
`service.admin_routes`, the shapes in `admin_models`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from stationmgr.client import admin_models as a

if TYPE_CHECKING:
    from stationmgr.client.models import Wire


class RemoteAdmin:
    if TYPE_CHECKING:  # RemoteClient's own

        def _call(
            self, method: str, path: str, body: Any = None, params: dict[str, str] | None = None
        ) -> Any: ...

    def _listed(self, cls: type[Any], path: str, params: Wire | None = None) -> list[Any]:
        from stationmgr.client.remote import _params

        answer = self._call("GET", path, params=_params(params) if params else None)
        return [cls.from_json(x) for x in answer["items"]]

    def site_settings(self) -> list[a.SiteSetting]:
        return self._listed(a.SiteSetting, "/site/settings")

    def set_site_setting(self, key: str, value: str) -> a.SiteSetting:
        answer = self._call("PUT", f"/site/settings/{quote(key, safe='')}", {"value": value})
        return a.SiteSetting.from_json(answer)

    def alert_settings(self) -> list[a.AlertSetting]:
        return self._listed(a.AlertSetting, "/alerts/config")

    def set_alert_settings(self, pairs: list[str]) -> list[a.AlertSetting]:
        answer = self._call("POST", "/alerts/config", {"values": list(pairs)})
        return [a.AlertSetting.from_json(x) for x in answer["items"]]

    def database_status(self) -> a.DatabaseStatus:
        return a.DatabaseStatus.from_json(self._call("GET", "/database"))

    def failed_records(self, query: a.FailureQuery) -> list[a.FailedRecord]:
        return self._listed(a.FailedRecord, "/database/failures", query)

    def compact(self, req: a.CompactRequest) -> a.Compacted:
        return a.Compacted.from_json(self._call("POST", "/database/compact", req.to_json()))

    def close_month(self, req: a.MonthCloseRequest) -> a.ClosedMonthRow:
        return a.ClosedMonthRow.from_json(self._call("POST", "/months/close", req.to_json()))

    def closed_months(self) -> list[a.ClosedMonthRow]:
        return self._listed(a.ClosedMonthRow, "/months")

    def month_states(self) -> list[a.MonthStateRow]:
        return self._listed(a.MonthStateRow, "/months/states")

    def verify(self, anchors: list[str] | None = None) -> list[a.Check]:
        answer = self._call("POST", "/verify", {"anchors": list(anchors or [])})
        return [a.Check.from_json(x) for x in answer["items"]]

    def correct_session(self, session_id: int, req: a.CorrectionRequest) -> a.Correction:
        answer = self._call("POST", f"/sessions/{int(session_id)}/correct", req.to_json())
        return a.Correction.from_json(answer)

    def reconcile(self, query: a.ReconcileQuery) -> list[a.Reconciliation]:
        return self._listed(a.Reconciliation, "/reconcile", query)
