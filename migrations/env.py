"""Alembic environment: Postgres only, one transaction per migration, serialized by an advisory lock.

Migrations run once per deploy (Procfile ``release``), never at web start-up. Each migration must
work with the previous release of the code still running.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import text

import core.models  # noqa: F401  (registers every table on Base.metadata)
from core.config import Settings
from core.db import Base, get_engine

MIGRATION_LOCK_ID = 0x43_46_4D_49  # "CFMI": one migrator at a time

config = context.config
target_metadata = Base.metadata


def _url() -> str:
    return config.attributes.get("database_url") or Settings.from_env().database_url


def run_migrations_offline() -> None:
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = get_engine(_url())
    with engine.connect() as connection:
        connection.execute(text("SET lock_timeout = '10s'"))
        connection.execute(text("SET statement_timeout = '300s'"))
        connection.execute(text("SELECT pg_advisory_lock(:id)"), {"id": MIGRATION_LOCK_ID})
        connection.commit()
        try:
            context.configure(
                connection=connection,
                target_metadata=target_metadata,
                transaction_per_migration=True,
                compare_type=True,
            )
            with context.begin_transaction():
                context.run_migrations()
        finally:
            connection.execute(text("SELECT pg_advisory_unlock(:id)"), {"id": MIGRATION_LOCK_ID})
            connection.commit()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
