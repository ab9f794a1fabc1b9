"""Site settings: one JSON value per key in `site_settings`, with typed defaults."""

from __future__ import annotations

import dataclasses
from typing import Any

from sqlalchemy.orm import Session

from stationmgr.sessions import SessionConfig
from stationmgr.store.models import SiteSetting


def get_setting(s: Session, key: str, default: Any = None) -> Any:
    row = s.get(SiteSetting, key)
    return default if row is None else row.value


def set_setting(s: Session, key: str, value: Any) -> None:
    row = s.get(SiteSetting, key)
    if row is None:
        s.add(SiteSetting(key=key, value=value))
    else:
        row.value = value


def load_session_config(s: Session) -> SessionConfig:
    """The site's session behaviour; unknown keys are ignored, missing ones default."""
    stored = get_setting(s, "session", {}) or {}
    names = {f.name for f in dataclasses.fields(SessionConfig)}
    return SessionConfig(**{k: v for k, v in stored.items() if k in names})
