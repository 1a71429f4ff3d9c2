"""The read path: candles of one symbol and width in a time window, the unfinished tail included."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import text
from sqlalchemy.engine import Connection

from core.services.market.intervals import align_spans, ceil_bucket, floor_bucket
from core.services.market.klines import Candle
from core.services.market.rollup import COLUMNS, fresh_sql

# A window may not ask for more candles than this (the caller turns it into a 400).
MAX_CANDLES = 50_000


class WindowTooLarge(ValueError):
    """A window of more candles than MAX_CANDLES."""

    def __init__(self, limit: int):
        super().__init__(f"the time range holds more than {limit} candles of this interval")
        self.limit = limit


_STORED = f"""
SELECT {COLUMNS} FROM market_candles
WHERE symbol_id = :symbol_id AND minutes = :minutes AND bucket >= :lo AND bucket < :hi
ORDER BY bucket
"""
_DIRTY = """
SELECT start_at, end_at FROM market_rollup_dirty
WHERE symbol_id = :symbol_id AND start_at < :hi AND end_at > :lo
"""


def read_candles(
    conn: Connection, symbol_id: int, minutes: int, lo: dt.datetime, hi: dt.datetime
) -> list[Candle]:
    """Candles with ``lo <= bucket < hi``, ascending. Buckets that beat has not rolled up yet are
    computed from the 1-minute candles in the same snapshot, so the answer always includes every
    committed trade. Runs its own REPEATABLE READ, read-only transaction on ``conn``."""
    if hi <= lo:
        return []
    if (hi - lo) / dt.timedelta(minutes=minutes) > MAX_CANDLES:
        raise WindowTooLarge(MAX_CANDLES)
    with conn.begin():
        conn.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"))
        params = {"symbol_id": symbol_id, "minutes": minutes, "lo": lo, "hi": hi}
        rows = {r.bucket: Candle(*r) for r in conn.execute(text(_STORED), params)}
        if minutes == 1:
            return list(rows.values())
        # Buckets of the window run from floor(lo) to ceil(hi); only their overlap with pending
        # spans needs recomputing.
        first, end = floor_bucket(lo, minutes), ceil_bucket(hi, minutes)
        pending = conn.execute(text(_DIRTY), {"symbol_id": symbol_id, "lo": first, "hi": end}).all()
        if pending:
            spans = align_spans([(max(s, first), min(e, end)) for s, e in pending], minutes)
            fresh = conn.execute(
                text(fresh_sql(minutes)),
                {"symbol_id": symbol_id, "los": [s for s, _ in spans], "his": [e for _, e in spans]},
            )
            for r in fresh:
                if lo <= r.bucket < hi:
                    rows[r.bucket] = Candle(*r)
            return [rows[b] for b in sorted(rows)]
        return list(rows.values())
