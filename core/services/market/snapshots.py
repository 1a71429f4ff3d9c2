"""Finance snapshots: resolve the symbol, pick the window, read (and aggregate) its candles, and
build the normalized spec the worker draws (``core.specs.finance``).

Intervals the store keeps (1m ... 4h, 1D) are read as they are; 6h and 12h are aggregated from the
stored 2h and 4h candles on UTC-aligned boundaries (00/06/12/18 h, 00/12 h), and 1W from the daily
candles in weeks opening Monday 00:00 UTC, as exchanges publish them. The last bucket may be
unfinished, exactly like the stored candles it comes from.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from core.services.market.candles import Candle, read_candles
from core.services.market.intervals import EPOCH
from core.services.market.metrics import per_bucket, read_metric
from core.services.market.symbols import SymbolInfo, resolve_listed
from core.specs.finance import MAX_BARS, SnapshotFieldErrors, SnapshotRequest, build_spec, field_error
from core.specs.finance_studies import BY_NAME, NEED_NAMES
from core.specs.model import ChartSpec

# Weeks open on Monday 00:00 UTC (the epoch was a Thursday).
MONDAY = dt.datetime(1970, 1, 5, tzinfo=dt.UTC)
WEEK = 7 * 1440
BAR_SPACING = 6  # pixels per bar of the default window (TradingView's default zoom)
PRICE_AXIS_ALLOWANCE = 70  # pixels of the price axis, not available to bars
MIN_DEFAULT_BARS = 30
MAX_WARMUP = 2000


class InvalidSymbol(LookupError):
    """The symbol is well formed but we hold no such symbol."""


def origin_of(minutes: int) -> dt.datetime:
    return MONDAY if minutes == WEEK else EPOCH


def floor_to(t: dt.datetime, minutes: int) -> dt.datetime:
    """Start of the ``minutes`` bucket holding ``t`` (weeks from Monday, others from the epoch)."""
    origin = origin_of(minutes)
    return t - (t - origin) % dt.timedelta(minutes=minutes)


def aggregate(candles: Sequence[Candle], minutes: int) -> list[Candle]:
    """Candles of ``minutes`` width from finer ascending ``candles``: first open, highest high,
    lowest low, last close, summed volume; counts and taker volumes only when every child has one."""
    out: list[Candle] = []
    group: list[Candle] = []
    bucket = None
    for candle in candles:
        start = floor_to(candle.bucket, minutes)
        if start != bucket and group:
            out.append(_merge(bucket, group))
            group = []
        bucket = start
        group.append(candle)
    if group:
        out.append(_merge(bucket, group))
    return out


# The candle columns that add up across a bucket and may be unknown (None) in some candles.
FLOW_FIELDS = ("trade_count", "taker_buy_volume", "quote_volume", "taker_buy_count", "taker_buy_quote_volume")


def _merge(bucket: dt.datetime, group: list[Candle]) -> Candle:
    flows = {}
    for field in FLOW_FIELDS:
        values = [getattr(c, field) for c in group]
        flows[field] = None if None in values else sum(values[1:], values[0])
    return Candle(
        bucket=bucket,
        open=group[0].open,
        high=max(c.high for c in group),
        low=min(c.low for c in group),
        close=group[-1].close,
        volume=sum((c.volume for c in group), Decimal(0)),
        **flows,
    )


def latest_bucket(conn: Connection, symbol_id: int, source_minutes: int) -> dt.datetime | None:
    """The newest stored candle at the source width or in 1-minute candles not yet rolled up."""
    with conn.begin():
        return conn.execute(
            text("SELECT max(bucket) FROM market_candles WHERE symbol_id = :s AND minutes IN (1, :m)"),
            {"s": symbol_id, "m": source_minutes},
        ).scalar()


def default_bars(width: int) -> int:
    """How many bars fit legibly in a chart ``width`` pixels wide."""
    return max(MIN_DEFAULT_BARS, (width - PRICE_AXIS_ALLOWANCE) // BAR_SPACING)


def warmup_bars(req: SnapshotRequest) -> int:
    return min(
        MAX_WARMUP, max((BY_NAME[s["name"].upper()].warmup(s["input"]) for s in req.studies), default=0)
    )


@dataclasses.dataclass(frozen=True)
class Window:
    candles: list[Candle]  # warm-up bars first
    first_visible: int


def read_window(conn: Connection, symbol_id: int, req: SnapshotRequest) -> Window:
    """The candles of the request's window (plus the studies' warm-up before it). Raises
    ``SnapshotFieldErrors`` for a window without candles or with too many."""
    minutes, source = req.minutes, req.source_minutes
    step = dt.timedelta(minutes=minutes)
    if req.range_to is not None:
        hi = floor_to(req.range_to, minutes)
        hi = hi if hi == req.range_to else hi + step
    else:
        latest = latest_bucket(conn, symbol_id, source)
        if latest is None:
            raise SnapshotFieldErrors(
                [field_error("interval", req.interval, "has no stored candles for this symbol")]
            )
        hi = floor_to(latest, minutes) + step
    lo = (
        floor_to(req.range_from, minutes)
        if req.range_from is not None
        else hi - default_bars(req.width) * step
    )
    if (hi - lo) / step > MAX_BARS:
        raise SnapshotFieldErrors(
            [field_error("range", None, f"must span at most {MAX_BARS} bars of {req.interval}")]
        )
    start = max(EPOCH, floor_to(lo - warmup_bars(req) * step, minutes))
    candles = read_candles(conn, symbol_id, source, start, hi)
    if source != minutes:
        candles = aggregate(candles, minutes)
    first = next((i for i, c in enumerate(candles) if c.bucket >= lo), len(candles))
    if first == len(candles):
        raise SnapshotFieldErrors([field_error("range", None, "holds no stored candles of this symbol")])
    return Window(candles, first)


def precision_of(candles: Sequence[Candle]) -> int:
    """Decimals to print prices with: as many as the stored prices use (2 to 8)."""
    places = 0
    for c in candles[-200:]:
        for value in (c.open, c.high, c.low, c.close):
            exponent = value.normalize().as_tuple().exponent
            if isinstance(exponent, int):
                places = max(places, -exponent)
    return min(8, max(2, places))


def columns(candles: Sequence[Candle]) -> dict[str, list]:
    """The spec's candle columns (floats; unix seconds for ``t``)."""
    return {
        "t": [int((c.bucket - EPOCH).total_seconds()) for c in candles],
        "o": [float(c.open) for c in candles],
        "h": [float(c.high) for c in candles],
        "l": [float(c.low) for c in candles],
        "c": [float(c.close) for c in candles],
        "v": [float(c.volume) for c in candles],
        **{key: [_float(getattr(c, field)) for c in candles] for key, field in FLOW_COLUMNS.items()},
    }


