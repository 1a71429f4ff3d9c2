"""Plans: the terms a request runs under, and the operator's edits to the catalogue."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.db import utcnow
from core.models import Account, Plan
from core.services import audit

ANONYMOUS = "anonymous"
TRIAL = "trial"
FORMATS = ("png", "jpeg", "svg", "webp", "pdf", "gif")
# Columns an operator may change with `chartfleet plans set` (name -> type).
EDITABLE = {
    "display_name": str,
    "monthly_quota": int,
    "overage_cents_per_1000": int,
    "rate_limit": int,
    "rate_window_seconds": int,
    "max_width": int,
    "max_height": int,
    "formats": list,
    "retention_days": int,
    "webhooks_allowed": bool,
    "price_cents": int,
    "trial_days": int,
}


class PlanError(ValueError):
    """An unknown plan or an invalid change to one."""


@dataclasses.dataclass(frozen=True)
class PlanTerms:
    """A snapshot of a plan, plus the account's trial end, taken when a request is authenticated."""

    name: str
    monthly_quota: int
    overage_cents_per_1000: int | None
    rate_limit: int
    rate_window_seconds: int
    max_width: int
    max_height: int
    formats: tuple[str, ...]
    retention_days: int
    webhooks_allowed: bool
    trial_ends_at: dt.datetime | None = None

    @classmethod
    def of(cls, plan: Plan, trial_ends_at: dt.datetime | None = None) -> PlanTerms:
        """The terms of ``plan`` (every field but the trial end is the plan column of that name)."""
        columns = {
            f.name: getattr(plan, f.name) for f in dataclasses.fields(cls) if f.name != "trial_ends_at"
        }
        columns["formats"] = tuple(plan.formats)
        return cls(**columns, trial_ends_at=trial_ends_at if plan.trial_days is not None else None)

    @property
    def hard_quota(self) -> bool:
        """True when renders stop at the quota; False when they go on and are billed as overage."""
        return self.overage_cents_per_1000 is None

    def trial_expired(self, now: dt.datetime) -> bool:
        return self.trial_ends_at is not None and self.trial_ends_at <= now


def get_plan(session: Session, name: str) -> Plan:
    plan = session.get(Plan, name)
    if plan is None:
        raise PlanError(f"unknown plan {name!r}")
    return plan


def anonymous_terms(session: Session, source: str = ANONYMOUS) -> PlanTerms:
    """The terms of a caller without a key: those of the plan ``source`` (the api passes
    CHARTFLEET_ANONYMOUS_PLAN, ``starter`` by default), reported as the ``anonymous`` plan. Webhooks
    only when ``source`` is the anonymous plan itself and it allows them: nobody could manage the
    endpoint or its secret."""
    plan = session.get(Plan, source) or get_plan(session, ANONYMOUS)  # an unknown name: the row
    terms = PlanTerms.of(plan)
    return dataclasses.replace(
        terms, name=ANONYMOUS, webhooks_allowed=terms.webhooks_allowed and plan.name == ANONYMOUS
    )


def account_terms(session: Session, account_id: uuid.UUID) -> PlanTerms:
    row = session.execute(
        select(Plan, Account.trial_ends_at)
        .join(Account, Account.plan_name == Plan.name)
        .where(Account.id == account_id)
    ).first()
    if row is None:
        raise PlanError(f"unknown account {account_id}")
    return PlanTerms.of(row[0], row[1])


def list_plans(session: Session) -> list[Plan]:
    return list(session.scalars(select(Plan).order_by(Plan.sort_order, Plan.name)))


def plan_view(plan: Plan) -> dict[str, Any]:
    """The plan as the API, the CLI and the audit log show it."""
    return {
        "name": plan.name,
        "displayName": plan.display_name,
        "monthlyQuota": plan.monthly_quota,
        "overageCentsPer1000": plan.overage_cents_per_1000,
        "rateLimit": plan.rate_limit,
        "rateWindowSeconds": plan.rate_window_seconds,
        "maxWidth": plan.max_width,
        "maxHeight": plan.max_height,
        "formats": list(plan.formats),
        "retentionDays": plan.retention_days,
        "webhooksAllowed": plan.webhooks_allowed,
        "priceCents": plan.price_cents,
        "trialDays": plan.trial_days,
    }


def update_plan(session: Session, name: str, changes: dict[str, Any], actor: audit.Actor) -> Plan:
    """Change a plan's terms (audited). Values are validated here; the database checks them again."""
    plan = session.scalars(select(Plan).where(Plan.name == name).with_for_update()).first()
    if plan is None:
        raise PlanError(f"unknown plan {name!r}")
    with audit.change(session, "plan.updated", actor, None, ("plan", plan.name), lambda: plan_view(plan)):
        for field, value in changes.items():
            if field not in EDITABLE:
                raise PlanError(f"{field} cannot be changed")
            if field == "formats":
                value = [f.strip().lower() for f in value if f.strip()]
                unknown = sorted(set(value) - set(FORMATS))
                if unknown or not value:
                    raise PlanError(f"formats must be a non-empty subset of {', '.join(FORMATS)}")
            if field in ("max_width", "max_height") and not 100 <= value <= 4000:
                raise PlanError(f"{field} must be between 100 and 4000")
            if (
                field in ("monthly_quota", "price_cents", "overage_cents_per_1000")
                and value is not None
                and value < 0
            ):
                raise PlanError(f"{field} must not be negative")
            if field in ("rate_limit", "rate_window_seconds", "retention_days") and value <= 0:
                raise PlanError(f"{field} must be positive")
            setattr(plan, field, value)
        plan.updated_at = utcnow()
    return plan


def set_account_plan(
    session: Session,
    account: Account,
    plan_name: str,
    actor: audit.Actor,
    *,
    trial_days: int | None = None,
) -> Account:
    """Move ``account`` to ``plan_name`` (audited). Moving to the trial plan (re)starts the trial:
    ``trial_days`` or the plan's own length."""
    plan = get_plan(session, plan_name)
    with audit.change(
        session,
        "account.plan_changed",
        actor,
        account.id,
        ("account", account.id),
        lambda: {"plan": account.plan_name, "trialEndsAt": account.trial_ends_at},
    ):
        account.plan_name = plan.name
        if plan.trial_days is not None:
            account.trial_ends_at = utcnow() + dt.timedelta(days=trial_days or plan.trial_days)
        else:
            account.trial_ends_at = None
    return account
