"""`stationmgr gui` as a client of a site service: `--site URL` (and `$STATIONMGR_SITE`),
sign-in over the client (the login window, the idle lock), attaching to the service that
already runs the database (`service.discovery`), and the acceptance test of issue 11: a GUI
process killed mid-session leaves the session running and closing normally."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from stationmgr.access.roles import Role
from stationmgr.store.db import Database, open_database
from tests.access_site import PASSWORDS, USERS, add_staff
from tests.helpers.service import CLI, ROOT, cli, env_for, service
from tests.helpers.wait import wait_until

pytest.importorskip("pytestqt")


def gui_env(**extra: str) -> dict[str, str]:
    return env_for(**extra) | {"QT_QPA_PLATFORM": "offscreen"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# ---------------------------------------------------------------- --site


def test_an_unreachable_site_exits_1_with_one_line_naming_the_url(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    for argv, env in (
        (["--site", url, "gui"], gui_env()),
        (["gui"], gui_env(STATIONMGR_SITE=url)),
    ):
        r = cli(*argv, env=env, timeout=60)
        assert r.returncode == 1, r.stderr
        lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
        assert len(lines) == 1 and url in lines[0], r.stderr


def test_gui_site_signs_in_over_the_client_and_shows_the_board(tmp_path: Path) -> None:
    """A protected site: the window signs in with STATIONMGR_USER/PASSWORD as the CLI does
    (a wrong password: exit 3 before any window), then shows the board of the service."""
    db_url = f"sqlite:///{tmp_path / 'site.sqlite3'}"
    db = open_database(db_url)
    try:
        add_staff(db)
    finally:
        db.dispose()
    owner = env_for(USERS[Role.OWNER], PASSWORDS[Role.OWNER])
    with service(tmp_path, db_url, env=owner) as svc:
        bad = cli(
            "--site",
            svc.url,
            "gui",
            env=gui_env(STATIONMGR_USER=USERS[Role.ATTENDANT], STATIONMGR_PASSWORD="wrong"),
            timeout=60,
        )
        assert bad.returncode == 3, bad.stderr
        shot = tmp_path / "board.png"
        env = gui_env(
            STATIONMGR_USER=USERS[Role.ATTENDANT], STATIONMGR_PASSWORD=PASSWORDS[Role.ATTENDANT]
        )
        r = cli(
            "--site", svc.url, "gui", "--screenshot", str(shot), "--screenshot-after", "1",
            env=env, timeout=120,
        )  # fmt: skip
        assert r.returncode == 0, r.stderr
        assert shot.stat().st_size > 1000
    log = svc.log()
    assert "Traceback" not in log


def test_login_window_and_idle_lock_sign_in_over_the_client(qtbot, sqlite_db: Database) -> None:
    """The login dialog calls `client.login` (the service's lockout policy and token); the
    lock re-signs through the client, and a shift change names the new operator."""
    from PySide6.QtWidgets import QMainWindow

    from tests.ui_site import app_context
    from ui.access.lock import install_session_lock
    from ui.access.login import LoginDialog

    add_staff(sqlite_db)
    with app_context(sqlite_db, None, client="remote") as ctx:
        assert ctx.remote and ctx.db is None
        dlg = LoginDialog(None, ctx.worker, client=ctx.client)  # type: ignore[arg-type]
        qtbot.addWidget(dlg)
        failed: list[str] = []
        dlg.failed.connect(failed.append)
        dlg.username.setText(USERS[Role.ATTENDANT])
        dlg.password.setText("not-the-password")
        dlg.try_sign_in()
        qtbot.waitUntil(lambda: bool(failed), timeout=15_000)
        assert dlg.actor is None and not dlg.error.isHidden() and dlg.error.text()
        dlg.password.setText(PASSWORDS[Role.ATTENDANT])
        dlg.try_sign_in()
        qtbot.waitUntil(lambda: dlg.actor is not None, timeout=15_000)
        assert dlg.actor.username == USERS[Role.ATTENDANT] and dlg.actor.role == "attendant"
        ctx.operator = dlg.actor
        assert ctx.client.whoami().username == USERS[Role.ATTENDANT]

        win = QMainWindow()
        qtbot.addWidget(win)
        lock = install_session_lock(
            win, lambda: ctx.operator, worker=ctx.worker, idle_ms=0, client=ctx.client
        )
        changed: list[object] = []
        lock.actor_changed.connect(changed.append)
        lock.lock()
        assert lock.is_locked and lock.dialog is not None
        lock.dialog.username.setText(USERS[Role.OWNER])
        lock.dialog.password.setText(PASSWORDS[Role.OWNER])
        lock.dialog.try_sign_in()
        qtbot.waitUntil(lambda: not lock.is_locked, timeout=15_000)
        assert [a.username for a in changed] == [USERS[Role.OWNER]]  # type: ignore[attr-defined]
        assert ctx.client.whoami().role == "owner"
        lock.uninstall()


# ---------------------------------------------------------------- discovery


def test_gui_attaches_to_the_service_running_the_database(tmp_path: Path) -> None:
    from stationmgr.service import discovery

    db_url = f"sqlite:///{tmp_path / 'site.sqlite3'}"
    assert cli("--db", db_url, "db", "create", env=env_for()).returncode == 0
    with service(tmp_path, db_url, env=env_for()) as svc:
        found = discovery.find(db_url)
        assert found is not None and found.url == svc.url and found.pid == svc.proc.pid
        shot = tmp_path / "attached.png"
        r = cli(
            "--db", db_url, "gui", "--screenshot", str(shot), "--screenshot-after", "1",
            env=gui_env(), timeout=120,
        )  # fmt: skip
        assert r.returncode == 0, r.stderr
        assert f"attaching to {svc.url}" in r.stdout
        assert shot.exists()
        path = found.path
    assert not path.exists()  # withdrawn at stop
    assert discovery.find(db_url) is None


def test_a_stale_service_file_is_ignored_and_removed(tmp_path: Path) -> None:
    from stationmgr.service import discovery

    db_url = f"sqlite:///{tmp_path / 'site.sqlite3'}"
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    path = discovery.announce(db_url, "http://127.0.0.1:1")
    data = json.loads(path.read_text())
    path.write_text(json.dumps(data | {"pid": dead.pid}))
    assert discovery.find(db_url) is None
    assert not path.exists()


# ---------------------------------------------------------------- kill the GUI mid-session


def test_a_gui_killed_mid_session_leaves_the_session_running_and_closing_normally(
    tmp_path: Path,
) -> None:
    from stationmgr.client.remote import RemoteClient
    from stationmgr.sim.ev import EV
    from stationmgr.sim.site import SerialSite

    with SerialSite(tmp_path, bays=1, sim_speed=20.0) as ss:
        db = ss.db()
        try:
            add_staff(db)
        finally:
            db.dispose()
        env = env_for(USERS[Role.OWNER], PASSWORDS[Role.OWNER])
        with service(tmp_path, ss.url, env=env, name="site") as svc:
            bay = ss.bays[0]
            ss.wait_gated(bay)
            gui_log = tmp_path / "gui.log"
            with open(gui_log, "ab") as out:
                gui = subprocess.Popen(
                    [*CLI, "--site", svc.url, "gui"],
                    cwd=ROOT,
                    env=gui_env(
                        STATIONMGR_USER=USERS[Role.ATTENDANT],
                        STATIONMGR_PASSWORD=PASSWORDS[Role.ATTENDANT],
                    ),
                    stdin=subprocess.DEVNULL,
                    stdout=out,
                    stderr=out,
                )
            owner = RemoteClient(svc.url)
            try:
                wait_until(
                    lambda: (
                        gui.poll() is not None
                        or "live events from the site: connected" in gui_log.read_text()
                    ),
                    90,
                    "the window to attach",
                )
                assert gui.poll() is None, gui_log.read_text()
                owner.login(USERS[Role.OWNER], PASSWORDS[Role.OWNER])
                ss.plug(bay, EV(capacity_wh=40000, soc=0.2, max_power_w=7000))
                ss.start_session(bay)

                def energy() -> float:
                    (b,) = owner.bays()
                    return b.energy_wh or 0.0 if b.tx_uid else -1.0

                wait_until(lambda: energy() > 0, 60, "energy while the window shows it")
                gui.send_signal(signal.SIGKILL)
                gui.wait(30)
                before = energy()
                wait_until(lambda: energy() > before, 60, "charging on after the window died")
                assert bay.charger.st.mode == "active"
                (b,) = owner.bays()
                assert b.status == "Charging"
                time.sleep(0.5)
                bay.charger.unplug()
                wait_until(lambda: owner.bays()[0].tx_uid is None, 60, "the session to close")
            finally:
                owner.close()
                if gui.poll() is None:
                    gui.kill()
                    gui.wait(10)
        (row,) = ss.sessions()
        assert row.stop_reason == "EVDisconnected"
        assert row.stopped_at is not None and (row.energy_wh or 0) > before > 0
        assert "Traceback" not in svc.log()
    assert os.environ.get("STATIONMGR_HOME")
