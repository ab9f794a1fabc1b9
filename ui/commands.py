"""The desktop app's commands, loaded by the core CLI through the `stationmgr.commands`
entry-point group: `stationmgr gui`, and the window of `stationmgr demo`.

`stationmgr gui --site URL` (or `$STATIONMGR_SITE`) opens the window on a site service
elsewhere; without it, on a database whose service already runs here (`stationmgr run
--listen`), the window attaches to that service instead of failing on the instance lock.

Both take `--screenshot FILE`: run a few seconds, save the main window as PNG, exit 0 (works
without a display: the offscreen platform is used then); with `--dialog NAME` one of its
dialogs open over it, `--size WxH` pixels, `--lang en|sv` (`scripts/screenshots.sh`).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from stationmgr.errors import UserError


def _screenshot_args(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--screenshot",
        type=Path,
        metavar="FILE",
        help="save the main window as PNG after a few seconds, then exit",
    )
    p.add_argument(
        "--screenshot-after",
        type=float,
        default=4.0,
        metavar="S",
        help="seconds to run before the screenshot (default 4)",
    )
    p.add_argument("--page", help="page to show first (board, history, cards, ...)")
    p.add_argument("--bay", metavar="LABEL", help="bay to select on the board")
    p.add_argument(
        "--dialog",
        metavar="NAME",
        help="with --screenshot: open this dialog over its page "
        "(session, add-charger, card, wizard)",
    )
    p.add_argument(
        "--size",
        metavar="WxH",
        help="with --screenshot: the picture's size in pixels, as a screen of that size "
        "(default 1280x800; QT_SCALE_FACTOR applies)",
    )
    p.add_argument("--lang", choices=("en", "sv"), help="the window's language this time")


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    g = sub.add_parser("gui", help="open the desktop app on the site's database")
    _screenshot_args(g)
    g.set_defaults(func=gui_cmd, requires_login=False)  # the window asks (login dialog)
    demo = sub.choices.get("demo")
    if demo is not None:  # the core's `demo`: add the window to it
        _screenshot_args(demo)
        demo.set_defaults(func=demo_cmd)


def _prepare_display(args: argparse.Namespace) -> int | None:
    """None when a window can be made; else the exit status after one clear line."""
    from ui.app import display_problem

    if getattr(args, "screenshot", None) is not None and display_problem():
        os.environ["QT_QPA_PLATFORM"] = "offscreen"  # a screenshot needs no screen
    problem = display_problem()
    if problem:
        print(f"stationmgr: {problem}", file=sys.stderr)
        return 1
    page = getattr(args, "page", None)
    if page is not None:  # bad input before any window: one line, exit 2
        from ui.pages import load_pages

        keys = [spec.key for spec in load_pages()]
        if page not in keys:
            raise UserError(f"no page {page!r}: one of {', '.join(keys)}")
    if args.screenshot is not None:
        parent = args.screenshot.resolve().parent
        if not parent.is_dir():
            raise UserError(f"no directory {parent} for the screenshot")
    _screenshot_options(args)
    return None


def _screenshot_options(args: argparse.Namespace) -> None:
    """Check --dialog and --size (one line, exit 2); a size makes the offscreen screen."""
    from ui import shots

    dialog, size = getattr(args, "dialog", None), getattr(args, "size", None)
    for flag, value in (("--dialog", dialog), ("--size", size)):
        if value is not None and args.screenshot is None:
            raise UserError(f"{flag} is for a screenshot: give --screenshot FILE too")
    if dialog is not None and dialog not in shots.DIALOGS:
        raise UserError(f"no dialog {dialog!r}: one of {', '.join(shots.DIALOGS)}")
    if size is not None:
        args.size = shots.parse_size(size)
        shots.offscreen_screen(args.size)


def gui_cmd(args: argparse.Namespace) -> int:
    status = _prepare_display(args)
    if status is not None:
        return status
    from stationmgr.cli.remote import ENV_FINGERPRINT, site_url

    url = site_url(args)
    if url is not None:  # a site service elsewhere: never the local database
        if getattr(args, "db", None):
            raise UserError("--db and --site name two different sites: give one")
        fingerprint = getattr(args, "site_fingerprint", None) or os.environ.get(ENV_FINGERPRINT)
        return gui_remote(args, url, fingerprint)
    from stationmgr.cli.common import open_db
    from stationmgr.clock import SystemClock
    from stationmgr.runtime import build_runtime
    from stationmgr.store.db import InstanceLock
    from ui.app import run_window, shutdown_app

    db = open_db(args)
    lock = InstanceLock(db)
    try:
        try:
            lock.acquire()
        except UserError:
            found = _running_service(db.url)
            if found is None:
                raise
            db.dispose()
            print(f"stationmgr: the site runs as a service here: attaching to {found.url}")
            return gui_remote(args, found.url, found.fingerprint)
        try:
            runtime = build_runtime(db, SystemClock()).start()
            try:
                return run_window(
                    db,
                    runtime,
                    args.screenshot,
                    args.screenshot_after,
                    args.page,
                    args.bay,
                    actor=_actor(args),
                    **_shot(args),
                )
            finally:
                runtime.stop()
        finally:
            lock.release()
    finally:
        db.dispose()
        shutdown_app()


def _running_service(db_url: str) -> object:
    """The live site service announced for this database (`service.discovery`), or None."""
    from stationmgr.service.discovery import find

    return find(db_url)


def gui_remote(args: argparse.Namespace, url: str, fingerprint: str | None) -> int:
    """The window as a client of the site service at `url`: no database, no engine here.

    The service must answer before any window opens (else one line naming the URL, exit
    1); with `STATIONMGR_USER`/`STATIONMGR_PASSWORD` set it signs in as the CLI does (a
    refusal: exit 3), else the login window asks, over the client."""
    from stationmgr.cli.login import ENV_PASSWORD, ENV_USER
    from stationmgr.client.remote import RemoteClient
    from ui.app import run_window, shutdown_app

    client = RemoteClient(url, fingerprint)
    try:
        info = client.site_info()  # SiteUnreachable: exit 1, naming the URL
        operator = None
        user, password = os.environ.get(ENV_USER, "").strip(), os.environ.get(ENV_PASSWORD)
        if not info.protected:
            operator = client.whoami()
        elif user and password is not None:
            operator = client.login(user, password)
    except BaseException:
        client.close()
        raise
    try:  # the window closes the client (signing out first); the site runs on
        return run_window(
            None,
            None,
            args.screenshot,
            args.screenshot_after,
            args.page,
            args.bay,
            actor=_actor(args),
            client=client,
            operator=operator,
            **_shot(args),
        )
    finally:
        shutdown_app()


def demo_cmd(args: argparse.Namespace) -> int:
    from stationmgr.cli import demo as core_demo

    if args.headless:
        return core_demo.demo_cmd(args)
    status = _prepare_display(args)
    if status is not None:
        return status
    import logging

    from stationmgr.demo import running_demo
    from ui.app import run_window, shutdown_app

    logging.getLogger("alembic").setLevel(logging.WARNING)
    try:
        return _run_demo_window(args, core_demo, running_demo, run_window)
    finally:
        shutdown_app()


def _run_demo_window(args: argparse.Namespace, core_demo, running_demo, run_window) -> int:  # type: ignore[no-untyped-def]
    with (
        core_demo.demo_database(args.db) as db,
        running_demo(db, args.speed, virtual=args.virtual) as (
            runtime,
            _site,
        ),
    ):
        return run_window(
            db,
            runtime,
            args.screenshot,
            args.screenshot_after,
            args.page,
            args.bay,
            actor=_actor(args),
            demo=True,
            **_shot(args),
        )


def _shot(args: argparse.Namespace) -> dict[str, object]:
    """The screenshot's dialog, size and language for `run_window`."""
    return {
        "dialog": getattr(args, "dialog", None),
        "size": getattr(args, "size", None),
        "lang": getattr(args, "lang", None),
    }


def _actor(args: argparse.Namespace) -> str:
    """The signed-in operator (the CLI's sign-in, when the access module set one)."""
    for name in ("operator", "actor", "username"):
        v = getattr(args, name, None)
        if isinstance(v, str) and v:
            return v
    return os.environ.get("USER") or "attendant"
