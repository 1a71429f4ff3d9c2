"""The dashboard: sign-up, log-in, log-out and the account pages (server-rendered HTML forms).

Every form carries a CSRF token (see api/browser.py). Pages use the same core services as the
JSON management API, so both write the same audit rows.
"""

from __future__ import annotations

import datetime as dt
import functools
import uuid
from urllib.parse import urlsplit

from flask import Blueprint, Response, g, redirect, render_template, request, url_for

from api import auth, browser, flash, ratelimit
from api.errors import ApiError
from api.extensions import services
from api.openapi import doc
from api.routes.management import audit_view
from core.db import utcnow
from core.models import Account
from core.services import accounts, audit, keys, members, reports
from core.services import dashboard as dashboard_reports
from core.services.webhooks import endpoints as webhook_endpoints

bp = Blueprint("dashboard", __name__)
# Offered as suggestions in the audit log's action filter (any action, or "prefix.*", may be typed).
AUDIT_ACTIONS = (
    "account.*",
    "api_key.*",
    "brand_kit.*",
    "member.*",
    "template.*",
    "webhook.*",
)


def _hidden(summary: str):
    return doc(summary=summary, tags=["Dashboard"], hidden=True)


def _page(template: str, status: int = 200, **context) -> Response:
    response = Response(render_template(template, dashboard=g.get("dashboard"), **context), status=status)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Content-Security-Policy"] = (
        "default-src 'self'; frame-ancestors 'none'; form-action 'self'"
    )
    response.headers["X-Frame-Options"] = "DENY"
    return response


def _login_redirect() -> Response:
    return redirect(url_for("dashboard.login", next=request.path))


def _signed_in(view):
    """A page for signed-in members only: anyone else is sent to the login page (and back after)."""

    @functools.wraps(view)
    def page(*args, **kwargs):
        if g.get("dashboard") is None:
            return _login_redirect()
        return view(*args, **kwargs)

    return page


def _member_page(bp: Blueprint, rule: str, summary: str, methods=("GET",)):
    """Register a view on ``bp`` as a dashboard page for signed-in members (hidden from the API
    reference)."""

    def register(view):
        return bp.route(rule, methods=list(methods))(auth.page(_hidden(summary)(_signed_in(view))))

    return register


def _csrf_ok() -> bool:
    return browser.csrf_valid(request.form.get(browser.CSRF_FIELD))


def _csrf_failed() -> Response:
    return _page(
        "message.html", 400, title="Form expired", message="The form expired. Go back, reload and try again."
    )


def _locked_out(exc: ApiError) -> Response:
    """The authentication limit's 429 as a page (Retry-After kept)."""
    response = _page(
        "message.html", exc.status, title="Too many attempts", message=exc.detail.get("detail", "")
    )
    response.headers.update(exc.headers)
    return response


def _session_ttl() -> dt.timedelta:
    return dt.timedelta(hours=services().settings.session_hours)


def _safe_next(value: str | None) -> str:
    if value and value.startswith("/app") and not value.startswith("//") and not urlsplit(value).netloc:
        return value
    return url_for("dashboard.overview")


def _log_in(member, next_url: str) -> Response:
    with services().sessions() as session, session.begin():
        token = members.start_session(
            session,
            member,
            _session_ttl(),
            ip=g.principal.client_ip,
            user_agent=request.headers.get("User-Agent"),
        )
    g.new_session_token = token
    response = redirect(next_url, code=303)
    browser.set_session_cookie(response, token, _session_ttl())
    return response


@bp.route("/signup", methods=["GET", "POST"])
@auth.page
@_hidden("Sign up")
def signup():
    settings = services().settings
    if not settings.signup_enabled:
        return _page(
            "message.html", 403, title="Sign-up is closed", message="Ask the operator for an account."
        )
    if request.method == "GET":
        return _page("signup.html", form={})
    if not _csrf_ok():
        return _csrf_failed()
    form = {k: request.form.get(k, "") for k in ("account", "email")}
    # Every sign-up attempt counts against the address's authentication limit.
    try:
        ratelimit.guard_auth(g.principal.client_ip)
    except ApiError as exc:
        return _locked_out(exc)
    over = ratelimit.count_auth_failure(g.principal.client_ip)
    if over is not None:
        return _locked_out(over)
    try:
        with services().sessions() as session, session.begin():
            _, member = members.sign_up(
                session,
                form["account"],
                form["email"],
                request.form.get("password", ""),
                ip=g.principal.client_ip,
            )
    except (members.MemberError, accounts.AccountError) as exc:
        return _page("signup.html", 400, form=form, error=str(exc))
    return _log_in(member, url_for("dashboard.overview"))


