"""An SIE 4 reader and checker written from the SIE-Gruppen specification (SIE filformat,
utgåva 4B, 2008-09-30), independent of the exporter: it shares no code with
`stationmgr.billing.sie` and reads the bytes the way an importing program would.

What it checks (each failure is one `SieError` naming the line):

- bytes: PC8 = IBM code page 437, decoded byte by byte; no control characters except the
  line ends; every line ends in CR LF (4B: "radslut"), no empty file;
- fields: separated by spaces or tabs; a field with a space, or empty, is in quotes; a quote
  inside a quoted field is written `\\"` (the only escape 4B defines: a lone backslash is
  refused as ambiguous); object lists are `{dim "obj" ...}` with an even number of items;
- labels: `#FLAGGA` first; `#FORMAT PC8`, `#SIETYP 4`, `#PROGRAM`, `#GEN`, `#FNAMN`,
  `#RAR 0`, `#KPTYP` present; `#ORGNR` as NNNNNN-NNNN; `#ADRESS` with its four fields;
  `#KONTO` four-digit accounts, each declared once; `#DIM`/`#OBJEKT` for every object used;
- vouchers: `#VER serie vernr verdatum [vertext [regdatum [sign]]]` then `{`, `#TRANS
  kontonr {objektlista} belopp [transdat [transtext [kvantitet [sign]]]]` rows, `}`; amounts
  with a decimal point and at most two decimals; valid dates inside the fiscal year 0; every
  voucher sums to zero; accounts used are declared; voucher numbers unique per series within
  the fiscal year, also across several files of that year (`check_files`).

    python -m tests.helpers.sie_check FILE.se [FILE.se …]
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

REQUIRED = ("#FORMAT", "#SIETYP", "#PROGRAM", "#GEN", "#FNAMN", "#RAR", "#KPTYP")
KPTYPES = {"BAS95", "BAS96", "EUBAS97", "NE2007", "BAS2014"}
_AMOUNT = re.compile(r"^-?\d+(\.\d{1,2})?$")
_DATE = re.compile(r"^\d{8}$")
_ACCOUNT = re.compile(r"^\d{4}$")
_ORGNR = re.compile(r"^\d{6}-\d{4}$")


class SieError(ValueError):
    pass


@dataclass
class Trans:
    account: str
    objects: list[tuple[str, str]]
    amount: Decimal


@dataclass
class Voucher:
    series: str
    number: str
    date: date
    text: str
    rows: list[Trans] = field(default_factory=list)


@dataclass
class SieFile:
    labels: dict[str, list[list[str]]]
    accounts: dict[str, str]
    dims: dict[str, str]
    objects: dict[tuple[str, str], str]
    year: tuple[date, date]
    vouchers: list[Voucher]
    text: str

    def one(self, label: str) -> list[str]:
        rows = self.labels.get(label, [])
        if len(rows) != 1:
            raise SieError(f"{label}: expected once, found {len(rows)} times")
        return rows[0]

    def balance(self, account: str) -> Decimal:
        return sum(
            (t.amount for v in self.vouchers for t in v.rows if t.account == account), Decimal(0)
        )


# ---------------------------------------------------------------- bytes and fields

# Code page 437's upper half as the specification's character table prints it.
_CP437_HIGH = (
    "ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀"
    "αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u00a0"
)
assert len(_CP437_HIGH) == 128


def decode_pc8(data: bytes) -> str:
    """PC8 bytes → text, one table lookup per byte (not Python's codec: independent)."""
    out = []
    for i, b in enumerate(data):
        if b >= 0x80:
            out.append(_CP437_HIGH[b - 0x80])
        elif b in (0x0D, 0x0A):
            out.append(chr(b))
        elif b < 0x20 or b == 0x7F:
            raise SieError(f"byte {i}: control character 0x{b:02x}")
        else:
            out.append(chr(b))
    return "".join(out)


def split_fields(line: str, n: int) -> list[str | list[str]]:
    """One line's fields: strings, and object lists as lists of their items."""
    fields: list[str | list[str]] = []
    i, end = 0, len(line)
    while i < end:
        ch = line[i]
        if ch in " \t":
            i += 1
            continue
        if ch == '"':
            i += 1
            buf = []
            while True:
                if i >= end:
                    raise SieError(f"line {n}: unterminated quote")
                c = line[i]
                if c == "\\":
                    if i + 1 < end and line[i + 1] == '"':
                        buf.append('"')
                        i += 2
                        continue
                    raise SieError(f"line {n}: backslash not followed by a quote")
                if c == '"':
                    i += 1
                    break
                buf.append(c)
                i += 1
            if i < end and line[i] not in " \t":
                raise SieError(f"line {n}: text right after a closing quote")
            fields.append("".join(buf))
        elif ch == "{":
            close = line.find("}", i)
            if close < 0:
                raise SieError(f"line {n}: object list without '}}'")
            inner = split_fields(line[i + 1 : close], n)
            if any(isinstance(x, list) for x in inner):
                raise SieError(f"line {n}: nested object list")
            fields.append([str(x) for x in inner])
            i = close + 1
        else:
            j = i
            while j < end and line[j] not in " \t":
                if line[j] in '"{}':
                    raise SieError(f"line {n}: {line[j]!r} inside an unquoted field")
                j += 1
            fields.append(line[i:j])
            i = j
    return fields


def _date(text: str, n: int) -> date:
    if not _DATE.match(text):
        raise SieError(f"line {n}: invalid date {text!r} (expected YYYYMMDD)")
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        raise SieError(f"line {n}: invalid date {text!r}") from None


def _amount(text: str, n: int) -> Decimal:
    if not _AMOUNT.match(text):
        raise SieError(f"line {n}: invalid amount {text!r}")
    return Decimal(text)


def _str(x: str | list[str], n: int, what: str) -> str:
    if isinstance(x, list):
        raise SieError(f"line {n}: {what}: an object list where a field belongs")
    return x


# ---------------------------------------------------------------- the file


def parse(data: bytes) -> SieFile:
    """Read and check one SIE 4 file; `SieError` on the first departure from 4B."""
    if not data:
        raise SieError("empty file")
    text = decode_pc8(data)
    if not text.endswith("\r\n"):
        raise SieError("the last line does not end in CR LF")
    raw_lines = text[:-2].split("\r\n")
    if any("\r" in x or "\n" in x for x in raw_lines):
        raise SieError("a line end other than CR LF")
    labels: dict[str, list[list[str]]] = {}
    accounts: dict[str, str] = {}
    dims: dict[str, str] = {}
    objects: dict[tuple[str, str], str] = {}
    vouchers: list[Voucher] = []
    cur: Voucher | None = None
    in_block = False
    for n, line in enumerate(raw_lines, 1):
        s = line.strip(" \t")
        if not s:
            continue
        if n == 1 and s != "#FLAGGA 0" and not s.startswith("#FLAGGA "):
            raise SieError("line 1: #FLAGGA must come first")
        if s == "{":
            if cur is None or in_block:
                raise SieError(f"line {n}: '{{' without a #VER before it")
            in_block = True
            continue
        if s == "}":
            if not in_block or cur is None:
                raise SieError(f"line {n}: '}}' without an open voucher")
            in_block = False
            vouchers.append(cur)
            cur = None
            continue
        if not s.startswith("#"):
            raise SieError(f"line {n}: a line must start with a #label: {s[:30]!r}")
        parts = split_fields(s, n)
        label = _str(parts[0], n, "label")
        if not re.fullmatch(r"#[A-Z]+", label):
            raise SieError(f"line {n}: invalid label {label!r}")
        args = parts[1:]
        if label == "#TRANS":
            if not in_block or cur is None:
                raise SieError(f"line {n}: #TRANS outside a voucher")
            if len(args) < 3 or not isinstance(args[1], list):
                raise SieError(f"line {n}: #TRANS kontonr {{objektlista}} belopp expected")
            objs = args[1]
            if len(objs) % 2:
                raise SieError(f"line {n}: an object list has pairs of dimension and object")
            pairs = [(objs[i], objs[i + 1]) for i in range(0, len(objs), 2)]
            if len(args) > 3:
                _date(_str(args[3], n, "transdat"), n) if args[3] else None
            cur.rows.append(
                Trans(_str(args[0], n, "kontonr"), pairs, _amount(_str(args[2], n, "belopp"), n))
            )
            continue
        if in_block:
            raise SieError(f"line {n}: {label} inside a voucher")
        strs = [_str(a, n, label) for a in args]
        if label == "#VER":
            if len(strs) < 3:
                raise SieError(f"line {n}: #VER serie vernr verdatum expected")
            if len(strs) > 4 and strs[4]:
                _date(strs[4], n)
            cur = Voucher(strs[0], strs[1], _date(strs[2], n), strs[3] if len(strs) > 3 else "")
            continue
        labels.setdefault(label, []).append(strs)
        if label == "#KONTO":
            if len(strs) != 2 or not _ACCOUNT.match(strs[0]):
                raise SieError(f"line {n}: #KONTO kontonr kontonamn expected")
            if strs[0] in accounts:
                raise SieError(f"line {n}: account {strs[0]} declared twice")
            accounts[strs[0]] = strs[1]
        elif label == "#DIM":
            if len(strs) != 2 or not strs[0].isdigit():
                raise SieError(f"line {n}: #DIM dimensionsnr namn expected")
            dims[strs[0]] = strs[1]
        elif label == "#OBJEKT":
            if len(strs) != 3 or strs[0] not in dims:
                raise SieError(f"line {n}: #OBJEKT of an undeclared dimension")
            objects[(strs[0], strs[1])] = strs[2]
    if in_block:
        raise SieError("the file ends inside a voucher")
    f = SieFile(labels, accounts, dims, objects, (date.min, date.max), vouchers, text)
    _check_labels(f)
    _check_vouchers(f)
    return f


def _check_labels(f: SieFile) -> None:
    if f.labels.get("#FLAGGA", [[""]])[0] not in (["0"], ["1"]):
        raise SieError("#FLAGGA must be 0 or 1")
    for label in REQUIRED:
        if label not in f.labels:
            raise SieError(f"{label} is missing")
    if f.one("#FORMAT") != ["PC8"]:
        raise SieError("#FORMAT must be PC8")
    if f.one("#SIETYP") != ["4"]:
        raise SieError("#SIETYP must be 4")
    if len(f.one("#PROGRAM")) != 2:
        raise SieError("#PROGRAM programnamn version expected")
    _date(f.one("#GEN")[0], 0)
    if f.one("#KPTYP")[0] not in KPTYPES:
        raise SieError(f"#KPTYP {f.one('#KPTYP')[0]!r} is not a chart type of the format")
    if "#ORGNR" in f.labels and not _ORGNR.match(f.one("#ORGNR")[0]):
        raise SieError(f"#ORGNR {f.one('#ORGNR')[0]!r}: expected NNNNNN-NNNN")
    if "#ADRESS" in f.labels and len(f.one("#ADRESS")) != 4:
        raise SieError("#ADRESS kontakt utdelningsadr postadr tel expected")
    years = {r[0]: r for r in f.labels["#RAR"]}
    if "0" not in years or len(years["0"]) != 3:
        raise SieError("#RAR 0 start slut expected")
    start, end = _date(years["0"][1], 0), _date(years["0"][2], 0)
    if end < start:
        raise SieError("#RAR 0 ends before it starts")
    f.year = (start, end)


def _check_vouchers(f: SieFile) -> None:
    seen: set[tuple[str, str]] = set()
    for v in f.vouchers:
        where = f"#VER {v.series} {v.number} {v.date:%Y%m%d}"
        if v.number:
            if not v.number.isdigit():
                raise SieError(f"{where}: voucher number must be an integer")
            if (v.series, v.number) in seen:
                raise SieError(f"{where}: voucher number used twice in the year")
            seen.add((v.series, v.number))
        if not f.year[0] <= v.date <= f.year[1]:
            raise SieError(f"{where}: dated outside the fiscal year {f.year}")
        if not v.rows:
            raise SieError(f"{where}: a voucher without rows")
        total = sum((t.amount for t in v.rows), Decimal(0))
        if total != 0:
            raise SieError(f"{where}: does not balance ({total})")
        for t in v.rows:
            if t.account not in f.accounts:
                raise SieError(f"{where}: account {t.account} is not declared by #KONTO")
            for dim, obj in t.objects:
                if dim not in f.dims:
                    raise SieError(f"{where}: dimension {dim} is not declared by #DIM")
                if (dim, obj) not in f.objects:
                    raise SieError(f"{where}: object {dim}/{obj} is not declared by #OBJEKT")


def check_files(datas: list[bytes]) -> list[SieFile]:
    """Several files (e.g. one per month): each valid, and voucher numbers unique per series
    across all files of the same fiscal year (4B: a number identifies a voucher in its
    series for the year)."""
    files = [parse(d) for d in datas]
    seen: dict[tuple[date, str, str], int] = {}
    for i, f in enumerate(files):
        for v in f.vouchers:
            if not v.number:
                continue
            key = (f.year[0], v.series, v.number)
            if key in seen:
                raise SieError(
                    f"#VER {v.series} {v.number}: in file {seen[key] + 1} and file {i + 1} "
                    f"of the same fiscal year"
                )
            seen[key] = i
    return files


if __name__ == "__main__":
    try:
        check_files([Path(p).read_bytes() for p in sys.argv[1:]])
    except SieError as e:
        print(f"sie_check: {e}", file=sys.stderr)
        sys.exit(1)
    print(f"sie_check: {len(sys.argv) - 1} file(s) ok")
