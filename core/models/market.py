"""Market data: symbols and their aliases, trades (partitioned by time), candles and the roll-up queue.

Prices and sizes are ``numeric``: candles must add up to exactly what an exchange publishes (a
5-minute volume is the exact decimal sum of five 1-minute volumes), which binary floats cannot do.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import (
    CHAR,
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    SmallInteger,
    String,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base

# Partitions of market_trades live in their own schema: they are created on demand by the
# ingestion code (one per month), not declared here, and Alembic compares only `public`.
TRADE_PARTITION_SCHEMA = "market_trade_partitions"
CANDLE_MINUTES = (1, 5, 15, 30, 60, 120, 240, 1440)


class MarketSymbol(Base):
    __tablename__ = "market_symbols"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)  # canonical, e.g. BTC_USDC_PERP
    # Stable hex feed id ("0x" + 64 hex digits) derived from the canonical name at creation.
    feed_id: Mapped[str] = mapped_column(String(66), unique=True)
    base_currency: Mapped[str] = mapped_column(String(16))
    quote_currency: Mapped[str] = mapped_column(String(16))
    group_name: Mapped[str] = mapped_column(String(32), index=True)
    description: Mapped[str] = mapped_column(String(200), default="")
    # Upper-case exchange (BINANCE, ...) that `EXCHANGE:NAME` snapshot symbols are matched against.
    exchange: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())


class MarketSymbolAlias(Base):
    """Every name a symbol answers to, upper-cased (the canonical name is one of them), so that
    resolution is one case-insensitive primary-key lookup and no two symbols share a name."""

    __tablename__ = "market_symbol_aliases"

    alias: Mapped[str] = mapped_column(String(64), primary_key=True)
    symbol_id: Mapped[int] = mapped_column(ForeignKey("market_symbols.id", ondelete="CASCADE"), index=True)


class MarketTrade(Base):
    """One trade. The unique key includes ``time`` because a time-partitioned table can only enforce
    uniqueness that contains the partition key; a trade's time never changes, so (symbol, time,
    trade id) identifies the same trade as (symbol, trade id)."""

    __tablename__ = "market_trades"
    __table_args__ = (
        CheckConstraint("side IN ('b', 's')", name="side_valid"),
        {"postgresql_partition_by": "RANGE (time)"},
    )

    symbol_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    time: Mapped[dt.datetime] = mapped_column(primary_key=True)
    trade_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    price: Mapped[Decimal] = mapped_column(Numeric)
    size: Mapped[Decimal] = mapped_column(Numeric)
    side: Mapped[str] = mapped_column(CHAR(1))  # taker side: b = buy, s = sell


class MarketCandle(Base):
    """A candle of ``minutes`` width starting at ``bucket`` (UTC-aligned). 1-minute candles are
    maintained as trades arrive; wider ones are rolled up by beat from the next finer width.
    ``imported`` rows came from an exchange's klines and are never overwritten by a roll-up.
    ``first_*``/``last_*`` (1-minute rows only) name the trades that set open and close, so that
    late or out-of-order trades merge into the candle exactly."""

    __tablename__ = "market_candles"
    __table_args__ = (
        CheckConstraint(f"minutes IN {CANDLE_MINUTES}", name="minutes_valid"),
        CheckConstraint("low <= high", name="low_le_high"),
        # Live 1-minute candles are updated in place many times: room on the page keeps those HOT.
        {"postgresql_with": {"fillfactor": "90"}},
    )

    symbol_id: Mapped[int] = mapped_column(Integer, primary_key=True)  # no FK: see migration 0003
    minutes: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    bucket: Mapped[dt.datetime] = mapped_column(primary_key=True)
    open: Mapped[Decimal] = mapped_column(Numeric)
    high: Mapped[Decimal] = mapped_column(Numeric)
    low: Mapped[Decimal] = mapped_column(Numeric)
    close: Mapped[Decimal] = mapped_column(Numeric)
    volume: Mapped[Decimal] = mapped_column(Numeric)
    trade_count: Mapped[int | None] = mapped_column(BigInteger)  # unknown for some klines
    taker_buy_volume: Mapped[Decimal | None] = mapped_column(Numeric)
    # Sum of price x size (the quote currency's volume), and the taker buys' count and quote volume:
    # the order-flow studies' counts and values (sells are the rest). NULL: unknown (klines lacking them).
    quote_volume: Mapped[Decimal | None] = mapped_column(Numeric)
    taker_buy_count: Mapped[int | None] = mapped_column(BigInteger)
    taker_buy_quote_volume: Mapped[Decimal | None] = mapped_column(Numeric)
    imported: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    first_at: Mapped[dt.datetime | None]
    first_id: Mapped[int | None] = mapped_column(BigInteger)
    last_at: Mapped[dt.datetime | None]
    last_id: Mapped[int | None] = mapped_column(BigInteger)


class MarketRollupDirty(Base):
    """A time span of one symbol whose 1-minute (or imported) candles changed since the last
    roll-up. Beat consumes these rows; queries recompute the spans still listed on the fly."""

    __tablename__ = "market_rollup_dirty"
    __table_args__ = (Index("ix_market_rollup_dirty_symbol_start", "symbol_id", "start_at"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    symbol_id: Mapped[int] = mapped_column(Integer)
    start_at: Mapped[dt.datetime]
    end_at: Mapped[dt.datetime]
    created_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())


class MarketMetric(Base):
    """A value of a metric series a customer pushes for a symbol (open interest, funding rate,
    long/short ratio...): either one ``value`` or an OHLC of the metric over its period. The finance
    snapshots draw them as studies (docs/finance.md)."""

    __tablename__ = "market_metrics"
    __table_args__ = (
        CheckConstraint(
            "(value IS NOT NULL) <> (open IS NOT NULL AND high IS NOT NULL AND low IS NOT NULL "
            "AND close IS NOT NULL)",
            name="value_or_ohlc",
        ),
    )

    symbol_id: Mapped[int] = mapped_column(
        ForeignKey("market_symbols.id", ondelete="CASCADE"), primary_key=True
    )
    metric: Mapped[str] = mapped_column(String(64), primary_key=True)
    time: Mapped[dt.datetime] = mapped_column(primary_key=True)
    value: Mapped[Decimal | None] = mapped_column(Numeric)
    open: Mapped[Decimal | None] = mapped_column(Numeric)
    high: Mapped[Decimal | None] = mapped_column(Numeric)
    low: Mapped[Decimal | None] = mapped_column(Numeric)
    close: Mapped[Decimal | None] = mapped_column(Numeric)
