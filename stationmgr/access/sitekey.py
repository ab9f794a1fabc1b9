"""The site's audit key and the anchor of the audit chain's head, both kept outside the
database (the OS vault, or the private `secrets.json` where there is none).

Why: a hash chain stored in the database proves nothing to someone who can write the
database — they recompute the hashes after an edit, append a row with a correct hash, or
cut the last rows off. So each entry's hash is an HMAC keyed with a site secret the database
does not hold, and after every committed append the head (last id and hash) is written to
the anchor, which `verify` compares with the database: a missing head means rows were
deleted. The key is made at first use; the database holds only the site's random id that
names it (`audit_site` in `site_settings`).

Moving a site to another machine or user: copy the two secrets `other:audit-key.<id>` and
`other:audit-anchor.<id>` with the database (from the vault or `secrets.json`; `stationmgr
secrets set` stores them on the new machine), or `verify` will say the key is not here.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets as token
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.orm import Session

from stationmgr.access.secrets import SecretStore
from stationmgr.store.models import SiteSetting

log = logging.getLogger(__name__)

SITE_SETTING = "audit_site"  # the random id naming this site's key and anchor
_keys: dict[tuple[str, str], bytes] = {}  # (secrets location, site id) -> key


@dataclass(frozen=True)
class Anchor:
    """The newest audit entry known to have been committed."""

    last_id: int
    hash: str


_override: list[SecretStore] = []


def _store() -> SecretStore:
    return _override[-1] if _override else SecretStore()


@contextmanager
def throwaway_store(directory: Path) -> Iterator[None]:
    """Keep site keys and anchors in `directory` only (never the vault) while inside: for
    a temporary database, e.g. the demo's, whose keys would otherwise pile up in the
    user's vault run after run."""
    _override.append(SecretStore(directory, vault=False))
    try:
        yield
    finally:
        _override.pop()


def site_id(s: Session, create: bool = False, flush: bool = True) -> str | None:
    """The site's id (made in this unit of work when `create` and there is none; from a
    flush event pass `flush=False`: the new row then joins the flush under way)."""
    row = s.get(SiteSetting, SITE_SETTING)
    if row is not None and isinstance(row.value, str) and row.value:
        return row.value
    if not create:
        return None
    value = token.token_hex(12)
    s.add(SiteSetting(key=SITE_SETTING, value=value))
    if flush:
        s.flush()
    return value


def lock_chain(s: Session) -> None:
    """Hold the chain's write lock until this unit of work ends (SQLite: the write
    transaction starts here; PostgreSQL: a row lock), so two appenders cannot read the same
    head and the second always sees the first's entry."""
    s.execute(text("UPDATE site_settings SET value = value WHERE key = :k"), {"k": SITE_SETTING})


def _key_name(site: str) -> str:
    return f"other:audit-key.{site}"


def _anchor_name(site: str, chain: str) -> str:
    return f"other:{chain}-anchor.{site}"


def key_for(site: str, create: bool = False) -> bytes | None:
    """The site's audit key (generated and stored at first use when `create`)."""
    store = _store()
    cache = (str(store.fallback_path), site)
    if cache in _keys:
        return _keys[cache]
    if create:
        value = store.update(_key_name(site), lambda old: old or token.token_hex(32))
    else:
        value = store.get(_key_name(site))
    if not value:
        return None
    key = bytes.fromhex(value)
    _keys[cache] = key
    return key


def keyed_hash(key: bytes, text_: str) -> str:
    return hmac.new(key, text_.encode("utf-8"), hashlib.sha256).hexdigest()


def fingerprint(s: Session, name: str) -> str:
    """A short keyed fingerprint of a typed user name that matched no operator: repeated
    attempts with the same name can be told apart, but the text (perhaps a password typed
    into the wrong field) cannot be read back or guessed from the database alone."""
    site = site_id(s, create=True)
    assert site is not None
    key = key_for(site, create=True)
    assert key is not None
    return keyed_hash(key, "username:" + name)[:12]


def read_anchor(site: str, chain: str = "audit") -> Anchor | None:
    """The anchored head of `chain` (another hash chain, e.g. a ledger, may use its own)."""
    raw = _store().get(_anchor_name(site, chain))
    if not raw:
        return None
    try:
        d = json.loads(raw)
        return Anchor(int(d["last_id"]), str(d["hash"]))
    except (ValueError, KeyError, TypeError):
        return Anchor(-1, "")  # unreadable: verify reports it


def advance_anchor(site: str, last_id: int, hash_: str, chain: str = "audit") -> None:
    """Move the anchor forward to a committed entry (never back: writers may finish in
    any order)."""

    def change(old: str | None) -> str | None:
        if old:
            try:
                if int(json.loads(old)["last_id"]) >= last_id:
                    return None
            except (ValueError, KeyError, TypeError):
                pass
        return json.dumps({"last_id": last_id, "hash": hash_}, sort_keys=True)

    _store().update(_anchor_name(site, chain), change)
