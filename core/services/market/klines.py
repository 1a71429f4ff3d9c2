"""Kline (candle) imports: an exchange's own candles stored as the truth for their buckets.

Imported candles are marked ``imported``; roll-ups never overwrite them, and coarser widths are
rolled up from them like from any other candle. Re-importing the same klines changes nothing.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Connection

from core.services.market.intervals import MIN_TRADE_TIME, UTC, floor_bucket, parse_time
from core.services.market.trades import RowError, positive_decimal

ROLLUP_LOCK = 0x43_46_4D_52  # "CFMR": with the symbol id, one writer of wider candles per symbol

ARRAY_SOURCE = """
    SELECT * FROM unnest(
        CAST(:buckets AS timestamptz[]), CAST(:opens AS numeric[]), CAST(:highs AS numeric[]),
        CAST(:lows AS numeric[]), CAST(:closes AS numeric[]), CAST(:volumes AS numeric[]),
        CAST(:trade_counts AS bigint[]), CAST(:taker_buy_volumes AS numeric[]),
        CAST(:quote_volumes AS numeric[]), CAST(:taker_buy_counts AS bigint[]),
        CAST(:taker_buy_quote_volumes AS numeric[])
    ) WITH ORDINALITY AS k(bucket, open, high, low, close, volume, trade_count, taker_buy_volume,
                           quote_volume, taker_buy_count, taker_buy_quote_volume, ord)
"""


def import_sql(source: str) -> str:
    """Upsert klines from ``source`` (bucket, open, high, low, close, volume, trade_count,
    taker_buy_volume, quote_volume, taker_buy_count, taker_buy_quote_volume, ord: the last of two
    rows for one bucket wins) for :symbol_id at :minutes
    width, and queue the span for the roll-up. Returns the number of candles written."""
    return f"""
WITH incoming AS (
    SELECT DISTINCT ON (bucket) * FROM ({source}) AS src ORDER BY bucket, ord DESC
),
upserted AS (
    INSERT INTO market_candles AS c (symbol_id, minutes, bucket, open, high, low, close, volume,
                                     trade_count, taker_buy_volume, quote_volume, taker_buy_count,
                                     taker_buy_quote_volume, imported, first_at, last_at)
    SELECT :symbol_id, :minutes, bucket, open, high, low, close, volume, trade_count, taker_buy_volume,
           quote_volume, taker_buy_count, taker_buy_quote_volume,
           true, bucket, bucket + :width - INTERVAL '1 microsecond'
    FROM incoming ORDER BY bucket
    ON CONFLICT (symbol_id, minutes, bucket) DO UPDATE SET
        open = EXCLUDED.open, high = EXCLUDED.high, low = EXCLUDED.low, close = EXCLUDED.close,
        volume = EXCLUDED.volume, trade_count = EXCLUDED.trade_count,
        taker_buy_volume = EXCLUDED.taker_buy_volume, quote_volume = EXCLUDED.quote_volume,
        taker_buy_count = EXCLUDED.taker_buy_count,
        taker_buy_quote_volume = EXCLUDED.taker_buy_quote_volume, imported = true,
        first_at = EXCLUDED.first_at, first_id = NULL, last_at = EXCLUDED.last_at, last_id = NULL
    RETURNING bucket
),
dirty AS (
    INSERT INTO market_rollup_dirty (symbol_id, start_at, end_at)
    SELECT :symbol_id, min(bucket), max(bucket) + :width FROM upserted
    GROUP BY date_bin('1 day', bucket, TIMESTAMPTZ 'epoch')
)
SELECT count(*) FROM upserted
"""


@dataclasses.dataclass(frozen=True)
class Candle:
    """One candle, ``bucket`` its UTC-aligned open time: a validated kline to import, or a stored
    candle as the APIs read it (``trade_count``, ``taker_buy_volume`` and the rest None: unknown).
    ``quote_volume`` is the sum of price x size; ``taker_buy_count`` and ``taker_buy_quote_volume``
    the taker buys' count and quote volume (the sells are the rest)."""

    bucket: dt.datetime
    open: Decimal
    high: Decimal
    low: Decimal
    close: Decimal
    volume: Decimal
    trade_count: int | None = None
    taker_buy_volume: Decimal | None = None
    quote_volume: Decimal | None = None
    taker_buy_count: int | None = None
    taker_buy_quote_volume: Decimal | None = None


# Binance's kline arrays: open time, open, high, low, close, volume, close time, quote volume,
# trade count, taker-buy base volume, taker-buy quote volume, ignore.
BINANCE_FIELDS = (
    "time",
    "open",
    "high",
    "low",
    "close",
    "volume",
    None,
    "quote_volume",
    "trade_count",
    "taker_buy_volume",
    "taker_buy_quote_volume",
)


