"""Bulk import of CSV files through COPY: kline layouts (Binance's 12-column dumps, the
``Date,Open,High,Low,Close,Volume`` exports shipped in core/services/market/demo, Yahoo's daily files) and
Binance's trade and aggregate-trade dumps.

The file's bytes go to Postgres untouched (COPY into a temporary staging table typed for the
layout); conversion, validation and the merge into trades and candles happen in SQL, one chunk per
transaction, so Python never parses a row. Re-importing a file changes nothing.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

from core.services.market import klines, trades
from core.services.market.intervals import MAX_FUTURE, MIN_TRADE_TIME, UTC, WIDTHS, parse_time

CHUNK_BYTES = 24 * 1024 * 1024  # about 500,000 trades per transaction
READ_BYTES = 4 * 1024 * 1024


class FileImportError(ValueError):
    """A file that cannot be imported (unknown layout, no interval or symbol)."""


@dataclasses.dataclass(frozen=True)
class Layout:
    """A CSV layout: its staging table and the SELECT that turns staged rows into trades or klines."""

    name: str
    kind: str  # "trades" or "klines"
    stage: str  # staging columns, in file order
    source: str  # SELECT over the stage producing the ingestion columns ({time} = epoch conversion)
    headers: tuple[str, ...] = ()  # lower-cased header names that identify the layout


_KLINE_CHECK = """
    WHERE open > 0 AND low > 0 AND volume >= 0 AND high >= greatest(open, close, low)
      AND low <= least(open, close) AND bucket = date_bin(:width, bucket, TIMESTAMPTZ 'epoch')
"""

# OHLCV files know nothing of trade counts or taker flows.
_UNKNOWN_FLOWS = (
    " NULL::bigint AS trade_count, NULL::numeric AS taker_buy_volume, NULL::numeric AS quote_volume,"
    " NULL::bigint AS taker_buy_count, NULL::numeric AS taker_buy_quote_volume, ord FROM market_import_stage"
)

LAYOUTS = {
    "ohlcv": Layout(
        "ohlcv",
        "klines",
        "date timestamp, open numeric, high numeric, low numeric, close numeric, volume numeric",
        "SELECT date AT TIME ZONE 'UTC' AS bucket, open, high, low, close, volume," + _UNKNOWN_FLOWS,
        ("date", "open", "high", "low", "close", "volume"),
    ),
    "yahoo": Layout(
        "yahoo",
        "klines",
        "date timestamp, open numeric, high numeric, low numeric, close numeric, adj_close numeric,"
        " volume numeric",
        "SELECT date AT TIME ZONE 'UTC' AS bucket, open, high, low, close, volume," + _UNKNOWN_FLOWS,
        ("date", "open", "high", "low", "close", "adj close", "volume"),
    ),
    "binance-klines": Layout(
        "binance-klines",
        "klines",
        "open_time bigint, open numeric, high numeric, low numeric, close numeric, volume numeric,"
        " close_time bigint, quote_volume numeric, count bigint, taker_buy_volume numeric,"
        " taker_buy_quote_volume numeric, ignore text",
        "SELECT {time}(open_time) AS bucket, open, high, low, close, volume, count AS trade_count,"
        " taker_buy_volume, quote_volume, NULL::bigint AS taker_buy_count, taker_buy_quote_volume, ord"
        " FROM market_import_stage",
        ("open_time", "open", "high", "low", "close", "volume"),
    ),
    "binance-trades": Layout(
        "binance-trades",
        "trades",
        "id bigint, price numeric, qty numeric, quote_qty numeric, time bigint, is_buyer_maker boolean,"
        " is_best_match boolean",
        "SELECT CAST(:symbol_id AS integer) AS symbol_id, {time}(time) AS time, id AS trade_id, price,"
        " qty AS size, CASE WHEN is_buyer_maker THEN 's' ELSE 'b' END AS side FROM market_import_stage",
        ("id", "price", "qty"),
    ),
    "binance-aggtrades": Layout(
        "binance-aggtrades",
        "trades",
        "agg_trade_id bigint, price numeric, quantity numeric, first_trade_id bigint, last_trade_id bigint,"
        " transact_time bigint, is_buyer_maker boolean, is_best_match boolean",
        "SELECT CAST(:symbol_id AS integer) AS symbol_id, {time}(transact_time) AS time,"
        " agg_trade_id AS trade_id, price, quantity AS size,"
        " CASE WHEN is_buyer_maker THEN 's' ELSE 'b' END AS side FROM market_import_stage",
        ("agg_trade_id", "price", "quantity"),
    ),
}
# Headerless files are told apart by their number of columns.
BY_COLUMNS = {12: "binance-klines", 7: "binance-trades", 6: "binance-trades", 8: "binance-aggtrades"}
_INTERVAL_IN_NAME = re.compile(r"(?<![0-9a-z])(1m|5m|15m|30m|1h|2h|4h|1d)(?![0-9a-z])", re.IGNORECASE)


@dataclasses.dataclass(frozen=True)
class Detected:
    """What ``detect`` learned from a file's first lines."""

    layout: Layout
    has_header: bool
    columns: int
    first_values: tuple[str, ...]
    second_values: tuple[str, ...] | None


