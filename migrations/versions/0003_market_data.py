"""market data: symbols and aliases, trades partitioned by month, candles, the roll-up queue

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21

Only built-in Postgres features: declarative range partitioning for trades (partitions are created
on demand by the ingestion code, in their own schema), plain tables for candles.

Reminder: this migration must work while the previous release of the code is still running.
"""

import hashlib
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PARTITION_SCHEMA = "market_trade_partitions"

# The symbols candles-endpoint.txt documents as supported, so its examples work on a fresh install.
# (name, alias, base, quote, description)
SEED_SYMBOLS = [
    ("BTC_USDC_PERP", "BTCUSDT", "BTC", "USDC", "Bitcoin perpetual future"),
    ("ETH_USDC_PERP", "ETHUSDT", "ETH", "USDC", "Ethereum perpetual future"),
    ("SOL_USDC_PERP", "SOLUSDT", "SOL", "USDC", "Solana perpetual future"),
]


def _feed_id(name: str) -> str:
    # Same formula as core.services.market.symbols.feed_id_for (a unit test keeps them equal);
    # copied so this migration never changes when the application code does.
    return "0x" + hashlib.sha256(f"chartfleet-feed:{name.upper()}".encode()).hexdigest()


def upgrade() -> None:
    op.create_table(
        "market_symbols",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("feed_id", sa.String(length=66), nullable=False),
        sa.Column("base_currency", sa.String(length=16), nullable=False),
        sa.Column("quote_currency", sa.String(length=16), nullable=False),
        sa.Column("group_name", sa.String(length=32), nullable=False),
        sa.Column("description", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_market_symbols")),
        sa.UniqueConstraint("feed_id", name=op.f("uq_market_symbols_feed_id")),
        sa.UniqueConstraint("name", name=op.f("uq_market_symbols_name")),
    )
    op.create_index(op.f("ix_market_symbols_group_name"), "market_symbols", ["group_name"], unique=False)
    op.create_table(
        "market_symbol_aliases",
        sa.Column("alias", sa.String(length=64), nullable=False),
        sa.Column("symbol_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["symbol_id"],
            ["market_symbols.id"],
            name=op.f("fk_market_symbol_aliases_symbol_id_market_symbols"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("alias", name=op.f("pk_market_symbol_aliases")),
    )
    op.create_index(
        op.f("ix_market_symbol_aliases_symbol_id"), "market_symbol_aliases", ["symbol_id"], unique=False
    )
    # No foreign keys from trades and candles to market_symbols: the check costs a lookup per row on
    # bulk loads (about a tenth of a sparse COPY), and symbols are never deleted.
    op.create_table(
        "market_trades",
        sa.Column("symbol_id", sa.Integer(), nullable=False),
        sa.Column("time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("trade_id", sa.BigInteger(), nullable=False),
        sa.Column("price", sa.Numeric(), nullable=False),
        sa.Column("size", sa.Numeric(), nullable=False),
        sa.Column("side", sa.CHAR(length=1), nullable=False),
        sa.CheckConstraint("side IN ('b', 's')", name=op.f("ck_market_trades_side_valid")),
        sa.PrimaryKeyConstraint("symbol_id", "time", "trade_id", name=op.f("pk_market_trades")),
        postgresql_partition_by="RANGE (time)",
    )
    op.execute(f"CREATE SCHEMA IF NOT EXISTS {PARTITION_SCHEMA}")
    op.create_table(
        "market_candles",
        sa.Column("symbol_id", sa.Integer(), nullable=False),
        sa.Column("minutes", sa.SmallInteger(), nullable=False),
        sa.Column("bucket", sa.DateTime(timezone=True), nullable=False),
        sa.Column("open", sa.Numeric(), nullable=False),
        sa.Column("high", sa.Numeric(), nullable=False),
        sa.Column("low", sa.Numeric(), nullable=False),
        sa.Column("close", sa.Numeric(), nullable=False),
        sa.Column("volume", sa.Numeric(), nullable=False),
        sa.Column("trade_count", sa.BigInteger(), nullable=True),
        sa.Column("taker_buy_volume", sa.Numeric(), nullable=True),
        sa.Column("imported", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("first_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("first_id", sa.BigInteger(), nullable=True),
        sa.Column("last_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_id", sa.BigInteger(), nullable=True),
        sa.CheckConstraint("low <= high", name=op.f("ck_market_candles_low_le_high")),
        sa.CheckConstraint(
            "minutes IN (1, 5, 15, 30, 60, 120, 240, 1440)", name=op.f("ck_market_candles_minutes_valid")
        ),
        sa.PrimaryKeyConstraint("symbol_id", "minutes", "bucket", name=op.f("pk_market_candles")),
        # Live 1-minute candles are updated in place many times; room on the page keeps those
        # updates HOT (no index churn).
        postgresql_with={"fillfactor": "90"},
    )
    op.create_table(
        "market_rollup_dirty",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("symbol_id", sa.Integer(), nullable=False),
        sa.Column("start_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("end_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_market_rollup_dirty")),
    )
    op.create_index(
        "ix_market_rollup_dirty_symbol_start", "market_rollup_dirty", ["symbol_id", "start_at"], unique=False
    )

    symbols = sa.table(
        "market_symbols",
        sa.column("id", sa.Integer),
        sa.column("name", sa.String),
        sa.column("feed_id", sa.String),
        sa.column("base_currency", sa.String),
        sa.column("quote_currency", sa.String),
        sa.column("group_name", sa.String),
        sa.column("description", sa.String),
    )
    aliases = sa.table(
        "market_symbol_aliases", sa.column("alias", sa.String), sa.column("symbol_id", sa.Integer)
    )
    conn = op.get_bind()
    for name, alias, base, quote, description in SEED_SYMBOLS:
        symbol_id = conn.execute(
            symbols.insert()
            .values(
                name=name,
                feed_id=_feed_id(name),
                base_currency=base,
                quote_currency=quote,
                group_name="crypto",
                description=description,
            )
            .returning(symbols.c.id)
        ).scalar_one()
        conn.execute(
            aliases.insert(),
            [{"alias": name, "symbol_id": symbol_id}, {"alias": alias, "symbol_id": symbol_id}],
        )


def downgrade() -> None:
    op.drop_index("ix_market_rollup_dirty_symbol_start", table_name="market_rollup_dirty")
    op.drop_table("market_rollup_dirty")
    op.drop_table("market_candles")
    op.execute("DROP TABLE market_trades CASCADE")  # and every partition
    op.execute(f"DROP SCHEMA IF EXISTS {PARTITION_SCHEMA} CASCADE")
    op.drop_index(op.f("ix_market_symbol_aliases_symbol_id"), table_name="market_symbol_aliases")
    op.drop_table("market_symbol_aliases")
    op.drop_index(op.f("ix_market_symbols_group_name"), table_name="market_symbols")
    op.drop_table("market_symbols")
