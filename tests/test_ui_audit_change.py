"""The audit log's Change column reads field by field, not as two JSON documents."""

from __future__ import annotations

from stationmgr.client import models as m
from ui.access.audit_view import _change


def _entry(before: object, after: object) -> m.AuditEntry:
    return m.AuditEntry(
        1, "2026-12-01T10:00:00", "olga", "cards.edit", "C1", "ok", None, before, after
    )


def test_changed_fields_only() -> None:
    text = _change(
        _entry(
            {"label": "Van", "blocked": False, "limit_a": 16},
            {"label": "Van", "blocked": True, "limit_a": 10},
        )
    )
    assert text == "blocked: no → yes; limit_a: 16 → 10"


def test_new_record_lists_its_fields() -> None:
    assert _change(_entry(None, {"allowed_bays": ["P1", "P2"]})) == "allowed_bays: P1, P2"
    assert _change(_entry(None, None)) == ""
    assert _change(_entry("free", "charging")) == "free → charging"
