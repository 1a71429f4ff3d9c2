"""Trade ingestion: one SQL statement stores a batch and folds it into the 1-minute candles.

The statement inserts the trades with ``ON CONFLICT DO NOTHING`` and aggregates only the rows that
were really inserted (``RETURNING``), so a resent trade changes nothing: ingestion is idempotent by
(symbol, trade id). Each new minute aggregate is merged into its stored candle: high/low/volume
combine directly, and open/close come from whichever side holds the earliest/latest trade by
(time, trade id), which makes the result independent of arrival order. The statement also records
the touched span per symbol and day in ``market_rollup_dirty`` for beat's roll-up.

Two sources feed the same statement: arrays (the API's batches) and a COPY staging table (the CLI).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

from core.models.market import TRADE_PARTITION_SCHEMA
from core.services.market.intervals import MAX_FUTURE, MIN_TRADE_TIME, UTC, parse_time
from core.services.market.symbols import SymbolInfo

PARTITION_LOCK = 0x43_46_4D_50  # "CFMP": one partition creator at a time
MAX_TRADE_ID = 2**63 - 1
MAX_DIGITS = 30

ARRAY_SOURCE = """
    SELECT * FROM unnest(
        CAST(:symbol_ids AS integer[]), CAST(:times AS timestamptz[]), CAST(:trade_ids AS bigint[]),
        CAST(:prices AS numeric[]), CAST(:sizes AS numeric[]), CAST(:sides AS char(1)[])
    ) AS t(symbol_id, time, trade_id, price, size, side)
"""


def ingest_sql(source: str, final: str) -> str:
    """The ingestion statement over ``source`` (a SELECT of symbol_id, time, trade_id, price, size,
    side); ``final`` selects from ``inserted``. Both are trusted SQL written in this package."""
    return f"""
