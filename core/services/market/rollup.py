"""Roll-ups: candles of 5m, 15m, 30m, 1h, 2h, 4h and 1d kept current from the 1-minute candles.

Every width is aggregated from the next finer one (5m from 1m, 15m from 5m, ... 1d from 4h), so a
width that was imported from an exchange (klines) feeds the widths above it exactly like one that
was rolled up. Imported candles are never overwritten.

Ingestion records which spans changed (``market_rollup_dirty``). Beat's task claims those rows and
rewrites the affected buckets, width by width, in one transaction per symbol. Until it has, a
query recomputes the buckets of its window that overlap a listed span from the 1-minute candles
(``fresh_sql``), so the latest trades are always in the answer.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

from core.services.market.intervals import ROLLUP_SOURCE, align_spans, merge_spans
from core.services.market.klines import lock_symbol

log = logging.getLogger(__name__)

Span = tuple[dt.datetime, dt.datetime]

# Aggregate of child candles (columns bucket, open, high, low, close, volume, trade_count,
# taker_buy_volume). A count or taker volume is known only when every child's is.
AGGREGATE = """
    (array_agg(open ORDER BY bucket))[1] AS open, max(high) AS high, min(low) AS low,
    (array_agg(close ORDER BY bucket DESC))[1] AS close, sum(volume) AS volume,
    CASE WHEN count(trade_count) = count(*) THEN sum(trade_count)::bigint END AS trade_count,
    CASE WHEN count(taker_buy_volume) = count(*) THEN sum(taker_buy_volume) END AS taker_buy_volume,
    CASE WHEN count(quote_volume) = count(*) THEN sum(quote_volume) END AS quote_volume,
    CASE WHEN count(taker_buy_count) = count(*) THEN sum(taker_buy_count)::bigint END AS taker_buy_count,
    CASE WHEN count(taker_buy_quote_volume) = count(*) THEN sum(taker_buy_quote_volume) END
        AS taker_buy_quote_volume
"""
# The columns of a candle as the read path returns them (the order of ``Candle``'s fields).
COLUMNS = (
    "bucket, open, high, low, close, volume, trade_count, taker_buy_volume, quote_volume,"
    " taker_buy_count, taker_buy_quote_volume"
)
_VALUES = COLUMNS.removeprefix("bucket, ")
SPANS = "SELECT * FROM unnest(CAST(:los AS timestamptz[]), CAST(:his AS timestamptz[])) AS s(lo, hi)"

_WRITE_LEVEL = f"""
WITH spans AS ({SPANS})
INSERT INTO market_candles AS c (symbol_id, minutes, {COLUMNS})
SELECT :symbol_id, :minutes, date_bin(:width, m.bucket, TIMESTAMPTZ 'epoch') AS b, {AGGREGATE}
FROM market_candles m JOIN spans s ON m.bucket >= s.lo AND m.bucket < s.hi
WHERE m.symbol_id = :symbol_id AND m.minutes = :source
GROUP BY b ORDER BY b
ON CONFLICT (symbol_id, minutes, bucket) DO UPDATE SET
    {", ".join(f"{c} = EXCLUDED.{c}" for c in _VALUES.split(", "))}
WHERE NOT c.imported
  AND ({", ".join("c." + c for c in _VALUES.split(", "))})
      IS DISTINCT FROM ({", ".join("EXCLUDED." + c for c in _VALUES.split(", "))})
