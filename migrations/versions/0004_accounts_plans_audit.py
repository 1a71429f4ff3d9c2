"""accounts: plans (seeded), members and sessions, key scopes/expiry/roll, usage counters, audit log

Revision ID: 0004
Revises: 0002
Create Date: 2026-11-21

A branch beside 0003 (market data); `chartfleet db upgrade` applies every head.

Reminder: this migration must work while the previous release of the code is still running: every
new column is nullable or has a server default, so the old code's INSERTs keep working.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0004"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STANDARD = ["png", "jpeg", "svg", "webp", "gif"]
WITH_PDF = ["png", "jpeg", "svg", "webp", "gif", "pdf"]

# The catalogue a fresh install starts with; operators change it with `chartfleet plans set`.
# (name, display, quota/month, overage cents per 1,000 or None = hard stop, requests per 15 min,
#  max width, max height, formats, retention days, webhooks, price cents/month, trial days, order)
PLANS = [
    ("anonymous", "Anonymous", 1_000, None, 100, 2000, 2000, STANDARD, 7, False, 0, None, 0),
    ("trial", "Trial", 1_000, None, 100, 4000, 4000, STANDARD, 7, True, 0, 14, 1),
    ("starter", "Starter", 10_000, None, 100, 4000, 4000, STANDARD, 30, True, 1_900, None, 2),
    ("pro", "Pro", 100_000, 100, 1_000, 4000, 4000, WITH_PDF, 90, True, 7_900, None, 3),
    ("enterprise", "Enterprise", 1_000_000, 50, 10_000, 4000, 4000, WITH_PDF, 365, True, 49_900, None, 4),
]

REFUSE_CHANGES = """
CREATE FUNCTION audit_logs_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_logs is append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$
"""


def upgrade() -> None:
    plans = op.create_table(
        "plans",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("display_name", sa.String(length=100), nullable=False),
        sa.Column("monthly_quota", sa.Integer(), nullable=False),
        sa.Column("overage_cents_per_1000", sa.Integer(), nullable=True),
        sa.Column("rate_limit", sa.Integer(), nullable=False),
        sa.Column("rate_window_seconds", sa.Integer(), server_default=sa.text("900"), nullable=False),
        sa.Column("max_width", sa.Integer(), nullable=False),
        sa.Column("max_height", sa.Integer(), nullable=False),
        sa.Column("formats", postgresql.ARRAY(sa.String(length=10)), nullable=False),
        sa.Column("retention_days", sa.Integer(), nullable=False),
        sa.Column("webhooks_allowed", sa.Boolean(), nullable=False),
        sa.Column("price_cents", sa.Integer(), nullable=False),
        sa.Column("trial_days", sa.Integer(), nullable=True),
        sa.Column("sort_order", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("monthly_quota >= 0", name=op.f("ck_plans_quota_not_negative")),
        sa.CheckConstraint(
            "rate_limit > 0 AND rate_window_seconds > 0", name=op.f("ck_plans_rate_limit_positive")
        ),
        sa.CheckConstraint(
            "max_width BETWEEN 100 AND 4000 AND max_height BETWEEN 100 AND 4000",
            name=op.f("ck_plans_max_size"),
        ),
        sa.CheckConstraint("retention_days > 0", name=op.f("ck_plans_retention_positive")),
        sa.CheckConstraint(
            "price_cents >= 0 AND coalesce(overage_cents_per_1000, 0) >= 0", name=op.f("ck_plans_money")
        ),
        sa.CheckConstraint("trial_days IS NULL OR trial_days > 0", name=op.f("ck_plans_trial_days_positive")),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_plans")),
    )
    op.bulk_insert(
        plans,
        [
            {
                "name": name,
                "display_name": display,
                "monthly_quota": quota,
                "overage_cents_per_1000": overage,
                "rate_limit": rate,
                "rate_window_seconds": 900,
                "max_width": width,
                "max_height": height,
                "formats": formats,
                "retention_days": retention,
                "webhooks_allowed": webhooks,
                "price_cents": price,
                "trial_days": trial,
                "sort_order": order,
            }
            for (
                name,
                display,
                quota,
                overage,
                rate,
                width,
                height,
                formats,
                retention,
                webhooks,
                price,
                trial,
                order,
            ) in PLANS
        ],
    )

    op.add_column(
        "accounts", sa.Column("plan_name", sa.String(length=40), server_default="starter", nullable=False)
    )
    op.add_column("accounts", sa.Column("trial_ends_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("accounts", sa.Column("custom_domain", sa.String(length=253), nullable=True))
    op.create_index(op.f("ix_accounts_plan_name"), "accounts", ["plan_name"], unique=False)
    op.create_unique_constraint(op.f("uq_accounts_custom_domain"), "accounts", ["custom_domain"])
    op.create_foreign_key(
        op.f("fk_accounts_plan_name_plans"), "accounts", "plans", ["plan_name"], ["name"], onupdate="CASCADE"
    )

    op.add_column("api_keys", sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column(
        "api_keys",
        sa.Column(
            "scopes", postgresql.ARRAY(sa.String(length=20)), server_default="{render,read}", nullable=False
        ),
    )
    op.add_column("api_keys", sa.Column("replaced_by_id", sa.UUID(), nullable=True))
    op.create_foreign_key(
        op.f("fk_api_keys_replaced_by_id_api_keys"),
        "api_keys",
        "api_keys",
        ["replaced_by_id"],
        ["id"],
        ondelete="SET NULL",
    )

    op.add_column("render_jobs", sa.Column("retention_days", sa.Integer(), nullable=True))

    op.create_table(
        "members",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("account_id", sa.UUID(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("role IN ('owner', 'member')", name=op.f("ck_members_role_valid")),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_members_account_id_accounts"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_members")),
        sa.UniqueConstraint("email", name=op.f("uq_members_email")),
    )
    op.create_index(op.f("ix_members_account_id"), "members", ["account_id"], unique=False)
    op.create_table(
        "member_sessions",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("member_id", sa.UUID(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ip", sa.String(length=64), nullable=True),
        sa.Column("user_agent", sa.String(length=300), nullable=True),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_member_sessions_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_member_sessions")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_member_sessions_token_hash")),
    )
    op.create_index(op.f("ix_member_sessions_member_id"), "member_sessions", ["member_id"], unique=False)

    op.create_table(
        "usage_counters",
        sa.Column("owner", sa.String(length=80), nullable=False),
        sa.Column("period", sa.Date(), nullable=False),
        sa.Column("renders", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("renders >= 0", name=op.f("ck_usage_counters_renders_not_negative")),
        sa.PrimaryKeyConstraint("owner", "period", name=op.f("pk_usage_counters")),
    )

    op.create_table(
        "audit_logs",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("account_id", sa.UUID(), nullable=True),
        sa.Column("actor_type", sa.String(length=20), nullable=False),
        sa.Column("actor_id", sa.String(length=80), nullable=True),
        sa.Column("actor_label", sa.String(length=254), nullable=True),
        sa.Column("action", sa.String(length=80), nullable=False),
        sa.Column("target_type", sa.String(length=40), nullable=True),
        sa.Column("target_id", sa.String(length=80), nullable=True),
        sa.Column("ip", sa.String(length=64), nullable=True),
        sa.Column("request_id", sa.String(length=128), nullable=True),
        sa.Column("before", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("after", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_logs")),
    )
    op.create_index("ix_audit_logs_account_id_id", "audit_logs", ["account_id", "id"], unique=False)
    op.create_index("ix_audit_logs_account_id_action", "audit_logs", ["account_id", "action"], unique=False)
    # Append-only for everyone who cannot drop triggers (see docs/api/accounts.md, "Audit log"): UPDATE and DELETE
    # are refused row by row, TRUNCATE as a statement.
    op.execute(REFUSE_CHANGES)
    op.execute(
        "CREATE TRIGGER audit_logs_no_update_delete BEFORE UPDATE OR DELETE ON audit_logs "
        "FOR EACH ROW EXECUTE FUNCTION audit_logs_append_only()"
    )
    op.execute(
        "CREATE TRIGGER audit_logs_no_truncate BEFORE TRUNCATE ON audit_logs "
        "FOR EACH STATEMENT EXECUTE FUNCTION audit_logs_append_only()"
    )
    op.execute("REVOKE UPDATE, DELETE, TRUNCATE ON audit_logs FROM PUBLIC")


def downgrade() -> None:
    op.drop_table("audit_logs")  # drops its triggers too
    op.execute("DROP FUNCTION audit_logs_append_only()")
    op.drop_table("usage_counters")
    op.drop_index(op.f("ix_member_sessions_member_id"), table_name="member_sessions")
    op.drop_table("member_sessions")
    op.drop_index(op.f("ix_members_account_id"), table_name="members")
    op.drop_table("members")
    op.drop_column("render_jobs", "retention_days")
    op.drop_constraint(op.f("fk_api_keys_replaced_by_id_api_keys"), "api_keys", type_="foreignkey")
    op.drop_column("api_keys", "replaced_by_id")
    op.drop_column("api_keys", "scopes")
    op.drop_column("api_keys", "expires_at")
    op.drop_constraint(op.f("fk_accounts_plan_name_plans"), "accounts", type_="foreignkey")
    op.drop_constraint(op.f("uq_accounts_custom_domain"), "accounts", type_="unique")
    op.drop_index(op.f("ix_accounts_plan_name"), table_name="accounts")
    op.drop_column("accounts", "custom_domain")
    op.drop_column("accounts", "trial_ends_at")
    op.drop_column("accounts", "plan_name")
    op.drop_table("plans")
