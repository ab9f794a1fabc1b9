"""Fuzz the card-number parsers with many random inputs and print what each did.

Targets: `auth.parse_uid` (only UserError allowed), `auth.candidate_uids` and
`Lookup.of` (nothing allowed), the wedge classifier (nothing), the RDM6300 frame parser
(only CardFrameError) and the STX framer fed random chunks (nothing; the buffer stays
bounded). Any other exception is counted as a failure and the first one of each kind is
shown; the exit code is 1 when there was any.

    .venv/bin/python bench/fuzz_parsers.py [--n 100000] [--seed 1]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from stationmgr.auth import Lookup, candidate_uids, parse_uid
from stationmgr.drivers.rdm6300 import CardFrameError, encode_frame, parse_frame, stx_frames
from stationmgr.errors import UserError
from stationmgr.wedge import WedgeClassifier

PIECES = [*"0123456789abcdefABCDEF,:- x+\t", "0x", "²", "٣", "ﬀ", "\x00", "é", "\n"]


def card_text(rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.3:
        return "".join(rng.choice(PIECES) for _ in range(rng.randint(0, 24)))
    if kind < 0.6:
        return "".join(rng.choice("0123456789") for _ in range(rng.randint(1, 30)))
    if kind < 0.7:
        return f"{rng.randint(0, 999)}{rng.choice([',', ' - ', '-', ', '])}{rng.randint(0, 10**11)}"
    if kind < 0.8:
        return str(rng.randint(0, 2**48))
    if kind < 0.81:
        return "9" * rng.randint(4000, 6000)
    return "".join(chr(rng.randint(0, 0x3000)) for _ in range(rng.randint(0, 20)))


def frame_bytes(rng: random.Random) -> bytes:
    if rng.random() < 0.5:
        frame = bytearray(encode_frame(rng.randbytes(5).hex(), id12=rng.random() < 0.5))
        for _ in range(rng.randint(0, 2)):  # a few flipped bytes
            frame[rng.randrange(len(frame))] = rng.randrange(256)
        return bytes(frame)
    return rng.randbytes(rng.randint(0, 40))


def run(
    name: str,
    n: int,
    make: Callable[[], object],
    call: Callable[[object], object],
    allowed: tuple[type[BaseException], ...],
) -> int:
    outcomes: Counter[str] = Counter()
    first: dict[str, object] = {}
    t0 = time.perf_counter()
    for _ in range(n):
        x = make()
        try:
            call(x)
            outcomes["ok"] += 1
        except allowed as e:
            outcomes[type(e).__name__] += 1
        except Exception as e:  # counting what escapes is the point
            key = f"FAIL {type(e).__name__}"
            outcomes[key] += 1
            first.setdefault(key, (repr(x)[:60], str(e)[:80]))
    dt = time.perf_counter() - t0
    fails = sum(v for k, v in outcomes.items() if k.startswith("FAIL"))
    shown = ", ".join(f"{k} {v}" for k, v in sorted(outcomes.items()))
    print(f"{name:24} {n:>7} inputs {dt:6.2f} s  {shown}")
    for k, (x, e) in first.items():  # type: ignore[misc]
        print(f"    first {k}: {x} -> {e}")
    return fails


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100_000, help="inputs per target")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    rng = random.Random(args.seed)

    def wedge(keys: object) -> None:
        c = WedgeClassifier()
        t = 0.0
        for ch, gap in keys:  # type: ignore[attr-defined]
            t += gap
            c.key(ch, t) if ch != "\b" else c.edit()
        b = c.enter(t + rng.random() * 0.1)
        if b.from_reader:
            try:
                parse_uid(b.text)
            except UserError:
                pass

    def wedge_keys() -> list[tuple[str, float]]:
        fast = rng.random() < 0.5
        return [
            (rng.choice("0123456789abcdefXYZ\b,"), rng.random() * (0.03 if fast else 0.4))
            for _ in range(rng.randint(0, 30))
        ]

    def framer(chunks: object) -> None:
        buf = bytearray()
        for c in chunks:  # type: ignore[attr-defined]
            buf += c
            for f in stx_frames(buf):
                try:
                    parse_frame(f)
                except CardFrameError:
                    pass
            assert len(buf) <= 32, "framer buffer grows"

    fails = 0
    fails += run("auth.parse_uid", args.n, lambda: card_text(rng), parse_uid, (UserError,))
    fails += run("auth.candidate_uids", args.n, lambda: card_text(rng), candidate_uids, ())
    fails += run("auth.Lookup.of", args.n, lambda: card_text(rng), Lookup.of, ())
    fails += run("wedge classifier", args.n, wedge_keys, wedge, ())
    fails += run(
        "rdm6300.parse_frame", args.n, lambda: frame_bytes(rng), parse_frame, (CardFrameError,)
    )
    fails += run(
        "rdm6300.stx_frames",
        args.n,
        lambda: [frame_bytes(rng) for _ in range(rng.randint(1, 6))],
        framer,
        (),
    )
    print("failures:", fails)
    return 1 if fails else 0


if __name__ == "__main__":
    raise SystemExit(main())
