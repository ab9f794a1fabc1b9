"""Refresh the Swedish catalogue from the sources and build the .qm the app loads.

    .venv/bin/python scripts/i18n.py

Runs `pyside6-lupdate` over `ui/` into `resources/i18n/stationmgr_sv.ts`, then
`pyside6-lrelease`. lupdate cannot see a context chosen by a helper (`_tr()` in
`ui/actions.py` calls `translate("actions", text)`) and marks such texts vanished; an entry
whose text is still a string literal in `ui/` is therefore kept as a live translation.
Translate the entries marked unfinished in the .ts (Qt Linguist or any editor) and run it
again; `tests/test_ui_swedish.py` fails while one is left.
"""

import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TS = ROOT / "resources" / "i18n" / "stationmgr_sv.ts"
BIN = Path(sys.executable).parent


def _literal(source: str) -> str:
    """The text as the sources spell it in a double-quoted literal."""
    return '"' + source.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"') + '"'


def main() -> int:
    sources = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "ui").rglob("*.py"))
    subprocess.run([str(BIN / "pyside6-lupdate"), *sources, "-ts", str(TS)], cwd=ROOT, check=True)
    text = "\n".join((ROOT / s).read_text(encoding="utf-8") for s in sources)
    tree = ET.parse(TS)
    kept = 0
    for ctx in tree.getroot():
        if not (ctx.findtext("name") or "").strip():
            continue
        for msg in ctx.findall("message"):
            tr = msg.find("translation")
            literal = _literal(msg.findtext("source") or "")
            if tr is not None and tr.get("type") in ("vanished", "obsolete") and literal in text:
                del tr.attrib["type"]
                kept += 1
    tree.write(TS, encoding="utf-8", xml_declaration=True)
    print(f"kept {kept} translation(s) looked up through a helper's context")
    subprocess.run([str(BIN / "pyside6-lrelease"), str(TS)], cwd=ROOT, check=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
