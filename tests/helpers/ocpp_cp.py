"""The Node.js test charge point (tests/ocpp_cp/cp.js, on the npm library ocpp-rpc) as a
subprocess: a client we did not write, validating every message against the OCPP 1.6 schemas.

`run_cp` runs a whole script and returns its lines; `charge_point` starts one and lets the
test act while it waits (remote start/stop from the site), reading its lines as they come.
Both reap the process in `finally`. Node missing fails the test with a clear message: the
OCPP tests are never skipped silently (`scripts/setup.sh --test` installs what they need).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.helpers.wait import wait_until

CP_DIR = Path(__file__).resolve().parents[1] / "ocpp_cp"
EXIT_UNAUTHORIZED = 3

Line = dict[str, Any]


def node_command() -> list[str]:
    """`node cp.js`, or a clear failure saying what to install."""
    node = shutil.which("node")
    if node is None:
        raise AssertionError(
            "the OCPP tests need Node.js (>= 18) on PATH for the test charge point "
            "(tests/ocpp_cp); install it and run scripts/setup.sh --test"
        )
    if not (CP_DIR / "node_modules" / "ocpp-rpc").is_dir():
        raise AssertionError(
            "tests/ocpp_cp has no node_modules: run scripts/setup.sh --test (npm ci there)"
        )
    return [node, str(CP_DIR / "cp.js")]


def cp_argv(
    url: str,
    cp_id: str,
    password: str | None = None,
    connectors: int = 1,
    timeout: float = 30,
    state: Path | None = None,
) -> list[str]:
    argv = [
        *node_command(),
        "--url",
        url,
        "--id",
        cp_id,
        "--connectors",
        str(connectors),
        "--timeout",
        f"{timeout:g}",
    ]
    if password is not None:
        argv += ["--password", password]
    if state is not None:  # what the charger keeps across its restarts (local list, profiles)
        argv += ["--state", str(state)]
    return argv


@dataclass
class CpResult:
    """What the charge point printed: one dict per line, its stderr and exit status."""

    returncode: int | None
    lines: list[Line] = field(default_factory=list)
    stderr: str = ""

    def calls(self, action: str | None = None) -> list[Line]:
        """Calls the charge point sent (with the central system's response or error)."""
        return [
            x
            for x in self.lines
            if x.get("type") == "call" and (action is None or x["action"] == action)
        ]

    def received(self, action: str | None = None) -> list[Line]:
        """Calls the central system sent to the charge point, with its answer."""
        return [
            x
            for x in self.lines
            if x.get("type") == "received" and (action is None or x["action"] == action)
        ]

    def of_type(self, kind: str) -> list[Line]:
        return [x for x in self.lines if x.get("type") == kind]

    def ok(self) -> CpResult:
        """Fail with everything it said unless the script completed."""
        assert self.returncode == 0 and self.of_type("done"), self.describe()
        return self

    def describe(self) -> str:
        body = "\n".join(json.dumps(x) for x in self.lines)
        return f"charge point exited {self.returncode}: {self.stderr.strip()}\n{body}"


def _parse(raw: str) -> Line:
    try:
        value = json.loads(raw)
    except json.JSONDecodeError:
        return {"type": "text", "text": raw}
    return value if isinstance(value, dict) else {"type": "text", "text": raw}


def run_cp(
    url: str,
    cp_id: str,
    steps: list[dict[str, Any]],
    *,
    password: str | None = None,
    connectors: int = 1,
    timeout: float = 120,
    state: Path | None = None,
) -> CpResult:
    """Run a whole script; the process is killed if it outlives `timeout` (a hang guard)."""
    proc = subprocess.Popen(
        cp_argv(url, cp_id, password, connectors, state=state),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=dict(os.environ),
    )
    try:
        out, err = proc.communicate(json.dumps(steps), timeout=timeout)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    return CpResult(proc.returncode, [_parse(x) for x in out.splitlines() if x.strip()], err)


class RunningCp:
    """A charge point running its script while the test acts; lines arrive in `result`."""

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        self.proc = proc
        self.result = CpResult(None)
        self._lock = threading.Lock()
        self._readers = [
            threading.Thread(target=self._read_out, name="ocpp-cp-stdout", daemon=True),
            threading.Thread(target=self._read_err, name="ocpp-cp-stderr", daemon=True),
        ]
        for t in self._readers:
            t.start()

    def _read_out(self) -> None:
        assert self.proc.stdout is not None
        for raw in self.proc.stdout:
            if raw.strip():
                with self._lock:
                    self.result.lines.append(_parse(raw))

    def _read_err(self) -> None:
        assert self.proc.stderr is not None
        text = self.proc.stderr.read()
        with self._lock:
            self.result.stderr = text

    def wait_line(self, pred: Callable[[Line], bool], what: str, timeout: float = 60) -> Line:
        """The first line matching `pred`; fails early if the charge point exited."""

        def found() -> Line | None:
            with self._lock:
                hit = next((x for x in self.result.lines if pred(x)), None)
            if hit is None and self.proc.poll() is not None:
                self._join()
                raise AssertionError(f"waiting for {what}: {self.result.describe()}")
            return hit

        return wait_until(found, timeout, what)

    def wait_answered(
        self, action: str, kind: str = "call", n: int = 1, timeout: float = 60
    ) -> Line:
        """The n-th `action` line of `kind` (`call` sent, `received` from the central system)
        once answered: a response or a CallError."""

        def nth() -> Line | None:
            with self._lock:
                rows = [
                    x
                    for x in self.result.lines
                    if x.get("type") == kind and x.get("action") == action
                ]
            if len(rows) < n and self.proc.poll() is not None:
                self._join()
                raise AssertionError(f"waiting for {kind} {action}: {self.result.describe()}")
            return rows[n - 1] if len(rows) >= n else None

        return wait_until(nth, timeout, f"{kind} {action} #{n}")

    def finish(self, timeout: float = 60) -> CpResult:
        """Wait for the script to end and return everything it printed."""
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.stop()
            raise AssertionError(f"charge point still running: {self.result.describe()}") from None
        self._join()
        self.result.returncode = self.proc.returncode
        return self.result

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(30)
        self._join()

    def _join(self) -> None:
        for t in self._readers:
            t.join(30)


@contextmanager
def charge_point(
    url: str,
    cp_id: str,
    steps: list[dict[str, Any]],
    *,
    password: str | None = None,
    connectors: int = 1,
    state: Path | None = None,
) -> Iterator[RunningCp]:
    """Start the charge point on `steps` (given on stdin); killed and reaped on the way out."""
    proc = subprocess.Popen(
        cp_argv(url, cp_id, password, connectors, state=state),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdin is not None
    proc.stdin.write(json.dumps(steps))
    proc.stdin.close()
    running = RunningCp(proc)
    try:
        yield running
    finally:
        running.stop()
        for f in (proc.stdout, proc.stderr):
            if f is not None:
                f.close()
