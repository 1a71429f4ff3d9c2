"""The dashboard over real HTTP, as a browser would use it: sign-up, log-in and log-out with a
session cookie, CSRF-protected forms, and the JSON management API with the session."""

from __future__ import annotations

import re
import uuid

import requests
from sqlalchemy import select

from core.models import AuditLog, Member
from tests.support.accounts import bearer, cli

PASSWORD = "correct horse 1"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
META = re.compile(r'<meta name="csrf-token" content="([^"]+)">')


def fresh_get(url: str, **kwargs) -> requests.Response:
    """A request from a client with no cookies."""
    return requests.get(url, timeout=30, **kwargs)


def csrf_of(html: str) -> str:
    match = CSRF.search(html)
    assert match, html[:500]
    return match.group(1)


def sign_up(
    api_url: str, browser: requests.Session, email: str, password: str = PASSWORD
) -> requests.Response:
    form = browser.get(f"{api_url}/signup")
    assert form.status_code == 200 and "cf_csrf" in browser.cookies
    return browser.post(
        f"{api_url}/signup",
        data={
            "csrf_token": csrf_of(form.text),
            "account": f"Team {uuid.uuid4().hex[:12]}",
            "email": email,
            "password": password,
        },
        allow_redirects=False,
    )


def log_in(
    api_url: str, browser: requests.Session, email: str, password: str, *, follow: bool = True, **form: str
) -> requests.Response:
    page = browser.get(f"{api_url}/login")
    return browser.post(
        f"{api_url}/login",
        data={"csrf_token": csrf_of(page.text), "email": email, "password": password, **form},
        allow_redirects=follow,
    )


def test_signup_login_logout(api_url, sessions):
    email = f"ada-{uuid.uuid4().hex[:8]}@example.com"
    with requests.Session() as browser:
        r = sign_up(api_url, browser, email.upper())
        assert r.status_code == 303 and r.headers["Location"].endswith("/app"), r.text
        cookie = next(c for c in browser.cookies if c.name == "cf_session")
        assert cookie.has_nonstandard_attr("HttpOnly") and "SameSite=Lax" in r.headers["Set-Cookie"]
        overview = browser.get(f"{api_url}/app")
        assert overview.status_code == 200 and email in overview.text and 'id="plan">trial<' in overview.text
        assert "X-RateLimit-Limit" not in overview.headers  # pages are outside the API's budget
        usage = browser.get(f"{api_url}/api/v1/usage")
        assert usage.status_code == 200 and usage.json()["plan"] == "trial" and usage.json()["trialEndsAt"]

        logout_form = csrf_of(overview.text)
        assert browser.post(f"{api_url}/logout", data={}, allow_redirects=False).status_code == 400  # no CSRF
        out = browser.post(f"{api_url}/logout", data={"csrf_token": logout_form}, allow_redirects=False)
        assert out.status_code == 303
        old_cookie = cookie.value
    # the old cookie is dead server-side, not just forgotten by the browser
    replay = fresh_get(f"{api_url}/api/v1/usage", cookies={"cf_session": old_cookie})
    assert replay.status_code == 401
    assert (
        fresh_get(f"{api_url}/app", cookies={"cf_session": old_cookie}, allow_redirects=False).status_code
        == 302
    )

    with requests.Session() as browser:
        wrong = log_in(api_url, browser, email, "nope nope nope")
        assert wrong.status_code == 401 and "Wrong email or password" in wrong.text
        ok = log_in(api_url, browser, email, PASSWORD, follow=False, next="/app/settings")
        assert ok.status_code == 303 and ok.headers["Location"].endswith("/app/settings")
    with sessions() as s:
        member = s.scalars(select(Member).where(Member.email == email)).one()
        assert member.password_hash.startswith("$argon2id$") and member.last_login_at is not None
        actions = {
            a.action for a in s.scalars(select(AuditLog).where(AuditLog.account_id == member.account_id))
        }
    assert {"account.created", "member.added", "member.logged_in"} <= actions


def test_forms_refuse_missing_or_foreign_csrf_tokens(api_url):
    with requests.Session() as browser, requests.Session() as attacker:
        browser.get(f"{api_url}/signup")
        foreign = csrf_of(attacker.get(f"{api_url}/signup").text)  # valid, but for another browser
        for token in ("", foreign, "0" * 64):
            r = browser.post(
                f"{api_url}/signup",
                data={
                    "csrf_token": token,
                    "account": "x" + uuid.uuid4().hex,
                    "email": f"{uuid.uuid4().hex}@ex.com",
                    "password": "long enough pw",
                },
                allow_redirects=False,
            )
            assert r.status_code == 400 and "cf_session" not in browser.cookies


