"""finance: the exchange of a market symbol, and the metric series customers push for symbols

Revision ID: 0008_finance_metrics
Revises: 0006
Create Date: 2026-11-30

Reminder: this migration must work while the previous release of the code is still running: it only
adds a nullable column and a table.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_finance_metrics"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("market_symbols", sa.Column("exchange", sa.String(length=32), nullable=True))
    op.create_table(
        "market_metrics",
        sa.Column("symbol_id", sa.Integer(), nullable=False),
        sa.Column("metric", sa.String(length=64), nullable=False),
        sa.Column("time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("value", sa.Numeric(), nullable=True),
        sa.Column("open", sa.Numeric(), nullable=True),
        sa.Column("high", sa.Numeric(), nullable=True),
        sa.Column("low", sa.Numeric(), nullable=True),
        sa.Column("close", sa.Numeric(), nullable=True),
        sa.CheckConstraint(
            "(value IS NOT NULL) <> (open IS NOT NULL AND high IS NOT NULL AND low IS NOT NULL "
            "AND close IS NOT NULL)",
            name=op.f("ck_market_metrics_value_or_ohlc"),
        ),
        sa.ForeignKeyConstraint(
            ["symbol_id"],
            ["market_symbols.id"],
            name=op.f("fk_market_metrics_symbol_id_market_symbols"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("symbol_id", "metric", "time", name=op.f("pk_market_metrics")),
    )


def downgrade() -> None:
    op.drop_table("market_metrics")
    op.drop_column("market_symbols", "exchange")
