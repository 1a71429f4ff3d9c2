"""Liveness and readiness probes."""

from __future__ import annotations

import logging

from flask import Blueprint, jsonify
from sqlalchemy import text

from api import auth, db_outage
from api.extensions import services
from api.openapi import doc
from api.schemas.health import HealthSchema, ReadinessSchema

bp = Blueprint("health", __name__)
log = logging.getLogger(__name__)


@bp.get("/healthz")
@auth.public
@doc(summary="Liveness", tags=["Operations"], responses={200: HealthSchema})
def healthz():
    return jsonify(status="ok")


@bp.get("/readyz")
@auth.public
@doc(
    summary="Readiness: Postgres, Redis and storage reachable",
    tags=["Operations"],
    responses={
        200: ReadinessSchema,
        503: {
            "description": "A dependency is failing.",
            "content": {"application/json": {"schema": ReadinessSchema}},
        },
    },
)
def readyz():
    svc = services()
    checks: dict[str, str] = {}
    checks["postgres"] = _probe("postgres", lambda: _select_one(svc))
    checks["redis"] = _probe("redis", lambda: svc.redis.ping())
    checks["storage"] = _probe("storage", svc.store.check)
    failing = [name for name, state in checks.items() if state != "ok"]
    response = jsonify(status="not ready" if failing else "ready", checks=checks, failing=failing)
    response.status_code = 503 if failing else 200
    return response


def _select_one(svc) -> None:
    with svc.sessions() as session:
        session.execute(text("SELECT 1"))


def _probe(name: str, check) -> str:
    """``ok`` or ``unavailable``: the cause goes to the log (once per outage for the database),
    never into the body, where it would show hosts, ports and driver details."""
    try:
        check()
    except Exception as exc:  # noqa: BLE001 - a probe reports, it never raises
        if not (name == "postgres" and db_outage.note_failure(exc)):
            log.warning("readiness check %s failed: %s", name, type(exc).__name__)
        return "unavailable"
    return "ok"