"""


def chain(minutes: int) -> list[int]:
    """The roll-up widths from 5m up to ``minutes``, finest first."""
    widths = [minutes]
    while ROLLUP_SOURCE.get(widths[-1], 1) != 1:
        widths.append(ROLLUP_SOURCE[widths[-1]])
    return list(reversed(widths)) if minutes != 1 else []


def roll_up(conn: Connection, symbol_id: int, spans: list[Span]) -> int:
    """Rewrite every rolled-up bucket of the symbol that overlaps ``spans``; returns rows written."""
    written = 0
    for minutes in chain(1440):
        aligned = align_spans(spans, minutes)
        written += conn.execute(
            text(_WRITE_LEVEL),
            {
                "symbol_id": symbol_id,
                "minutes": minutes,
                "source": ROLLUP_SOURCE[minutes],
                "width": dt.timedelta(minutes=minutes),
                "los": [s for s, _ in aligned],
                "his": [e for _, e in aligned],
            },
        ).rowcount
    return written


def fresh_sql(minutes: int) -> str:
    """A read-only query computing the ``minutes`` candles of :symbol_id inside the spans :los/:his
    (aligned to ``minutes``) from the 1-minute candles up, with imported candles taking precedence
    at every width: the same result beat's roll-up will store."""
    ctes = [
        f"spans AS ({SPANS})",
        f"""w1 AS (SELECT {", ".join("m." + c for c in COLUMNS.split(", "))}
            FROM market_candles m JOIN spans s ON m.bucket >= s.lo AND m.bucket < s.hi
            WHERE m.symbol_id = :symbol_id AND m.minutes = 1)""",
    ]
    for width in chain(minutes):
        source = ROLLUP_SOURCE[width]
        ctes.append(
            f"""w{width}i AS (SELECT {", ".join("m." + c for c in COLUMNS.split(", "))}
                FROM market_candles m JOIN spans s ON m.bucket >= s.lo AND m.bucket < s.hi
                WHERE m.symbol_id = :symbol_id AND m.minutes = {width} AND m.imported)"""
        )
        ctes.append(
            f"""w{width} AS (
                SELECT * FROM w{width}i
                UNION ALL
                SELECT * FROM (
                    SELECT date_bin(INTERVAL '{width} minutes', bucket, TIMESTAMPTZ 'epoch') AS bucket,
                           {AGGREGATE}
                    FROM w{source} GROUP BY 1
                ) AS d WHERE NOT EXISTS (SELECT 1 FROM w{width}i i WHERE i.bucket = d.bucket))"""
        )
    return "WITH " + ",\n".join(ctes) + f"\nSELECT {COLUMNS} FROM w{minutes} ORDER BY bucket"


@dataclasses.dataclass
class RollupResult:
    """What a roll-up run did (``busy``: symbols another process was rolling up)."""

    symbols: int = 0
    spans: int = 0
    written: int = 0
    busy: int = 0


def pending_symbols(conn: Connection) -> list[int]:
    """Symbols with spans waiting for the roll-up."""
    return list(conn.execute(text("SELECT DISTINCT symbol_id FROM market_rollup_dirty")).scalars())


def roll_up_symbol(engine: Engine, symbol_id: int, wait: bool = False) -> RollupResult | None:
    """Claim the symbol's pending spans and roll them up, in one transaction. Returns None when
    another process holds the symbol (unless ``wait``): its spans stay queued for the next run."""
    with engine.connect() as conn, conn.begin():
        if not lock_symbol(conn, symbol_id, wait=wait):
            return None
        # Claim first, then read: a batch committed after this DELETE keeps its own row, so it is
        # rolled up next time even if part of it is already visible to the reads below.
        rows = conn.execute(
            text("DELETE FROM market_rollup_dirty WHERE symbol_id = :s RETURNING start_at, end_at"),
            {"s": symbol_id},
        ).all()
        if not rows:
            return RollupResult()
        spans = merge_spans([(r.start_at, r.end_at) for r in rows])
        return RollupResult(symbols=1, spans=len(spans), written=roll_up(conn, symbol_id, spans))


def run_rollup(engine: Engine, symbol_ids: list[int] | None = None, wait: bool = False) -> RollupResult:
    """Roll up every symbol with pending spans (or just ``symbol_ids``)."""
    if symbol_ids is None:
        with engine.connect() as conn:
            symbol_ids = pending_symbols(conn)
    total = RollupResult()
    for symbol_id in symbol_ids:
        result = roll_up_symbol(engine, symbol_id, wait=wait)
        if result is None:
            total.busy += 1
            continue
        total.symbols += result.symbols
        total.spans += result.spans
        total.written += result.written
    return total
