"""Chart data (``chd``) decoding and data scaling (``chds``).

Formats, exactly as the Image-Charts documentation defines them:

* ``t:`` basic text: numbers, series separated by ``|``, values by ``,``; ``_`` (or an empty item) is
  missing. Without ``chds`` the range is 0-100: values below 0 are missing, values above 100 are
  truncated to 100.
* ``t:`` + ``chds=a``: automatic scaling; any number is kept and the axis fits the data.
* ``t:`` + ``chds=min,max[,min,max...]``: per-series ranges; below min is missing, above max is
  truncated to max; when there are fewer pairs than series the last pair serves the rest.
* ``s:`` simple encoding: one character per value, ``A``-``Z`` = 0-25, ``a``-``z`` = 26-51, ``0``-``9``
  = 52-61, ``_`` missing; series separated by ``,``. Range 0-61.
* ``e:`` extended encoding: two characters per value from ``A-Za-z0-9-.`` (value = 64 x first + second),
  ``__`` missing; series separated by ``,``. Range 0-4095.
* ``a:`` text that is always automatically scaled (Image-Charts' extension).

With ``s:``/``e:`` the drawn sizes never change; ``chds`` only changes the values that markers print.
An optional series count after the format letter (``t2:``, Google's compound-chart syntax) says how
many series the chart draws; the others only feed markers (``chm=D`` lines on bar and line charts).

Leniency (real URLs): the format letter may be upper case; ``null``, ``NaN`` and ``undefined`` (what
templates print for a missing number) are missing values; an empty ``chd=t:`` is one empty series;
a trailing ``|`` (an empty last series) is dropped; ``s:``/``e:`` series may be separated by ``|``.
Finite numbers beyond +-``DRAWABLE`` (1e300) are clamped to it and numbers closer to 0 than 1e-300
(5e-324) are 0, so that sums, spans and pixel positions stay finite; numbers that are not finite
(``1e999``) are refused.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from core.specs.imagecharts import codes
from core.specs.model import MAX_DATASETS, MAX_POINTS
from core.specs.values import Warnings

SIMPLE_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
EXTENDED_ALPHABET = SIMPLE_ALPHABET + "-."
SIMPLE_MAX = len(SIMPLE_ALPHABET) - 1  # 61
EXTENDED_MAX = len(EXTENDED_ALPHABET) ** 2 - 1  # 4095
BASIC_RANGE = (0.0, 100.0)
DRAWABLE = 1e300  # |values| and |chds bounds| are clamped to this: 50 stacked series still sum finitely
TINY = 1e-300  # |values| below this (subnormal numbers such as 5e-324) are 0
MISSING_WORDS = frozenset({"_", "", "null", "nan", "undefined", "none"})

_SIMPLE = {c: float(i) for i, c in enumerate(SIMPLE_ALPHABET)}
_EXTENDED = {c: i for i, c in enumerate(EXTENDED_ALPHABET)}
_FORMAT = re.compile(r"([tseaTSEA])(\d{0,3}):(.*)", re.DOTALL)
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")

Series = tuple[float | None, ...]
Range = tuple[float, float]


@dataclass(frozen=True, slots=True)
class ChartData:
    encoding: str  # "t", "s", "e" or "a"
    series: tuple[Series, ...]
    drawn: int | None = None  # "t1:": only the first series are drawn, the rest feed markers


@dataclass(frozen=True, slots=True)
class Scaled:
    """Data ready to plot. ``ranges[i]`` is series i's value range (None: automatic scaling);
    ``display[i]`` maps a plotted value v to the value markers print: ``offset + factor * v``."""

    series: tuple[Series, ...]
    ranges: tuple[Range | None, ...]
    display: tuple[tuple[float, float], ...]

    @property
    def automatic(self) -> bool:
        return all(r is None for r in self.ranges)


def decode_chd(text: str) -> ChartData:
    """Decode ``chd`` into raw series (numbers and None), checking the size limits."""
    match = _FORMAT.fullmatch(text.strip())
    if match is None:
        raise codes.fail(
            "chd",
            f"{codes.shown(text)} must start with a data format: t: (text), s: (simple), "
            "e: (extended) or a: (automatic)",
            codes.INVALID_DATA,
        )
    encoding, body = match.group(1).lower(), match.group(3).strip()
    if encoding in ("t", "a"):
        parts = body.split("|")
        if len(parts) > 1 and not parts[-1].strip():
            parts.pop()  # "t:1,2|3,4|": a trailing separator, not an empty series
        _check_series_count(len(parts))
        _check_points(sum(p.count(",") + 1 for p in parts))
        series = tuple(_text_series(part, i) for i, part in enumerate(parts))
    else:
        parts = [p.strip() for p in re.split(r"[,|]", body)]
        if len(parts) > 1 and not parts[-1]:
            parts.pop()
        _check_series_count(len(parts))
        per_value = 1 if encoding == "s" else 2
        _check_points(sum(len(p) for p in parts) // per_value)
        decode = _simple_series if encoding == "s" else _extended_series
        series = tuple(decode(part, i) for i, part in enumerate(parts))
    drawn = int(match.group(2)) if match.group(2) else None
    return ChartData(encoding, series, drawn if drawn else None)


def parse_chds(text: str | None, warnings: Warnings | None = None) -> str | tuple[Range, ...] | None:
    """``chds``: None (absent), ``"a"`` (automatic) or the (min, max) pairs. A number left over
    after the last pair (``0,100,5``) is ignored and reported."""
    if text is None:
        return None
    stripped = text.strip()
    if stripped.lower() == "a":
        return "a"
    items = [item.strip() for item in stripped.split(",")]
    if len(items) > 1 and not items[-1]:
        items.pop()  # a trailing comma
    if len(items) % 2 and len(items) > 1 and warnings is not None:
        warnings.add("chds")
        items.pop()
    if len(items) % 2:
        raise codes.fail(
            "chds", "needs min,max pairs (an even count of numbers) or 'a'", codes.INVALID_DATA_SCALING
        )
    values = [
        _clamp(_number(item, "chds", f"value {i + 1}", codes.INVALID_DATA_SCALING))
        for i, item in enumerate(items)
    ]
    pairs = tuple((values[i], values[i + 1]) for i in range(0, len(values), 2))
    for k, (lo, hi) in enumerate(pairs):
        if not lo < hi:
            raise codes.fail(
                "chds",
                f"pair {k + 1} must have its minimum below its maximum, got {lo:g},{hi:g}",
                codes.INVALID_DATA_SCALING,
            )
    return pairs


def scale(data: ChartData, chds: str | tuple[Range, ...] | None) -> Scaled:
    """Apply the format's range and ``chds`` (already parsed) to decoded data."""
    n = len(data.series)
    identity = tuple((0.0, 1.0) for _ in range(n))
    if data.encoding in ("s", "e"):
        top = float(SIMPLE_MAX if data.encoding == "s" else EXTENDED_MAX)
        ranges = tuple((0.0, top) for _ in range(n))
        display = identity
        if isinstance(chds, tuple):
            display = tuple((lo, (hi - lo) / top) for lo, hi in _pairs_for(chds, n))
        return Scaled(data.series, ranges, display)
    if chds == "a" or (data.encoding == "a" and chds is None):
        return Scaled(data.series, tuple(None for _ in range(n)), identity)
    pairs = _pairs_for(chds, n) if isinstance(chds, tuple) else [BASIC_RANGE] * n
    series = tuple(
        tuple(None if v is None or v < lo else min(v, hi) for v in values)
        for values, (lo, hi) in zip(data.series, pairs, strict=True)
    )
    return Scaled(series, tuple(pairs), identity)


