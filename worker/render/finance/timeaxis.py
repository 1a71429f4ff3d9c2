"""Time axis labels that follow the interval and the time zone, TradingView style.

Labels sit on the bars where a local calendar boundary is crossed (an hour, a day, a month, a
year), at the finest boundary whose labels stay at least ``min_px`` apart. The text says what the
boundary is: a year (``2025``), a month (``Aug``), a day of the month (``6``) or a time (``13:30``).
Candles keep the exchange's UTC boundaries; only the labels move with the zone: in a +05:45 zone
the day label goes on the first bar that opens in the new local day (00:45 for hourly bars).
"""

from __future__ import annotations

import datetime as dt

import numpy as np

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
DAY = 86400
# (kind, size, approximate seconds): minute steps are in minutes, others count their unit.
STEPS = (
    *(("minute", m, m * 60) for m in (1, 5, 15, 30, 60, 120, 180, 240, 360, 720)),
    ("day", 1, DAY),
    ("week", 1, 7 * DAY),
    ("month", 1, 30.44 * DAY),
    ("month", 3, 91.3 * DAY),
    ("month", 6, 182.6 * DAY),
    ("year", 1, 365.25 * DAY),
    ("year", 5, 5 * 365.25 * DAY),
)


def _key(kind: str, size: int, local: dt.datetime, seconds: int) -> int:
    if kind == "minute":
        return seconds // (size * 60)
    if kind == "day":
        return seconds // DAY
    if kind == "week":
        return (seconds // DAY + 3) // 7  # weeks from Monday
    if kind == "month":
        return (local.year * 12 + local.month - 1) // size
    return local.year // size


def _text(local: dt.datetime, previous: dt.datetime) -> str:
    if local.year != previous.year:
        return str(local.year)
    if local.month != previous.month:
        return MONTHS[local.month - 1]
    if local.day != previous.day:
        return str(local.day)
    return f"{local.hour:02d}:{local.minute:02d}"


def labels(
    t: np.ndarray, offsets: np.ndarray, minutes: int, bar_px: float, min_px: float = 72.0
) -> list[tuple[int, str]]:
    """``(bar index, text)`` of the labelled bars."""
    if len(t) == 0:
        return []
    bar_seconds = minutes * 60
    kind, size = "year", 5
    for k, s, seconds in STEPS:
        if seconds < bar_seconds:
            continue
        if seconds / bar_seconds * bar_px >= min_px:
            kind, size = k, s
            break
    local_seconds = (t + offsets).astype(np.int64).tolist()
    locals_ = [dt.datetime(1970, 1, 1) + dt.timedelta(seconds=s) for s in local_seconds]
    out: list[tuple[int, str]] = []
    last_x = -1e9
    previous_key = None
    for i, (local, seconds) in enumerate(zip(locals_, local_seconds, strict=True)):
        key = _key(kind, size, local, seconds)
        if previous_key is not None and key != previous_key and (i - last_x) * bar_px >= min_px * 0.8:
            out.append((i, _text(local, locals_[i - 1])))
            last_x = i
        previous_key = key
    return out
