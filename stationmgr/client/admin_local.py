"""The administration calls of `LocalClient` (a mixin: see `admin_models`): site settings,
alert thresholds, the database's state and failed records, the counter reconciliation.
Each checks the operator's role and audits a change, as the CLI did on its own before."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from stationmgr.access.context import record
from stationmgr.client import admin_models as a
from stationmgr.errors import UserError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from stationmgr.access.context import Actor
    from stationmgr.store.db import Database


class LocalAdmin:
    db: Database
    actor: Actor | None

    if TYPE_CHECKING:  # LocalClient's own

        def _require(self, s: Session, action: str, target: str | None = None) -> None: ...
        def _changed(self, *kinds: str) -> None: ...

    # ------------------------------------------------------------ site settings

    def site_settings(self) -> list[a.SiteSetting]:
        from stationmgr.billing.site import SITE_KEYS, site_value

        with self.db.session() as s:
            self._require(s, "settings.read")
            return [a.SiteSetting(k, site_value(s, k), what) for k, (what, _) in SITE_KEYS.items()]

    def set_site_setting(self, key: str, value: str) -> a.SiteSetting:
        from stationmgr.billing.site import SITE_KEYS, set_site_value, site_value

        if key not in SITE_KEYS:
            raise UserError(f"unknown site setting {key[:40]!r}; see `stationmgr site show`")
        with self.db.session() as s:
            self._require(s, "settings.edit", target=f"site {key}")
            before = site_value(s, key)
            set_site_value(s, key, value)
            after = site_value(s, key)
            record(s, "settings.edit", f"site {key}", {key: before}, {key: after}, self.actor)
            out = a.SiteSetting(key, after, SITE_KEYS[key][0])
        self._changed("settings")
        return out

    # ------------------------------------------------------------ alert thresholds

    def alert_settings(self) -> list[a.AlertSetting]:
        from stationmgr.alerts.settings import shown

        with self.db.session() as s:
            self._require(s, "settings.read")
            return [a.AlertSetting(k, v) for k, v in shown(s)]

    def set_alert_settings(self, pairs: list[str]) -> list[a.AlertSetting]:
        from stationmgr.alerts.settings import change, parse_values, shown

        parse_values(pairs)  # bad input is refused before the permission check writes
        with self.db.session() as s:
            self._require(s, "settings.edit", target="alerts")
            before, after = change(s, pairs)
            record(s, "settings.edit", "alerts", before, after, self.actor)
        self._changed("settings")
        with self.db.session() as s:
            return [a.AlertSetting(k, v) for k, v in shown(s)]

    # ------------------------------------------------------------ the database

    def database_status(self) -> a.DatabaseStatus:
        from stationmgr.store.db import current_revision, integrity_ok
        from stationmgr.store.failures import count_failures

        with self.db.session() as s:
            self._require(s, "db.maintain")
            failed = count_failures(s)
        from stationmgr.engine.journal import journal_path, set_aside_journals

        kept = [str(p) for p in set_aside_journals(journal_path(self.db.url))]
        url = self.db.engine.url.render_as_string(hide_password=True)
        ok = integrity_ok(self.db)
        return a.DatabaseStatus(url, current_revision(self.db), ok, failed, kept)

    def failed_records(self, query: a.FailureQuery) -> list[a.FailedRecord]:
        from stationmgr.client.local import iso
        from stationmgr.store.failures import list_failures

        if not 1 <= query.limit <= 100_000:
            raise UserError("limit: 1..100000 failed records")
        with self.db.session() as s:
            self._require(s, "db.maintain")
            return [
                a.FailedRecord(r.id, iso(r.ts) or "", r.record_type, r.error, r.record)
                for r in list_failures(s, query.limit)
            ]

    def compact(self, req: a.CompactRequest) -> a.Compacted:
        from stationmgr.store.models import utcnow
        from stationmgr.store.retention import downsample

        if not 0 <= req.keep_raw_days <= 36500 or not 1 <= req.resolution_s <= 86400:
            raise UserError("--keep-raw-days must be 0..36500 and --resolution 1..86400")
        with self.db.session() as s:
            self._require(s, "db.maintain")
            n = downsample(s, utcnow(), req.keep_raw_days, req.resolution_s)
            record(
                s,
                "db.maintain",
                "meter samples",
                after={"compacted": n, "keep_raw_days": req.keep_raw_days},
                actor=self.actor,
            )
        return a.Compacted(n)

    def close_month(self, req: a.MonthCloseRequest) -> a.ClosedMonthRow:
        from stationmgr.billing.months import MonthOrderError, close_and_anchor
        from stationmgr.client.errors import Conflict

        try:
            info, note = close_and_anchor(self.db, req.month, actor=self.actor)
        except MonthOrderError as e:  # closed already, or out of order: 409
            raise Conflict(str(e)) from None
        return _closed_row(info, note)

    def month_states(self) -> list[a.MonthStateRow]:
        from stationmgr.billing.months import month_states

        with self.db.session() as s:
            self._require(s, "billing.export")
            return [
                a.MonthStateRow(
                    x.month,
                    "closed" if x.closed else "open",
                    x.entries,
                    x.total_minor,
                    x.closable,
                    x.why_not,
                    _closed_row(x.closed) if x.closed else None,
                    x.currency,
                )
                for x in month_states(s)
            ]

    def closed_months(self) -> list[a.ClosedMonthRow]:
        from stationmgr.billing.months import list_closed

        with self.db.session() as s:
            self._require(s, "billing.export")
            return [_closed_row(x) for x in list_closed(s)]

    def verify(self, anchors: list[str] | None = None) -> list[a.Check]:
        from stationmgr.verify import run_checks

        with self.db.session() as s:
            self._require(s, "verify")
        checks = run_checks(self.db, anchors=anchors)
        return [a.Check(r.name, r.ok, list(r.problems)) for r in checks]

    # ------------------------------------------------------------ corrections

    def correct_session(self, session_id: int, req: a.CorrectionRequest) -> a.Correction:
        from stationmgr.billing.charges import correct_price

        with self.db.session() as s:
            new = correct_price(s, session_id, req.tariff_id, req.reason, actor=self.actor)
            detail = {"revision": new.revision, "total_minor": new.total_minor}
            record(
                s,
                "billing.correct",
                f"session {session_id}",
                after={**detail, "reason": req.reason.strip()},
                actor=self.actor,
            )
            out = a.Correction(session_id, new.revision, new.total_minor, new.currency)
            from stationmgr.billing.receipt_corrections import was_receipted

            receipted = was_receipted(s, session_id)
        if not receipted:
            return out
        # A receipted session gets its correcting receipt at once (ML 17 kap 22 §).
        from stationmgr.billing.receipt_corrections import references
        from stationmgr.billing.receipts import issue_receipt

        rec = issue_receipt(self.db, session_id)
        with self.db.session() as s:
            corrects, _ = references(s, rec, None)
        return a.Correction(
            session_id,
            new.revision,
            new.total_minor,
            new.currency,
            rec.number,
            corrects.number if corrects else None,
        )

    # ------------------------------------------------------------ reconciliation

    def reconcile(self, query: a.ReconcileQuery) -> list[a.Reconciliation]:
        from stationmgr.billing.reconcile import findings, reconcile
        from stationmgr.billing.site import site_tz
        from stationmgr.cards import day_after, parse_date

        with self.db.session() as s:
            tz = site_tz(s)  # bare dates are the site's days, as on the screen
        since = parse_date(query.since, "--from date", tz=tz)
        until = parse_date(query.until, "--to date", tz=tz)
        if since is None or until is None:
            raise UserError("a reconciliation needs a period: --from and --to")
        if len(query.until.strip()) == 10:  # a bare date: that whole day
            until = day_after(until)
        if until <= since:
            raise UserError("--to is before --from")
        with self.db.session() as s:
            self._require(s, "billing.export")
            results = reconcile(s, since, until, query.charger)
            if query.charger and not results:
                from stationmgr.client.errors import NotFound

                raise NotFound(f"no charger named {query.charger[:40]!r}")
        return [
            a.Reconciliation(
                r.charger,
                r.sessions,
                r.sessions_wh,
                r.counter_advance_wh,
                r.unbilled_wh,
                len(r.overlaps),
                len(r.resets),
                r.ok,
                findings(r),
            )
            for r in results
        ]


def _closed_row(x: Any, note: str = "") -> a.ClosedMonthRow:
    return a.ClosedMonthRow(
        x.month,
        x.closed_at.isoformat(),
        x.closed_by,
        x.entries,
        x.total_minor,
        x.sie_vouchers,
        x.head_code,
        x.sie_sha256,
        x.csv_sha256,
        note,
    )
