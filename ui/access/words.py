"""Words of the access model in the window's language: the core names roles in English."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

ROLE_WORDS = {
    "owner": QT_TRANSLATE_NOOP("roles", "owner"),
    "attendant": QT_TRANSLATE_NOOP("roles", "attendant"),
    "accountant": QT_TRANSLATE_NOOP("roles", "accountant"),
}


def role_word(role: Any) -> str:
    """A role in the window's language (the core's names are English words)."""
    value = str(getattr(role, "value", role) or "")
    return QCoreApplication.translate("roles", ROLE_WORDS[value]) if value in ROLE_WORDS else value
