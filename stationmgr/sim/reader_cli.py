"""`stationmgr simulate reader`: a virtual RDM6300 / ID-12 card reader."""

from __future__ import annotations

import argparse
from typing import Any

from stationmgr.errors import UserError
from stationmgr.sim.reader_sim import ReaderSim, frame

HELP = "virtual RDM6300 / ID-12 card reader (type `tap CARD` on stdin)"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--id12", action="store_true", help="ID Innovations frames (CR LF)")
    p.add_argument(
        "--repeat", type=float, default=0.1, metavar="S", help="frame repeat while a card lies"
    )
    p.add_argument("--tap", metavar="CARD", help="tap this card once at start")


def run(args: argparse.Namespace, endpoint: Any) -> ReaderSim:
    if args.tap:
        try:
            frame(args.tap)
        except ValueError as e:
            raise UserError(str(e)) from None
    if args.repeat <= 0:
        raise UserError("--repeat must be positive")
    sim = ReaderSim(endpoint, id12=args.id12, repeat_s=args.repeat, baud=args.baud, seed=args.seed)
    sim.start()
    if args.tap:
        sim.tap(args.tap)
    return sim
