"""Metric series customers push for a symbol (open interest, funding rates, long/short ratios,
liquidations, fear & greed ...): batches validated row by row, stored idempotently (the same
symbol, metric and time is one value: a repeat overwrites it), and read back per candle bucket for
the finance snapshots' metric studies.

A row is ``{"symbol", "metric", "time", "value"}`` or, for a metric with its own candles,
``{"symbol", "metric", "time", "open", "high", "low", "close"}``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Connection

from core.services.market.intervals import parse_time
from core.services.market.symbols import SymbolInfo

METRIC = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
OHLC = ("open", "high", "low", "close")


@dataclasses.dataclass(frozen=True)
class MetricRow:
    symbol_id: int
    metric: str
    time: dt.datetime
    value: Decimal | None = None
    open: Decimal | None = None
    high: Decimal | None = None
    low: Decimal | None = None
    close: Decimal | None = None


def _number(value: Any) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | str):
        raise ValueError
    try:
        number = Decimal(str(value))
    except InvalidOperation as exc:
        raise ValueError from exc
    if not number.is_finite():
        raise ValueError
    return number


def validate_metrics(
    rows: Sequence[Any], symbols: Mapping[str, SymbolInfo]
) -> tuple[list[MetricRow], list[dict[str, Any]]]:
    """Good rows (the last of duplicates wins) and the errors of the others, by index."""
    good: dict[tuple[int, str, dt.datetime], MetricRow] = {}
    errors: list[dict[str, Any]] = []

    def reject(index: int, field: str, message: str) -> None:
        errors.append({"index": index, "field": field, "error": message})

    for i, row in enumerate(rows):
        if not isinstance(row, Mapping):
            reject(i, "", "must be an object")
            continue
        name = row.get("symbol")
        info = symbols.get(name.strip().upper()) if isinstance(name, str) else None
        if info is None:
            reject(i, "symbol", "unknown symbol")
            continue
        metric = row.get("metric")
        if not isinstance(metric, str) or not METRIC.match(metric):
            reject(i, "metric", "must be 1-64 lower-case letters, digits and _, starting with a letter")
            continue
        try:
            when = parse_time(row.get("time"))
        except ValueError as exc:
            reject(i, "time", str(exc))
            continue
        has_ohlc = [k for k in OHLC if row.get(k) is not None]
        try:
            if row.get("value") is not None and not has_ohlc:
                item = MetricRow(info.id, metric, when, value=_number(row["value"]))
            elif len(has_ohlc) == 4 and row.get("value") is None:
                o, h, low, c = (_number(row[k]) for k in OHLC)
                if low > min(o, c) or h < max(o, c):
                    reject(i, "low", "needs low <= open, close <= high")
                    continue
                item = MetricRow(info.id, metric, when, open=o, high=h, low=low, close=c)
            else:
                reject(i, "value", "give either value or all of open, high, low, close")
                continue
        except ValueError:
            reject(i, "value", "must be a finite number")
            continue
        good[(item.symbol_id, item.metric, item.time)] = item
    return list(good.values()), errors


_UPSERT = """
INSERT INTO market_metrics (symbol_id, metric, time, value, open, high, low, close)
SELECT * FROM unnest(CAST(:s AS integer[]), CAST(:m AS text[]), CAST(:t AS timestamptz[]),
                     CAST(:v AS numeric[]), CAST(:o AS numeric[]), CAST(:h AS numeric[]),
                     CAST(:l AS numeric[]), CAST(:c AS numeric[]))
ON CONFLICT (symbol_id, metric, time) DO UPDATE SET
    value = EXCLUDED.value, open = EXCLUDED.open, high = EXCLUDED.high, low = EXCLUDED.low,
    close = EXCLUDED.close
WHERE (market_metrics.value, market_metrics.open, market_metrics.high, market_metrics.low,
       market_metrics.close)
      IS DISTINCT FROM (EXCLUDED.value, EXCLUDED.open, EXCLUDED.high, EXCLUDED.low, EXCLUDED.close)
"""


def store_metrics(conn: Connection, rows: Iterable[MetricRow]) -> int:
    """Insert or overwrite the rows; returns how many changed (a repeat of a stored value: 0)."""
    rows = list(rows)
    if not rows:
        return 0
    columns = {
        "s": [r.symbol_id for r in rows],
        "m": [r.metric for r in rows],
        "t": [r.time for r in rows],
        "v": [r.value for r in rows],
        "o": [r.open for r in rows],
        "h": [r.high for r in rows],
        "l": [r.low for r in rows],
        "c": [r.close for r in rows],
    }
    return conn.execute(text(_UPSERT), columns).rowcount


def read_metric(
    conn: Connection, symbol_id: int, metric: str, lo: dt.datetime, hi: dt.datetime
) -> list[MetricRow]:
    with conn.begin():
        result = conn.execute(
            text(
                "SELECT time, value, open, high, low, close FROM market_metrics "
                "WHERE symbol_id = :s AND metric = :m AND time >= :lo AND time < :hi ORDER BY time"
            ),
            {"s": symbol_id, "m": metric, "lo": lo, "hi": hi},
        )
        return [MetricRow(symbol_id, metric, r.time, r.value, r.open, r.high, r.low, r.close) for r in result]


def per_bucket(
    rows: Sequence[MetricRow], starts: Sequence[dt.datetime], width: dt.timedelta
) -> dict[str, list]:
    """The metric on the candle buckets ``starts`` (ascending, each ``width`` long): the OHLC of the
    values in each bucket (a value counts as open = high = low = close), None where it has none."""
    out: dict[str, list] = {k: [None] * len(starts) for k in ("o", "h", "l", "c")}
    j = 0
    for i, start in enumerate(starts):
        end = start + width
        while j < len(rows) and rows[j].time < start:
            j += 1
        k = j
        while k < len(rows) and rows[k].time < end:
            r = rows[k]
            o, h, low, c = (r.value,) * 4 if r.value is not None else (r.open, r.high, r.low, r.close)
            if out["o"][i] is None:
                out["o"][i], out["h"][i], out["l"][i] = float(o), float(h), float(low)
            else:
                out["h"][i] = max(out["h"][i], float(h))
                out["l"][i] = min(out["l"][i], float(low))
            out["c"][i] = float(c)
            k += 1
        j = k
    assert all(v is None or math.isfinite(v) for v in out["c"])
    return out
