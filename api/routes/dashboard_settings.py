"""Dashboard: settings (``/app/settings``): custom domain, the Image-Charts signing secret (shown
once, rotate), members (invite by email with a role, change role, remove) and the member's own
password; and ``/invite/<token>``, where an invitee sets a password.

Every change goes through the same core services as the CLI and the JSON API, in one transaction
with its audit row. Forms carry CSRF tokens; destructive ones ask first (``data-confirm``).
Secrets and invite links are shown once, through the one-time flash (``api/flash.py``) of a
Post/Redirect/Get. Member and signing-secret changes are for owners; a member sees the list.
There is no mail sender: the owner passes the invite link on (it works once, for 7 days).
"""

from __future__ import annotations

import uuid
from urllib.parse import urlsplit

from flask import Blueprint, Response, g, redirect, request, url_for

from api import auth, browser, flash, ratelimit
from api.errors import ApiError
from api.extensions import services
from api.routes.dashboard import _csrf_failed, _csrf_ok, _hidden, _locked_out, _log_in, _login_redirect, _page
from core.models import Account, Member
from core.services import accounts, members, signing

bp = Blueprint("dashboard_settings", __name__)
# The password form's fields.
CURRENT, NEW, CONFIRM = "current_password", "new_password", "confirm_password"
NOTICES = {
    "domain": "Custom domain saved.",
    "role": "Role changed.",
    "removed": "Member removed.",
}


def _settings_page(status: int = 200, *, errors=None, form=None, notice=None) -> Response:
    principal = g.principal
    with services().sessions() as session:
        account = session.get(Account, principal.account_id)
        people = [
            {
                "id": m.id,
                "email": m.email,
                "role": m.role,
                "pending": m.pending,
                "lastLoginAt": m.last_login_at,
            }
            for m in members.list_members(session, principal.account_id)
        ]
        me = session.get(Member, principal.member_id)
        context = {
            "custom_domain": account.custom_domain or "",
            "account_name": account.name,
            "account_id": account.id,
            "signing_rotated_at": account.signing_secret_rotated_at,
            "has_signing_secret": account.signing_secret is not None,
        }
    return _page(
        "app/settings.html",
        status,
        **context,
        members=people,
        me=me.id if me else None,
        is_owner=g.dashboard.role == "owner",
        roles=members.ROLES,
        errors=errors or {},
        form=form or {},
        notice=notice or NOTICES.get(request.args.get("notice", "")),
        new_secret=flash.pop("signing_secret") if status == 200 else None,
        invite=flash.pop("invite") if status == 200 else None,
    )


def _guard(owner: bool = False) -> Response | None:
    if g.get("dashboard") is None:
        return _login_redirect()
    if not _csrf_ok():
        return _csrf_failed()
    if owner and g.dashboard.role != "owner":
        return _page(
            "message.html", 403, title="Owners only", message="Ask an owner of the account to do this."
        )
    return None


def _done(notice: str = "") -> Response:
    url = url_for(".settings_page", notice=notice or None)
    return redirect(url, code=303)


@bp.route("/app/settings", methods=["GET", "POST"])
@auth.page
@_hidden("Settings")
def settings_page():
    if g.get("dashboard") is None:
        return _login_redirect()
    if request.method == "GET":
        return _settings_page()
    if (refused := _guard()) is not None:
        return refused
    principal = g.principal
    value = request.form.get("custom_domain", "").strip() or None
    own_host = urlsplit(services().settings.public_url).hostname
    try:
        with services().sessions() as session, session.begin():
            accounts.set_custom_domain(
                session, principal.account_id, value, principal.actor(g.request_id), own_host=own_host
            )
    except accounts.AccountError as exc:
        return _settings_page(400, errors={"custom_domain": str(exc)}, form={"custom_domain": value or ""})
    return _done("domain")


@bp.post("/app/settings/signing-secret")
@auth.page
@_hidden("Create or rotate the signing secret")
def signing_secret():
    if (refused := _guard(owner=True)) is not None:
        return refused
    svc = services()
    with svc.sessions() as session, session.begin():
        account = session.get(Account, g.principal.account_id, with_for_update=True)
        secret = signing.set_signing_secret(
            session, account, svc.settings.secret_key, g.principal.actor(g.request_id)
        )
    flash.put("signing_secret", secret=secret)
    return _done()


