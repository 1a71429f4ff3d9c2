"""Member invites: a pending membership until the invitee sets a password; audit log filter indexes

Revision ID: 0013_member_invites
Revises: 0012
Create Date: 2026-12-01

An invite adds the ``members`` row at once (so the email is taken and the role is set) with
``invite_token_hash`` (SHA-256 of the link's token) and ``invited_at``; accepting sets the
password and clears the token. A pending member's ``password_hash`` is a marker that is not an
argon2 hash, so code of the previous release already refuses to log it in. Both columns are
nullable and additive: the previous release keeps working while this runs.

The dashboard's audit log filters (an action, an actor, both) read newest first: with ``id``
after the filtered column each is a backward index range scan that stops after a page, instead of
walking the account's whole log by ``(account_id, id)`` and filtering every row.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013_member_invites"
down_revision: str | Sequence[str] | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = (
    ("ix_audit_logs_account_action_id", "action"),
    ("ix_audit_logs_account_actor_label_id", "actor_label"),
    ("ix_audit_logs_account_actor_id_id", "actor_id"),
)


def upgrade() -> None:
    op.add_column("members", sa.Column("invite_token_hash", sa.String(length=64), nullable=True))
    op.add_column("members", sa.Column("invited_at", sa.DateTime(timezone=True), nullable=True))
    op.create_unique_constraint(op.f("uq_members_invite_token_hash"), "members", ["invite_token_hash"])
    for name, column in INDEXES:
        op.create_index(name, "audit_logs", ["account_id", column, "id"], unique=False)


def downgrade() -> None:
    for name, _ in INDEXES:
        op.drop_index(name, table_name="audit_logs")
    op.drop_constraint(op.f("uq_members_invite_token_hash"), "members", type_="unique")
    op.drop_column("members", "invited_at")
    op.drop_column("members", "invite_token_hash")
