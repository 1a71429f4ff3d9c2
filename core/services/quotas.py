"""Plan terms on the render path: what a principal may render, and the monthly quota.

``check_render`` runs for every render request that creates a job row, cache hits included: the
API key's ``render`` scope, an expired trial, formats, sizes and webhooks. ``charge_render`` runs
inside the transaction that inserts the job row (not for cache hits or idempotent replays), as one
conditional upsert of the month's counter row, so a charge and the job it pays for commit or roll
back together and N concurrent renders at a quota of L charge exactly L.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, NoReturn

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from core.db import utcnow
from core.models import UsageCounter
from core.services.keys import Principal
from core.services.plans import PlanTerms, account_terms, anonymous_terms

UPGRADE_URL = "/app/usage-billing"

# The counter row is locked from this statement until the transaction ends, so concurrent charges
# of one owner queue up behind each other and each sees the count the previous one left.
# Also a CTE of the job submission's single statement (core.services.jobs.submission).
CHARGE_SQL = """
    INSERT INTO usage_counters (owner, period, renders, updated_at)
    SELECT :owner, :period, 1, now() WHERE :quota > 0 OR :overage
    ON CONFLICT (owner, period) DO UPDATE
        SET renders = usage_counters.renders + 1, updated_at = now()
        WHERE usage_counters.renders < :quota OR :overage
    RETURNING renders
"""
_CHARGE = text(CHARGE_SQL)


class QuotaExceeded(Exception):
    """The principal may not render now; the api answers 402 with ``body`` as it is."""

    def __init__(self, body: dict[str, object]):
        super().__init__(body.get("error", "quota exceeded"))
        self.body = body


class PlanLimitExceeded(Exception):
    """A request the plan (or the key's scopes) does not allow, other than the three 402 cases."""

    def __init__(self, status: int, message: str, **detail: Any):
        super().__init__(message)
        self.status = status
        self.message = message
        self.detail = detail


def month_start(moment: dt.datetime | None = None) -> dt.date:
    moment = moment or utcnow()
    return dt.date(moment.year, moment.month, 1)


def next_month(period: dt.date) -> dt.date:
    return dt.date(period.year + period.month // 12, period.month % 12 + 1, 1)


def terms_for(session: Session, principal: Principal) -> PlanTerms:
    """The plan terms of ``principal``: the snapshot taken at authentication, else the database."""
    if principal.plan is not None:
        return principal.plan
    if principal.account_id is not None:
        return account_terms(session, principal.account_id)
    return anonymous_terms(session)


def check_render(
    principal: Principal,
    terms: PlanTerms,
    *,
    fmt: str,
    width: int,
    height: int,
    webhook: bool = False,
    now: dt.datetime | None = None,
) -> None:
    """Raise QuotaExceeded (402) or PlanLimitExceeded unless ``terms`` allow this render."""
    if principal.api_key_id is not None and not principal.allows("render"):
        raise PlanLimitExceeded(403, "This API key lacks the 'render' scope", requiredScope="render")
    if terms.trial_expired(now or utcnow()):
        raise QuotaExceeded(
            {
                "error": "Trial expired. Please upgrade to continue.",
                "plan": "expired",
                "upgradeUrl": UPGRADE_URL,
            }
        )
    if fmt not in terms.formats:
        if fmt == "pdf":
            raise QuotaExceeded(
                {"error": "PDF output requires the Pro plan", "plan": terms.name, "upgradeUrl": UPGRADE_URL}
            )
        raise PlanLimitExceeded(
            400,
            f"{fmt.upper()} output is not available on the {terms.name} plan",
            field="format",
            plan=terms.name,
            upgradeUrl=UPGRADE_URL,
        )
    for field, value, limit in (("width", width, terms.max_width), ("height", height, terms.max_height)):
        if value > limit:
            raise PlanLimitExceeded(
                400,
                f"{field} {value} is over the {terms.name} plan's maximum of {limit} px",
                field=field,
                plan=terms.name,
                upgradeUrl=UPGRADE_URL,
            )
    if webhook and not terms.webhooks_allowed:
        raise PlanLimitExceeded(
            403,
            f"Webhooks are not available on the {terms.name} plan",
            field="webhookUrl",
            plan=terms.name,
            upgradeUrl=UPGRADE_URL,
        )


def charge_render(session: Session, principal: Principal, fmt: str, *, terms: PlanTerms | None = None) -> int:
    """Count one render against the principal's monthly quota in the caller's transaction; returns
    the month's count. Raises QuotaExceeded (402) when a hard quota is used up."""
    terms = terms or terms_for(session, principal)
    count = session.execute(_CHARGE, charge_params(principal, terms)).scalar()
    if count is None:
        refuse_charge(session, principal, terms)
    return count


def charge_params(principal: Principal, terms: PlanTerms) -> dict[str, Any]:
    """The bind parameters of ``CHARGE_SQL`` for one render of ``principal`` this month."""
    return {
        "owner": principal.usage_owner,
        "period": month_start(),
        "quota": terms.monthly_quota,
        "overage": not terms.hard_quota,
    }


def refuse_charge(session: Session, principal: Principal, terms: PlanTerms) -> NoReturn:
    """Raise the 402 of a charge ``CHARGE_SQL`` refused (the hard quota is used up)."""
    raise QuotaExceeded(
        {
            "error": "Monthly render quota exceeded",
            "currentUsage": current_usage(session, principal.usage_owner),
            "limit": terms.monthly_quota,
            "plan": terms.name,
        }
    )


def current_usage(session: Session, owner: str, period: dt.date | None = None) -> int:
    return (
        session.scalar(
            select(UsageCounter.renders).where(
                UsageCounter.owner == owner, UsageCounter.period == (period or month_start())
            )
        )
        or 0
    )