WITH incoming AS ({source}),
inserted AS (
    INSERT INTO market_trades (symbol_id, time, trade_id, price, size, side)
    SELECT symbol_id, time, trade_id, price, size, side FROM incoming
    ORDER BY symbol_id, time, trade_id
    ON CONFLICT DO NOTHING
    RETURNING symbol_id, time, trade_id, price, size, side
),
ranked AS (
    SELECT symbol_id, time, trade_id, price, size, side, bucket,
           row_number() OVER (PARTITION BY symbol_id, bucket ORDER BY time, trade_id) AS rn,
           count(*) OVER (PARTITION BY symbol_id, bucket) AS n
    FROM (SELECT *, date_bin('1 minute', time, TIMESTAMPTZ 'epoch') AS bucket FROM inserted) AS i
),
minute AS (
    SELECT symbol_id, bucket,
           max(price) FILTER (WHERE rn = 1) AS open, max(price) AS high, min(price) AS low,
           max(price) FILTER (WHERE rn = n) AS close, sum(size) AS volume, count(*) AS trade_count,
           coalesce(sum(size) FILTER (WHERE side = 'b'), 0) AS taker_buy_volume,
           sum(price * size) AS quote_volume, count(*) FILTER (WHERE side = 'b') AS taker_buy_count,
           coalesce(sum(price * size) FILTER (WHERE side = 'b'), 0) AS taker_buy_quote_volume,
           max(time) FILTER (WHERE rn = 1) AS first_at, max(trade_id) FILTER (WHERE rn = 1) AS first_id,
           max(time) FILTER (WHERE rn = n) AS last_at, max(trade_id) FILTER (WHERE rn = n) AS last_id
    FROM ranked GROUP BY symbol_id, bucket
),
merged AS (
    INSERT INTO market_candles AS c (symbol_id, minutes, bucket, open, high, low, close, volume,
                                     trade_count, taker_buy_volume, quote_volume, taker_buy_count,
                                     taker_buy_quote_volume, first_at, first_id, last_at, last_id)
    SELECT symbol_id, 1, bucket, open, high, low, close, volume, trade_count, taker_buy_volume,
           quote_volume, taker_buy_count, taker_buy_quote_volume, first_at, first_id, last_at, last_id
    FROM minute ORDER BY symbol_id, bucket
    ON CONFLICT (symbol_id, minutes, bucket) DO UPDATE SET
        open = CASE WHEN {_EARLIER} THEN EXCLUDED.open ELSE c.open END,
        first_at = CASE WHEN {_EARLIER} THEN EXCLUDED.first_at ELSE c.first_at END,
        first_id = CASE WHEN {_EARLIER} THEN EXCLUDED.first_id ELSE c.first_id END,
        close = CASE WHEN {_LATER} THEN EXCLUDED.close ELSE c.close END,
        last_at = CASE WHEN {_LATER} THEN EXCLUDED.last_at ELSE c.last_at END,
        last_id = CASE WHEN {_LATER} THEN EXCLUDED.last_id ELSE c.last_id END,
        high = greatest(c.high, EXCLUDED.high),
        low = least(c.low, EXCLUDED.low),
        volume = c.volume + EXCLUDED.volume,
        trade_count = c.trade_count + EXCLUDED.trade_count,
        taker_buy_volume = c.taker_buy_volume + EXCLUDED.taker_buy_volume,
        quote_volume = c.quote_volume + EXCLUDED.quote_volume,
        taker_buy_count = c.taker_buy_count + EXCLUDED.taker_buy_count,
        taker_buy_quote_volume = c.taker_buy_quote_volume + EXCLUDED.taker_buy_quote_volume
),
dirty AS (
    INSERT INTO market_rollup_dirty (symbol_id, start_at, end_at)
    SELECT symbol_id, min(bucket), max(bucket) + INTERVAL '1 minute' FROM minute
    GROUP BY symbol_id, date_bin('1 day', bucket, TIMESTAMPTZ 'epoch')
)
{final}
"""


# Imported klines carry no trade ids: their open is the earliest and their close the latest.
_EARLIER = (
    "(EXCLUDED.first_at, EXCLUDED.first_id)"
    " < (coalesce(c.first_at, 'infinity'), coalesce(c.first_id, -9223372036854775808))"
)
_LATER = (
    "(EXCLUDED.last_at, EXCLUDED.last_id)"
    " > (coalesce(c.last_at, '-infinity'), coalesce(c.last_id, 9223372036854775807))"
)


@dataclasses.dataclass(frozen=True)
class Trade:
    """One validated trade."""

    symbol: SymbolInfo
    trade_id: int
    time: dt.datetime
    price: Decimal
    size: Decimal
    side: str  # "b" or "s": the taker's side


@dataclasses.dataclass
class TradeBatch:
    """Validated trades, the rejected rows by index, and duplicates inside the batch."""

    trades: list[Trade]
    errors: list[dict[str, Any]]
    repeated: int = 0


def validate_trades(
    rows: list[Any], symbols: Mapping[str, SymbolInfo], now: dt.datetime | None = None
) -> TradeBatch:
    """Check each row ``{"symbol", "id", "time", "price", "size", "side"}``; ``symbols`` maps the
    upper-cased names in use to their symbols. A trade id repeated in the batch with the same
    time is a duplicate; with another time it is an error."""
    latest = (now or dt.datetime.now(UTC)) + MAX_FUTURE
    batch = TradeBatch(trades=[], errors=[])
    seen: dict[tuple[int, int], dt.datetime] = {}
    for index, row in enumerate(rows):
        try:
            trade = _trade(row, symbols, latest)
        except RowError as exc:
            batch.errors.append({"index": index, "field": exc.field, "error": str(exc)})
            continue
        key = (trade.symbol.id, trade.trade_id)
        if key in seen:
            if seen[key] != trade.time:
                batch.errors.append(
                    {"index": index, "field": "id", "error": "trade id repeated with a different time"}
                )
            else:
                batch.repeated += 1
            continue
        seen[key] = trade.time
        batch.trades.append(trade)
    return batch


class RowError(ValueError):
    """A bad row of a batch; ``field`` names the offending input."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def _trade(row: Any, symbols: Mapping[str, SymbolInfo], latest: dt.datetime) -> Trade:
    if not isinstance(row, dict):
        raise RowError("", "each trade must be an object")
    name = row.get("symbol")
    if not isinstance(name, str) or not name.strip():
        raise RowError("symbol", "symbol is required")
    symbol = symbols.get(name.strip().upper())
    if symbol is None:
        raise RowError("symbol", f"unknown symbol {name.strip()[:64]!r}")
    trade_id = row.get("id")
    if isinstance(trade_id, str) and trade_id.isdigit():
        trade_id = int(trade_id)
    if isinstance(trade_id, bool) or not isinstance(trade_id, int) or not 0 <= trade_id <= MAX_TRADE_ID:
        raise RowError("id", "id must be an integer between 0 and 2^63-1")
    try:
        when = parse_time(row.get("time"))
    except ValueError as exc:
        raise RowError("time", f"time: {exc}") from exc
    if not MIN_TRADE_TIME <= when <= latest:
        raise RowError("time", "time must be after 2000-01-01 and not in the future")
    side = row.get("side")
    if not isinstance(side, str) or side.strip().lower() not in ("buy", "sell", "b", "s"):
        raise RowError("side", "side must be 'buy' or 'sell' (the taker's side)")
    return Trade(
        symbol=symbol,
        trade_id=trade_id,
        time=when,
        price=positive_decimal(row.get("price"), "price"),
        size=positive_decimal(row.get("size"), "size"),
        side=side.strip().lower()[0],
    )