def _pairs_for(pairs: tuple[Range, ...], n: int) -> list[Range]:
    """One (min, max) per series: the last pair serves every series after it."""
    return [pairs[min(i, len(pairs) - 1)] for i in range(n)]


def _check_series_count(count: int) -> None:
    if count > MAX_DATASETS:
        raise codes.fail(
            "chd", f"has {count} series; at most {MAX_DATASETS} are allowed", codes.LIMIT_EXCEEDED
        )


def _check_points(count: int) -> None:
    if count > MAX_POINTS:
        raise codes.fail(
            "chd", f"has {count:,} values; at most {MAX_POINTS:,} are allowed", codes.LIMIT_EXCEEDED
        )


def _number(text: str, param: str, where: str, code: str) -> float:
    if not _NUMBER.fullmatch(text):
        raise codes.fail(param, f"{where} is not a number: {codes.shown(text)}", code)
    value = float(text)
    if not math.isfinite(value):
        raise codes.fail(param, f"{where} is too large: {codes.shown(text)}", code)
    return value


def drawable(value: float) -> float:
    """``value`` clamped to +-DRAWABLE, and 0 when it is closer to 0 than ``TINY``: spans, sums and
    pixel positions computed from drawable numbers stay finite and non-zero."""
    if abs(value) < TINY:
        return 0.0
    return min(max(value, -DRAWABLE), DRAWABLE)


_clamp = drawable


def _text_series(part: str, index: int) -> Series:
    values: list[float | None] = []
    for k, item in enumerate(part.split(",")):
        token = item.strip()
        if token.lower() in MISSING_WORDS:
            values.append(None)
        else:
            where = f"series {index + 1}, value {k + 1}"
            values.append(_clamp(_number(token, "chd", where, codes.INVALID_DATA)))
    return tuple(values)


def _simple_series(part: str, index: int) -> Series:
    values: list[float | None] = []
    for k, char in enumerate(part):
        if char == "_":
            values.append(None)
        elif char in _SIMPLE:
            values.append(_SIMPLE[char])
        else:
            raise codes.fail(
                "chd",
                f"series {index + 1}, character {k + 1} ({char!r}) is not simple encoding (A-Z, a-z, 0-9, _)",
                codes.INVALID_DATA,
            )
    return tuple(values)


def _extended_series(part: str, index: int) -> Series:
    if len(part) % 2:
        raise codes.fail(
            "chd",
            f"series {index + 1} has an odd number of characters; extended encoding uses two per value",
            codes.INVALID_DATA,
        )
    values: list[float | None] = []
    for k in range(0, len(part), 2):
        pair = part[k : k + 2]
        if pair == "__":
            values.append(None)
            continue
        hi, lo = _EXTENDED.get(pair[0]), _EXTENDED.get(pair[1])
        if hi is None or lo is None:
            raise codes.fail(
                "chd",
                f"series {index + 1}, value {k // 2 + 1} ({pair!r}) is not extended encoding "
                "(two of A-Z, a-z, 0-9, -, . or __)",
                codes.INVALID_DATA,
            )
        values.append(float(hi * len(EXTENDED_ALPHABET) + lo))
    return tuple(values)
