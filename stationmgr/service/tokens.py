"""Bearer tokens for the site API: random, expiring, renewed by use, kept hashed in memory.

Why in memory: a token is a sign-in, not data. Keeping them out of the database means no
write per request (a busy database never signs anyone out), nothing usable in a backup,
and a restart of the service signs everyone out (clients sign in again, as after a
reboot). Why hashed: the table maps SHA-256(token) to the operator, so a memory dump or a
debug log of the table holds nothing that can be sent back (256 random bits need no slow
hash). Expiry slides: each use pushes it `idle_s` ahead, never past `max_s` after sign-in.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
from dataclasses import dataclass

from stationmgr.access.context import Actor
from stationmgr.clock import Clock, SystemClock

IDLE_S = 30 * 60.0  # a token unused this long expires
MAX_S = 12 * 3600.0  # and none lives longer than a working day
MAX_TOKENS = 10_000  # a flood of logins cannot grow the table without bound


@dataclass
class Grant:
    actor: Actor
    issued_at: float
    expires_at: float

    def max_at(self, max_s: float) -> float:
        return self.issued_at + max_s


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


class TokenStore:
    def __init__(
        self, clock: Clock | None = None, idle_s: float = IDLE_S, max_s: float = MAX_S
    ) -> None:
        self.clock = clock or SystemClock()
        self.idle_s = idle_s
        self.max_s = max_s
        self._grants: dict[str, Grant] = {}
        self._lock = threading.Lock()

    def issue(self, actor: Actor) -> tuple[str, Grant]:
        token = secrets.token_urlsafe(32)
        now = self.clock.now()
        grant = Grant(actor, now, min(now + self.idle_s, now + self.max_s))
        with self._lock:
            self._prune(now)
            if len(self._grants) >= MAX_TOKENS:  # drop the oldest sign-in
                oldest = min(self._grants, key=lambda k: self._grants[k].issued_at)
                del self._grants[oldest]
            self._grants[_digest(token)] = grant
        return token, grant

    def check(self, token: str) -> Grant | None:
        """The token's grant, renewed (sliding expiry); None if unknown or expired."""
        now = self.clock.now()
        key = _digest(token)
        with self._lock:
            grant = self._grants.get(key)
            if grant is None:
                return None
            if grant.expires_at <= now:
                del self._grants[key]
                return None
            grant.expires_at = min(now + self.idle_s, grant.max_at(self.max_s))
            return grant

    def revoke(self, token: str) -> bool:
        with self._lock:
            return self._grants.pop(_digest(token), None) is not None

    def _prune(self, now: float) -> None:
        for key in [k for k, g in self._grants.items() if g.expires_at <= now]:
            del self._grants[key]

    def __len__(self) -> int:
        return len(self._grants)
