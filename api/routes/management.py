"""The management API of the caller's account: stats, render history, usage, audit log, settings."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, g, jsonify
from marshmallow import Schema

from api import auth
from api.errors import ApiError
from api.extensions import services
from api.openapi import doc
from api.rendering import job_document
from api.routes.common import json_body, principal_for_request, query_args
from api.schemas.accounts import (
    AuditPageSchema,
    AuditQuerySchema,
    CustomDomainSchema,
    CustomDomainUpdateSchema,
    RenderPageSchema,
    StatsSchema,
    UsageSchema,
)
from api.schemas.common import PageQuerySchema
from core.models import Account
from core.services import accounts, audit, reports

bp = Blueprint("management", __name__, url_prefix="/api/v1")
ACCOUNT = ["Account"]


@bp.get("/stats")
@auth.account("read")
@doc(
    summary="This month's overview",
    description="Renders this month (cache hits included), success rate, average latency, quota.",
    tags=ACCOUNT,
    responses={200: StatsSchema},
)
def stats():
    return _account_report(reports.stats, StatsSchema)


def _account_report(report, schema: type[Schema]):
    """``report`` (one of ``core.services.reports``) of the caller's account, dumped by ``schema``."""
    principal = principal_for_request()
    with services().sessions() as session:
        body = report(session, principal.account_id)
    return jsonify(schema().dump(body))


@bp.get("/renders")
@auth.account("read")
@doc(
    summary="Render history",
    description="Newest first. Follow `nextCursor` (as `cursor`) for older renders.",
    tags=ACCOUNT,
    query=PageQuerySchema,
    responses={200: RenderPageSchema},
)
def renders():
    principal = principal_for_request()
    query = PageQuerySchema().load(query_args())
    with services().sessions() as session:
        try:
            jobs, cursor = reports.render_history(
                session, principal.account_id, limit=query["limit"], cursor=query.get("cursor")
            )
        except ValueError as exc:
            raise ApiError(
                400, "Invalid cursor; use the nextCursor of a previous page", field="cursor"
            ) from exc
    # job_document already dumps each job through JobSchema, RenderPageSchema's item schema.
    data = [job_document(job, with_direct_url=False) for job in jobs]
    return jsonify({"data": data, "nextCursor": cursor, "hasMore": cursor is not None})


@bp.get("/usage")
@auth.account("read")
@doc(
    summary="Usage of the current month, by day, against the quota",
    tags=ACCOUNT,
    responses={200: UsageSchema},
)
def usage():
    return _account_report(reports.usage, UsageSchema)


@bp.get("/audit-logs")
@auth.account("manage")
@doc(
    summary="The account's audit log",
    description="Every change to keys, members, plan and settings: who, what, when, from which IP, "
    "before and after. Newest first; filter by action, actor and time.",
    tags=["Audit log"],
    query=AuditQuerySchema,
    responses={200: AuditPageSchema},
)
def audit_logs():
    principal = principal_for_request()
    query = AuditQuerySchema().load(query_args())
    cursor = query.get("cursor")
    if cursor is not None and not cursor.isdigit():
        raise ApiError(400, "Invalid cursor; use the nextCursor of a previous page", field="cursor")
    with services().sessions() as session:
        rows, more = audit.search(
            session,
            principal.account_id,
            action=query.get("action"),
            actor=query.get("actor"),
            since=query.get("since"),
            until=query.get("until"),
            before_id=int(cursor) if cursor else None,
            limit=query["limit"],
        )
    data = [audit_view(row) for row in rows]
    next_cursor = str(rows[-1].id) if more and rows else None
    return jsonify(AuditPageSchema().dump({"data": data, "nextCursor": next_cursor, "hasMore": more}))


def audit_view(row) -> dict:
    return {
        "id": row.id,
        "action": row.action,
        "actor": {"type": row.actor_type, "id": row.actor_id, "label": row.actor_label},
        "targetType": row.target_type,
        "targetId": row.target_id,
        "ip": row.ip,
        "requestId": row.request_id,
        "before": row.before,
        "after": row.after,
        "createdAt": row.created_at,
    }


@bp.get("/settings/custom-domain")
@auth.account("manage")
@doc(summary="The custom domain of returned URLs", tags=["Settings"], responses={200: CustomDomainSchema})
def get_custom_domain():
    principal = principal_for_request()
    with services().sessions() as session:
        domain = session.get(Account, principal.account_id).custom_domain
    return jsonify(CustomDomainSchema().dump(_domain_view(domain)))


@bp.put("/settings/custom-domain")
@auth.account("manage")
@doc(
    summary="Set or clear the custom domain of returned URLs",
    description="URLs in API responses (`url`, `statusUrl`) use `https://<customDomain>`. Point the "
    "name at this deployment (a CNAME) and serve it with TLS first.",
    tags=["Settings"],
    body=CustomDomainUpdateSchema,
    responses={200: CustomDomainSchema, 409: "Another account uses this domain."},
)
def put_custom_domain():
    principal = principal_for_request()
    payload = json_body()
    if not isinstance(payload, dict):
        raise ApiError(400, "The body must be a JSON object", field="body")
    value = CustomDomainUpdateSchema().load(payload)["customDomain"]
    own_host = urlsplit(services().settings.public_url).hostname
    try:
        with services().sessions() as session, session.begin():
            account = accounts.set_custom_domain(
                session, principal.account_id, value, principal.actor(g.request_id), own_host=own_host
            )
            domain = account.custom_domain
    except accounts.DomainTaken as exc:
        raise ApiError(409, str(exc), field="customDomain") from exc
    except accounts.AccountError as exc:
        raise ApiError(400, str(exc), field="customDomain") from exc
    return jsonify(CustomDomainSchema().dump(_domain_view(domain)))


def _domain_view(domain: str | None) -> dict:
    base = f"https://{domain}" if domain else services().settings.public_url.rstrip("/")
    return {"customDomain": domain, "baseUrl": base}