# The spec's order-flow columns (None where unknown): taker buy volume, trade count, taker buy
# count, quote volume (sum of price x size) and taker buy quote volume.
FLOW_COLUMNS = {
    "tbv": "taker_buy_volume",
    "n": "trade_count",
    "tbc": "taker_buy_count",
    "qv": "quote_volume",
    "tbq": "taker_buy_quote_volume",
}


def _float(value: Decimal | int | None) -> float | None:
    return None if value is None else float(value)


def resolve_symbol(session: Session, name: str) -> SymbolInfo:
    info = resolve_listed(session, name)
    if info is None:
        raise InvalidSymbol(name)
    return info


def snapshot_spec(session: Session, conn: Connection, req: SnapshotRequest) -> ChartSpec:
    """The normalized spec of a checked request. Raises ``InvalidSymbol`` or ``SnapshotFieldErrors``
    (a study whose data is missing, a window without candles)."""
    info = resolve_symbol(session, req.symbol)
    window = read_window(conn, info.id, req)
    visible = window.candles[window.first_visible :]
    for i, study in enumerate(req.studies):
        for need in BY_NAME[study["name"].upper()].needs:
            if any(getattr(c, need) is None for c in visible):
                raise SnapshotFieldErrors(
                    [
                        field_error(
                            f"studies[{i}]",
                            study["name"],
                            f"needs {NEED_NAMES[need]}, which {info.name} has not stored for this window",
                        )
                    ]
                )
    studies = list(req.studies)
    for i, study in enumerate(studies):
        metric = BY_NAME[study["name"].upper()].metric
        if not metric:
            continue
        starts = [c.bucket for c in visible]
        rows = read_metric(conn, info.id, metric, starts[0], starts[-1] + dt.timedelta(minutes=req.minutes))
        series = per_bucket(rows, starts, dt.timedelta(minutes=req.minutes))
        if all(v is None for v in series["c"]):
            raise SnapshotFieldErrors(
                [
                    field_error(
                        f"studies[{i}]",
                        study["name"],
                        f"needs the metric {metric}, which {info.name} has no values of in this window",
                    )
                ]
            )
        studies[i] = {**study, "series": series}
    req = dataclasses.replace(req, studies=tuple(studies))
    prefix, _, name = req.symbol.rpartition(":")
    symbol = {
        "name": name.upper(),
        "exchange": (prefix or info.exchange).upper(),
        "description": info.description,
    }
    return build_spec(
        req,
        symbol=symbol,
        candles=columns(window.candles),
        first_visible=window.first_visible,
        precision=precision_of(visible),
    )
