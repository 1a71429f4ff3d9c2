"""Accounts: creation and account-level settings (the custom domain of returned URLs)."""

from __future__ import annotations

import datetime as dt
import ipaddress
import re
import uuid

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.db import utcnow
from core.models import Account
from core.services import audit
from core.services.plans import get_plan

_LABEL = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
# Names that can never be a customer's public CDN host.
_RESERVED_SUFFIXES = (".localhost", ".local", ".internal", ".invalid", ".test", ".example", ".onion")


class AccountError(ValueError):
    """A request about an account that cannot be accepted (the message says why)."""


class DomainTaken(AccountError):
    """Another account already uses this custom domain."""


def create_account(session: Session, name: str, plan: str, actor: audit.Actor) -> Account:
    """A new account on ``plan`` (the trial plan starts its clock now). Audited."""
    name = (name or "").strip()
    if not 2 <= len(name) <= 200:
        raise AccountError("Account names have 2 to 200 characters")
    if session.scalar(select(func.count()).select_from(Account).where(Account.name == name)):
        raise AccountError(f"The account name {name!r} is taken")
    plan_row = get_plan(session, plan)
    trial_ends_at = utcnow() + dt.timedelta(days=plan_row.trial_days) if plan_row.trial_days else None
    account = Account(name=name, plan_name=plan, trial_ends_at=trial_ends_at)
    try:
        with session.begin_nested():
            session.add(account)
            session.flush()
    except IntegrityError as exc:  # the same name, created a moment ago by someone else
        raise AccountError(f"The account name {name!r} is taken") from exc
    audit.record(
        session,
        "account.created",
        actor,
        account.id,
        ("account", account.id),
        after={"name": name, "plan": plan, "trialEndsAt": trial_ends_at},
    )
    return account


def find_account(session: Session, name_or_id: str) -> Account:
    try:
        account = session.get(Account, uuid.UUID(name_or_id))
    except ValueError:
        account = session.scalars(select(Account).where(Account.name == name_or_id)).first()
    if account is None:
        raise AccountError(f"no account named {name_or_id!r}")
    return account


def normalize_domain(value: str, *, own_host: str | None = None) -> str:
    """A lower-case ASCII host name fit to serve images from, or AccountError saying why not.

    Accepts internationalized names (stored as punycode). Refuses schemes, paths, ports, IP
    literals, single labels, reserved suffixes and this deployment's own host.
    """
    raw = (value or "").strip()
    if not raw:
        raise AccountError("customDomain is empty")
    if any(c in raw for c in "/:@?#\\ \t") or "://" in raw:
        raise AccountError("customDomain is a host name only, without scheme, port or path")
    host = raw.rstrip(".").lower()
    try:
        host = host.encode("idna").decode("ascii")
    except UnicodeError as exc:
        raise AccountError("customDomain is not a valid host name") from exc
    try:
        ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        raise AccountError("customDomain must be a host name, not an IP address")
    labels = host.split(".")
    if len(host) > 253 or len(labels) < 2 or not all(_LABEL.match(label) for label in labels):
        raise AccountError("customDomain is not a valid host name (e.g. charts.example.com)")
    if labels[-1].isdigit():
        raise AccountError("customDomain must end in a real top-level domain")
    if host == "localhost" or any(("." + host).endswith(s) for s in _RESERVED_SUFFIXES):
        raise AccountError("customDomain uses a reserved name")
    if own_host and host == own_host.lower():
        raise AccountError("customDomain is this deployment's own host; clear the setting instead")
    return host


def set_custom_domain(
    session: Session,
    account_id: uuid.UUID,
    value: str | None,
    actor: audit.Actor,
    *,
    own_host: str | None = None,
) -> Account:
    """Set (or clear, with None) the host of the URLs the API returns for the account. Audited."""
    host = normalize_domain(value, own_host=own_host) if value is not None else None
    account = session.scalars(select(Account).where(Account.id == account_id).with_for_update()).one()
    if account.custom_domain == host:
        return account
    if host is not None:
        taken = session.scalar(
            select(func.count())
            .select_from(Account)
            .where(Account.custom_domain == host, Account.id != account_id)
        )
        if taken:
            raise DomainTaken(f"{host} is already used by another account")
    before = {"customDomain": account.custom_domain}
    try:
        with session.begin_nested():
            account.custom_domain = host
            session.flush()
    except IntegrityError as exc:  # another account claimed it at the same moment
        raise DomainTaken(f"{host} is already used by another account") from exc
    audit.record(
        session,
        "settings.custom_domain_changed",
        actor,
        account_id,
        ("account", account_id),
        before=before,
        after={"customDomain": host},
    )
    return account
