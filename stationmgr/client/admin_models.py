"""Wire models of the site's administration calls: site settings, alert thresholds, the
database's state and failed records, and the counter reconciliation (see docs/api.md).
Kept apart from `models` so each area's shapes are found in one place."""

from __future__ import annotations

from dataclasses import dataclass, field

from stationmgr.client.models import Wire


@dataclass(frozen=True)
class SiteSetting(Wire):
    """A billing site setting (seller details, time zone, SIE accounts)."""

    key: str
    value: str
    what: str


@dataclass(frozen=True)
class SettingValue(Wire):
    """`PUT /site/settings/{key}`: the new text, checked by the core."""

    value: str


@dataclass(frozen=True)
class AlertSetting(Wire):
    """One alert threshold as the CLI shows it (`alerts config`)."""

    key: str
    value: str


@dataclass(frozen=True)
class AlertSettingsRequest(Wire):
    """`POST /alerts/config`: `KEY=VALUE` pairs, as `stationmgr alerts config` takes them."""

    values: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class DatabaseStatus(Wire):
    """`GET /database`: where the site's database is (no password), its schema revision,
    whether SQLite's integrity check passes, and how many records the writer dropped."""

    url: str
    revision: str | None
    integrity_ok: bool
    failed_records: int
    # Journals the engine could not replay at a start, kept for the owner: their records
    # are not in the database (docs/reliability.md, "Database stalls and the journal").
    unreplayed_journals: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class FailureQuery(Wire):
    limit: int = 50


@dataclass(frozen=True)
class FailedRecord(Wire):
    """A record the engine's writer could not store (kept for the owner to see)."""

    id: int
    at: str
    record_type: str
    error: str
    record: str


@dataclass(frozen=True)
class CompactRequest(Wire):
    """`POST /database/compact`: downsample finished sessions' meter samples older than
    `keep_raw_days` to one per `resolution_s` (what `stationmgr db compact` does)."""

    keep_raw_days: int
    resolution_s: int


@dataclass(frozen=True)
class Compacted(Wire):
    removed_samples: int


@dataclass(frozen=True)
class Check(Wire):
    """One of `stationmgr verify`'s checks (ledger, receipt numbering, audit chain, ...)."""

    name: str
    ok: bool
    problems: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class CorrectionRequest(Wire):
    """`POST /sessions/{id}/correct`: re-price a closed session with another tariff
    version (a reversal and a new sale in the ledger); the reason is required."""

    tariff_id: int
    reason: str


@dataclass(frozen=True)
class Correction(Wire):
    session_id: int
    revision: int
    total_minor: int
    currency: str
    receipt: int | None = None  # the correcting receipt, when the session had a receipt
    corrects_receipt: int | None = None


@dataclass(frozen=True)
class ReconcileQuery(Wire):
    """`GET /reconcile`: a period (dates or date-times; a bare `until` date includes that
    day) and optionally one charger."""

    since: str
    until: str
    charger: str | None = None


@dataclass(frozen=True)
class Reconciliation(Wire):
    """One charger's counter against its billed sessions; `notes` are the findings, one
    line each (energy outside sessions, blind periods, overlaps, counter resets)."""

    charger: str
    sessions: int
    sessions_wh: float
    counter_advance_wh: float
    unbilled_wh: float
    overlaps: int
    resets: int
    ok: bool
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class MonthCloseRequest(Wire):
    """`POST /months/close`: close the month `YYYY-MM` (in order; never reopened)."""

    month: str


@dataclass(frozen=True)
class ClosedMonthRow(Wire):
    """A closed month (`months list`); `note` says where its line was anchored."""

    month: str
    closed_at: str
    closed_by: str | None
    entries: int
    total_minor: int
    sie_vouchers: int
    head_code: str
    sie_sha256: str
    csv_sha256: str
    note: str = ""


@dataclass(frozen=True)
class MonthStateRow(Wire):
    """`GET /months/states`: one month, open or closed, from the first with a ledger entry to
    the current one. `closable` marks the one a close accepts now; `why_not` says why
    another is not; `closed` is the close (as `GET /months`) for a closed month."""

    month: str
    state: str  # open | closed
    entries: int
    total_minor: int
    closable: bool
    why_not: str = ""
    closed: ClosedMonthRow | None = None
    currency: str = "SEK"
