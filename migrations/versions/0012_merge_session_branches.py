"""merge the branches of brand kits (0007), finance metrics (0008), short charts (0009), the
cache_key rename (0010) and the dashboard indexes (0011)

Revision ID: 0012
Revises: 0007_brand_kits_templates, 0008_finance_metrics, 0009_short_charts, 0010, 0011_dashboard_indexes
Create Date: 2026-11-30

Reminder: this migration must work while the previous release of the code is still running.
"""

from collections.abc import Sequence

revision: str = "0012"
down_revision: str | Sequence[str] | None = (
    "0007_brand_kits_templates",
    "0008_finance_metrics",
    "0009_short_charts",
    "0010",
    "0011_dashboard_indexes",
)
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
