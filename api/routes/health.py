"""Liveness and readiness probes."""

from __future__ import annotations

from flask import Blueprint, jsonify
from sqlalchemy import text

from api.rendering import services

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    return jsonify(status="ok")


@bp.get("/readyz")
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


def _select_one(svc) -> None:  # noqa: ANN001
    with svc.sessions() as session:
        session.execute(text("SELECT 1"))


def _probe(check) -> str:  # noqa: ANN001
    try:
        check()
    except Exception as exc:  # noqa: BLE001 - a probe reports, it never raises
        return f"error: {type(exc).__name__}: {exc}"[:300]
    return "ok"
