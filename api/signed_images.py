"""Images the dashboard embeds (the usage chart, brand kit and template previews), rendered by
Chartfleet's own render path for the session's account.

A page builds the ``<img src>`` on the server: the query names what to draw, plus an expiry
(``exp``, ten minutes) and ``sig``, an HMAC-SHA256 keyed with CHARTFLEET_SECRET_KEY over the
purpose, the session's account id and every other parameter. The image route is same-origin, so
the browser sends the session cookie with the ``<img>`` request; ``check`` requires a session
(401), a signature made for that session's account and purpose (403: a changed parameter, an
added one, another account's link) and an unexpired link (410). The signature is what keeps these
routes from being free render endpoints: only queries the server built for the account are drawn.

``render_internal`` renders for the internal owner ``ip:dashboard`` with the account's own limits
(size, formats, retention) but no quota or trial check: never charged, never in the customer's
history, so looking at the dashboard does not change the usage it shows.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import hmac
import json
import time
import uuid
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from flask import Response, g, request

from api.extensions import services
from api.rendering import respond_with_image
from core.services import plans
from core.services.jobs import RenderRequest
from core.services.keys import Principal
from core.specs.errors import SpecError

TTL_SECONDS = 600
OWNER_IP = "dashboard"  # jobs of the dashboard's own images: owner "ip:dashboard"
MAX_QUERY = 6000  # gunicorn's request line limit is 8190; leave room for the rest


def _mac(purpose: str, account_id: uuid.UUID | str, params: Mapping[str, str]) -> str:
    message = "|".join([purpose, str(account_id), *(f"{k}={params[k]}" for k in sorted(params))])
    key = services().settings.secret_key.encode()
    return hmac.new(key, message.encode(), hashlib.sha256).hexdigest()


def signed_query(purpose: str, account_id: uuid.UUID | str, params: Mapping[str, str]) -> str:
    """``params`` plus ``exp`` and ``sig``, URL-encoded (append to the image route's path)."""
    out = {**params, "exp": str(int(time.time()) + TTL_SECONDS)}
    out["sig"] = _mac(purpose, account_id, out)
    return urlencode(out)


def check(purpose: str) -> dict[str, str] | Response:
    """The request's signed parameters (without ``sig`` and ``exp``), or the refusal to answer."""
    if g.get("dashboard") is None:
        return Response("Log in first", 401, mimetype="text/plain")
    params = {k: v for k, v in request.args.items() if k != "sig"}
    if not hmac.compare_digest(request.args.get("sig", ""), _mac(purpose, g.principal.account_id, params)):
        return Response("Invalid signature", 403, mimetype="text/plain")
    expiry = params.pop("exp", "")
    if not expiry.isdigit() or int(expiry) < time.time():
        return Response("This image link expired: reload the page", 410, mimetype="text/plain")
    return params


def b64json(value: Any) -> str:
    raw = json.dumps(value, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def unb64json(text: str, field: str) -> Any:
    try:
        return json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
    except ValueError as exc:
        raise SpecError(field, "must be base64url JSON") from exc


def render_internal(req: RenderRequest, started: float) -> Response:
    """Render ``req`` (any dialect) for the session's account through the normal path, charged to
    nobody."""
    with services().sessions() as session:
        terms = plans.account_terms(session, g.principal.account_id)
    internal = Principal(
        client_ip=OWNER_IP,
        plan=dataclasses.replace(terms, overage_cents_per_1000=0, trial_ends_at=None),
        label="dashboard",
    )
    req = dataclasses.replace(req, principal=internal, mode="sync")
    response = respond_with_image(req, started)
    response.headers["Cache-Control"] = "private, max-age=300"
    return response
