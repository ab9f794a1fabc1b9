"""The packaging files agree with the source tree (the bundle itself is built and run by
packaging/build.sh, which scripts/test.sh calls at the end of a full run)."""

from __future__ import annotations

import configparser
import re
import shlex
from pathlib import Path

from stationmgr.cli import build_parser

ROOT = Path(__file__).resolve().parent.parent
PACKAGING = ROOT / "packaging"


def test_desktop_entry_runs_an_existing_command_with_an_existing_icon() -> None:
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str  # type: ignore[assignment,method-assign]
    entry.read(PACKAGING / "stationmgr.desktop", encoding="utf-8")
    d = entry["Desktop Entry"]
    assert d["Type"] == "Application" and d["Terminal"] == "false"
    argv = shlex.split(d["Exec"])
    assert argv[0] == "stationmgr"
    args = build_parser().parse_args(argv[1:])  # `gui` is a real command
    assert callable(args.func)
    assert (ROOT / "resources" / "icons" / f"{d['Icon']}.svg").exists()
    assert (ROOT / "resources" / "icons" / f"{d['Icon']}.png").exists()


def test_spec_bundles_paths_that_exist() -> None:
    spec = (PACKAGING / "stationmgr.spec").read_text(encoding="utf-8")
    compile(spec, "stationmgr.spec", "exec")  # valid Python for PyInstaller
    for parts in re.findall(r'ROOT((?: / "[^"]+")+)', spec):
        path = ROOT.joinpath(*re.findall(r'"([^"]+)"', parts))
        if path.suffix == ".ico":
            continue  # optional (Windows icon), checked by the spec itself
        assert path.exists(), f"the spec names {path}, which is missing"
    assert (ROOT / "stationmgr" / "store" / "migrations" / "env.py").exists()
    assert list((ROOT / "stationmgr" / "store" / "migrations" / "versions").glob("*.py"))


def test_pyinstaller_is_pinned_with_its_dependencies() -> None:
    lock = (ROOT / "requirements.lock").read_text(encoding="utf-8").lower().splitlines()
    names = {line.split("==")[0] for line in lock if "==" in line}
    assert {"pyinstaller", "pyinstaller-hooks-contrib", "altgraph"} <= names


def test_systemd_unit_runs_the_site_as_its_own_user_with_serial_ports() -> None:
    unit = configparser.ConfigParser(interpolation=None, strict=False)
    unit.optionxform = str  # type: ignore[assignment,method-assign]
    text = (PACKAGING / "stationmgr.service").read_text(encoding="utf-8")
    unit.read_string(text)
    svc = unit["Service"]
    assert svc["User"] == "stationmgr" and svc["SupplementaryGroups"] == "dialout"
    assert svc["Restart"] == "on-failure" and svc["ExecReload"] == "/bin/kill -HUP $MAINPID"
    env = dict(e.split("=", 1) for e in re.findall(r"^Environment=(\S+)", text, re.M))
    assert env["STATIONMGR_DB"].startswith("sqlite:////var/lib/stationmgr/")
    argv = shlex.split(svc["ExecStart"].replace("${STATIONMGR_LISTEN}", env["STATIONMGR_LISTEN"]))
    assert argv[0].endswith("/stationmgr") and argv[1] == "run"
    run = build_parser()._subparsers._group_actions[0].choices["run"]  # type: ignore[union-attr]
    if "--listen" not in run._option_string_actions:  # the site API (#11) not merged yet
        argv = [a for a in argv if a not in ("--listen", env["STATIONMGR_LISTEN"])]
    args = build_parser().parse_args(argv[1:])
    assert callable(args.func)
    assert "char-ttyUSB rw" in re.findall(r"^DeviceAllow=(.+)$", text, re.M)