@bp.post("/app/settings/members")
@auth.page
@_hidden("Invite a member")
def invite():
    if (refused := _guard(owner=True)) is not None:
        return refused
    form = {"email": request.form.get("email", "").strip(), "role": request.form.get("role", "member")}
    try:
        with services().sessions() as session, session.begin():
            account = session.get(Account, g.principal.account_id)
            member, token = members.invite_member(
                session, account, form["email"], form["role"], g.principal.actor(g.request_id)
            )
            email = member.email
    except members.MemberError as exc:
        field = "role" if str(exc).startswith("Role") else "email"
        return _settings_page(400, errors={field: str(exc)}, form=form)
    link = services().settings.public_url.rstrip("/") + url_for(".accept_invite", token=token)
    flash.put("invite", email=email, link=link)
    return _done()


def _member_action(member_id: uuid.UUID, change) -> Response:
    if (refused := _guard(owner=True)) is not None:
        return refused
    try:
        with services().sessions() as session, session.begin():
            change(session, g.principal.account_id, member_id, g.principal.actor(g.request_id))
    except LookupError:
        return _page("message.html", 404, title="Not found", message="No such member in this account.")
    except members.MemberError as exc:
        return _settings_page(400, errors={f"member-{member_id}": str(exc)})
    return None


@bp.post("/app/settings/members/<uuid:member_id>/role")
@auth.page
@_hidden("Change a member's role")
def change_role(member_id: uuid.UUID):
    role = request.form.get("role", "")

    def change(session, account_id, target, actor):
        members.change_role(session, account_id, target, role, actor)

    refused = _member_action(member_id, change)
    if refused is not None:
        return refused
    if member_id == g.principal.member_id and role != "owner":
        return redirect(url_for("dashboard.overview"), code=303)  # no longer allowed on this form
    return _done("role")


@bp.post("/app/settings/members/<uuid:member_id>/remove")
@auth.page
@_hidden("Remove a member")
def remove_member(member_id: uuid.UUID):
    if member_id == g.principal.member_id:
        return _settings_page(400, errors={f"member-{member_id}": "You cannot remove yourself."})
    refused = _member_action(member_id, members.remove_member)
    return refused if refused is not None else _done("removed")


@bp.post("/app/settings/password")
@auth.page
@_hidden("Change your password")
def change_password():
    if (refused := _guard()) is not None:
        return refused
    ip = g.principal.client_ip
    current = request.form.get(CURRENT, "")
    new = request.form.get(NEW, "")
    errors: dict[str, str] = {}
    try:  # the current password is a credential: the log-in limit guards it
        ratelimit.guard_auth(ip, g.dashboard.email)
    except ApiError as exc:
        return _locked_out(exc)
    with services().sessions() as session, session.begin():
        member = session.get(Member, g.principal.member_id, with_for_update=True)
        if not members.password_matches(member, current):
            errors[CURRENT] = "This is not your current password."
        elif new != request.form.get(CONFIRM, ""):
            errors[CONFIRM] = "The two new passwords differ."
        elif new == current:
            errors[NEW] = "Choose a password you have not been using."
        else:
            try:
                members.change_password(session, member, new, g.principal.actor(g.request_id))
            except members.MemberError as exc:
                errors[NEW] = str(exc)
    if errors:
        if CURRENT in errors and (over := ratelimit.count_auth_failure(ip, g.dashboard.email)):
            return _locked_out(over)
        return _settings_page(400, errors=errors)
    # Every session of the member ended with the change, this one too: log in again.
    response = redirect(url_for("dashboard.login", changed="password"), code=303)
    browser.clear_session_cookie(response)
    return response


@bp.route("/invite/<token>", methods=["GET", "POST"])
@auth.page
@_hidden("Accept an invite")
def accept_invite(token: str):
    with services().sessions() as session:
        member = members.find_invite(session, token)
        email = member.email if member else None
    if member is None:
        return _page(
            "message.html",
            404,
            title="Invite not valid",
            message="This invite link was used already, expired or cancelled. Ask for a new one.",
        )
    if request.method == "GET":
        return _page("invite.html", email=email, token=token, error=None)
    if not _csrf_ok():
        return _csrf_failed()
    password = request.form.get("password", "")
    if password != request.form.get(CONFIRM, ""):
        return _page("invite.html", 400, email=email, token=token, error="The two passwords differ.")
    try:
        with services().sessions() as session, session.begin():
            member = members.find_invite(session, token)
            if member is None:
                return _page(
                    "message.html", 404, title="Invite not valid", message="This invite was used already."
                )
            members.accept_invite(session, member, password, g.principal.client_ip)
    except members.MemberError as exc:
        return _page("invite.html", 400, email=email, token=token, error=str(exc))
    return _log_in(member, url_for("dashboard.overview"))
