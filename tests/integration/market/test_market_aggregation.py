"""Trades that arrive out of order, more than once, split into batches across bucket boundaries,
give exactly the candles of a straight aggregation of the distinct trades, at every width, both
before beat's roll-up (computed on the fly) and after it (stored). Real Postgres, no HTTP."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import hypothesis.strategies as st
from hypothesis import HealthCheck, given, settings
from sqlalchemy.orm import Session, sessionmaker

from core.db import get_engine
from core.services.market.candles import read_candles
from core.services.market.rollup import run_rollup
from core.services.market.symbols import define_symbol
from core.services.market.trades import Trade, ensure_partitions, insert_trades

UTC = dt.UTC
# 23:00 on the last day of a month: three hours of trades cross minute, hour, 4-hour, day and
# month (partition) boundaries.
ORIGIN = dt.datetime(2025, 7, 31, 23, 0, tzinfo=UTC)
WIDTHS = (1, 5, 15, 30, 60, 120, 240, 1440)


@st.composite
def trade_sets(draw):
    n = draw(st.integers(1, 40))
    ids = draw(st.lists(st.integers(0, 10**6), min_size=n, max_size=n, unique=True))
    # few distinct instants: ties in time are broken by trade id
    seconds = st.sampled_from([0, 59, 60, 61, 299, 300, 3599, 3600, 3601, 7199, 7200, 10799]) | st.integers(
        0, 3 * 3600 - 1
    )
    return [
        (
            trade_id,
            ORIGIN + dt.timedelta(seconds=draw(seconds), microseconds=draw(st.sampled_from([0, 0, 250_000]))),
            Decimal(draw(st.integers(1, 10**6))) / 100,
            Decimal(draw(st.integers(1, 10**5))) / 10**5,
            draw(st.sampled_from("bs")),
        )
        for trade_id in ids
    ]


def straight(trades: list[tuple], minutes: int) -> dict[dt.datetime, tuple]:
    """The candles of ``trades`` (distinct) at ``minutes`` width, by definition."""
    width = dt.timedelta(minutes=minutes)
    epoch = dt.datetime(1970, 1, 1, tzinfo=UTC)
    buckets: dict[dt.datetime, list[tuple]] = {}
    for t in trades:
        buckets.setdefault(t[1] - (t[1] - epoch) % width, []).append(t)
    out = {}
    for bucket, group in buckets.items():
        group.sort(key=lambda t: (t[1], t[0]))
        prices = [t[2] for t in group]
        out[bucket] = (
            prices[0],
            max(prices),
            min(prices),
            prices[-1],
            sum(t[3] for t in group),
            len(group),
            sum((t[3] for t in group if t[4] == "b"), Decimal(0)),
        )
    return out


def stored(engine, symbol_id: int, minutes: int) -> dict[dt.datetime, tuple]:
    with engine.connect() as conn:
        candles = read_candles(
            conn, symbol_id, minutes, ORIGIN - dt.timedelta(days=1), ORIGIN + dt.timedelta(days=1)
        )
    return {
        c.bucket: (c.open, c.high, c.low, c.close, c.volume, c.trade_count, c.taker_buy_volume)
        for c in candles
    }


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(trades=trade_sets(), data=st.data())
def test_arrival_order_and_duplicates_do_not_change_candles(
    database, sessions: sessionmaker[Session], trades, data
):
    engine = get_engine(database)
    ensure_partitions(engine, ORIGIN, ORIGIN + dt.timedelta(hours=3))
    with sessions() as session, session.begin():
        symbol = define_symbol(session, f"H{uuid.uuid4().hex[:12]}", base_currency="X", quote_currency="Y")
    # arrival: a permutation of the trades plus resent copies, cut into batches
    arrival = data.draw(st.permutations(trades)) + data.draw(st.lists(st.sampled_from(trades), max_size=10))
    cuts = sorted(data.draw(st.lists(st.integers(0, len(arrival)), max_size=4)))
    batches = [arrival[a:b] for a, b in zip([0, *cuts], [*cuts, len(arrival)], strict=True)]
    roll_after = data.draw(st.integers(0, len(batches)))  # beat may run between any two batches
    for i, batch in enumerate(batches):
        if i == roll_after:
            run_rollup(engine, [symbol.id], wait=True)
        unique = {t[0]: t for t in batch}.values()  # a batch repeating a trade id is deduplicated first
        with engine.begin() as conn:
            insert_trades(conn, [Trade(symbol, t[0], t[1], t[2], t[3], t[4]) for t in unique])
    expected = {m: straight(trades, m) for m in WIDTHS}
    assert {m: stored(engine, symbol.id, m) for m in WIDTHS} == expected  # on-the-fly tail
    run_rollup(engine, [symbol.id], wait=True)
    assert {m: stored(engine, symbol.id, m) for m in WIDTHS} == expected  # rolled up
