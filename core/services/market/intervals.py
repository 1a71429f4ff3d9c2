"""Candle widths, UTC bucket arithmetic, time parsing and the two APIs' resolution tables."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from decimal import Decimal, InvalidOperation

UTC = dt.UTC
EPOCH = dt.datetime(1970, 1, 1, tzinfo=UTC)
LATEST = dt.datetime(2200, 1, 1, tzinfo=UTC)

# Every stored width, in minutes, by the name the APIs and kline files use.
WIDTHS: dict[str, int] = {"1m": 1, "5m": 5, "15m": 15, "30m": 30, "1h": 60, "2h": 120, "4h": 240, "1d": 1440}
NAMES: dict[int, str] = {v: k for k, v in WIDTHS.items()}
# Each roll-up width is computed from the next finer one; every width divides the one above it.
ROLLUP_SOURCE: dict[int, int] = {5: 1, 15: 5, 30: 15, 60: 30, 120: 60, 240: 120, 1440: 240}

# GET /api/v1/candles: the allowed intervals and how far back each looks without from/to.
CANDLE_INTERVALS = ("1m", "5m", "15m", "30m", "1h", "4h", "1d")
DEFAULT_LOOKBACK: dict[str, tuple[str, int]] = {
    "1m": ("days", 1),
    "5m": ("days", 7),
    "15m": ("days", 14),
    "30m": ("months", 1),
    "1h": ("months", 3),
    "4h": ("months", 12),
    "1d": ("months", 60),
}

# Earliest and latest accepted trade times: partitions are created per month on demand, so a
# typo must not create thousands of them.
MIN_TRADE_TIME = dt.datetime(2000, 1, 1, tzinfo=UTC)
MAX_FUTURE = dt.timedelta(days=1)


def floor_bucket(t: dt.datetime, minutes: int) -> dt.datetime:
    """Start of the UTC-aligned bucket of ``minutes`` width containing ``t``."""
    return t - (t - EPOCH) % dt.timedelta(minutes=minutes)


def ceil_bucket(t: dt.datetime, minutes: int) -> dt.datetime:
    """The first bucket start at or after ``t``."""
    floor = floor_bucket(t, minutes)
    return floor if floor == t else floor + dt.timedelta(minutes=minutes)


def add_months(t: dt.datetime, months: int) -> dt.datetime:
    """Calendar arithmetic: the same day ``months`` later (clamped to the month's last day)."""
    index = t.month - 1 + months
    year, month = t.year + index // 12, index % 12 + 1
    return t.replace(year=year, month=month, day=min(t.day, calendar.monthrange(year, month)[1]))


def lookback_start(interval: str, end: dt.datetime) -> dt.datetime:
    """Where GET /api/v1/candles starts without ``from``: its documented look-back before ``end``."""
    unit, amount = DEFAULT_LOOKBACK[interval]
    return end - dt.timedelta(days=amount) if unit == "days" else add_months(end, -amount)


def history_minutes(start: dt.datetime, end: dt.datetime) -> int:
    """The candle width /api/v1/history serves for a window, chosen by the window's size."""
    span = end - start
    if span <= dt.timedelta(hours=24):
        return 1
    if span <= dt.timedelta(days=5):
        return 5
    if span <= dt.timedelta(days=30):
        return 30
    if span <= dt.timedelta(days=90):
        return 60
    if end <= add_months(start, 6):
        return 120
    return 1440


def iso_millis(t: dt.datetime) -> str:
    """``2025-08-06T13:00:00.000Z``: the candles endpoint's time format."""
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def unix_seconds(t: dt.datetime) -> int:
    """Whole unix seconds of ``t`` (the history API's bar times)."""
    return int((t - EPOCH).total_seconds())


_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def from_unix(value: Decimal | int | float) -> dt.datetime:
    """A unix time in seconds, milliseconds or microseconds, told apart by magnitude (a time in
    seconds above 10^11 would be after the year 5000)."""
    number = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    if not number.is_finite():
        raise ValueError("expected an ISO 8601 time or a unix timestamp")
    magnitude = abs(number)
    if magnitude >= 10**14:
        number /= 1_000_000
    elif magnitude >= 10**11:
        number /= 1000
    micros = int((number * 1_000_000).to_integral_value())
    return _bounded(EPOCH + dt.timedelta(microseconds=micros))


def parse_time(value: object) -> dt.datetime:
    """An ISO 8601 time (naive means UTC; a bare date is midnight UTC) or a unix number.
    Raises ValueError with a message fit for a client."""
    if isinstance(value, bool) or value is None:
        raise ValueError("expected an ISO 8601 time or a unix timestamp")
    if isinstance(value, int | float | Decimal):
        try:
            return from_unix(value)
        except (InvalidOperation, OverflowError) as exc:
            raise ValueError("expected an ISO 8601 time or a unix timestamp") from exc
    if not isinstance(value, str) or not value.strip():
        raise ValueError("expected an ISO 8601 time or a unix timestamp")
    text = value.strip()
    if _NUMBER.match(text):
        return parse_time(Decimal(text))
    try:
        parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
        parsed = parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    except (ValueError, OverflowError) as exc:
        raise ValueError("expected an ISO 8601 time or a unix timestamp") from exc
    return _bounded(parsed)


def _bounded(t: dt.datetime) -> dt.datetime:
    """Market times live between 1970 and 2200 (beyond, calendar arithmetic would overflow)."""
    if not EPOCH <= t < LATEST:
        raise ValueError("expected a time between 1970 and 2200")
    return t


def merge_spans(spans: list[tuple[dt.datetime, dt.datetime]]) -> list[tuple[dt.datetime, dt.datetime]]:
    """Sorted, non-overlapping, non-adjacent half-open spans covering the same instants."""
    merged: list[tuple[dt.datetime, dt.datetime]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def align_spans(
    spans: list[tuple[dt.datetime, dt.datetime]], minutes: int
) -> list[tuple[dt.datetime, dt.datetime]]:
    """Widen each span to whole buckets of ``minutes``, then merge."""
    return merge_spans([(floor_bucket(s, minutes), ceil_bucket(e, minutes)) for s, e in spans])
