"""Accounts and their API keys. Plans: core/models/plans.py; members: core/models/members.py."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import ForeignKey, String, Text, func, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base


class Account(Base):
    __tablename__ = "accounts"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, server_default=text("gen_random_uuid()"))
    name: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())
    plan_name: Mapped[str] = mapped_column(
        ForeignKey("plans.name", onupdate="CASCADE"), server_default="starter", index=True
    )
    trial_ends_at: Mapped[dt.datetime | None]  # meaningful while the plan is "trial"
    # Host used in the URLs the API returns for this account (a CNAME to this deployment).
    custom_domain: Mapped[str | None] = mapped_column(String(253), unique=True)
    # Secret for signed Image-Charts URLs (icac/ichm), stored encrypted; see core/services/signing.py.
    signing_secret: Mapped[str | None] = mapped_column(Text)
    signing_secret_rotated_at: Mapped[dt.datetime | None]

    keys: Mapped[list[ApiKey]] = relationship(back_populates="account")


class ApiKey(Base):
    """An API key. Only the SHA-256 of the full key is stored; ``prefix`` is what people see."""

    __tablename__ = "api_keys"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, server_default=text("gen_random_uuid()"))
    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    prefix: Mapped[str] = mapped_column(String(32))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())
    last_used_at: Mapped[dt.datetime | None]  # refreshed at most once a minute
    revoked_at: Mapped[dt.datetime | None]
    expires_at: Mapped[dt.datetime | None]
    scopes: Mapped[list[str]] = mapped_column(ARRAY(String(20)), server_default="{render,read}")
    # Set on a key that was rolled: the key that replaces it (the old one lives until expires_at).
    replaced_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("api_keys.id", ondelete="SET NULL"))

    account: Mapped[Account] = relationship(back_populates="keys")
