"""Dashboard indexes: the render history filtered by status (failed renders, say) over a year

Revision ID: 0011_dashboard_indexes
Revises: 0006
Create Date: 2026-11-30

``(owner, queued_at)`` serves every unfiltered page and the month's aggregates. A status filter
on it walks the account's whole history backwards to find a page of the rare status (EXPLAIN on
a year of history: the backward index scan filtered 10^5 rows for 50 failed ones); with ``status``
second the page is read directly.

The month's aggregates (overview, usage by day, per key and per dialect) read every job of the
month: ``(owner, queued_at) INCLUDE (status, cache_hit, render_ms, dialect, api_key_id,
finished_at)`` answers them with an index-only scan instead of one heap visit per job.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0011_dashboard_indexes"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


COVERED = ["status", "cache_hit", "render_ms", "dialect", "api_key_id", "finished_at"]


def upgrade() -> None:
    op.create_index("ix_render_jobs_owner_status_queued_at", "render_jobs", ["owner", "status", "queued_at"])
    op.create_index(
        "ix_render_jobs_owner_queued_at_covering",
        "render_jobs",
        ["owner", "queued_at"],
        postgresql_include=COVERED,
    )


def downgrade() -> None:
    op.drop_index("ix_render_jobs_owner_queued_at_covering", table_name="render_jobs")
    op.drop_index("ix_render_jobs_owner_status_queued_at", table_name="render_jobs")
