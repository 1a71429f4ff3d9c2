"""Test databases: the seeded plans limit anonymous clients (one IP for the whole suite) to 100
requests per 15 minutes. The shared stack runs with permissive plans so unrelated tests never meet
a limit; plan enforcement is tested on private stacks that keep the seeded terms."""

from __future__ import annotations

from sqlalchemy import create_engine, text

PERMISSIVE = text(
    """
    UPDATE plans SET rate_limit = 1000000, monthly_quota = 1000000000, max_width = 4000, max_height = 4000,
        formats = '{png,jpeg,svg,webp,gif,pdf}', webhooks_allowed = true
    """
)


def relax_plans(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        with engine.begin() as conn:
            conn.execute(PERMISSIVE)
    finally:
        engine.dispose()
