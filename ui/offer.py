"""Offer only what the signed-in role may do: a widget for an action it may not do is
disabled, with a tooltip naming who may (never a form that is refused at Save). The site
checks the role anyway; this is what the person sees before trying."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QWidget

from stationmgr.access.roles import roles_for


def who_may(action: str) -> str:
    """The tooltip on a disabled control: which roles may do `action`."""
    try:
        roles = ", ".join(r.value for r in roles_for(action))
    except KeyError:
        roles = "–"
    return QCoreApplication.translate("offer", "Not for your role (allowed for: {0})").format(roles)


def offer(widget: QWidget | Any, ctx: Any, action: str, also: bool = True) -> bool:
    """Enable `widget` (a QWidget or QAction) only when the role may do `action` (and
    `also` holds, e.g. a row is selected); the refusal's tooltip when the role is why.
    Returns whether it is enabled."""
    may = bool(ctx.allowed(action))
    widget.setEnabled(may and also)
    if not hasattr(widget, "_own_tip"):
        widget._own_tip = widget.toolTip()  # the tooltip it had before any refusal
    widget.setToolTip(widget._own_tip if may else who_may(action))
    return may and also