def detect(path: Path) -> Detected:
    """The layout of a CSV file, from its header or (headerless) its number of columns."""
    with path.open("rb") as fh:
        lines = [fh.readline().decode("utf-8-sig", "replace").strip() for _ in range(3)]
    if not lines[0]:
        raise FileImportError(f"{path.name}: the file is empty")
    first = tuple(f.strip() for f in lines[0].split(","))
    has_header = not re.match(r"^-?\d", first[0])
    rows = [tuple(f.strip() for f in line.split(",")) for line in lines[1 if has_header else 0 :] if line]
    if has_header:
        names = tuple(f.lower() for f in first)
        for layout in LAYOUTS.values():
            if names[: len(layout.headers)] == layout.headers and len(names) == len(layout.stage.split(",")):
                break
        else:
            if names == LAYOUTS["binance-trades"].headers + ("quote_qty", "time", "is_buyer_maker"):
                layout = LAYOUTS["binance-trades"]
            else:
                raise FileImportError(f"{path.name}: unknown CSV header {lines[0][:120]!r}")
    else:
        if len(first) not in BY_COLUMNS:
            raise FileImportError(
                f"{path.name}: a headerless file with {len(first)} columns is not a known layout"
            )
        layout = LAYOUTS[BY_COLUMNS[len(first)]]
    if not rows:
        raise FileImportError(f"{path.name}: no data rows")
    return Detected(layout, has_header, len(first), rows[0], rows[1] if len(rows) > 1 else None)


def interval_of(path: Path, found: Detected) -> int:
    """A kline file's width in minutes: from its name (``..._5m_...``, ``BTCUSDT-1h-...``), else
    from the spacing of its first two rows."""
    match = _INTERVAL_IN_NAME.search(path.name)
    if match:
        return WIDTHS[match.group(1).lower()]
    if found.second_values is None:
        raise FileImportError(f"{path.name}: cannot tell the interval; pass --interval")
    a, b = (parse_time(v[0]) for v in (found.first_values, found.second_values))
    minutes = int((b - a) / dt.timedelta(minutes=1))
    if minutes not in WIDTHS.values():
        raise FileImportError(f"{path.name}: rows are {b - a} apart, not a known interval; pass --interval")
    return minutes


def _epoch_function(found: Detected) -> str:
    """Binance dumps carry milliseconds, and microseconds since 2025; the first row tells which."""
    index = {"binance-klines": 0, "binance-trades": 4, "binance-aggtrades": 5}.get(found.layout.name)
    if index is None:
        return ""
    unit = "microsecond" if abs(int(found.first_values[index])) >= 10**14 else "millisecond"
    return f"(TIMESTAMPTZ 'epoch' + INTERVAL '1 {unit}' * "


@dataclasses.dataclass
class ImportResult:
    """The counts of one file's import."""

    layout: str
    kind: str
    minutes: int | None = None
    rows: int = 0
    written: int = 0  # new trades, or candles written
    skipped: int = 0  # trades already stored; klines refused by the checks or repeated in the file
    seconds: float = 0.0


