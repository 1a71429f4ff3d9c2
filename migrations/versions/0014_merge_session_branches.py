"""merge the branches of the auth-change notifications (0013_auth_change_notify), candle taker
flows (0013_candle_taker_flows), member invites (0013_member_invites) and template dialects
(0013_template_dialects)

Revision ID: 0014
Revises: 0013_auth_change_notify, 0013_candle_taker_flows, 0013_member_invites, 0013_template_dialects
Create Date: 2026-12-01

Reminder: this migration must work while the previous release of the code is still running.
"""

from collections.abc import Sequence

revision: str = "0014"
down_revision: str | Sequence[str] | None = (
    "0013_auth_change_notify",
    "0013_candle_taker_flows",
    "0013_member_invites",
    "0013_template_dialects",
)
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
