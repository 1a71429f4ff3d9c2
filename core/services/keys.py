"""API keys: generation, format check, hashing and lookup.

A key looks like ``pk_live_<30 base62 chars><6 base62 checksum chars>``. The checksum (CRC32 of the
rest) lets us refuse a mistyped or truncated key before touching the database. Only the SHA-256 of
the whole key is stored; the first 16 characters are kept as the visible prefix.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
import secrets
import uuid
import zlib

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from core.db import utcnow
from core.models import Account, ApiKey

_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_BODY_LEN = 30
_CHECK_LEN = 6
KEY_PATTERN = re.compile(rf"^pk_(live|test)_[0-9A-Za-z]{{{_BODY_LEN + _CHECK_LEN}}}$")
VISIBLE_PREFIX_LEN = 16


@dataclasses.dataclass(frozen=True)
class Principal:
    """Who a request acts for: an account (through a key) or an anonymous client IP."""

    client_ip: str
    account_id: uuid.UUID | None = None
    api_key_id: uuid.UUID | None = None

    @property
    def owner(self) -> str:
        return f"account:{self.account_id}" if self.account_id else f"ip:{self.client_ip}"

    @property
    def anonymous(self) -> bool:
        return self.account_id is None


def _base62(n: int, width: int) -> str:
    out = []
    for _ in range(width):
        n, r = divmod(n, 62)
        out.append(_ALPHABET[r])
    return "".join(reversed(out))


def _checksum(head: str) -> str:
    return _base62(zlib.crc32(head.encode()), _CHECK_LEN)


def generate_key(environment: str = "live") -> str:
    """A new random API key (about 178 bits of entropy)."""
    if environment not in ("live", "test"):
        raise ValueError("environment must be 'live' or 'test'")
    body = "".join(secrets.choice(_ALPHABET) for _ in range(_BODY_LEN))
    head = f"pk_{environment}_{body}"
    return head + _checksum(head)


def well_formed(key: str) -> bool:
    """True when ``key`` has the right shape and checksum (no database needed)."""
    if not KEY_PATTERN.match(key):
        return False
    return _checksum(key[:-_CHECK_LEN]) == key[-_CHECK_LEN:]


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create_api_key(session: Session, account: Account, name: str = "", environment: str = "live") -> str:
    """Store a new key for ``account`` and return the full key (the only time it exists in clear)."""
    key = generate_key(environment)
    session.add(
        ApiKey(account_id=account.id, name=name, prefix=key[:VISIBLE_PREFIX_LEN], key_hash=hash_key(key))
    )
    session.flush()
    return key


def find_active_key(session: Session, key: str) -> ApiKey | None:
    """The active (not revoked) key matching ``key``; stamps its last-used time."""
    if not well_formed(key):
        return None
    api_key = session.scalars(
        select(ApiKey).where(ApiKey.key_hash == hash_key(key), ApiKey.revoked_at.is_(None))
    ).first()
    if api_key is not None:
        session.execute(update(ApiKey).where(ApiKey.id == api_key.id).values(last_used_at=utcnow()))
    return api_key


def get_or_create_account(session: Session, name: str) -> Account:
    account = session.scalars(select(Account).where(Account.name == name)).first()
    if account is None:
        account = Account(name=name)
        session.add(account)
        session.flush()
    return account
