"""render_jobs.spec_hash renamed cache_key: one name for the render cache key everywhere

Revision ID: 0010
Revises: 0006
Create Date: 2026-11-30

Reminder: a rename is not readable by the previous release. Deploy it with the release that reads
``cache_key`` (the column only ever held the cache key, so no data changes).
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.alter_column("render_jobs", "spec_hash", new_column_name="cache_key")
    op.execute("ALTER INDEX ix_render_jobs_spec_hash RENAME TO ix_render_jobs_cache_key")


def downgrade() -> None:
    op.execute("ALTER INDEX ix_render_jobs_cache_key RENAME TO ix_render_jobs_spec_hash")
    op.alter_column("render_jobs", "cache_key", new_column_name="spec_hash")
