"""The audit log as a page of the main window (owner; others see why it is empty). It reads
only through the site client, so it is offered over `--site` too."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication

from ui.pages import PageSpec

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

    from ui.context import AppContext


def make(ctx: AppContext) -> QWidget:
    from ui.access.audit_view import AuditView

    assert ctx.client is not None
    return AuditView(ctx.client, ctx.worker, ctx.allowed)


PAGE = PageSpec(
    "audit",
    lambda: QCoreApplication.translate("pages", "Audit log"),
    make,
    "audit",
    90,
    remote=True,
)
