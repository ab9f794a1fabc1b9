"""The audit log as a page of the main window (owner; others see why it is empty)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication

from stationmgr.access.context import Actor, current_actor
from stationmgr.access.roles import Role
from ui.pages import PageSpec

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

    from ui.context import AppContext


def _actor(ctx: AppContext) -> Actor:
    a = getattr(ctx, "actor", None)
    if isinstance(a, Actor):
        return a
    signed_in = current_actor()
    if signed_in is not None:
        return signed_in
    try:
        role = Role(str(a))
    except ValueError:
        role = Role.ATTENDANT
    return Actor(str(a), role)


def make(ctx: AppContext) -> QWidget:
    from ui.access.audit_view import AuditView

    return AuditView(ctx.db, _actor(ctx))


PAGE = PageSpec(
    "audit", lambda: QCoreApplication.translate("pages", "Audit log"), make, "audit", 90
)
