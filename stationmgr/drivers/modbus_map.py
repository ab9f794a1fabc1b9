"""Register maps as data: fields, the blocks a poll reads, and decoding of the words.

A Modbus charger driver declares its registers as `Field`s at the top of its file and reads
them in `Block`s (one request each); `decode` turns the words of a block into named values.
Shared by every Modbus driver so a new board is a table plus its state meanings.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from stationmgr.errors import DeviceError

Table = Literal["input", "holding"]
Kind = Literal["u16", "s16", "u32"]  # u32: two registers, high word first


@dataclass(frozen=True, slots=True)
class Field:
    name: str
    address: int
    kind: Kind = "u16"
    scale: float = 1.0  # value = raw × scale (0.1 for "0.1 A")
    table: Table = "input"

    @property
    def width(self) -> int:
        return 2 if self.kind == "u32" else 1


@dataclass(frozen=True, slots=True)
class Block:
    """Consecutive registers read in one request."""

    table: Table
    start: int
    count: int

    def covers(self, f: Field) -> bool:
        return (
            f.table == self.table
            and self.start <= f.address
            and f.address + f.width <= self.start + self.count
        )

    def request_bytes(self) -> int:
        """Request + reply on the wire (wire-time.md): 8 + (5 + 2N)."""
        return 8 + 5 + 2 * self.count


def raw_value(f: Field, words: list[int], start: int) -> int:
    i = f.address - start
    if f.kind == "u32":
        return (words[i] << 16) | words[i + 1]
    w = words[i]
    if f.kind == "s16" and w >= 0x8000:
        return w - 0x10000
    return w


def decode(fields: tuple[Field, ...], block: Block, words: list[int]) -> dict[str, float]:
    """Every field the block covers, scaled. Raises DeviceError on a short reply."""
    if len(words) != block.count:
        raise DeviceError(f"expected {block.count} registers, got {len(words)}")
    out: dict[str, float] = {}
    for f in fields:
        if block.covers(f):
            raw = raw_value(f, words, block.start)
            out[f.name] = raw * f.scale if f.scale != 1.0 else raw
    return out


def encode(f: Field, value: float) -> int:
    """A value in the field's unit → the raw 16-bit register word.

    Raises ValueError (and only ValueError) for anything that is not a finite number that
    fits the register: nan, ±inf, negative or too large values, non-numbers."""
    try:
        scaled = float(value) / f.scale
    except (TypeError, ValueError, ZeroDivisionError, OverflowError):
        raise ValueError(f"{f.name}: {value!r} is not a number for register {f.address}") from None
    if not math.isfinite(scaled):
        raise ValueError(f"{f.name}: {value!r} does not fit register {f.address}")
    raw = round(scaled)
    if not 0 <= raw <= 0xFFFF:
        raise ValueError(f"{f.name}: {value} does not fit register {f.address}")
    return raw


def field(fields: tuple[Field, ...], name: str) -> Field:
    for f in fields:
        if f.name == name:
            return f
    raise KeyError(name)
