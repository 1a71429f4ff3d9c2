"""Typed readers for decoded JSON values, shared by the chart dialect parsers.

Every reader takes the value and the dotted field path it came from, and either returns a clean
Python value or raises ``SpecError`` naming that path. Nothing here evaluates anything: text is
returned exactly as given.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from core.specs.errors import SpecError
from core.specs.model import MAX_TEXT

# A plain decimal number as text: what a query string or a numeric-string field may hold. Stricter
# than float(), which also accepts "nan", "inf" and "1_000".
_NUMBER_TEXT = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_YEAR_MONTH = re.compile(r"(\d{4})(?:-(\d{2}))?")
# UTF-16 halves that did not pair up (JSON allows "\\ud800" alone): no font can draw them and
# they cannot be encoded, so text replaces each with U+FFFD.
_LONE_SURROGATE = re.compile("[\ud800-\udfff\x00]")  # and NUL
# Magnitudes beyond this are clamped by the readers of plotted numbers, so sums, spans and stacks
# of up to MAX_POINTS values stay finite (Chart.js draws 1e308; we draw it at 1e300).
MAX_MAGNITUDE = 1e300
# The dates Python's datetime can hold (years 1 to 9999), in epoch seconds.
MIN_EPOCH_SECONDS = -62_135_596_800.0
MAX_EPOCH_SECONDS = 253_402_300_799.0
# Date layouts Chart.js's time adapters (moment, date-fns, luxon) or the browser's Date parse, beyond
# ISO-8601, tried in order; all are read as UTC.
_DATE_FORMATS = (
    "%m/%d/%Y",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %I:%M %p",
    "%m/%d/%Y %I:%M:%S %p",
    "%Y/%m/%d",
    "%Y/%m/%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%b %d, %Y",
    "%B %d, %Y",
    "%b %d %Y",
    "%d %b %Y",
    "%d %B %Y",
    "%a, %d %b %Y %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S.%fZ",
)
_EPOCH_TEXT = re.compile(r"[+-]?\d{1,16}")


def join(path: str, key: Any) -> str:
    """``path.key``, or just ``key`` at the top level."""
    return f"{path}.{key}" if path else str(key)


def item(path: str, index: int | str) -> str:
    """``path[index]``."""
    return f"{path}[{index}]"


def describe(value: Any) -> str:
    """How a value's JSON type reads in an error message."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, (list, tuple)):
        return "a list"
    return f"a {type(value).__name__}"


MAX_WARNINGS = 100


class Warnings:
    """Dotted paths of input keys that were ignored: deduplicated, in first-seen order, at most
    ``MAX_WARNINGS`` of them (the API sends them back in a header)."""

    def __init__(self) -> None:
        self._paths: dict[str, None] = {}

    def add(self, path: str) -> None:
        if len(self._paths) < MAX_WARNINGS:
            self._paths.setdefault(path, None)

    def unknown_keys(self, obj: Mapping[Any, Any], known: Iterable[str], path: str) -> None:
        """Record every key of ``obj`` that is not in ``known``."""
        known = set(known)
        for key in obj:
            if key not in known:
                self.add(join(path, key))

    def as_tuple(self) -> tuple[str, ...]:
        return tuple(self._paths)


def mapping(value: Any, path: str, *, optional: bool = True) -> Mapping[Any, Any]:
    """A JSON object; null or absent (``optional``) reads as an empty one."""
    if value is None and optional:
        return {}
    if not isinstance(value, Mapping):
        raise SpecError(path, f"must be an object, got {describe(value)}")
    return value


def sequence(value: Any, path: str) -> list[Any] | tuple[Any, ...]:
    if not isinstance(value, (list, tuple)):
        raise SpecError(path, f"must be a list, got {describe(value)}")
    return value


def boolean(value: Any, path: str) -> bool:
    if not isinstance(value, bool):
        raise SpecError(path, f"must be true or false, got {describe(value)}")
    return value


