"""Rate limits scoped to what they protect (issue 12, section 4), on a stack of its own with the
seeded plans: the render budget of an address never locks it out of the docs, the dashboard, log-in,
sign-up, authorize or its own valid keys; wrong keys are 401 and bad signatures 403, counted against
a separate failed-authentication limit per address; log-in and authorize are limited per address
and per account name; anonymous callers get the starter plan's terms unless configured otherwise."""

from __future__ import annotations

import re
import uuid

import pytest
import requests

from devstack.stack import running_api
from tests.support.accounts import bearer, cli, new_key, unique_spec

BUDGET = 5  # the starter plan's requests per window here, hence the anonymous budget
PER_ADDRESS = 5
PER_ACCOUNT = 3
PASSWORD = "correct horse 1"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
WRONG_KEY = "pk_live_" + "x" * 40


@pytest.fixture(scope="module")
def auth_env(base_env, private_env):
    env = {
        **private_env("authlimits", seeded_plans=True),
        "CHARTFLEET_QUEUE_PREFIX": f"{base_env['CHARTFLEET_QUEUE_PREFIX']}authlimits-",
        "CHARTFLEET_REDIS_PREFIX": f"{base_env['CHARTFLEET_REDIS_PREFIX']}authlimits:",
        "CHARTFLEET_TRUSTED_PROXIES": "1",  # each test speaks for its own client addresses
        "CHARTFLEET_AUTH_LIMIT_PER_ADDRESS": str(PER_ADDRESS),
        "CHARTFLEET_AUTH_LIMIT_PER_ACCOUNT": str(PER_ACCOUNT),
        # No worker serves these queues: the one sync render here is asked only for its rate-limit
        # headers, so it need not wait the suite's 20 s for a worker before its 504.
        "CHARTFLEET_SYNC_TIMEOUT": "1",
    }
    cli(env, "plans", "set", "starter", "--rate-limit", str(BUDGET))
    return env


@pytest.fixture(scope="module")
def auth_api(auth_env, log_dir):
    with running_api(auth_env, log_dir, name="auth-limits-api") as base:
        yield base


def _client(address: str) -> dict[str, str]:
    return {"X-Forwarded-For": address}


def _address() -> str:
    n = uuid.uuid4().int
    return f"198.18.{n % 250}.{(n >> 8) % 250 + 1}"


def _post_sign_up(base: str, address: str) -> tuple[str, requests.Response]:
    """The sign-up form posted from ``address`` with a new email: that email and the answer."""
    email = f"m-{uuid.uuid4().hex[:10]}@example.com"
    with requests.Session() as browser:
        browser.headers.update(_client(address))
        form = browser.get(f"{base}/signup", timeout=30)
        r = browser.post(
            f"{base}/signup",
            data={
                "csrf_token": CSRF.search(form.text).group(1),
                "account": f"Team {uuid.uuid4().hex[:10]}",
                "email": email,
                "password": PASSWORD,
            },
            allow_redirects=False,
            timeout=30,
        )
    return email, r


def _sign_up(base: str, address: str) -> str:
    """A dashboard member (email) signed up through the form from ``address``."""
    email, r = _post_sign_up(base, address)
    assert r.status_code == 303, r.text[:300]
    return email


def _log_in(base: str, address: str, email: str, password: str) -> requests.Response:
    with requests.Session() as browser:
        browser.headers.update(_client(address))
        page = browser.get(f"{base}/login", timeout=30)
        assert page.status_code == 200, page.text[:300]
        return browser.post(
            f"{base}/login",
            data={"csrf_token": CSRF.search(page.text).group(1), "email": email, "password": password},
            allow_redirects=False,
            timeout=30,
        )


def _authorize(base: str, address: str, login: str, password: str) -> requests.Response:
    return requests.post(
        f"{base}/api/v1/authorize",
        data={"login": login, "password": password},
        headers=_client(address),
        timeout=30,
    )