@bp.route("/login", methods=["GET", "POST"])
@auth.page
@_hidden("Log in")
def login():
    next_url = _safe_next(request.values.get("next"))
    if request.method == "GET":
        if g.get("dashboard") is not None:
            return redirect(next_url)
        notice = "Password changed: log in with the new one." if request.args.get("changed") else None
        return _page("login.html", next=next_url, email="", notice=notice)
    if not _csrf_ok():
        return _csrf_failed()
    email = request.form.get("email", "")
    try:  # before the password is looked at: a locked-out guesser learns nothing
        ratelimit.guard_auth(g.principal.client_ip, email)
    except ApiError as exc:
        return _locked_out(exc)
    with services().sessions() as session, session.begin():
        member = members.verify_login(session, email, request.form.get("password", ""))
        if member is not None:
            audit.record(
                session,
                "member.logged_in",
                audit.Actor("member", str(member.id), member.email, g.principal.client_ip, g.request_id),
                member.account_id,
                ("member", member.id),
            )
    if member is None:
        over = ratelimit.count_auth_failure(g.principal.client_ip, email)
        if over is not None:
            return _locked_out(over)
        return _page("login.html", 401, next=next_url, email=email, error="Wrong email or password.")
    return _log_in(member, next_url)


@bp.post("/logout")
@auth.page
@_hidden("Log out")
def logout():
    if g.get("dashboard") is not None:
        if not _csrf_ok():
            return _csrf_failed()
        with services().sessions() as session, session.begin():
            members.end_session(session, request.cookies.get(browser.SESSION_COOKIE, ""))
    response = redirect(url_for("dashboard.login"), code=303)
    browser.clear_session_cookie(response)
    return response


@bp.get("/app")
@auth.page
@_hidden("Dashboard overview")
def overview():
    if g.get("dashboard") is None:
        return _login_redirect()
    principal = g.principal
    with services().sessions() as session:
        stats = reports.stats(session, principal.account_id)
        times = dashboard_reports.render_times(session, principal.account_id)
        recent, _ = reports.render_history(session, principal.account_id, limit=10)
        hooks = webhook_endpoints.list_endpoints(session, principal.account_id)
    disabled_webhooks = [row for row in hooks if row.disabled_reason]
    failing_webhooks = [row for row in hooks if row.failing_since and not row.disabled_reason]
    return _page(
        "app/overview.html",
        stats=stats,
        times=times,
        recent=recent,
        disabled_webhooks=disabled_webhooks,
        failing_webhooks=failing_webhooks,
        now=utcnow(),
    )


@bp.route("/app/api-keys", methods=["GET", "POST"])
@auth.page
@_hidden("API keys")
def api_keys():
    if g.get("dashboard") is None:
        return _login_redirect()
    principal = g.principal
    svc = services()
    error = None
    status = 200
    if request.method == "POST":
        if not _csrf_ok():
            return _csrf_failed()
        expires_at = None
        days = request.form.get("expires_days", "").strip()
        try:
            if days:
                if not days.isdigit() or not 1 <= int(days) <= 3650:
                    raise keys.KeyRequestError("Expiry must be 1 to 3650 days")
                expires_at = utcnow() + dt.timedelta(days=int(days))
            with svc.sessions() as session, session.begin():
                account = session.get(Account, principal.account_id)
                _, created = keys.issue_key(
                    session,
                    account,
                    name=request.form.get("name", "")[:200],
                    environment=svc.settings.key_environment,
                    scopes=request.form.getlist("scopes"),
                    expires_at=expires_at,
                    actor=principal.actor(g.request_id),
                )
        except keys.KeyRequestError as exc:
            error, status = str(exc), 400
        else:  # Post/Redirect/Get: the key is shown once, by the page the browser is sent to
            flash.put("api_key", secret=created)
            return redirect(url_for("dashboard.api_keys"), code=303)
    shown = flash.pop("api_key") if request.method == "GET" else None
    created = shown["secret"] if shown else None
    with svc.sessions() as session:
        rows = [keys.key_view(row) for row in keys.list_keys(session, principal.account_id)]
    return _page("app/api_keys.html", status, keys=rows, created=created, error=error, scopes=keys.SCOPES)


