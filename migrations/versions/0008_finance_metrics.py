"""finance: the exchange a market symbol trades on (matched by finance snapshot symbols)

Revision ID: 0008_finance_metrics
Revises: 0006
Create Date: 2026-11-30

Reminder: this migration must work while the previous release of the code is still running: it only
adds a nullable column.
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


def downgrade() -> None:
    op.drop_column("market_symbols", "exchange")