def _bad_signature(base: str, address: str, account: str) -> requests.Response:
    query = f"cht=p&chd=t:1,2&chs=100x100&icac={account}&ichm={'ab' * 32}"
    return requests.get(f"{base}/chart?{query}", headers=_client(address), timeout=30)


def _spend_budget(base: str, address: str) -> None:
    for i in range(BUDGET):
        r = requests.post(f"{base}/api/v1/jobs", json=unique_spec(), headers=_client(address), timeout=30)
        assert r.status_code == 202, r.text
        assert r.headers["X-RateLimit-Limit"] == str(BUDGET)
        assert r.headers["X-RateLimit-Remaining"] == str(BUDGET - i - 1)
    over = requests.post(f"{base}/api/v1/jobs", json=unique_spec(), headers=_client(address), timeout=30)
    assert over.status_code == 429 and over.json()["retryAfter"] > 0


def test_spent_render_budget_leaves_docs_log_in_and_keys_alone(auth_api, auth_env):
    email = _sign_up(auth_api, _address())
    account, key = new_key(auth_env, "render", "read", plan="pro")
    client = _address()
    _spend_budget(auth_api, client)
    headers = _client(client)
    for path in ("/docs", "/api/v1/openapi.json", "/api/v1/postman.json", "/login", "/signup"):
        r = requests.get(f"{auth_api}{path}", headers=headers, timeout=30)
        assert r.status_code == 200, (path, r.status_code, r.text[:200])
    app = requests.get(f"{auth_api}/app", headers=headers, allow_redirects=False, timeout=30)
    assert app.status_code in (302, 303) and "/login" in app.headers["Location"]
    assert _log_in(auth_api, client, email, PASSWORD).status_code == 303
    authorized = _authorize(auth_api, client, account, key)
    assert authorized.status_code == 200 and authorized.json()["s"] == "ok", authorized.text
    with_key = requests.post(
        f"{auth_api}/api/v1/jobs", json=unique_spec(), headers={**headers, **bearer(key)}, timeout=30
    )
    assert with_key.status_code == 202, with_key.text
    wrong_key = requests.post(
        f"{auth_api}/api/v1/jobs", json=unique_spec(), headers={**headers, **bearer(WRONG_KEY)}, timeout=30
    )
    assert wrong_key.status_code == 401, wrong_key.text
    assert (
        requests.get(
            f"{auth_api}/api/v1/jobs/{uuid.uuid4()}?key={WRONG_KEY}", headers=headers, timeout=30
        ).status_code
        == 401
    )
    assert _bad_signature(auth_api, client, account).status_code == 403


def test_wrong_keys_are_401_until_the_address_limit_then_429(auth_api, auth_env):
    _, key = new_key(auth_env, "render", "read", plan="pro")
    client = _address()
    headers = _client(client)
    for _ in range(PER_ADDRESS):
        r = requests.get(
            f"{auth_api}/api/v1/jobs/{uuid.uuid4()}", headers={**headers, **bearer(WRONG_KEY)}, timeout=30
        )
        assert r.status_code == 401, r.text
    refused = requests.get(
        f"{auth_api}/api/v1/usage", headers={**headers, "X-Api-Key": WRONG_KEY}, timeout=30
    )
    assert refused.status_code == 429, refused.text
    assert refused.json()["error"] == "Rate limit exceeded" and refused.json()["limit"] == "authentication"
    assert 0 < int(refused.headers["Retry-After"]) <= 900 and refused.json()["retryAfter"] > 0
    # the address's render budget was not touched, and valid keys from it are not refused
    anonymous = requests.get(f"{auth_api}/api/v1/jobs/{uuid.uuid4()}", headers=headers, timeout=30)
    assert anonymous.status_code == 404 and anonymous.headers["X-RateLimit-Remaining"] == str(BUDGET - 1)
    valid = requests.get(f"{auth_api}/api/v1/usage", headers={**headers, **bearer(key)}, timeout=30)
    assert valid.status_code == 200, valid.text


