"""merge the market-data (0003) and accounts (0004) branches

Revision ID: 0005
Revises: 0003, 0004
Create Date: 2026-11-21

Reminder: this migration must work while the previous release of the code is still running.
"""

from collections.abc import Sequence

revision: str = "0005"
down_revision: str | Sequence[str] | None = ("0003", "0004")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
