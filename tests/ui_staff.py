"""A page's context signed in as one role, for both site clients: in this process the
window's operator is the process's session actor (as after the login dialog); over the
network the remote client signs in to the site API (a token) and the context carries the
operator the site answered."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from stationmgr.access.context import set_session_actor
from stationmgr.access.roles import Role
from stationmgr.store.db import Database
from tests.access_site import PASSWORDS, USERS, Staff, add_staff
from tests.ui_site import app_context
from ui.context import AppContext


@contextmanager
def staffed_context(
    db: Database, ui_client: str, role: str, staff: Staff | None = None
) -> Iterator[AppContext]:
    who = Role(role)
    staff = staff or add_staff(db)
    with app_context(db, None, client=ui_client) as ctx:
        assert isinstance(ctx, AppContext) and ctx.client is not None
        if ui_client == "remote":
            ctx.operator = ctx.client.login(USERS[who], PASSWORDS[who])
        else:
            set_session_actor(staff[who])
        ctx.actor = USERS[who]
        try:
            yield ctx
        finally:
            set_session_actor(None)