@bp.post("/app/api-keys/<uuid:key_id>/revoke")
@auth.page
@_hidden("Revoke an API key")
def revoke_key(key_id: uuid.UUID):
    if g.get("dashboard") is None:
        return _login_redirect()
    if not _csrf_ok():
        return _csrf_failed()
    principal = g.principal
    try:
        with services().sessions() as session, session.begin():
            keys.revoke_key(session, principal.account_id, key_id, principal.actor(g.request_id))
    except LookupError:
        return _page("message.html", 404, title="Not found", message="No such key in this account.")
    return redirect(url_for("dashboard.api_keys"), code=303)


@bp.post("/app/api-keys/<uuid:key_id>/roll")
@auth.page
@_hidden("Roll an API key")
def roll_key(key_id: uuid.UUID):
    if g.get("dashboard") is None:
        return _login_redirect()
    if not _csrf_ok():
        return _csrf_failed()
    principal = g.principal
    hours = request.form.get("grace_hours", "24").strip() or "24"
    if not hours.isdigit() or int(hours) > 720:
        return _page("message.html", 400, title="Invalid", message="Keep the old key 0 to 720 hours.")
    try:
        with services().sessions() as session, session.begin():
            _, created = keys.roll_key(
                session,
                principal.account_id,
                key_id,
                utcnow() + dt.timedelta(hours=int(hours)),
                principal.actor(g.request_id),
            )
    except LookupError:
        return _page("message.html", 404, title="Not found", message="No such key in this account.")
    except keys.KeyRequestError as exc:
        return _page("message.html", 400, title="Cannot roll this key", message=str(exc))
    flash.put("api_key", secret=created)
    return redirect(url_for("dashboard.api_keys"), code=303)


@bp.get("/app/audit-logs")
@auth.page
@_hidden("Audit log (old address)")
def audit_logs():
    """The page's first address: kept working, it sends the browser to ``/app/audit-log``."""
    query = request.query_string.decode()
    return redirect(url_for("dashboard.audit_log") + (f"?{query}" if query else ""), code=301)


def _day(value: str, field: str, errors: dict[str, str]) -> dt.datetime | None:
    if not value:
        return None
    try:
        return dt.datetime.combine(dt.date.fromisoformat(value), dt.time(), tzinfo=dt.UTC)
    except ValueError:
        errors[field] = "Use a date like 2026-01-31."
        return None


@bp.get("/app/audit-log")
@auth.page
@_hidden("Audit log")
def audit_log():
    if g.get("dashboard") is None:
        return _login_redirect()
    args = request.args
    form = {k: args.get(k, "").strip() for k in ("action", "actor", "from", "to", "cursor")}
    errors: dict[str, str] = {}
    if len(form["action"]) > 80:
        errors["action"] = "At most 80 characters."
    if len(form["actor"]) > 254:
        errors["actor"] = "At most 254 characters."
    since = _day(form["from"], "from", errors)
    until = _day(form["to"], "to", errors)
    if until is not None:
        until += dt.timedelta(days=1)  # "to" is inclusive: the whole day
    if since and until and since >= until:
        errors["to"] = "Must be on or after the start date."
    if form["cursor"] and not form["cursor"].isdigit():
        errors["cursor"] = "Invalid page: start again from the first page."
    rows, more = [], False
    if not errors:
        with services().sessions() as session:
            rows, more = audit.search(
                session,
                g.principal.account_id,
                action=form["action"] or None,
                actor=form["actor"] or None,
                since=since,
                until=until,
                before_id=int(form["cursor"]) if form["cursor"] else None,
                limit=50,
            )
    entries = [audit_view(row) for row in rows]
    filters = {k: v for k, v in form.items() if v and k != "cursor"}
    next_url = url_for("dashboard.audit_log", **filters, cursor=rows[-1].id) if more and rows else None
    return _page(
        "app/audit_logs.html",
        400 if errors else 200,
        entries=entries,
        form=form,
        errors=errors,
        filtered=bool(filters),
        next_url=next_url,
        first_url=url_for("dashboard.audit_log", **filters) if form["cursor"] else None,
        actions=AUDIT_ACTIONS,
    )
