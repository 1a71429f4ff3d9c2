"""People of an account and their dashboard sessions."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, func, text
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base


class Member(Base):
    """A person who logs in to the dashboard. ``email`` is stored lower-cased; the password only as
    an argon2id hash."""

    __tablename__ = "members"
    __table_args__ = (CheckConstraint("role IN ('owner', 'member')", name="role_valid"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, server_default=text("gen_random_uuid()"))
    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(Text)
    role: Mapped[str] = mapped_column(String(20), default="member")
    created_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())
    last_login_at: Mapped[dt.datetime | None]
    # A pending invite: SHA-256 of the invite link's token (cleared once accepted), and when it was
    # sent. A pending member's password_hash is core.services.members.INVITED (never a real hash).
    invite_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    invited_at: Mapped[dt.datetime | None]

    @property
    def pending(self) -> bool:
        return self.invite_token_hash is not None


class MemberSession(Base):
    """A dashboard session. The cookie holds a random token; only its SHA-256 is stored, so a
    database dump cannot be replayed as a login. Log-out revokes the row."""

    __tablename__ = "member_sessions"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, server_default=text("gen_random_uuid()"))
    member_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())
    expires_at: Mapped[dt.datetime]
    revoked_at: Mapped[dt.datetime | None]
    ip: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(300))
