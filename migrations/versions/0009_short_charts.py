"""short charts: QuickChart-style short URLs (POST /chart/create)

Revision ID: 0009_short_charts
Revises: 0006
Create Date: 2026-11-30

Reminder: this migration must work while the previous release of the code is still running: it only
adds a table.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0009_short_charts"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "short_charts",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=True),
        sa.Column("owner", sa.String(length=80), nullable=False),
        sa.Column("request", postgresql.JSON(astext_type=sa.Text()), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_short_charts_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_short_charts")),
    )
    op.create_index(op.f("ix_short_charts_account_id"), "short_charts", ["account_id"], unique=False)
    op.create_index(op.f("ix_short_charts_expires_at"), "short_charts", ["expires_at"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_short_charts_expires_at"), table_name="short_charts")
    op.drop_index(op.f("ix_short_charts_account_id"), table_name="short_charts")
    op.drop_table("short_charts")
