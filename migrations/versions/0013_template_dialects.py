"""Templates in any dialect: chart_templates.dialect (chartjs, quickchart, imagecharts, finance)

Revision ID: 0013_template_dialects
Revises: 0012
Create Date: 2026-12-01

Every existing template is a Chart.js body, which the server default says. Adding a column with a
constant default is a catalogue-only change in Postgres (no table rewrite), and the previous
release, which never reads the column, keeps working.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013_template_dialects"
down_revision: str | Sequence[str] | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "chart_templates",
        sa.Column("dialect", sa.String(20), nullable=False, server_default=sa.text("'chartjs'")),
    )


def downgrade() -> None:
    op.drop_column("chart_templates", "dialect")
