"""Two calls for the app launcher: `begin` signs someone in, `attach` locks the window.

    actor = begin(ctx, demo=is_demo)        # None: the person cancelled → quit
    if actor is None: return 0
    lock = attach(window, ctx)              # idle lock (site setting) and Ctrl+L

`ctx` is the app's context (`db`, `worker`, `actor`); `ctx.actor` becomes the signed-in
operator's username and the process's actor is set, so the core services see who acts.
"""

from __future__ import annotations

from typing import Any

from stationmgr.access.context import Actor, current_actor, demo_actor, set_session_actor
from ui.access.lock import SessionLock, install_session_lock
from ui.access.login import sign_in


def begin(ctx: Any, demo: bool = False, parent: Any = None) -> Actor | None:
    """Sign in (the demo site: the demo owner, no dialog). None if cancelled."""
    actor = demo_actor() if demo else sign_in(ctx.db, getattr(ctx, "worker", None), parent)
    if actor is not None:
        _adopt(ctx, actor)
    return actor


def _adopt(ctx: Any, actor: Actor) -> None:
    set_session_actor(actor)
    ctx.actor = actor.username


def window_title(base: str, actor: Actor | None) -> str:
    """The title names who is signed in, and says DEMO loudly on the demo site."""
    if actor is None:
        return base
    return f"{base} — {actor.label}" + (" — DEMO" if actor.demo else "")


def attach(
    window: Any, ctx: Any, idle_minutes: float | None = None, idle_ms: int | None = None
) -> SessionLock:
    """Install the session lock on `window`; a shift change updates `ctx.actor` and the
    window title."""
    base = window.windowTitle()
    lock = install_session_lock(
        window,
        current_actor,
        idle_minutes,
        db=ctx.db,
        worker=getattr(ctx, "worker", None),
        idle_ms=idle_ms,
    )
    window.setWindowTitle(window_title(base, current_actor()))

    def changed(actor: Actor) -> None:
        _adopt(ctx, actor)
        window.setWindowTitle(window_title(base, actor))

    lock.actor_changed.connect(changed)
    if current_actor() is not None and current_actor().demo:  # type: ignore[union-attr]
        lock.set_idle_ms(0)  # the demo site has nobody to lock out
    return lock
