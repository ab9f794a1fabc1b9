"""The site API's wire models: what crosses between a client and the site, as frozen
dataclasses with `to_json`/`from_json`, shared by the server (`stationmgr.service`) and
every client (`LocalClient`, `RemoteClient`), so both ends read and write one shape.

Version 1 (`/api/v1/`): fields are only ever added; a client ignores fields it does not
know. Times are ISO 8601 UTC text (`2026-12-02T01:30:00+00:00`), energy in Wh, power in W,
money in minor units. `from_json` is strict: a missing required field, an unknown field or
a wrong type is one `UserError` line (HTTP 400), so bad input never reaches a service.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from dataclasses import dataclass, field
from typing import Any, ClassVar, TypeVar

from stationmgr.errors import UserError

API_VERSION = 1
API_PREFIX = f"/api/v{API_VERSION}"
W = TypeVar("W", bound="Wire")


def _check(value: Any, hint: Any, where: str) -> Any:
    """`value` if it has the JSON type `hint` names (bool is not an int here)."""
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        for option in typing.get_args(hint):
            try:
                return _check(value, option, where)
            except UserError:
                continue
        raise UserError(f"{where}: wrong type ({type(value).__name__})")
    if hint is type(None):
        if value is None:
            return None
        raise UserError(f"{where}: expected null")
    if hint is Any:
        return value
    if origin in (list, tuple):
        if not isinstance(value, list | tuple):
            raise UserError(f"{where}: expected a list")
        (item,) = typing.get_args(hint)[:1] or (Any,)
        items = [_check(v, item, f"{where}[{i}]") for i, v in enumerate(value)]
        return tuple(items) if origin is tuple else items
    if origin is dict:
        if not isinstance(value, dict):
            raise UserError(f"{where}: expected an object")
        return dict(value)
    if hint is float:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        raise UserError(f"{where}: expected a number")
    if hint is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        raise UserError(f"{where}: expected a whole number")
    if hint is str:
        if isinstance(value, str):
            return value
        raise UserError(f"{where}: expected text")
    if hint is bool:
        if isinstance(value, bool):
            return value
        raise UserError(f"{where}: expected true or false")
    if isinstance(hint, type) and issubclass(hint, Wire):
        return hint.from_json(value)
    raise TypeError(f"no wire type for {hint!r}")  # a programming error, not bad input


def _plain(value: Any) -> Any:
    if isinstance(value, Wire):
        return value.to_json()
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


class Wire:
    """Mixin for the frozen dataclasses below."""

    wire_name: ClassVar[str] = ""

    def to_json(self) -> dict[str, Any]:
        return {f.name: _plain(getattr(self, f.name)) for f in dataclasses.fields(self)}  # type: ignore[arg-type]

    @classmethod
    def from_json(cls: type[W], data: Any) -> W:
        name = cls.wire_name or cls.__name__
        if not isinstance(data, dict):
            raise UserError(f"{name}: expected a JSON object")
        hints = typing.get_type_hints(cls)
        fields = {f.name: f for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
        unknown = sorted(set(data) - set(fields))
        if unknown:
            raise UserError(f"{name}: unknown field {unknown[0][:40]!r}")
        values: dict[str, Any] = {}
        for fname, f in fields.items():
            if fname in data:
                values[fname] = _check(data[fname], hints[fname], f"{name}.{fname}")
            elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                raise UserError(f"{name}: missing field {fname!r}")
        return cls(**values)


# ---------------------------------------------------------------- sign-in


@dataclass(frozen=True)
class LoginRequest(Wire):
    username: str
    password: str


@dataclass(frozen=True)
class Token(Wire):
    """A bearer token: send `Authorization: Bearer <token>`; valid until `expires_at`,
    renewed by every call (sliding), never beyond `max_expires_at`."""

    token: str
    expires_at: str
    max_expires_at: str
    operator: Operator


@dataclass(frozen=True)
class Operator(Wire):
    username: str | None
    role: str | None
    display_name: str | None = None


@dataclass(frozen=True)
class SiteInfo(Wire):
    """`GET /api/v1/site` (no sign-in): what a client needs before it signs in."""

    api: int
    version: str
    protected: bool  # False: a site without operators (no sign-in)
    name: str | None = None
    timezone: str = "Europe/Stockholm"  # the site's zone (IANA): screen, documents, dates


# ---------------------------------------------------------------- bays


@dataclass(frozen=True)
class Bay(Wire):
    """A bay as the board shows it (the engine's snapshot)."""

    bay_id: int
    label: str
    status: str  # OCPP words: Available, Preparing, Charging, SuspendedEV, …
    at: str
    online: bool
    plugged_at: str | None = None
    power_w: float | None = None
    energy_wh: float | None = None
    tx_uid: str | None = None
    holder_name: str | None = None
    card_uid: str | None = None
    charging_started_at: str | None = None
    charging_ended_at: str | None = None
    authorized_at: str | None = None
    fault: str | None = None
    # The rest of the bay's read model (BaySnapshot), what the board's tiles show.
    out_of_order: bool = False
    pending_card: str | None = None  # a card tapped before plug-in, waiting for the car
    pending_holder: str | None = None
    pending_until: str | None = None
    idle_since: str | None = None
    charging_s: float | None = None  # as of `at`
    finished_tx_uid: str | None = None  # the session that ended here, car still plugged
    cost_minor: int | None = None  # the running session's cost so far
    currency: str | None = None
    expected_end: str | None = None
    open_alerts: int = 0


@dataclass(frozen=True)
class RemoteStartRequest(Wire):
    """A guest start (`reason`, required) or, with `card`, a start for that card (the card
    rules of a tap at the bay; an OCPP charger is asked to start with it as the idTag)."""

    wire_name: ClassVar[str] = "remote start"
    reason: str = ""
    card: str | None = None


@dataclass(frozen=True)
class RemoteStopRequest(Wire):
    wire_name: ClassVar[str] = "remote stop"
    detail: str | None = None


@dataclass(frozen=True)
class OutOfOrderRequest(Wire):
    wire_name: ClassVar[str] = "out of order"
    out_of_order: bool


# ---------------------------------------------------------------- sessions


@dataclass(frozen=True)
class SessionQuery(Wire):
    """History filters, as the CLI takes them (dates `YYYY-MM-DD` or ISO times; `bay` a
    label or id; `card` any spelling; `holder` a name part or id)."""

    wire_name: ClassVar[str] = "session query"
    since: str | None = None
    until: str | None = None
    bay: str | None = None
    card: str | None = None
    holder: str | None = None
    open: bool = False
    offset: int = 0
    limit: int = 100
    stop_reason: str | None = None  # an OCPP stop reason word
    sort: str = "plugged_at"  # a column of the history (store.queries.SORT_COLUMNS)
    ascending: bool = False  # False: newest (largest) first


@dataclass(frozen=True)
class SessionRow(Wire):
    id: int
    tx_uid: str
    bay_id: int
    bay: str
    card_uid: str | None
    holder_name: str | None
    plugged_at: str
    stopped_at: str | None
    energy_wh: float
    plugged_s: int | None
    charging_s: int | None
    idle_s: int | None
    stop_reason: str | None
    stopped_by: str | None
    start_kind: str = "card"  # card | guest (a remote start)
    total_minor: int | None = None  # the latest price, when priced
    receipt_number: int | None = None  # the latest receipt issued for it (a correction's)


@dataclass(frozen=True)
class SessionDetail(Wire):
    session: SessionRow
    meter_start_wh: float
    meter_stop_wh: float | None
    started_by: str | None
    guest_reason: str | None
    stop_detail: str | None
    # (at, energy_wh, power_w) samples, oldest first
    curve: list[list[Any]] = field(default_factory=list)
    authorized_at: str | None = None
    waiting_s: int | None = None
    meter_resets: int = 0  # times the charger's counter restarted (the curve counts on)
    events: list[list[Any]] = field(default_factory=list)  # (at, what, detail), in time order
    price: SessionPrice | None = None


# ---------------------------------------------------------------- cards


@dataclass(frozen=True)
class Card(Wire):
    uid: str
    label: str
    holder: str
    group: str
    blocked: str  # yes | no (the CSV's words)
    valid_from: str
    valid_to: str
    allowed_bays: str
    max_concurrent: str
    max_current_a: str
    note: str
    kind: str = "card"  # or "vehicle" (a car's own id tag)


@dataclass(frozen=True)
class NewCard(Wire):
    wire_name: ClassVar[str] = "card"
    uid: str
    label: str | None = None
    holder: str | None = None
    group: str | None = None
    valid_from: str | None = None
    valid_to: str | None = None
    allowed_bays: list[str] = field(default_factory=list)
    max_concurrent: int = 1
    blocked: bool = False
    note: str | None = None
    kind: str = "card"  # or "vehicle": `uid` is the id tag a charger reports for the car


@dataclass(frozen=True)
class BlockRequest(Wire):
    wire_name: ClassVar[str] = "block"
    blocked: bool


# ---------------------------------------------------------------- chargers and readers


@dataclass(frozen=True)
class ChargerConfig(Wire):
    wire_name: ClassVar[str] = "charger"
    name: str
    driver: str
    port: str
    bays: list[str] = field(default_factory=list)
    address: int | None = None
    baud: int | None = None
    settings: dict[str, Any] = field(default_factory=dict)
    enabled: bool = True


@dataclass(frozen=True)
class ReaderConfig(Wire):
    wire_name: ClassVar[str] = "card reader"
    name: str
    driver: str
    port: str
    bay: str | None = None  # None: at the desk
    baud: int | None = None
    settings: dict[str, Any] = field(default_factory=dict)
    enabled: bool = True


@dataclass(frozen=True)
class Removed(Wire):
    name: str
    outcome: str  # removed | disabled (a charger with history is kept, disabled)


# ---------------------------------------------------------------- audit


@dataclass(frozen=True)
class AuditQuery(Wire):
    wire_name: ClassVar[str] = "audit query"
    since: str | None = None
    until: str | None = None
    operator: str | None = None
    action: str | None = None
    outcome: str | None = None
    target: str | None = None
    offset: int = 0
    limit: int = 100


@dataclass(frozen=True)
class AuditRow(Wire):
    id: int
    ts: str
    operator: str | None
    action: str
    target: str | None
    outcome: str
    detail: str | None


# ---------------------------------------------------------------- alerts


@dataclass(frozen=True)
class AlertQuery(Wire):
    wire_name: ClassVar[str] = "alert query"
    open: bool = False
    unacknowledged: bool = False
    alert_kind: str | None = None
    limit: int = 100


@dataclass(frozen=True)
class AlertRow(Wire):
    id: int
    uid: str
    kind: str
    title: str
    where: str
    raised_at: str
    acknowledged_at: str | None
    acknowledged_by: str | None
    cleared_at: str | None
    detail: str | None


@dataclass(frozen=True)
class AcknowledgeRequest(Wire):
    wire_name: ClassVar[str] = "acknowledge"
    note: str | None = None


# ---------------------------------------------------------------- billing


@dataclass(frozen=True)
class ExportRequest(Wire):
    """`POST /api/v1/billing/export`: the month's sales, `sie` (SIE 4) or `csv`."""

    wire_name: ClassVar[str] = "export"
    month: str
    format: str = "sie"


# ---------------------------------------------------------------- live events


@dataclass(frozen=True)
class Event(Wire):
    """One message on `/api/v1/events`: `type` names it (see docs/api.md), `data` its body."""

    type: str
    data: dict[str, Any]


@dataclass(frozen=True)
class ErrorBody(Wire):
    """Every 4xx/5xx answer: one line for the person, and a word for programs."""

    error: str
    message: str


# ---------------------------------------------------------------- pages


@dataclass(frozen=True)
class PriceLine(Wire):
    kind: str  # energy | time | start_fee | idle_fee
    quantity: int
    unit: str  # Wh | s | min | …
    unit_price_minor: int
    net_minor: int
    vat_minor: int
    amount_minor: int


@dataclass(frozen=True)
class SessionPrice(Wire):
    """A session's latest price (what the receipt shows)."""

    currency: str
    net_minor: int
    vat_minor: int
    total_minor: int
    lines: list[PriceLine] = field(default_factory=list)


@dataclass(frozen=True)
class SessionTotals(Wire):
    """`GET /history/totals`: the sums over every session a `SessionQuery` matches."""

    sessions: int
    energy_wh: float
    plugged_s: int
    charging_s: int
    idle_s: int


@dataclass(frozen=True)
class BayLabel(Wire):
    """A bay as the history's filter lists it (also bays of a site that is not running)."""

    bay_id: int
    label: str


@dataclass(frozen=True)
class RotationQuery(Wire):
    wire_name: ClassVar[str] = "rotation query"
    limit: int = 3


@dataclass(frozen=True)
class RotationLine(Wire):
    """A bay expected to free up soon (the alert monitor's estimate)."""

    bay_id: int
    label: str
    free_at: str  # expected unplug (the site's now for a free bay)
    free_now: bool
    basis: str  # free | card | bay | default


@dataclass(frozen=True)
class Rotation(Wire):
    """`GET /reports/rotation`: the bays that free up soonest, as of the site's `at`."""

    at: str  # the site's clock (not the window's: a demo site runs faster)
    estimates: bool  # False: no alert monitor runs on the site (no estimates)
    items: list[RotationLine] = field(default_factory=list)


@dataclass(frozen=True)
class CapacityQuery(Wire):
    wire_name: ClassVar[str] = "capacity query"
    first_day: str  # YYYY-MM-DD, local days of the site, inclusive
    last_day: str


@dataclass(frozen=True)
class CapacityBay(Wire):
    bay_id: int
    label: str
    sessions: int
    energy_wh: float
    plugged_s: int
    charging_s: int
    idle_s: int
    period_s: float


@dataclass(frozen=True)
class CapacityDay(Wire):
    day: str
    sessions: int
    energy_wh: float


@dataclass(frozen=True)
class CapacityTypical(Wire):
    name: str
    sessions: int
    plugged_s: float  # medians
    charging_s: float
    idle_s: float


@dataclass(frozen=True)
class CapacityIdle(Wire):
    name: str
    sessions: int
    idle_s: int


@dataclass(frozen=True)
class CapacityReport(Wire):
    """`GET /reports/capacity`: occupancy of the site's bays over local days."""

    first_day: str
    last_day: str
    tz: str
    start: str
    end: str
    sessions: int
    energy_wh: float
    bays: list[CapacityBay] = field(default_factory=list)
    days: list[CapacityDay] = field(default_factory=list)
    heatmap: list[list[float]] = field(default_factory=list)  # [weekday][hour] 0..1
    by_bay: list[CapacityTypical] = field(default_factory=list)
    by_group: list[CapacityTypical] = field(default_factory=list)
    idle_bays: list[CapacityIdle] = field(default_factory=list)
    idle_cards: list[CapacityIdle] = field(default_factory=list)


@dataclass(frozen=True)
class DeviceBay(Wire):
    bay_id: int
    label: str
    connector: int
    reader: str | None = None  # the card reader at this bay, by name


@dataclass(frozen=True)
class DeviceCharger(Wire):
    charger_id: int
    name: str
    driver: str
    port: str
    address: int | None
    baud: int | None
    enabled: bool
    bays: list[DeviceBay] = field(default_factory=list)
    # what the running site makes of it now: answering | not answering | connecting |
    # not running (enabled, but the site has no poller for it); None: no site runs
    comm: str | None = None


@dataclass(frozen=True)
class DeviceReader(Wire):
    reader_id: int
    name: str
    driver: str
    port: str
    baud: int | None
    bay: str | None  # the bay's label; None: the desk (enrolment)
    enabled: bool


@dataclass(frozen=True)
class DeviceRows(Wire):
    """`GET /devices`: the chargers page's two lists, and whether the site is running."""

    running: bool
    chargers: list[DeviceCharger] = field(default_factory=list)
    readers: list[DeviceReader] = field(default_factory=list)


# ---------------------------------------------------------------- board


@dataclass(frozen=True)
class DayTrace(Wire):
    """One session's stored samples on a bay since a time: `at` epoch seconds (curves are
    long: numbers, not ISO text), W (None: not read), Wh (the reset-aware session energy)."""

    session_id: int
    at: list[float]
    power_w: list[int | None]
    energy_wh: list[float]


@dataclass(frozen=True)
class BayDay(Wire):
    """`GET /api/v1/bays/{id}/day?since=ISO`: the bay's sessions' samples since `since`."""

    bay_id: int
    since: str
    traces: list[DayTrace] = field(default_factory=list)


@dataclass(frozen=True)
class BayPower(Wire):
    """One bay's sampled power since a time: `at` epoch seconds, W."""

    bay_id: int
    at: list[float]
    power_w: list[int | None]


@dataclass(frozen=True)
class SitePower(Wire):
    """`GET /api/v1/site/power?since=ISO`: every bay's sampled power since `since`."""

    since: str
    bays: list[BayPower] = field(default_factory=list)


@dataclass(frozen=True)
class DayQuery(Wire):
    wire_name: ClassVar[str] = "day query"
    since: str


@dataclass(frozen=True)
class FaultQuery(Wire):
    wire_name: ClassVar[str] = "fault query"
    bay_id: int | None = None
    unacknowledged: bool = False
    open: bool = False
    limit: int = 100


@dataclass(frozen=True)
class FaultRow(Wire):
    id: int
    bay_id: int | None
    bay: str
    session_id: int | None
    code: str
    raised_at: str
    cleared_at: str | None
    acknowledged_at: str | None
    acknowledged_by: str | None


@dataclass(frozen=True)
class FaultAcknowledge(Wire):
    """`POST /api/v1/faults/acknowledge`: a bay's unacknowledged faults, or `fault_ids`;
    `operator` names who on a site without operators (else the signed-in operator)."""

    wire_name: ClassVar[str] = "fault acknowledgement"
    bay_id: int | None = None
    fault_ids: list[int] | None = None
    operator: str = ""
    note: str | None = None


@dataclass(frozen=True)
class FaultsAcknowledged(Wire):
    fault_ids: list[int]


# ---------------------------------------------------------------- accounts


@dataclass(frozen=True)
class CardListRow(Wire):
    """One card as the cards page lists it (`card_rows`), with its standing by the site's
    clock (`auth.Standing`: the word a tap would be told)."""

    wire_name: ClassVar[str] = "card row"
    card_id: int
    uid: str
    label: str
    holder: str
    group: str
    blocked: bool
    group_blocked: bool
    valid_from: str | None
    valid_to: str | None
    bays: list[str]
    max_concurrent: int
    max_current_a: float | None
    note: str
    status: str


@dataclass(frozen=True)
class BayChoice(Wire):
    bay_id: int
    label: str


@dataclass(frozen=True)
class CardChoices(Wire):
    """What the card dialog offers: known holders and groups, and the bays."""

    holders: list[str]
    groups: list[str]
    bays: list[BayChoice]


@dataclass(frozen=True)
class BudgetLine(Wire):
    """A budget that applies to a card: its own (`budget_id` set) or its group's."""

    budget_id: int | None
    period: str  # day | month
    amount: str  # e.g. "10.000 kWh", "150,00 SEK"


@dataclass(frozen=True)
class CardForm(Wire):
    """One card as the dialog edits it (`card_editor.card_form`)."""

    card_id: int
    uid_text: str  # the number as it reads back as this very card
    label: str
    holder: str
    group: str
    valid_from: str | None
    valid_to: str | None
    max_concurrent: int
    max_current_a: float | None
    blocked: bool
    note: str
    allowed_bay_ids: list[int]
    budgets: list[BudgetLine] = field(default_factory=list)
    kind: str = "card"  # or "vehicle": `uid_text` is the car's id tag (not an RFID number)


@dataclass(frozen=True)
class KnownCard(Wire):
    card_id: int
    uid: str
    who: str  # the holder's name, else the card's label


@dataclass(frozen=True)
class BudgetAdd(Wire):
    period: str  # day | month
    unit: str  # kWh | money
    limit: str  # as typed


@dataclass(frozen=True)
class CardSave(Wire):
    """Enrol (`card_id` null) or change a card and its budgets, all or nothing. Times are
    ISO 8601 (the dialog's start of day / end of day, UTC)."""

    wire_name: ClassVar[str] = "card save"
    uid: str
    card_id: int | None = None
    label: str | None = None
    holder: str | None = None
    group: str | None = None
    valid_from: str | None = None
    valid_to: str | None = None
    allowed_bays: list[str] = field(default_factory=list)
    max_concurrent: int = 1
    max_current_a: float | None = None
    blocked: bool = False
    note: str | None = None
    add_budgets: list[BudgetAdd] = field(default_factory=list)
    remove_budgets: list[int] = field(default_factory=list)
    kind: str | None = None  # card | vehicle; None: a card when added, as it was when edited


@dataclass(frozen=True)
class SavedCard(Wire):
    card_id: int
    uid: str


@dataclass(frozen=True)
class CardsFile(Wire):
    """A card CSV file's text, read on the client's PC and sent to the site."""

    wire_name: ClassVar[str] = "cards file"
    text: str


@dataclass(frozen=True)
class ImportLine(Wire):
    line: int
    cells: list[str]


@dataclass(frozen=True)
class ImportPreview(Wire):
    """A card file as checked (`card_import.check_file`): its first rows, how many, and the
    first problem (which rejects the file whole)."""

    header: list[str]
    rows: list[ImportLine]
    total: int
    error: str | None = None
    error_line: int | None = None


@dataclass(frozen=True)
class Imported(Wire):
    count: int


@dataclass(frozen=True)
class TariffVersion(Wire):
    """One tariff version (`billing.tariffs.TariffRow`); `valid_from` in the site's zone."""

    id: int
    name: str
    for_guests: bool
    group: str | None
    valid_from: str
    currency: str
    energy_minor_per_kwh: int
    time_minor_per_hour: int
    time_basis: str
    start_fee_minor: int
    idle_minor_per_min: int
    idle_grace_min: int
    idle_cap_minor: int | None
    vat_bp: int
    energy_e4_per_kwh: int | None = None  # four decimals, when two do not hold the price
    min_wh: int = 0
    min_s: int = 0


@dataclass(frozen=True)
class Tariffs(Wire):
    """Every version, the card groups (for a new version's scope), the site's time zone
    (IANA name: a new version's start is typed in it)."""

    rows: list[TariffVersion]
    groups: list[str]
    timezone: str


@dataclass(frozen=True)
class NewTariff(Wire):
    """A new version of a scope (`billing.tariffs.TariffInput`); `valid_from` ISO 8601 with
    its offset. Money in minor units, VAT in basis points."""

    wire_name: ClassVar[str] = "tariff"
    name: str
    valid_from: str
    currency: str = "SEK"
    group: str | None = None
    guests: bool = False
    energy_minor_per_kwh: int = 0
    time_minor_per_hour: int = 0
    time_basis: str = "charging"
    start_fee_minor: int = 0
    idle_minor_per_min: int = 0
    idle_grace_min: int = 0
    idle_cap_minor: int | None = None
    vat_bp: int = 2500
    energy_e4_per_kwh: int | None = None
    min_wh: int = 0
    min_s: int = 0


@dataclass(frozen=True)
class TariffAdded(Wire):
    id: int


@dataclass(frozen=True)
class StatementScope(Wire):
    """Whom a statement can be for: `key` is "holder:ID" or "group:ID"."""

    kind: str  # holder | group
    key: str
    name: str


@dataclass(frozen=True)
class StatementRequest(Wire):
    wire_name: ClassVar[str] = "statement"
    month: str
    scope: str | None = None  # None: the month summary of the whole site
    lang: str = "sv"


@dataclass(frozen=True)
class StatementPreview(Wire):
    """A statement or month summary as table rows, with its finished files (the PDF as
    base64: JSON carries text)."""

    title: str
    headers: list[str]
    rows: list[list[str]]
    summary: str
    pdf_base64: str
    csv: str

    @property
    def pdf(self) -> bytes:
        import base64

        return base64.b64decode(self.pdf_base64)


@dataclass(frozen=True)
class ReceiptRequest(Wire):
    wire_name: ClassVar[str] = "receipt"
    session_id: int
    lang: str = "sv"


@dataclass(frozen=True)
class ReceiptFile(Wire):
    """A session's receipt, issued once (a re-print carries the same number)."""

    number: int
    verification: str
    pdf_base64: str

    @property
    def pdf(self) -> bytes:
        import base64

        return base64.b64decode(self.pdf_base64)


@dataclass(frozen=True)
class AuditEntry(Wire):
    """An audit entry with its change (`before` → `after`, JSON as stored), for the
    window's audit view (`access.trail.audit_page`)."""

    id: int
    ts: str
    operator: str | None
    action: str
    target: str | None
    outcome: str
    detail: str | None
    before: Any = None
    after: Any = None


@dataclass(frozen=True)
class ChainResult(Wire):
    """The audit hash chain walked (`access.audit.verify_chain`); `text` says it in a line."""

    ok: bool
    checked: int
    bad_id: int | None
    problem: str | None
    text: str


@dataclass(frozen=True)
class OperatorRow(Wire):
    """An operator as the owner's list shows it (never a password hash)."""

    username: str
    display_name: str | None
    role: str
    active: bool
    locked_until: str | None
    last_login_at: str | None


@dataclass(frozen=True)
class NewOperator(Wire):
    wire_name: ClassVar[str] = "operator"
    username: str
    role: str
    password: str
    display_name: str | None = None


@dataclass(frozen=True)
class PasswordReset(Wire):
    """A temporary password: the operator chooses their own at the next login."""

    wire_name: ClassVar[str] = "password"
    password: str


@dataclass(frozen=True)
class RoleChange(Wire):
    wire_name: ClassVar[str] = "role"
    role: str


@dataclass(frozen=True)
class ActiveChange(Wire):
    wire_name: ClassVar[str] = "active"
    active: bool


@dataclass(frozen=True)
class OperatorChanged(Wire):
    username: str
    change: str  # added | password reset | role | enabled | disabled


# ---------------------------------------------------------------- cli accounts


@dataclass(frozen=True)
class PasswordChange(Wire):
    """The signed-in operator's own new password; the current one is asked again."""

    wire_name: ClassVar[str] = "password change"
    old_password: str
    new_password: str


@dataclass(frozen=True)
class LoginPolicy(Wire):
    """The login policy (`access.operators.LoginPolicy`) and the desktop app's idle lock."""

    min_length: int
    max_failures: int
    lockout_minutes: float
    idle_lock_minutes: float


@dataclass(frozen=True)
class PolicyChange(Wire):
    """The settings to change (None: left as they are)."""

    wire_name: ClassVar[str] = "policy change"
    min_length: int | None = None
    max_failures: int | None = None
    lockout_minutes: float | None = None
    idle_lock_minutes: float | None = None


@dataclass(frozen=True)
class BudgetRow(Wire):
    """A budget as the budget list shows it (the limit in its unit, for the site)."""

    id: int
    target: str  # "card 0A1B2C3D" | "group Staff"
    period: str  # daily | monthly
    unit: str  # kWh | money
    limit: str  # "20.000 kWh" | "150.00 SEK"


@dataclass(frozen=True)
class NewBudget(Wire):
    """A budget for one card (its number, any spelling) or one card group (its name)."""

    wire_name: ClassVar[str] = "budget"
    period: str  # day | month
    unit: str  # kWh | money
    limit: str  # kWh, or money in major units ("12.50")
    card: str | None = None
    group: str | None = None
