"""Credentials the app needs (chargers, serial-over-TCP gateways, mail) kept out of the
database and out of config files.

They go to the OS vault through `keyring`. Where no vault exists (headless Linux: keyring
raises `NoKeyringError`, or only the null backend is configured, which would silently lose
the secret), they go to a JSON file in the data directory readable only by the user (0600),
and a warning says so in the log once per process. A vault that accepts a secret but does
not give it back is treated as no vault.

Secret names are `<kind>:<name>[:<field>]`, e.g. `charger:north-1:password`,
`gateway:moxa-1`, `mail:smtp`.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import keyring
import keyring.backends.fail
import keyring.backends.null
from keyring.errors import KeyringError, NoKeyringError, PasswordDeleteError

from stationmgr.errors import UserError
from stationmgr.store.db import data_dir

log = logging.getLogger(__name__)

SERVICE = "stationmgr"
FALLBACK_FILE = "secrets.json"
NAME_RE = re.compile(
    r"^(charger|gateway|mail|reader|ocpp|other):[A-Za-z0-9._@-]+(:[A-Za-z0-9._-]+)?$"
)
_warned: set[str] = set()


def check_name(name: str) -> str:
    name = (name or "").strip()
    if not NAME_RE.match(name):
        raise UserError(
            f"invalid secret name {name!r}: expected KIND:NAME[:FIELD] with KIND one of "
            "charger, gateway, mail, reader, ocpp, other (e.g. charger:north-1:password)"
        )
    return name


class SecretStore:
    """Get, set and delete named secrets: the OS vault first, the private file otherwise."""

    def __init__(
        self, directory: Path | None = None, service: str = SERVICE, vault: bool = True
    ) -> None:
        self.service = service
        self._dir = directory
        self._vault = vault  # False: the private file only (a throwaway store)

    @property
    def fallback_path(self) -> Path:
        return (self._dir or data_dir()) / FALLBACK_FILE

    # -------------------------------------------------------- the vault

    def vault_usable(self) -> bool:
        if not self._vault:
            return False
        kr = keyring.get_keyring()
        if isinstance(kr, keyring.backends.fail.Keyring | keyring.backends.null.Keyring):
            return False
        return getattr(kr, "priority", 1) > 0

    @property
    def backend_name(self) -> str:
        if self.vault_usable():
            kr = keyring.get_keyring()
            return f"{type(kr).__module__}.{type(kr).__name__}"
        return f"file {self.fallback_path} (no OS vault)"

    def set(self, name: str, value: str) -> str:
        """Store `value` under `name`; returns where it went (for the log and the CLI)."""
        name = check_name(name)
        if not value:
            raise UserError("an empty secret cannot be stored")
        if self.vault_usable():
            try:
                keyring.set_password(self.service, name, value)
                if keyring.get_password(self.service, name) == value:
                    with self._file_lock():
                        self._file_delete(name)  # a vault appeared: the file copy goes
                    return self.backend_name
                log.warning("the OS vault did not keep %s; using the private file", name)
            except (NoKeyringError, KeyringError) as e:
                log.warning("the OS vault refused %s (%s); using the private file", name, e)
        self._warn_fallback()
        with self._file_lock():
            data = self._file_read()
            data[name] = value
            self._file_write(data)
        return str(self.fallback_path)

    def update(self, name: str, change: Callable[[str | None], str | None]) -> str | None:
        """Read-modify-write one secret as a single step: `change(old)` returns the new
        value (None: keep the old one). Returns the value stored afterwards.

        In the private file the step holds the file's lock, so two processes (the engine
        and a CLI command) never lose each other's writes; get-or-create and "only move
        forward" updates are built on it.
        """
        name = check_name(name)
        if self.vault_usable():
            try:
                old = keyring.get_password(self.service, name)
                if old is None:  # kept in the file while the vault was locked or absent
                    old = self._file_read().get(name)
                new = change(old)
                if new is None or new == old:
                    return old
                keyring.set_password(self.service, name, new)
                if keyring.get_password(self.service, name) == new:
                    return new
                log.warning("the OS vault did not keep %s; using the private file", name)
            except (NoKeyringError, KeyringError) as e:
                log.warning("the OS vault refused %s (%s); using the private file", name, e)
        with self._file_lock():  # no fallback warning: the site's own keys, not credentials
            data = self._file_read()
            old = data.get(name)
            new = change(old)
            if new is None or new == old:
                return old
            data[name] = new
            self._file_write(data)
            return new

    def get(self, name: str) -> str | None:
        name = check_name(name)
        if self.vault_usable():
            try:
                value = keyring.get_password(self.service, name)
                if value is not None:
                    return value
            except (NoKeyringError, KeyringError) as e:
                log.warning("the OS vault could not be read (%s)", e)
        return self._file_read().get(name)

    def delete(self, name: str) -> bool:
        """Remove `name` everywhere; whether anything was removed."""
        name = check_name(name)
        removed = False
        if self.vault_usable():
            try:
                if keyring.get_password(self.service, name) is not None:
                    keyring.delete_password(self.service, name)
                    removed = True
            except (PasswordDeleteError, NoKeyringError, KeyringError):
                pass
        with self._file_lock():
            return self._file_delete(name) or removed

    def names_in_file(self) -> list[str]:
        """Names kept in the fallback file (a vault cannot be listed)."""
        return sorted(self._file_read())

    # -------------------------------------------------------- the private file

    def _warn_fallback(self) -> None:
        key = str(self.fallback_path)
        if key not in _warned:
            _warned.add(key)
            log.warning(
                "no OS vault (keyring) is available: secrets are kept in %s, readable only "
                "by this user; install and unlock a keyring (Secret Service, KWallet) to "
                "keep them in the vault instead",
                key,
            )

    @contextmanager
    def _file_lock(self) -> Iterator[None]:
        """An exclusive OS lock on a file beside the secrets file (read-modify-write)."""
        path = self.fallback_path
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path.with_name(path.name + ".lock"), os.O_CREAT | os.O_RDWR, 0o600)
        try:
            if sys.platform == "win32":
                import msvcrt

                msvcrt.locking(fd, msvcrt.LK_LOCK, 1)
            else:
                import fcntl

                fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # closing releases the lock

    def _file_read(self) -> dict[str, str]:
        path = self.fallback_path
        if not path.exists():
            return {}
        if os.name == "posix" and path.stat().st_mode & 0o077:
            log.warning("%s was readable by others; made it private (0600)", path)
            os.chmod(path, 0o600)
        try:
            data = json.loads(path.read_text("utf-8") or "{}")
        except (OSError, ValueError) as e:
            raise UserError(f"cannot read the secrets file {path}: {e}") from None
        if not isinstance(data, dict):
            raise UserError(f"the secrets file {path} is not a JSON object")
        return {str(k): str(v) for k, v in data.items()}

    def _file_write(self, data: dict[str, str]) -> None:
        """Atomically: a private temporary file in the same directory, then rename."""
        path = self.fallback_path
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".secrets.", dir=path.parent)  # mode 0600
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(data, fh, indent=1, sort_keys=True)
                fh.flush()
                os.fsync(fh.fileno())
            if os.name == "posix":
                os.chmod(tmp, 0o600)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def _file_delete(self, name: str) -> bool:
        data = self._file_read()
        if name not in data:
            return False
        del data[name]
        self._file_write(data)
        return True


def store() -> SecretStore:
    """The default store (the user's data directory)."""
    return SecretStore()
