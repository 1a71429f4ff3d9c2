"""Tick generation and tick label formatting, Chart.js style (pure functions, no matplotlib).

* linear: "nice" steps of 1, 2 or 5 times a power of ten, at most ``max_ticks`` ticks, the axis
  range widened to whole steps unless min/max were given;
* logarithmic: grid at 1..9 x 10^k, labels at 1, 2, 3 and 5 x 10^k (only powers of ten when the
  range spans many decades);
* time: the smallest unit (second ... year) and step whose labels fit, ticks on UTC unit
  boundaries, Chart.js's date-fns display formats (``Jan 5``, ``Jan 2024``, ``3PM``...);
* numbers: en-US grouping (``1,250``) with as many decimals as the step needs.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime


@dataclass(frozen=True, slots=True)
class Ticks:
    values: tuple[float, ...]  # in axis units (numbers, log-scale values, epoch seconds, indexes)
    labels: tuple[str, ...]  # "" draws a grid line without a label
    lo: float  # axis range
    hi: float


SAFE_MAGNITUDE = 1e306  # axis ends beyond this are pinned: 10 nice steps still fit in a float
LOG_FLOOR = 1e-300
FIRST_DATE = -62_135_596_800.0 + 86400.0  # 0001-01-02, epoch seconds (a day of slack for rounding)
LAST_DATE = 253_402_300_799.0 - 86400.0 * 31  # early December 9999
LOG_CEILING = 1e300


def _within(value: float) -> float:
    if math.isnan(value):
        return 0.0
    return min(max(value, -SAFE_MAGNITUDE), SAFE_MAGNITUDE)


def nice_num(x: float) -> float:
    if x <= 0 or not math.isfinite(x):
        return 1.0
    if x < LOG_FLOOR:  # subnormal steps: their power of ten underflows to 0
        return LOG_FLOOR
    exp = math.floor(math.log10(x))
    base = 10.0**exp
    frac = x / base
    if frac <= 1.0 + 1e-9:
        nice = 1.0
    elif frac <= 2.0 + 1e-9:
        nice = 2.0
    elif frac <= 5.0 + 1e-9:
        nice = 5.0
    else:
        nice = 10.0
    return nice * base


def _clean(v: float) -> float:
    return float(f"{v:.12g}")


def step_decimals(step: float) -> int:
    """Decimals needed to print multiples of ``step`` exactly (0 for steps >= 1)."""
    if step <= 0 or not math.isfinite(step):
        return 0
    d = max(0, -math.floor(math.log10(step)))
    while d < 12 and abs(round(step, d) - step) > abs(step) * 1e-9:
        d += 1
    return min(d, 12)


def format_number(value: float, decimals: int, scientific: bool = False) -> str:
    if scientific:
        return f"{value:.1e}".replace("e+0", "e+").replace("e-0", "e-")
    if abs(value) < 0.5 * 10.0**-decimals:
        value = 0.0  # no "-0"
    return f"{value:,.{decimals}f}"


def linear_ticks(
    lo: float,
    hi: float,
    max_ticks: int,
    *,
    user_min: float | None = None,
    user_max: float | None = None,
) -> Ticks:
    """Nice ticks covering ``[lo, hi]`` (the data range, already including zero if wanted)."""
    if user_min is not None:
        lo = user_min
    if user_max is not None:
        hi = user_max
    # Keep the span (and the ticks rounded outwards from it) finite however big the data.
    lo, hi = _within(lo), _within(hi)
    if hi < lo:
        lo, hi = hi, lo
    if hi == lo:
        pad = abs(hi) * 0.05 or 1.0
        if user_min is None:
            lo -= pad
        if user_max is None:
            hi += pad
        if hi == lo:
            hi = lo + 1.0
    spaces = max(1, max_ticks - 1)
    step = nice_num((hi - lo) / spaces)
    nice_lo = math.floor(lo / step) * step
    nice_hi = math.ceil(hi / step) * step
    if round((nice_hi - nice_lo) / step) > spaces:
        step = nice_num((nice_hi - nice_lo) / spaces)
        nice_lo = math.floor(lo / step) * step
        nice_hi = math.ceil(hi / step) * step
    axis_lo = lo if user_min is not None else nice_lo
    axis_hi = hi if user_max is not None else nice_hi
    count = int(round((nice_hi - nice_lo) / step))
    values = [_clean(nice_lo + i * step) for i in range(count + 1)]
    eps = step * 1e-9
    values = [v for v in values if axis_lo - eps <= v <= axis_hi + eps]
    if user_min is not None:
        values = [user_min] + [v for v in values if v > user_min + step * 0.25]
    if user_max is not None:
        values = [v for v in values if v < user_max - step * 0.25] + [user_max]
    biggest = max(abs(axis_lo), abs(axis_hi))
    scientific = biggest > 1e15 or 0 < biggest < 1e-4
    decimals = step_decimals(step)
    if user_min is not None or user_max is not None:
        decimals = max([decimals, *(step_decimals(abs(v)) for v in (user_min, user_max) if v)])
        decimals = min(decimals, 6)
    labels = tuple(format_number(v, decimals, scientific) for v in values)
    return Ticks(tuple(values), labels, axis_lo, axis_hi)


def log_ticks(lo: float, hi: float, *, user_min: float | None = None, user_max: float | None = None) -> Ticks:
    """Ticks for a logarithmic axis over positive ``[lo, hi]``; values are in data units."""
    if user_min is not None and user_min > 0:
        lo = user_min
    if user_max is not None and user_max > 0:
        hi = user_max
    if not (lo > 0 and math.isfinite(lo)):
        lo = 1.0
    if not (hi > 0 and math.isfinite(hi)) or hi < lo:
        hi = max(lo, 1.0)
    # Powers of ten beyond these are 0 or inf in floating point (5e-324 is a valid number).
    lo, hi = min(max(lo, LOG_FLOOR), LOG_CEILING), min(max(hi, LOG_FLOOR), LOG_CEILING)
    e_lo = math.floor(math.log10(lo) + 1e-12)
    e_hi = math.ceil(math.log10(hi) - 1e-12)
    if e_hi <= e_lo:
        e_hi = e_lo + 1
    axis_lo = lo if user_min is not None and user_min > 0 else 10.0**e_lo
    axis_hi = hi if user_max is not None and user_max > 0 else 10.0**e_hi
    if not axis_hi > axis_lo * (1 + 1e-9):  # min == max (or a max below the data): a decade each way
        axis_lo, axis_hi = max(axis_lo / 10, LOG_FLOOR), min(axis_lo * 10, LOG_CEILING)
        e_lo = math.floor(math.log10(axis_lo) + 1e-12)
        e_hi = max(math.ceil(math.log10(axis_hi) - 1e-12), e_lo + 1)
    decades = e_hi - e_lo
    # Denser minor grids only where they stay readable.
    if decades <= 2:
        grid, shown = tuple(range(1, 10)), (1, 2, 3, 5)
    elif decades <= 5:
        grid, shown = (1, 2, 5), (1, 2, 5)
    else:
        grid, shown = (1,), (1,)
    power_every = max(1, math.ceil(decades / 10))
    values: list[float] = []
    labels: list[str] = []
    for e in range(e_lo, e_hi + 1):
        for m in grid:
            v = _clean(m * 10.0**e)
            if v < axis_lo * (1 - 1e-9) or v > axis_hi * (1 + 1e-9):
                continue
            values.append(v)
            show = m in shown and (m != 1 or (e - e_lo) % power_every == 0)
            labels.append(_log_label(v, e) if show else "")
    return Ticks(tuple(values), tuple(labels), axis_lo, axis_hi)


def _log_label(v: float, exponent: int) -> str:
    if exponent > 15 or exponent < -5:
        return format_number(v, 0, scientific=True)
    return format_number(v, max(0, -exponent))


# --- time -------------------------------------------------------------------------------------

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

# unit name, seconds (approximate for month/year), allowed steps
TIME_UNITS: tuple[tuple[str, float, tuple[int, ...]], ...] = (
    ("second", 1.0, (1, 2, 5, 10, 15, 30)),
    ("minute", 60.0, (1, 2, 5, 10, 15, 30)),
    ("hour", 3600.0, (1, 2, 3, 6, 12)),
    ("day", 86400.0, (1, 2, 7, 14)),
    ("month", 86400.0 * 30.44, (1, 2, 3, 6)),
    ("year", 86400.0 * 365.25, (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000)),
)


def _hour12(dt: datetime) -> str:
    h = dt.hour % 12 or 12
    return f"{h}{'AM' if dt.hour < 12 else 'PM'}"


def format_time(ts: float, unit: str) -> str:
    dt = datetime.fromtimestamp(ts, UTC)
    if unit == "second":
        return f"{dt.hour % 12 or 12}:{dt.minute:02d}:{dt.second:02d} {'AM' if dt.hour < 12 else 'PM'}"
    if unit == "minute":
        return f"{dt.hour % 12 or 12}:{dt.minute:02d} {'AM' if dt.hour < 12 else 'PM'}"
    if unit == "hour":
        return _hour12(dt)
    if unit == "day":
        return f"{_MONTHS[dt.month - 1]} {dt.day}"
    if unit == "month":
        return f"{_MONTHS[dt.month - 1]} {dt.year}"
    return str(dt.year)


def _month_start(index: int) -> float:
    return datetime(index // 12, index % 12 + 1, 1, tzinfo=UTC).timestamp()


def _time_values(lo: float, hi: float, unit: str, seconds: float, step: int) -> list[float]:
    if unit in ("second", "minute", "hour", "day"):
        size = seconds * step
        # days count from the first midnight in range (weekly ticks start with the data);
        # smaller units divide a day, so epoch multiples land on round clock times
        origin = math.ceil(lo / seconds - 1e-9) * seconds if unit == "day" else 0.0
        first = origin + math.ceil((lo - origin) / size - 1e-9) * size
        n = int(math.floor((hi - first) / size + 1e-9)) + 1
        return [first + i * size for i in range(max(n, 0))]
    start = datetime.fromtimestamp(lo, UTC)
    if unit == "month":
        first = -(-(start.year * 12 + start.month - 1) // step) * step
        return _calendar_values(lo, hi, range(first, 10000 * 12, step), _month_start)
    first = -(-start.year // step) * step
    return _calendar_values(lo, hi, range(first, 10000, step), _year_start)


def _year_start(year: int) -> float:
    return datetime(year, 1, 1, tzinfo=UTC).timestamp()


def _calendar_values(lo: float, hi: float, indices: range, start_of: Callable[[int], float]) -> list[float]:
    """The starts of the months or years ``indices`` that fall in ``[lo, hi]`` (in order)."""
    values: list[float] = []
    for index in indices:
        ts = start_of(index)
        if ts > hi + 1e-6:
            break
        if ts >= lo - 1e-6:
            values.append(ts)
    return values


def time_ticks(lo: float, hi: float, axis_len: float, label_extent: Callable[[str], float]) -> Ticks:
    """Ticks for a time axis spanning epoch seconds ``[lo, hi]`` over ``axis_len`` pixels.

    ``label_extent(unit)`` is the pixel room one label of that unit needs along the axis.
    """
    if hi < lo:
        lo, hi = hi, lo
    # Only dates a calendar can label (years 1 to 9999); values that are not dates (a horizontal
    # chart's numbers on a time axis) are pinned into that range rather than crashing the labels.
    lo = min(max(lo, FIRST_DATE), LAST_DATE - 86400.0)
    hi = min(max(hi, FIRST_DATE + 86400.0), LAST_DATE)
    if hi <= lo:
        lo, hi = lo - 43200.0, hi + 43200.0
    span = hi - lo
    chosen = TIME_UNITS[-1][0], TIME_UNITS[-1][1], TIME_UNITS[-1][2][-1]
    for unit, seconds, steps in TIME_UNITS:
        capacity = max(2.0, axis_len / max(label_extent(unit), 1.0))
        step = next((s for s in steps if span / (seconds * s) + 1 <= capacity), None)
        if step is not None:
            chosen = unit, seconds, step
            break
    unit, seconds, step = chosen
    if unit == "year":
        # Beyond the table, keep doubling the step until the labels fit.
        capacity = max(2.0, axis_len / max(label_extent(unit), 1.0))
        while span / (seconds * step) + 1 > capacity and step < 10**6:
            step *= 2
    values = _time_values(lo, hi, unit, seconds, step)
    labels = tuple(format_time(v, unit) for v in values)
    return Ticks(tuple(values), labels, lo, hi)