def validate_klines(rows: list[Any], minutes: int) -> tuple[list[Candle], list[dict[str, Any]]]:
    """Objects ``{"time", "open", "high", "low", "close", "volume", "trade_count"?,
    "taker_buy_volume"?, "quote_volume"?, "taker_buy_count"?, "taker_buy_quote_volume"?}`` or
    Binance's kline arrays (which carry all but the taker buy count); returns the klines and the
    errors by index."""
    klines, errors = [], []
    for index, row in enumerate(rows):
        try:
            klines.append(_kline(row, minutes))
        except RowError as exc:
            errors.append({"index": index, "field": exc.field, "error": str(exc)})
    return klines, errors


def _kline(row: Any, minutes: int) -> Candle:
    if isinstance(row, list):
        row = {f: v for f, v in zip(BINANCE_FIELDS, row, strict=False) if f is not None}
    if not isinstance(row, dict):
        raise RowError("", "each candle must be an object or a Binance kline array")
    try:
        bucket = parse_time(row.get("time"))
    except ValueError as exc:
        raise RowError("time", f"time: {exc}") from exc
    if bucket < MIN_TRADE_TIME.replace(year=1990) or bucket > dt.datetime.now(UTC) + dt.timedelta(days=1):
        raise RowError("time", "time must be after 1990-01-01 and not in the future")
    if floor_bucket(bucket, minutes) != bucket:
        raise RowError("time", "time must be the start of a UTC-aligned candle of the interval")
    o, h, low, c = (positive_decimal(row.get(f), f) for f in ("open", "high", "low", "close"))
    if h < max(o, c, low) or low > min(o, c):
        raise RowError("high", "high must be the highest and low the lowest of open, high, low, close")
    volume = positive_decimal(row.get("volume"), "volume", allow_zero=True)
    count, buys = _count(row, "trade_count"), _count(row, "taker_buy_count")
    taker_buy = _part(row, "taker_buy_volume", volume, "volume")
    quote = row.get("quote_volume")
    quote = None if quote is None else positive_decimal(quote, "quote_volume", allow_zero=True)
    taker_quote = _part(row, "taker_buy_quote_volume", quote, "quote_volume")
    if buys is not None and (count is None or buys > count):
        raise RowError("taker_buy_count", "taker_buy_count needs a trade_count and cannot exceed it")
    return Candle(bucket, o, h, low, c, volume, count, taker_buy, quote, buys, taker_quote)


def _count(row: dict, field: str) -> int | None:
    count = row.get(field)
    if isinstance(count, str) and count.isdigit():
        count = int(count)
    if count is not None and (isinstance(count, bool) or not isinstance(count, int) or count < 0):
        raise RowError(field, f"{field} must be a non-negative integer")
    return count


def _part(row: dict, field: str, whole: Decimal | None, whole_field: str) -> Decimal | None:
    """The taker buys' share ``field`` of ``whole`` (None when absent)."""
    value = row.get(field)
    if value is None:
        return None
    part = positive_decimal(value, field, allow_zero=True)
    if whole is None or part > whole:
        raise RowError(field, f"{field} needs a {whole_field} and cannot exceed it")
    return part


def import_klines(conn: Connection, symbol_id: int, minutes: int, klines: list[Candle]) -> int:
    """Store validated klines of ``minutes`` width for the symbol; returns how many were written."""
    if not klines:
        return 0
    lock_symbol(conn, symbol_id)
    # One array per Candle field, bound under its plural (:buckets, :opens, ...) as ARRAY_SOURCE reads them.
    arrays = {f"{f.name}s": [getattr(k, f.name) for k in klines] for f in dataclasses.fields(Candle)}
    params = {"symbol_id": symbol_id, "minutes": minutes, "width": dt.timedelta(minutes=minutes), **arrays}
    return conn.execute(text(import_sql(ARRAY_SOURCE)), params).scalar_one()


def lock_symbol(conn: Connection, symbol_id: int, wait: bool = True) -> bool:
    """The per-symbol lock that keeps kline imports and roll-ups of one symbol apart (both write
    candles wider than a minute); held until the transaction ends."""
    fn = "pg_advisory_xact_lock" if wait else "pg_try_advisory_xact_lock"
    got = conn.execute(text(f"SELECT {fn}(:k, :s)"), {"k": ROLLUP_LOCK, "s": symbol_id}).scalar()
    return wait or bool(got)
