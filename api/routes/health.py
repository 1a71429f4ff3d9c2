"""Liveness and readiness probes."""

from __future__ import annotations

from flask import Blueprint, jsonify
from sqlalchemy import text

from api import auth
from api.extensions import services
from api.openapi import doc
from api.schemas.health import HealthSchema, ReadinessSchema

bp = Blueprint("health", __name__)


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
    checks["postgres"] = _probe(lambda: _select_one(svc))
    checks["redis"] = _probe(lambda: svc.redis.ping())
    checks["storage"] = _probe(svc.store.check)
    ok = all(v == "ok" for v in checks.values())
    response = jsonify(status="ready" if ok else "not ready", checks=checks)
    response.status_code = 200 if ok else 503
    return response


def _select_one(svc) -> None:
    with svc.sessions() as session:
        session.execute(text("SELECT 1"))


def _probe(check) -> str:
    try:
        check()
    except Exception as exc:  # noqa: BLE001 - a probe reports, it never raises
        return f"error: {type(exc).__name__}: {exc}"[:300]
    return "ok"
