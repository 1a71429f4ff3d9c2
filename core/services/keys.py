"""API keys: generation, format check, hashing, lookup, scopes, expiry, roll and revocation.

A key looks like ``pk_live_<30 base62 chars><6 base62 checksum chars>``. The checksum (CRC32 of the
rest) lets us refuse a mistyped or truncated key before touching the database. Only the SHA-256 of
the whole key is stored; the first 16 characters are kept as the visible prefix.

Scopes: ``render`` (render and submit jobs), ``read`` (the read-only management endpoints: stats,
render history, usage) and ``manage`` (everything in the management API, keys and settings
included; it implies ``read``). A revoked or expired key is refused on its next request: the api
caches principals per process only while it hears every change to keys, accounts and plans
(core.services.auth_cache), and never past a key's expiry.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import ipaddress
import re
import secrets
import uuid
import zlib
from collections.abc import Iterable
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from core.db import utcnow
from core.models import Account, ApiKey, Plan
from core.services import audit
from core.services.plans import PlanTerms

_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_BODY_LEN = 30
_CHECK_LEN = 6
KEY_PATTERN = re.compile(rf"^pk_(live|test)_[0-9A-Za-z]{{{_BODY_LEN + _CHECK_LEN}}}$")
VISIBLE_PREFIX_LEN = 16
SCOPES = ("render", "read", "manage")
DEFAULT_SCOPES = ("render", "read")
MAX_ROLL_GRACE = dt.timedelta(days=30)
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)  # one write per key per minute, not per request


class KeyRequestError(ValueError):
    """An invalid request about keys (bad scopes, an expiry in the past, an unknown key)."""


@dataclasses.dataclass(frozen=True)
class Principal:
    """Who a request acts for: an account (through a key or a dashboard session) or an anonymous
    client IP, and the plan terms it runs under (None: look them up when needed)."""

    client_ip: str
    account_id: uuid.UUID | None = None
    api_key_id: uuid.UUID | None = None
    member_id: uuid.UUID | None = None
    # None means unrestricted (a principal built by code, not from a key).
    scopes: frozenset[str] | None = None
    plan: PlanTerms | None = None
    custom_domain: str | None = None
    label: str | None = None  # a key prefix or a member's email, for audit rows
    key_expires_at: dt.datetime | None = None  # the API key's own expiry, if it has one

    @property
    def owner(self) -> str:
        return f"account:{self.account_id}" if self.account_id else f"ip:{self.client_ip}"

    @property
    def anonymous(self) -> bool:
        return self.account_id is None

    @property
    def usage_owner(self) -> str:
        """Whom renders are counted against: the account, or the client's network (an IPv6
        client is counted per /64, since one host is usually given a whole /64)."""
        return self.owner if self.account_id else f"ip:{network_of(self.client_ip)}"

    @property
    def rate_bucket(self) -> str:
        if self.api_key_id:
            return f"key:{self.api_key_id}"
        if self.member_id:
            return f"member:{self.member_id}"
        if self.account_id:  # e.g. a signed URL: the account, whatever the address
            return f"account:{self.account_id}"
        return f"ip:{network_of(self.client_ip)}"

    def allows(self, scope: str) -> bool:
        if self.scopes is None:
            return True
        return scope in self.scopes or (scope == "read" and "manage" in self.scopes)

    def actor(self, request_id: str | None = None) -> audit.Actor:
        if self.api_key_id:
            return audit.Actor("api_key", str(self.api_key_id), self.label, self.client_ip, request_id)
        if self.member_id:
            return audit.Actor("member", str(self.member_id), self.label, self.client_ip, request_id)
        return audit.Actor("system", None, "anonymous", self.client_ip, request_id)


def network_of(ip: str) -> str:
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return ip
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


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


def normalize_scopes(scopes: Iterable[str]) -> list[str]:
    wanted = {s.strip().lower() for s in scopes if s and s.strip()}
    unknown = sorted(wanted - set(SCOPES))
    if unknown:
        raise KeyRequestError(f"unknown scope(s) {', '.join(unknown)}; scopes are {', '.join(SCOPES)}")
    if not wanted:
        raise KeyRequestError("a key needs at least one scope")
    return [s for s in SCOPES if s in wanted]


def issue_key(
    session: Session,
    account: Account,
    *,
    name: str = "",
    environment: str = "live",
    scopes: Iterable[str] = DEFAULT_SCOPES,
    expires_at: dt.datetime | None = None,
    actor: audit.Actor | None = None,
) -> tuple[ApiKey, str]:
    """Store a new key for ``account``; returns the row and the full key (its only time in clear).
    With an ``actor`` the creation is audited in the same transaction."""
    if expires_at is not None and expires_at <= utcnow():
        raise KeyRequestError("expiresAt must be in the future")
    key = generate_key(environment)
    row = ApiKey(
        account_id=account.id,
        name=name[:200],
        prefix=key[:VISIBLE_PREFIX_LEN],
        key_hash=hash_key(key),
        scopes=normalize_scopes(scopes),
        expires_at=expires_at,
    )
    session.add(row)
    session.flush()
    if actor is not None:
        audit.record(session, "api_key.created", actor, account.id, ("api_key", row.id), after=key_view(row))
    return row, key


def _usable(now: Any = None) -> list[Any]:
    moment = now if now is not None else utcnow()
    return [ApiKey.revoked_at.is_(None), or_(ApiKey.expires_at.is_(None), ApiKey.expires_at > moment)]


def find_active_key(session: Session, key: str) -> ApiKey | None:
    """The usable (not revoked, not expired) key matching ``key``; stamps its last-used time."""
    if not well_formed(key):
        return None
    api_key = session.scalars(select(ApiKey).where(ApiKey.key_hash == hash_key(key), *_usable())).first()
    if api_key is not None:
        _touch(session, api_key.id)
    return api_key


def authenticate_key(session: Session, key: str, client_ip: str) -> Principal | None:
    """The principal for a presented key, with its account's plan terms, or None when the key is
    malformed (no query at all), unknown, revoked or expired."""
    if not well_formed(key):
        return None
    row = session.execute(
        select(
            ApiKey.id,
            ApiKey.prefix,
            ApiKey.scopes,
            ApiKey.expires_at,
            Account.id,
            Account.trial_ends_at,
            Account.custom_domain,
            Plan,
        )
        .join(Account, Account.id == ApiKey.account_id)
        .join(Plan, Plan.name == Account.plan_name)
        .where(ApiKey.key_hash == hash_key(key), *_usable())
    ).first()
    if row is None:
        return None
    key_id, prefix, scopes, key_expires_at, account_id, trial_ends_at, custom_domain, plan = row
    _touch(session, key_id)
    return Principal(
        client_ip=client_ip,
        account_id=account_id,
        api_key_id=key_id,
        scopes=frozenset(scopes),
        plan=PlanTerms.of(plan, trial_ends_at),
        custom_domain=custom_domain,
        label=prefix,
        key_expires_at=key_expires_at,
    )


def _touch(session: Session, key_id: uuid.UUID) -> None:
    now = utcnow()
    session.execute(
        update(ApiKey)
        .where(
            ApiKey.id == key_id,
            or_(ApiKey.last_used_at.is_(None), ApiKey.last_used_at < now - LAST_USED_RESOLUTION),
        )
        .values(last_used_at=now)
    )


def key_view(row: ApiKey) -> dict[str, Any]:
    """A key as people see it (never the key itself)."""
    now = utcnow()
    if row.revoked_at is not None:
        status = "revoked"
    elif row.expires_at is not None and row.expires_at <= now:
        status = "expired"
    else:
        status = "active"
    return {
        "id": row.id,
        "name": row.name,
        "prefix": row.prefix,
        "scopes": list(row.scopes),
        "status": status,
        "createdAt": row.created_at,
        "lastUsedAt": row.last_used_at,
        "expiresAt": row.expires_at,
        "revokedAt": row.revoked_at,
        "replacedById": row.replaced_by_id,
    }


def list_keys(session: Session, account_id: uuid.UUID, *, include_revoked: bool = True) -> list[ApiKey]:
    query = select(ApiKey).where(ApiKey.account_id == account_id)
    if not include_revoked:
        query = query.where(ApiKey.revoked_at.is_(None))
    return list(session.scalars(query.order_by(ApiKey.created_at.desc(), ApiKey.id)))


def get_key(session: Session, account_id: uuid.UUID, key_id: uuid.UUID, *, lock: bool = False) -> ApiKey:
    query = select(ApiKey).where(ApiKey.id == key_id, ApiKey.account_id == account_id)
    if lock:
        query = query.with_for_update()
    row = session.scalars(query).first()
    if row is None:
        raise LookupError(f"API key {key_id} not found")
    return row


def revoke_key(session: Session, account_id: uuid.UUID, key_id: uuid.UUID, actor: audit.Actor) -> ApiKey:
    """Revoke now (audited); the key's next request gets 401. Revoking twice changes nothing."""
    row = get_key(session, account_id, key_id, lock=True)
    if row.revoked_at is not None:
        return row
    with audit.change(
        session, "api_key.revoked", actor, account_id, ("api_key", row.id), lambda: key_view(row)
    ):
        row.revoked_at = utcnow()
    return row


