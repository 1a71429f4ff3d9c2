"""Member invites: a pending membership until the invitee sets a password

Revision ID: 0013_member_invites
Revises: 0012
Create Date: 2026-12-01

An invite adds the ``members`` row at once (so the email is taken and the role is set) with
``invite_token_hash`` (SHA-256 of the link's token) and ``invited_at``; accepting sets the
password and clears the token. A pending member's ``password_hash`` is a marker that is not an
argon2 hash, so code of the previous release already refuses to log it in. Both columns are
nullable and additive: the previous release keeps working while this runs.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013_member_invites"
down_revision: str | Sequence[str] | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("members", sa.Column("invite_token_hash", sa.String(length=64), nullable=True))
    op.add_column("members", sa.Column("invited_at", sa.DateTime(timezone=True), nullable=True))
    op.create_unique_constraint(op.f("uq_members_invite_token_hash"), "members", ["invite_token_hash"])


def downgrade() -> None:
    op.drop_constraint(op.f("uq_members_invite_token_hash"), "members", type_="unique")
    op.drop_column("members", "invited_at")
    op.drop_column("members", "invite_token_hash")