def test_signup_validation_and_duplicates(api_url):
    email = f"dup-{uuid.uuid4().hex[:8]}@example.com"
    with requests.Session() as browser:
        assert sign_up(api_url, browser, email).status_code == 303
    with requests.Session() as browser:
        again = sign_up(api_url, browser, email)
        assert again.status_code == 400 and "already exists" in again.text
        short = sign_up(api_url, browser, f"x{email}", password="short")
        assert short.status_code == 400 and "at least 10" in short.text


def test_session_calls_the_json_api_with_a_csrf_header(api_url):
    with requests.Session() as browser:
        assert sign_up(api_url, browser, f"js-{uuid.uuid4().hex[:8]}@example.com").status_code == 303
        token = META.search(browser.get(f"{api_url}/app").text).group(1)
        refused = browser.post(f"{api_url}/api/v1/api-keys", json={"name": "from js"})
        assert refused.status_code == 403 and "CSRF" in refused.json()["error"]
        made = browser.post(
            f"{api_url}/api/v1/api-keys", json={"name": "from js"}, headers={"X-CSRF-Token": token}
        )
        assert made.status_code == 201, made.text
        key = made.json()["key"]
        # the key works on its own, and renders never use the dashboard cookie
        assert fresh_get(f"{api_url}/api/v1/stats", headers=bearer(key)).status_code == 200
        job = browser.post(
            f"{api_url}/api/v1/jobs", json={"type": "bar", "data": {"datasets": [{"data": [1]}]}}
        )
        assert job.status_code == 202
        assert browser.get(f"{api_url}/api/v1/stats").json()["rendersThisMonth"] == 0


def test_key_pages_create_roll_and_revoke(api_url):
    with requests.Session() as browser:
        assert sign_up(api_url, browser, f"keys-{uuid.uuid4().hex[:8]}@example.com").status_code == 303
        page = browser.get(f"{api_url}/app/api-keys")
        created = browser.post(
            f"{api_url}/app/api-keys",
            data={
                "csrf_token": csrf_of(page.text),
                "name": "web",
                "scopes": ["render", "manage"],
                "expires_days": "30",
            },
        )
        assert created.status_code == 200
        key = re.search(r'<code id="new-key">(pk_live_\w+)</code>', created.text).group(1)
        assert fresh_get(f"{api_url}/api/v1/api-keys", headers=bearer(key)).status_code == 200
        key_id = re.search(r'data-key-id="([0-9a-f-]+)"', created.text).group(1)
        rolled = browser.post(
            f"{api_url}/app/api-keys/{key_id}/roll",
            data={"csrf_token": csrf_of(created.text), "grace_hours": "0"},
        )
        new_key = re.search(r'<code id="new-key">(pk_live_\w+)</code>', rolled.text).group(1)
        assert fresh_get(f"{api_url}/api/v1/api-keys", headers=bearer(key)).status_code == 401
        listing = fresh_get(f"{api_url}/api/v1/api-keys", headers=bearer(new_key)).json()["data"]
        new_id = next(k["id"] for k in listing if k["status"] == "active")
        revoked = browser.post(
            f"{api_url}/app/api-keys/{new_id}/revoke",
            data={"csrf_token": csrf_of(rolled.text)},
            allow_redirects=False,
        )
        assert revoked.status_code == 303
        assert fresh_get(f"{api_url}/api/v1/api-keys", headers=bearer(new_key)).status_code == 401
        for path in ("/app/usage-billing", "/app/audit-logs", "/app/settings"):
            shown = browser.get(f"{api_url}{path}")
            assert shown.status_code == 200, path
        audit_page = browser.get(f"{api_url}/app/audit-logs?action=api_key.*").text
        assert "api_key.revoked" in audit_page and "api_key.rolled" in audit_page


def test_operator_created_member_can_log_in(api_url, base_env):
    email = f"ops-{uuid.uuid4().hex[:8]}@example.com"
    name = f"ops-{uuid.uuid4().hex[:8]}"
    cli(
        base_env,
        "accounts",
        "create",
        name,
        "--plan",
        "pro",
        "--owner-email",
        email,
        input="operator pw 123\n" * 2,
    )
    with requests.Session() as browser:
        r = log_in(api_url, browser, email, "operator pw 123")
        assert r.status_code == 200 and 'id="plan">pro<' in r.text


def test_pages_need_a_session(api_url):
    r = fresh_get(f"{api_url}/app/api-keys", allow_redirects=False)
    assert r.status_code == 302 and "/login?next=/app/api-keys" in r.headers["Location"]
    assert fresh_get(f"{api_url}/api/v1/audit-logs").status_code == 401