def number(value: Any, path: str, *, minimum: float | None = None, maximum: float | None = None) -> float:
    """A finite JSON number (booleans are not numbers), as a float, optionally range-checked."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise SpecError(path, f"must be a number, got {describe(value)}")
    try:
        result = float(value)
    except OverflowError:
        raise SpecError(path, "is too large") from None
    if not math.isfinite(result):
        raise SpecError(path, "must be a finite number (NaN and Infinity are not allowed)")
    if minimum is not None and result < minimum:
        raise SpecError(path, f"must be at least {_fmt(minimum)}, got {_fmt(result)}")
    if maximum is not None and result > maximum:
        raise SpecError(path, f"must be at most {_fmt(maximum)}, got {_fmt(result)}")
    return result


def optional_number(value: Any, path: str, **limits: float | None) -> float | None:
    return None if value is None else number(value, path, **limits)


def number_text(text: str, path: str) -> float:
    """A number written as text (query parameters, numeric strings)."""
    stripped = text.strip()
    if not _NUMBER_TEXT.fullmatch(stripped):
        raise SpecError(path, f"must be a number, got {text[:40]!r}")
    return number(float(stripped), path)


def is_number_text(value: Any) -> bool:
    """Text that ``number_text`` reads (a finite decimal number, surrounding spaces allowed)."""
    return isinstance(value, str) and len(value) <= 400 and bool(_NUMBER_TEXT.fullmatch(value.strip()))


def plotted(value: float, path: str, warnings: Any = None) -> float:
    """A number to be drawn, clamped to +-``MAX_MAGNITUDE`` (the clamp is reported at ``path``)."""
    if -MAX_MAGNITUDE <= value <= MAX_MAGNITUDE:
        return value
    if warnings is not None:
        warnings.add(path)
    return math.copysign(MAX_MAGNITUDE, value)


def drawable_text(value: str) -> str:
    """``value`` with lone UTF-16 surrogates and NUL replaced by U+FFFD (nothing else changes)."""
    return _LONE_SURROGATE.sub("\ufffd", value)


def text(value: Any, path: str) -> str:
    """A string (numbers are accepted and written out); each line at most ``MAX_TEXT`` characters."""
    if isinstance(value, str):
        result = drawable_text(value)
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        result = number_label(number(value, path))
    else:
        raise SpecError(path, f"must be a string, got {describe(value)}")
    check_length(result, path)
    return result


def text_lines(value: Any, path: str) -> tuple[str, ...]:
    """A string (split on newlines) or a list of strings, one per line."""
    if isinstance(value, (list, tuple)):
        return tuple(line for i, v in enumerate(value) for line in text(v, item(path, i)).split("\n"))
    return tuple(text(value, path).split("\n"))


def check_length(value: str, path: str) -> None:
    for line in value.split("\n"):
        if len(line) > MAX_TEXT:
            raise SpecError(path, f"is longer than {MAX_TEXT} characters on one line")


def choice(value: Any, path: str, options: Iterable[str], aliases: Mapping[str, str] | None = None) -> str:
    """One of ``options`` (or an alias of one), compared case-insensitively."""
    options = tuple(options)
    table = {o.lower(): o for o in options}
    table.update({k.lower(): v for k, v in (aliases or {}).items()})
    if isinstance(value, str) and value.strip().lower() in table:
        return table[value.strip().lower()]
    shown = repr(value[:40]) if isinstance(value, str) else describe(value)
    raise SpecError(path, f"unknown value {shown}; expected one of {', '.join(options)}")


def number_label(value: float) -> str:
    """How a numeric label is written: ``3`` not ``3.0``."""
    value = float(value)
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


def epoch_seconds(value: Any, path: str) -> float:
    """A time-scale value: a date/time string (ISO-8601, ``YYYY-MM-DD HH:mm``, ``MM/DD/YYYY``,
    ``YYYY/MM/DD``, ``Jan 5, 2024``...; UTC unless it names an offset) or a number of milliseconds
    since the Unix epoch (Chart.js's convention), also as text. Returns seconds since the epoch,
    within the years 1 to 9999 (further dates are refused: no calendar can label them)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        seconds = number(value, path) / 1000.0
    elif isinstance(value, str):
        seconds = _date_text(value, path)
    else:
        raise SpecError(path, f"must be a date (date text or epoch milliseconds), got {describe(value)}")
    if not MIN_EPOCH_SECONDS <= seconds <= MAX_EPOCH_SECONDS:
        raise SpecError(path, "is outside the dates that can be drawn (years 1 to 9999)")
    return seconds


def _date_text(value: str, path: str) -> float:
    stripped = value.strip()
    if _EPOCH_TEXT.fullmatch(stripped):
        return int(stripped) / 1000.0
    when = None
    try:
        match = _YEAR_MONTH.fullmatch(stripped)
        if match:
            when = datetime(int(match.group(1)), int(match.group(2) or 1), 1)
        else:
            when = datetime.fromisoformat(stripped)
    except ValueError:
        pass
    if when is None and len(stripped) <= 64:
        for layout in _DATE_FORMATS:
            try:
                when = datetime.strptime(stripped, layout)
                break
            except ValueError:
                continue
    if when is None:
        raise SpecError(
            path,
            f"is not an ISO-8601 date or another layout read here (MM/DD/YYYY...): {value[:40]!r}",
        )
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.timestamp()


def _fmt(value: float) -> str:
    return number_label(value) if math.isfinite(value) else str(value)