def test_bad_signatures_are_403_and_count_as_failed_authentication(auth_api, auth_env):
    account, _ = new_key(auth_env, "render", plan="pro")
    client = _address()
    for _ in range(PER_ADDRESS):
        r = _bad_signature(auth_api, client, account)
        assert r.status_code == 403 and r.headers["X-Ic-Error-Code"], r.text
    assert _bad_signature(auth_api, client, account).status_code == 429
    unsigned = requests.get(
        f"{auth_api}/chart?cht=p&chd=t:1,2&chs=100x100", headers=_client(client), timeout=30
    )
    assert unsigned.headers["X-RateLimit-Remaining"] == str(BUDGET - 1), unsigned.text[:200]


def test_log_in_is_limited_per_account_name(auth_api):
    victim, other = _sign_up(auth_api, _address()), _sign_up(auth_api, _address())
    addresses = [_address() for _ in range(PER_ACCOUNT + 1)]
    for address in addresses[:PER_ACCOUNT]:
        assert _log_in(auth_api, address, victim, "wrong password 1").status_code == 401
    locked = _log_in(auth_api, addresses[-1], victim.upper(), PASSWORD)  # the right password, too late
    assert locked.status_code == 429 and int(locked.headers["Retry-After"]) > 0
    assert "Too many" in locked.text and "cf_session" not in locked.headers.get("Set-Cookie", "")
    # another account from one of the same addresses is not affected
    assert _log_in(auth_api, addresses[0], other, PASSWORD).status_code == 303


def test_log_in_is_limited_per_address(auth_api):
    member = _sign_up(auth_api, _address())
    client = _address()
    for _ in range(PER_ADDRESS):
        wrong = _log_in(auth_api, client, f"nobody-{uuid.uuid4().hex[:8]}@example.com", "wrong password 1")
        assert wrong.status_code == 401
    assert _log_in(auth_api, client, member, PASSWORD).status_code == 429
    assert _log_in(auth_api, _address(), member, PASSWORD).status_code == 303


def test_sign_ups_count_against_the_address(auth_api):
    client = _address()
    for _ in range(PER_ADDRESS):
        _sign_up(auth_api, client)
    _, r = _post_sign_up(auth_api, client)
    assert r.status_code == 429 and int(r.headers["Retry-After"]) > 0


def test_authorize_is_limited_per_login(auth_api, auth_env):
    account, key = new_key(auth_env, "render", "read", plan="pro")
    addresses = [_address() for _ in range(PER_ACCOUNT + 1)]
    for address in addresses[:PER_ACCOUNT]:
        r = _authorize(auth_api, address, account, WRONG_KEY)
        assert r.status_code == 401 and r.json() == {
            "s": "error",
            "errmsg": "Unauthorized - Invalid credentials",
        }
    locked = _authorize(auth_api, addresses[-1], account, key)
    assert (
        locked.status_code == 429 and locked.json()["s"] == "error" and int(locked.headers["Retry-After"]) > 0
    )
    other, other_key = new_key(auth_env, "render", "read", plan="pro")
    assert _authorize(auth_api, addresses[0], other, other_key).status_code == 200


def test_anonymous_callers_get_the_starter_terms(auth_api):
    client = _address()
    wide = requests.post(
        f"{auth_api}/api/v1/jobs", json=unique_spec(width=3000), headers=_client(client), timeout=30
    )  # over the seeded anonymous plan's 2000 px, within starter's 4000
    assert wide.status_code == 202, wide.text
    pdf = requests.post(
        f"{auth_api}/api/v1/jobs", json=unique_spec(format="pdf"), headers=_client(client), timeout=30
    )
    assert pdf.status_code == 402 and pdf.json()["plan"] == "anonymous"
    hook = requests.post(
        f"{auth_api}/api/v1/jobs",
        json=unique_spec(webhookUrl="https://example.com/hook"),
        headers=_client(client),
        timeout=30,
    )
    assert hook.status_code == 403 and hook.json()["field"] == "webhookUrl"  # no webhooks without a key
