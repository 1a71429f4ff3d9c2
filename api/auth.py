"""The one auth path: who is calling (API key, dashboard session or anonymous client IP), whether
that caller may use the endpoint, and the rate limit, all in one ``before_request`` hook.

Each view declares how it is reached (the default is ``api``):

- ``@public``: no authentication and no rate limit (health probes).
- ``api`` (the default): an API key if one is presented (401 when it is not valid), otherwise
  anonymous at the anonymous plan's limits. Dashboard cookies are ignored, so a logged-in browser
  can never be tricked into spending its account's quota. Renders also need the key's ``render``
  scope (checked in core, for every dialect).
- ``@account(scope)``: the management API. An API key holding ``scope`` (``manage`` implies
  ``read``), or a dashboard session; a session's POST/PUT/PATCH/DELETE must carry the CSRF token
  in ``X-CSRF-Token``. Anonymous callers get 401.
- ``@page``: dashboard pages (HTML). The session cookie if any, else anonymous.

Routes get the caller with ``api.routes.common.principal_for_request()`` (or ``g.principal``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, Request, current_app, g, request

from api import browser
from api.errors import ApiError
from api.extensions import Services, services
from api.ratelimit import check_rate_limit, count_auth_failure
from core.services.keys import Principal, authenticate_key, hash_key, well_formed
from core.services.plans import PlanTerms, anonymous_terms

ACCESS_ATTR = "__chartfleet_access__"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
F = TypeVar("F", bound=Callable[..., Any])


@dataclasses.dataclass(frozen=True)
class Access:
    kind: str  # public | api | account | page
    scope: str | None = None


DEFAULT_ACCESS = Access("api")


def _mark(view: F, access: Access) -> F:
    setattr(view, ACCESS_ATTR, access)
    return view


def public(view: F) -> F:
    """No authentication, no rate limit (health probes)."""
    return _mark(view, Access("public"))


def page(view: F) -> F:
    """A dashboard page: the session cookie if any, else anonymous."""
    return _mark(view, Access("page"))


def account(scope: str) -> Callable[[F], F]:
    """Management API: a key with ``scope`` or a dashboard session (CSRF-checked when unsafe)."""
    if scope not in ("read", "manage"):
        raise ValueError("management scopes are 'read' and 'manage'")

    def mark(view: F) -> F:
        return _mark(view, Access("account", scope))

    return mark


def access_of(view: Callable[..., Any] | None) -> Access:
    return getattr(view, ACCESS_ATTR, DEFAULT_ACCESS) if view is not None else DEFAULT_ACCESS


def client_ip(request: Request, trusted_proxies: int) -> str:
    """The caller's address. X-Forwarded-For is believed only as far as ``trusted_proxies`` hops:
    each trusted proxy appends the address it saw, so the client is that many entries from the end
    and anything a client wrote before those entries is ignored."""
    remote = request.remote_addr or "unknown"
    if trusted_proxies <= 0:
        return remote
    hops = [h.strip() for h in request.headers.get("X-Forwarded-For", "").split(",") if h.strip()]
    if len(hops) >= trusted_proxies:
        return hops[-trusted_proxies]
    return hops[0] if hops else remote


def presented_key(request: Request) -> str | None:
    auth = request.headers.get("Authorization", "")
    if auth:
        scheme, _, value = auth.partition(" ")
        if scheme.lower() != "bearer" or not value.strip():
            raise ApiError(401, "Invalid API key", detail="Authorization must be 'Bearer <key>'")
        return value.strip()
    for value in (request.headers.get("X-Api-Key"), request.args.get("key"), request.args.get("apiKey")):
        if value is not None:
            return value.strip()
    return None


def authenticate(request: Request, svc: Services) -> Principal:
    """Resolve the principal of an ``api`` request: a key that is present but not valid
    (malformed, unknown, revoked or expired) is 401; no key at all is anonymous."""
    ip = client_ip(request, svc.settings.trusted_proxies)
    key = presented_key(request)
    if key is None:
        return anonymous_principal(svc, ip)
    principal = principal_for_key(svc, key, ip)
    if principal is None:
        raise ApiError(401, "Invalid API key")
    return principal


def principal_for_key(svc: Services, key: str, ip: str) -> Principal | None:
    """The principal of ``key`` (None: malformed, unknown, revoked or expired), from the process's
    auth cache when it holds it (core.services.auth_cache), else from Postgres."""
    if not well_formed(key):
        return None

    def load() -> tuple[Principal, object] | None:
        with svc.sessions() as session, session.begin():
            found = authenticate_key(session, key, ip)
        return None if found is None else (found, found.key_expires_at)

    principal = (
        svc.auth_cache.lookup("key:" + hash_key(key), load) if svc.auth_cache is not None else _value(load())
    )
    return None if principal is None else dataclasses.replace(principal, client_ip=ip)


def _value(loaded: tuple[Principal, object] | None) -> Principal | None:
    return None if loaded is None else loaded[0]


def init_app(app: Flask) -> None:
    app.before_request(_authenticate_request)
    app.teardown_request(_forget_cached_principals_after_changes)


def _forget_cached_principals_after_changes(_exc: BaseException | None) -> None:
    """A change through the management API or the dashboard may have touched keys, accounts or
    plans: this process forgets its cached principals at once, without waiting for the NOTIFY
    (which empties every process's cache, this one included, a moment later)."""
    if request.method not in UNSAFE_METHODS or request.endpoint is None:
        return
    view = current_app.view_functions.get(request.endpoint)
    if access_of(view).kind in ("account", "page"):
        cache = services().auth_cache
        if cache is not None:
            cache.invalidate()


def _authenticate_request() -> None:
    if request.endpoint == "static":
        return
    view = current_app.view_functions.get(request.endpoint) if request.endpoint else None
    access = access_of(view)
    if access.kind == "public":
        return
    svc = services()
    refusal: ApiError | None = None
    try:
        if access.kind == "page":
            principal = _page_principal(svc)
        elif access.kind == "account":
            principal, refusal = _account_principal(svc, access.scope or "manage")
        else:
            principal = authenticate(request, svc)
    except ApiError as exc:
        _count_failure(svc, exc)
        raise
    g.principal = principal
    if access.kind != "page":  # pages, docs and the log-in forms are not part of the API budget
        g.rate_limit_headers = check_rate_limit(principal)
    if refusal is not None:  # refused only after the request was counted against its limit
        raise refusal


def api_principal(svc) -> Principal:
    """``authenticate`` for the current request, a wrong key counted as a failed authentication."""
    try:
        return authenticate(request, svc)
    except ApiError as exc:
        _count_failure(svc, exc)
        raise


def _count_failure(svc, exc: ApiError) -> None:
    """A wrong key counts against the address's failed-authentication limit (not against its
    render budget): 401 until the address is over that limit, then 429 (raised from here)."""
    if exc.status == 401 and credentials_presented(request):
        over = count_auth_failure(client_ip(request, svc.settings.trusted_proxies))
        if over is not None:
            raise over from exc


def credentials_presented(request: Request) -> bool:
    """Whether the request carries an API key (in any of the places ``presented_key`` reads)."""
    return bool(
        request.headers.get("Authorization")
        or request.headers.get("X-Api-Key") is not None
        or "key" in request.args
        or "apiKey" in request.args
    )


def anonymous_principal(svc: Services, ip: str) -> Principal:
    return Principal(client_ip=ip, plan=anonymous_plan_terms(svc))


def anonymous_plan_terms(svc: Services, source: str | None = None) -> PlanTerms:
    """The anonymous terms (of CHARTFLEET_ANONYMOUS_PLAN unless ``source``), cached like keys."""
    source = source or svc.settings.anonymous_plan

    def load() -> tuple[PlanTerms, None]:
        with svc.sessions() as session:
            return anonymous_terms(session, source), None

    return svc.auth_cache.lookup("anonymous:" + source, load) if svc.auth_cache is not None else load()[0]


def _page_principal(svc) -> Principal:
    ip = client_ip(request, svc.settings.trusted_proxies)
    dashboard = browser.load_session(svc, ip)
    g.dashboard = dashboard
    if dashboard is not None:
        return dashboard.principal
    return anonymous_principal(svc, ip)


def _account_principal(svc, scope: str) -> tuple[Principal, ApiError | None]:
    ip = client_ip(request, svc.settings.trusted_proxies)
    key = presented_key(request)
    if key is not None:
        principal = authenticate(request, svc)
        if not principal.allows(scope):
            return principal, ApiError(403, f"This API key lacks the '{scope}' scope", requiredScope=scope)
        return principal, None
    dashboard = browser.load_session(svc, ip)
    if dashboard is None:
        raise ApiError(
            401,
            f"Authentication required: send an API key with the '{scope}' scope, or log in to the dashboard",
        )
    g.dashboard = dashboard
    if request.method in UNSAFE_METHODS and not browser.csrf_valid(request.headers.get(browser.CSRF_HEADER)):
        return dashboard.principal, ApiError(
            403, f"Missing or invalid CSRF token: send it in the {browser.CSRF_HEADER} header"
        )
    return dashboard.principal, None
