"""accounts: signing secret for Image-Charts style signed URLs (icac/ichm)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21

Reminder: this migration must work while the previous release of the code is still running.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # The secret must be usable to compute HMACs, so it cannot be hashed; it is stored encrypted
    # by the application (see core/services/signing.py).
    op.add_column("accounts", sa.Column("signing_secret", sa.Text(), nullable=True))
    op.add_column(
        "accounts", sa.Column("signing_secret_rotated_at", sa.DateTime(timezone=True), nullable=True)
    )


def downgrade() -> None:
    op.drop_column("accounts", "signing_secret_rotated_at")
    op.drop_column("accounts", "signing_secret")