def import_file(
    engine: Engine,
    path: Path,
    symbol_id: int,
    *,
    minutes: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> ImportResult:
    """COPY ``path`` into the store for the symbol. ``progress`` receives byte counts as they go."""
    found = detect(path)
    layout = found.layout
    if layout.kind == "klines" and minutes is None:
        minutes = interval_of(path, found)
    epoch = _epoch_function(found)
    source = layout.source.replace("{time}(", epoch)
    result = ImportResult(layout=layout.name, kind=layout.kind, minutes=minutes)
    started = time.perf_counter()
    with engine.connect() as conn:
        conn.execute(
            text(
                f"CREATE TEMP TABLE IF NOT EXISTS market_import_stage"
                f" ({layout.stage}, ord bigint GENERATED ALWAYS AS IDENTITY)"
            )
        )
        conn.commit()
        columns = ", ".join(c.split()[0] for c in layout.stage.split(",")[: found.columns])
        with path.open("rb") as fh:
            if found.has_header:
                header = fh.readline()
                if progress:
                    progress(len(header))
            for chunk in _chunks(fh):
                _copy(conn, columns, chunk)
                if layout.kind == "trades":
                    _ingest_trades(engine, conn, source, symbol_id, result)
                else:
                    _ingest_klines(conn, source, symbol_id, minutes, result)
                conn.execute(text("TRUNCATE market_import_stage"))
                conn.commit()
                if progress:
                    progress(len(chunk))
        conn.execute(text("DROP TABLE market_import_stage"))
        conn.commit()
    result.seconds = time.perf_counter() - started
    return result


def _chunks(fh: BinaryIO) -> Iterator[bytes]:
    """Blocks of whole lines of about CHUNK_BYTES."""
    pending = b""
    while True:
        block = fh.read(CHUNK_BYTES)
        if not block:
            if pending.strip():
                yield pending
            return
        block = pending + block
        cut = block.rfind(b"\n") + 1
        if cut == 0:
            pending = block
            continue
        pending = block[cut:]
        yield block[:cut]


def _copy(conn: Connection, columns: str, chunk: bytes) -> None:
    raw = conn.connection.dbapi_connection
    with (
        raw.cursor() as cur,
        cur.copy(f"COPY market_import_stage ({columns}) FROM STDIN (FORMAT csv)") as copy,
    ):
        for start in range(0, len(chunk), READ_BYTES):
            copy.write(chunk[start : start + READ_BYTES])


def _bulk_settings(conn: Connection) -> None:
    """For the current transaction: sorts of a whole chunk stay in memory instead of spilling to
    disk, and the commit need not wait for the WAL flush (after a crash the import is simply run
    again: it is idempotent)."""
    conn.execute(text("SET LOCAL work_mem = '128MB'"))
    conn.execute(text("SET LOCAL synchronous_commit = off"))


def _ingest_trades(
    engine: Engine, conn: Connection, source: str, symbol_id: int, result: ImportResult
) -> None:
    low, high, count = conn.execute(
        text(f"SELECT min(time), max(time), count(*) FROM ({source}) AS s"), {"symbol_id": symbol_id}
    ).one()
    if not count:
        return
    if low < MIN_TRADE_TIME or high > dt.datetime.now(UTC) + MAX_FUTURE:
        raise FileImportError(f"trade times run from {low} to {high}: expected 2000-01-01 up to now")
    conn.commit()  # the partitions are made on another connection
    trades.ensure_partitions(engine, low, high)
    _bulk_settings(conn)
    inserted = conn.execute(
        text(trades.ingest_sql(source, "SELECT count(*) FROM inserted")), {"symbol_id": symbol_id}
    ).scalar_one()
    result.rows += count
    result.written += inserted
    result.skipped += count - inserted


def _ingest_klines(conn: Connection, source: str, symbol_id: int, minutes: int, result: ImportResult) -> None:
    width = dt.timedelta(minutes=minutes)
    total = conn.execute(text("SELECT count(*) FROM market_import_stage")).scalar_one()
    checked = f"SELECT * FROM ({source}) AS raw {_KLINE_CHECK}"
    _bulk_settings(conn)
    klines.lock_symbol(conn, symbol_id)
    written = conn.execute(
        text(klines.import_sql(checked)), {"symbol_id": symbol_id, "minutes": minutes, "width": width}
    ).scalar_one()
    result.rows += total
    result.written += written
    result.skipped += total - written
