"""Members (people who log in to the dashboard), their passwords and their sessions.

Passwords are hashed with argon2id (argon2-cffi's ``PasswordHasher`` defaults, the RFC 9106 low-
memory profile); hashes are upgraded on the next log-in when those parameters change. A log-in with
an unknown email still runs one hash verification, so response time does not reveal which emails
exist. Sessions are random tokens; only their SHA-256 is stored, and log-out revokes the row.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import re
import secrets
import uuid

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.db import utcnow
from core.models import Account, Member, MemberSession, Plan
from core.services import audit
from core.services.accounts import create_account
from core.services.keys import Principal
from core.services.plans import PlanTerms

EMAIL = re.compile(r"^[^@\s]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9-]{1,63})+$")
MIN_PASSWORD = 10
MAX_PASSWORD = 1024  # argon2 is happy with more; this bounds the work one request can ask for
ROLES = ("owner", "member")
INVITE_TTL = dt.timedelta(days=7)
# The password_hash of a pending member: not an argon2 hash, so no password ever verifies against it.
INVITED = "!invited"
TAKEN = "Someone with this email already has a Chartfleet login"

_hasher = PasswordHasher()
# Verified against when the email is unknown, so both paths cost one argon2 verification.
_DUMMY_HASH = _hasher.hash(secrets.token_hex(16))


class MemberError(ValueError):
    """A sign-up or member change that cannot be accepted (the message says why)."""


def normalize_email(email: str) -> str:
    value = (email or "").strip().lower()
    if len(value) > 254 or not EMAIL.match(value):
        raise MemberError("Enter a valid email address")
    return value


def check_password(password: str) -> str:
    if len(password or "") < MIN_PASSWORD:
        raise MemberError(f"Passwords need at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise MemberError(f"Passwords may have at most {MAX_PASSWORD} characters")
    return password


def hash_password(password: str) -> str:
    return _hasher.hash(check_password(password))


def add_member(
    session: Session,
    account: Account,
    email: str,
    password: str,
    actor: audit.Actor,
    *,
    role: str = "member",
) -> Member:
    """Add a person to ``account`` (audited). The email must not belong to anyone yet."""
    if role not in ROLES:
        raise MemberError(f"role must be one of {', '.join(ROLES)}")
    email = normalize_email(email)
    if session.scalar(select(func.count()).select_from(Member).where(Member.email == email)):
        raise MemberError("An account with this email already exists; log in instead")
    member = Member(account_id=account.id, email=email, password_hash=hash_password(password), role=role)
    return _insert(
        session, member, "member.added", actor, "An account with this email already exists; log in instead"
    )


def _insert(session: Session, member: Member, action: str, actor: audit.Actor, taken: str) -> Member:
    """Add ``member`` (audited with ``action``); ``taken`` is the error when the email is in use."""
    try:
        with session.begin_nested():
            session.add(member)
            session.flush()
    except IntegrityError as exc:  # the same email, added a moment ago
        raise MemberError(taken) from exc
    audit.record(
        session,
        action,
        actor,
        member.account_id,
        ("member", member.id),
        after={"email": member.email, "role": member.role},
    )
    return member


def sign_up(
    session: Session, account_name: str, email: str, password: str, *, ip: str | None = None
) -> tuple[Account, Member]:
    """A new account on the trial plan, with its first member as owner (both audited)."""
    email = normalize_email(email)
    check_password(password)
    if session.scalar(select(func.count()).select_from(Member).where(Member.email == email)):
        raise MemberError("An account with this email already exists; log in instead")
    actor = audit.Actor("member", None, email, ip)
    account = create_account(session, account_name, "trial", actor)
    member = add_member(session, account, email, password, actor, role="owner")
    return account, member


def verify_login(session: Session, email: str, password: str) -> Member | None:
    """The member these credentials belong to, or None. Upgrades an outdated hash in place."""
    try:
        email = normalize_email(email)
    except MemberError:
        email = ""
    member = session.scalars(select(Member).where(Member.email == email)).first() if email else None
    if member is not None and member.pending:  # an invite not accepted yet: no password to check
        member = None
    if not password or len(password) > MAX_PASSWORD:
        return None
    try:
        _hasher.verify(member.password_hash if member else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    if member is None:
        return None
    if _hasher.check_needs_rehash(member.password_hash):
        member.password_hash = _hasher.hash(password)
    member.last_login_at = utcnow()
    return member


def password_matches(member: Member, password: str) -> bool:
    """Whether ``password`` is the member's current one (one argon2 verification)."""
    if not password or len(password) > MAX_PASSWORD or member.pending:
        return False
    try:
        return _hasher.verify(member.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def list_members(session: Session, account_id: uuid.UUID) -> list[Member]:
    query = select(Member).where(Member.account_id == account_id).order_by(Member.created_at, Member.email)
    return list(session.scalars(query))


def _get_member(session: Session, account_id: uuid.UUID, member_id: uuid.UUID) -> Member:
    member = session.get(Member, member_id, with_for_update=True)
    if member is None or member.account_id != account_id:
        raise LookupError(str(member_id))
    return member


def _owners(session: Session, account_id: uuid.UUID) -> int:
    return session.scalar(
        select(func.count())
        .select_from(Member)
        .where(Member.account_id == account_id, Member.role == "owner", Member.invite_token_hash.is_(None))
    )


def invite_member(
    session: Session, account: Account, email: str, role: str, actor: audit.Actor
) -> tuple[Member, str]:
    """A pending membership for ``email`` with ``role`` (audited ``member.invited``); returns it and
    the invite token (shown once, in the invite link; only its SHA-256 is stored)."""
    if role not in ROLES:
        raise MemberError(f"Role must be one of {', '.join(ROLES)}")
    email = normalize_email(email)
    if session.scalar(select(func.count()).select_from(Member).where(Member.email == email)):
        raise MemberError(TAKEN)
    token = secrets.token_urlsafe(32)
    member = Member(
        account_id=account.id,
        email=email,
        password_hash=INVITED,
        role=role,
        invite_token_hash=_token_hash(token),
        invited_at=utcnow(),
    )
    _insert(session, member, "member.invited", actor, TAKEN)
    return member, token


def find_invite(session: Session, token: str) -> Member | None:
    """The pending member a live invite token belongs to, or None (unknown, used or expired)."""
    if not token or len(token) > 100:
        return None
    member = session.scalars(select(Member).where(Member.invite_token_hash == _token_hash(token))).first()
    if member is None or member.invited_at is None or member.invited_at + INVITE_TTL < utcnow():
        return None
    return member


def accept_invite(session: Session, member: Member, password: str, ip: str | None) -> Member:
    """The invitee sets a password: the membership becomes active (audited)."""
    member.password_hash = hash_password(password)
    member.invite_token_hash = None
    session.flush()
    audit.record(
        session,
        "member.invite_accepted",
        audit.Actor("member", str(member.id), member.email, ip),
        member.account_id,
        ("member", member.id),
    )
    return member


def change_role(
    session: Session, account_id: uuid.UUID, member_id: uuid.UUID, role: str, actor: audit.Actor
) -> Member:
    """Give a member another role (audited); the account keeps at least one owner."""
    if role not in ROLES:
        raise MemberError(f"Role must be one of {', '.join(ROLES)}")
    member = _get_member(session, account_id, member_id)
    if member.role == role:
        return member
    if member.role == "owner" and not member.pending and _owners(session, account_id) <= 1:
        raise MemberError("The account needs at least one owner: make someone else owner first")
    before = member.role
    member.role = role
    session.flush()
    audit.record(
        session,
        "member.role_changed",
        actor,
        account_id,
        ("member", member.id),
        before={"email": member.email, "role": before},
        after={"email": member.email, "role": role},
    )
    return member


def remove_member(session: Session, account_id: uuid.UUID, member_id: uuid.UUID, actor: audit.Actor) -> None:
    """Remove a member or cancel an invite (audited); their sessions end with the row."""
    member = _get_member(session, account_id, member_id)
    if member.role == "owner" and not member.pending and _owners(session, account_id) <= 1:
        raise MemberError("The account needs at least one owner: make someone else owner first")
    audit.record(
        session,
        "member.invite_cancelled" if member.pending else "member.removed",
        actor,
        account_id,
        ("member", member.id),
        before={"email": member.email, "role": member.role},
    )
    session.delete(member)
    session.flush()


def change_password(session: Session, member: Member, new_password: str, actor: audit.Actor) -> None:
    """Set a new password (audited without the password) and end the member's other sessions."""
    member.password_hash = hash_password(new_password)
    session.execute(
        update(MemberSession)
        .where(MemberSession.member_id == member.id, MemberSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    audit.record(session, "member.password_changed", actor, member.account_id, ("member", member.id))


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(
    session: Session, member: Member, ttl: dt.timedelta, *, ip: str | None, user_agent: str | None
) -> str:
    """Open a dashboard session; returns the cookie token (only its hash is stored)."""
    token = secrets.token_urlsafe(32)
    session.add(
        MemberSession(
            member_id=member.id,
            token_hash=_token_hash(token),
            expires_at=utcnow() + ttl,
            ip=ip,
            user_agent=(user_agent or "")[:300] or None,
        )
    )
    session.flush()
    return token


def end_session(session: Session, token: str) -> None:
    session.execute(
        update(MemberSession)
        .where(MemberSession.token_hash == _token_hash(token), MemberSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


@dataclasses.dataclass(frozen=True)
class DashboardSession:
    principal: Principal
    session_id: uuid.UUID
    email: str
    role: str
    account_name: str


def resolve_session(session: Session, token: str, client_ip: str) -> DashboardSession | None:
    """The live session behind a cookie token, as a principal with every scope, or None."""
    if not token or len(token) > 100:
        return None
    row = session.execute(
        select(MemberSession.id, Member, Account, Plan)
        .join(Member, Member.id == MemberSession.member_id)
        .join(Account, Account.id == Member.account_id)
        .join(Plan, Plan.name == Account.plan_name)
        .where(
            MemberSession.token_hash == _token_hash(token),
            MemberSession.revoked_at.is_(None),
            MemberSession.expires_at > utcnow(),
        )
    ).first()
    if row is None:
        return None
    session_id, member, account, plan = row
    principal = Principal(
        client_ip=client_ip,
        account_id=account.id,
        member_id=member.id,
        scopes=frozenset(("render", "read", "manage")),
        plan=PlanTerms.of(plan, account.trial_ends_at),
        custom_domain=account.custom_domain,
        label=member.email,
    )
    return DashboardSession(principal, session_id, member.email, member.role, account.name)
