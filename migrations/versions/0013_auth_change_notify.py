"""auth-change notifications: every change to keys, accounts or plans NOTIFYs `chartfleet_auth`

Revision ID: 0013_auth_change_notify
Revises: 0012
Create Date: 2026-12-01

The api keeps the principals of API keys (key, account, plan terms) in a process-local cache
(core.services.auth_cache) and LISTENs on this channel: any committed change to the rows a
principal is built from empties every api process's cache at once, whoever wrote it (the api, the
CLI, an operator's SQL). Statement-level triggers: one notification per statement, and Postgres
folds identical notifications of one transaction into one. ``api_keys.last_used_at`` (stamped at
most once a minute per key) is left out: it is not part of a principal.

Reminder: this migration must work while the previous release of the code is still running.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0013_auth_change_notify"
down_revision: str | Sequence[str] | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CHANNEL = "chartfleet_auth"
KEY_COLUMNS = "key_hash, revoked_at, expires_at, scopes, account_id, prefix"


def upgrade() -> None:
    op.execute(
        f"""
        CREATE FUNCTION chartfleet_notify_auth_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_notify('{CHANNEL}', TG_TABLE_NAME);
            RETURN NULL;
        END $$
        """
    )
    op.execute(
        f"""
        CREATE TRIGGER api_keys_auth_change AFTER UPDATE OF {KEY_COLUMNS} OR DELETE OR TRUNCATE
        ON api_keys FOR EACH STATEMENT EXECUTE FUNCTION chartfleet_notify_auth_change()
        """
    )
    for table in ("accounts", "plans"):
        op.execute(
            f"""
            CREATE TRIGGER {table}_auth_change AFTER UPDATE OR DELETE OR TRUNCATE
            ON {table} FOR EACH STATEMENT EXECUTE FUNCTION chartfleet_notify_auth_change()
            """
        )


def downgrade() -> None:
    for table in ("api_keys", "accounts", "plans"):
        op.execute(f"DROP TRIGGER IF EXISTS {table}_auth_change ON {table}")
    op.execute("DROP FUNCTION IF EXISTS chartfleet_notify_auth_change()")
