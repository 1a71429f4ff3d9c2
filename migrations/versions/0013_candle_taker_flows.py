"""market candles: quote volume, taker buy count and taker buy quote volume (the order-flow studies'
counts and values), backfilled from the stored trades

Revision ID: 0013_candle_taker_flows
Revises: 0012
Create Date: 2026-12-01

Reminder: this migration must work while the previous release of the code is still running: it
adds nullable columns (the old code writes NULL into them, which reads as "unknown") and fills
the 1-minute candles built from trades; the wider candles are queued for beat's roll-up.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013_candle_taker_flows"
down_revision: str | Sequence[str] | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Each 1-minute candle built from trades gets the sums of its trades. A candle whose stored trade
# count differs from its trades (an imported kline, or trades no longer stored) stays unknown.
_BACKFILL = """
UPDATE market_candles AS c
SET quote_volume = a.quote_volume, taker_buy_count = a.taker_buy_count,
    taker_buy_quote_volume = a.taker_buy_quote_volume
FROM (
    SELECT symbol_id, date_bin('1 minute', time, TIMESTAMPTZ 'epoch') AS bucket, count(*) AS n,
           sum(price * size) AS quote_volume,
           count(*) FILTER (WHERE side = 'b') AS taker_buy_count,
           coalesce(sum(price * size) FILTER (WHERE side = 'b'), 0) AS taker_buy_quote_volume
    FROM market_trades GROUP BY 1, 2
) AS a
WHERE c.symbol_id = a.symbol_id AND c.minutes = 1 AND c.bucket = a.bucket AND NOT c.imported
  AND c.trade_count = a.n
"""
# The roll-up rewrites every wider candle above a filled minute (imported ones excepted).
_REROLL = """
INSERT INTO market_rollup_dirty (symbol_id, start_at, end_at)
SELECT symbol_id, min(bucket), max(bucket) + INTERVAL '1 minute' FROM market_candles
WHERE minutes = 1 AND taker_buy_count IS NOT NULL
GROUP BY symbol_id, date_bin('1 day', bucket, TIMESTAMPTZ 'epoch')
"""


def upgrade() -> None:
    op.add_column("market_candles", sa.Column("quote_volume", sa.Numeric(), nullable=True))
    op.add_column("market_candles", sa.Column("taker_buy_count", sa.BigInteger(), nullable=True))
    op.add_column("market_candles", sa.Column("taker_buy_quote_volume", sa.Numeric(), nullable=True))
    op.execute(_BACKFILL)
    op.execute(_REROLL)


def downgrade() -> None:
    op.drop_column("market_candles", "taker_buy_quote_volume")
    op.drop_column("market_candles", "taker_buy_count")
    op.drop_column("market_candles", "quote_volume")
