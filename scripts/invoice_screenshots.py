#!/usr/bin/env python3
"""Render the README's pictures of an invoice and a credit note (docs/screenshots/invoice.png,
credit-note.png) from a small site built like the billing tests' (a fresh temporary database).
"""

import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PIL import Image  # noqa: E402

from stationmgr.billing.buyers import set_buyer  # noqa: E402
from stationmgr.billing.invoice_pdf import invoice_doc, render_invoice  # noqa: E402
from stationmgr.billing.invoices import credit_invoice, issue_invoices  # noqa: E402
from stationmgr.billing.site import set_site_value  # noqa: E402
from stationmgr.store.db import open_database  # noqa: E402
from tests.billing_site import T0, build_billing_site, finish_session, persister  # noqa: E402

out = ROOT / "docs" / "screenshots"
with tempfile.TemporaryDirectory() as tmp:
    db = open_database(f"sqlite:///{tmp}/site.sqlite3")
    build_billing_site(db, bays=2, cards=("0A1B2C3D",))
    with db.session() as s:
        set_site_value(s, "seller_bankgiro", "5050-1055")
        set_buyer(
            s,
            "Åsa Öberg 3D",
            None,
            {
                "name": "Nordic Taxi AB",
                "address": "Box 12;831 30 Östersund",
                "org_number": "556123-4567",
                "vat_number": "SE556123456701",
                "invoice_monthly": True,
            },
        )
    p = persister()
    for i in range(6):
        finish_session(db, p, 1 + i % 2, T0 + i * 86400, 60, 10.0 + i, idle_min=45 * (i % 2))
    issue_invoices(db, 2026, 3, now=datetime(2026, 4, 1, 8, tzinfo=UTC))
    with db.session() as s:
        docs = {"invoice": invoice_doc(s, 1)}  # as issued, before the credit note
    credit_invoice(db, 1, "Fel tariff; ny faktura skickas", datetime(2026, 4, 9, 8, tzinfo=UTC))
    with db.session() as s:
        docs["credit-note"] = invoice_doc(s, 2)
    db.dispose()
    for name, doc in docs.items():
        pdf = Path(tmp) / f"{name}.pdf"
        pdf.write_bytes(render_invoice(doc, "sv"))
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                "80",
                "-f",
                "1",
                "-l",
                "1",
                "-singlefile",
                str(pdf),
                str(Path(tmp) / name),
            ],
            check=True,
        )
        im = Image.open(Path(tmp) / f"{name}.png").convert("RGB")
        im.quantize(colors=64, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(
            out / f"{name}.png", optimize=True
        )
        print(out / f"{name}.png")
