"""`site show|set`, `alerts config`, `db info|failures` and `reconcile`, written once
against a `SiteClient`: the same code runs on the local database (`local(...)`) and on a
site service (`--site`), so both print the same and refuse alike."""

from __future__ import annotations

import argparse

from stationmgr.cli.common import print_json, print_table
from stationmgr.client import admin_models as a
from stationmgr.client.api import SiteClient


def site_show(args: argparse.Namespace, client: SiteClient) -> int:
    rows = [[x.key, x.value, x.what] for x in client.site_settings()]
    print_table(rows, ["key", "value", "what"])
    return 0


def site_set(args: argparse.Namespace, client: SiteClient) -> int:
    row = client.set_site_setting(args.key, args.value)
    print(f"{row.key} = {row.value}")
    return 0


def alerts_config(args: argparse.Namespace, client: SiteClient) -> int:
    rows = client.set_alert_settings(args.values) if args.values else client.alert_settings()
    for x in rows:
        print(f"{x.key} = {x.value}")
    return 0


def db_info(args: argparse.Namespace, client: SiteClient) -> int:
    st = client.database_status()
    print(f"url: {st.url}")
    print(f"revision: {st.revision}")
    print(f"integrity: {'ok' if st.integrity_ok else 'FAILED'}")
    n = st.failed_records
    print(f"failed records: {n}" + (" (see `stationmgr db failures`)" if n else ""))
    kept = st.unreplayed_journals
    print(f"journals not replayed: {len(kept)}" + "".join(f"\n  {p}" for p in kept))
    return 0


def db_failures(args: argparse.Namespace, client: SiteClient) -> int:
    """What the engine's writer dropped because a record's handler raised."""
    rows = client.failed_records(a.FailureQuery(args.limit))
    if args.json:
        print_json([r.to_json() for r in rows])
        return 0
    if not rows:
        print("no failed records")
        return 0
    table = [
        [
            r.id,
            r.at.replace("T", " ")[:19],
            r.record_type.rsplit(".", 1)[-1],
            _cut(r.error, 80),
            _cut(r.record, 60),
        ]
        for r in rows
    ]
    print_table(table, ["id", "at (UTC)", "record", "error", "data"])
    return 0


def reconcile(args: argparse.Namespace, client: SiteClient) -> int:
    results = client.reconcile(a.ReconcileQuery(args.since, args.until, args.charger))
    print_table(
        [
            [
                r.charger,
                r.sessions,
                f"{r.sessions_wh / 1000:.3f}",
                f"{r.counter_advance_wh / 1000:.3f}",
                f"{r.unbilled_wh / 1000:.3f}",
                r.overlaps,
                r.resets,
                "ok" if r.ok else "CHECK",
            ]
            for r in results
        ],
        [
            "charger",
            "sessions",
            "sessions_kwh",
            "counter_kwh",
            "unbilled_kwh",
            "overlaps",
            "resets",
            "status",
        ],
    )
    for r in results:
        for line in r.notes:
            print(line)
    return 0


def db_compact(args: argparse.Namespace, client: SiteClient) -> int:
    done = client.compact(a.CompactRequest(args.keep_raw_days, args.resolution))
    print(f"removed {done.removed_samples} old sample(s)")
    return 0


def verify(args: argparse.Namespace, client: SiteClient) -> int:
    """Exit 1 when any check is broken (the first five problems of each are shown)."""
    failed = 0
    for r in client.verify(getattr(args, "anchor", None) or None):
        if r.ok:
            print(f"{r.name}: ok")
            continue
        failed += 1
        print(f"{r.name}: BROKEN: {r.problems[0]}")
        for extra in r.problems[1:5]:
            print(f"  also: {extra}")
    return 1 if failed else 0


def correct(args: argparse.Namespace, client: SiteClient) -> int:
    from stationmgr.validate import parse_id

    sid = parse_id(args.session_id, "session id")
    tariff_id = parse_id(args.tariff, "--tariff id")
    new = client.correct_session(sid, a.CorrectionRequest(tariff_id, args.reason))
    print(
        f"session {sid} re-priced (revision {new.revision}): {new.total_minor / 100:.2f} "
        f"{new.currency}"
    )
    if new.receipt is not None:
        print(f"correcting receipt {new.receipt} (corrects receipt {new.corrects_receipt})")
    return 0


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


ADMIN = {
    ("site", "show"): site_show,
    ("site", "set"): site_set,
    ("alerts", "config"): alerts_config,
    ("db", "info"): db_info,
    ("db", "failures"): db_failures,
    ("reconcile", None): reconcile,
    ("correct", None): correct,
    ("db", "compact"): db_compact,
    ("verify", None): verify,
}
