"""The core never imports Qt, pyqtgraph or `ui` — checked two ways: import-linter's contract
(from pyproject.toml) and a plain scan of every import statement under stationmgr/."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FORBIDDEN = ("PySide6", "pyqtgraph", "shiboken6", "ui")


def test_import_linter_contract_holds() -> None:
    exe = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert exe, "import-linter is not installed (scripts/setup.sh --test installs it)"
    p = subprocess.run([exe], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stdout + p.stderr
    assert "The core never imports Qt" in p.stdout
    assert "The engine never imports billing or alerts" in p.stdout  # stationmgr.runtime does
    assert "The ui never imports SQLAlchemy or the store KEPT" in p.stdout


def test_no_core_module_imports_qt() -> None:
    offenders = []
    for path in (ROOT / "stationmgr").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            elif isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "import_module":
                arg = node.args[0] if node.args else None
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    names = [arg.value]
            for name in names:
                if name.split(".")[0] in FORBIDDEN:
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} imports {name}")
    assert offenders == []


def test_ui_never_reads_the_engines_bay_state() -> None:
    """The board shows the bays' snapshots (the core's read model), never `Engine.bays` or
    `Engine.bay_info` read across threads."""
    import re

    pattern = re.compile(r"\b(eng|engine)\??\)?\.(bays|bay_info)\b")
    offenders = [
        f"{path.relative_to(ROOT)}:{i}"
        for path in (ROOT / "ui").rglob("*.py")
        for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if pattern.search(line)
    ]
    assert offenders == []