def roll_key(
    session: Session,
    account_id: uuid.UUID,
    key_id: uuid.UUID,
    old_key_expires_at: dt.datetime,
    actor: audit.Actor,
) -> tuple[ApiKey, str]:
    """Issue a replacement with the same name, scopes and expiry; the old key keeps working until
    ``old_key_expires_at`` (at most 30 days away; now means at once). Audited."""
    row = get_key(session, account_id, key_id, lock=True)
    now = utcnow()
    if row.revoked_at is not None or (row.expires_at is not None and row.expires_at <= now):
        raise KeyRequestError("only an active key can be rolled")
    if old_key_expires_at > now + MAX_ROLL_GRACE:
        raise KeyRequestError("the old key may stay valid for at most 30 days")
    old_key_expires_at = max(old_key_expires_at, now)
    if row.expires_at is not None:
        old_key_expires_at = min(old_key_expires_at, row.expires_at)
    before = key_view(row)
    account = session.get(Account, account_id)
    environment = "test" if row.prefix.startswith("pk_test_") else "live"
    expires = row.expires_at if row.expires_at is None or row.expires_at > now else None
    new_row, key = issue_key(
        session, account, name=row.name, environment=environment, scopes=row.scopes, expires_at=expires
    )
    row.expires_at = old_key_expires_at
    row.replaced_by_id = new_row.id
    session.flush()
    audit.record(
        session,
        "api_key.rolled",
        actor,
        account_id,
        ("api_key", row.id),
        before=before,
        after={"old": key_view(row), "new": key_view(new_row)},
    )
    return new_row, key