def positive_decimal(value: Any, field: str, *, allow_zero: bool = False) -> Decimal:
    """A finite decimal > 0 (>= 0 with ``allow_zero``) of at most 30 significant digits; numbers
    and numeric strings are both accepted (strings keep every digit)."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | str):
        raise RowError(field, f"{field} must be a decimal number")
    try:
        number = Decimal(value.strip()) if isinstance(value, str) else Decimal(str(value))
    except InvalidOperation as exc:
        raise RowError(field, f"{field} must be a decimal number") from exc
    if not number.is_finite() or number < 0 or (number == 0 and not allow_zero):
        raise RowError(field, f"{field} must be {'zero or more' if allow_zero else 'positive'}")
    if (
        len(number.as_tuple().digits) > MAX_DIGITS
        or number.adjusted() > 20
        or number.as_tuple().exponent < -30
    ):
        raise RowError(field, f"{field} is out of range (at most 30 digits, below 10^21, 30 decimals)")
    return number


def insert_trades(conn: Connection, trades: list[Trade]) -> list[Trade]:
    """Store ``trades`` (validated), update their 1-minute candles; returns the trades that were
    new (in time order), for publishing once the caller's transaction commits."""
    if not trades:
        return []
    params = {
        "symbol_ids": [t.symbol.id for t in trades],
        "times": [t.time for t in trades],
        "trade_ids": [t.trade_id for t in trades],
        "prices": [t.price for t in trades],
        "sizes": [t.size for t in trades],
        "sides": [t.side for t in trades],
    }
    rows = conn.execute(
        text(ingest_sql(ARRAY_SOURCE, "SELECT symbol_id, trade_id FROM inserted")), params
    ).all()
    new = {(r.symbol_id, r.trade_id) for r in rows}
    return sorted((t for t in trades if (t.symbol.id, t.trade_id) in new), key=lambda t: (t.time, t.trade_id))


def months(start: dt.datetime, end: dt.datetime) -> Iterable[dt.datetime]:
    """First instants (UTC) of the months from ``start``'s to ``end``'s, inclusive."""
    month = start.astimezone(UTC).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    while month <= end:
        yield month
        month = next_month(month)


def next_month(month: dt.datetime) -> dt.datetime:
    """The first instant of the month after ``month`` (itself a first instant)."""
    return month.replace(year=month.year + month.month // 12, month=month.month % 12 + 1)


def partition_name(month: dt.datetime) -> str:
    """The name of the trades partition of ``month``."""
    return f"market_trades_{month.year:04d}_{month.month:02d}"


def ensure_partitions(engine: Engine, start: dt.datetime, end: dt.datetime) -> list[str]:
    """Create the monthly partitions of market_trades that [start, end] needs; returns the names
    created. Runs in its own short transaction: a partition is built empty beside the table and then
    attached, which locks the parent only in SHARE UPDATE EXCLUSIVE mode (reads and inserts go on)."""
    wanted = [(m, partition_name(m)) for m in months(start, end)]
    with engine.connect() as conn:
        if all(name in _attached(conn) for _, name in wanted):
            conn.rollback()
            return []
        conn.rollback()
        created = []
        with conn.begin():
            conn.execute(text("SET LOCAL lock_timeout = '10s'"))
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": PARTITION_LOCK})
            attached = _attached(conn)
            for month, name in wanted:
                if name in attached:
                    continue
                qualified = f"{TRADE_PARTITION_SCHEMA}.{name}"
                conn.execute(
                    text(
                        f"CREATE TABLE {qualified}"
                        " (LIKE market_trades INCLUDING DEFAULTS INCLUDING CONSTRAINTS)"
                    )
                )
                conn.execute(
                    text(
                        f"ALTER TABLE market_trades ATTACH PARTITION {qualified} FOR VALUES"
                        f" FROM ('{month.isoformat()}') TO ('{next_month(month).isoformat()}')"
                    )
                )
                created.append(name)
        return created


def _attached(conn: Connection) -> set[str]:
    return set(
        conn.execute(
            text(
                "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
                " WHERE i.inhparent = 'market_trades'::regclass"
            )
        ).scalars()
    )
