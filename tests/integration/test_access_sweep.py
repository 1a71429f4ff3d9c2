"""Access, swept over the app's own route table (issue 16): every route that takes an id refuses
another account (its key, or its dashboard session) with 403/404 and no data, and leaves the owner's
resource as it was; every management route refuses a key without its scope; signed Image-Charts URLs
cannot be replayed with altered parameters; URL-taking features refuse private and metadata
addresses end to end. The sweep fails when a route is added without being classified here."""

from __future__ import annotations

import io
import re
import uuid
from urllib.parse import urlencode

import pytest
import requests
from sqlalchemy import create_engine, text

from api.app import create_app
from api.auth import access_of
from core.config import Settings
from core.services.signing import sign
from tests.integration.test_dashboard import csrf_of, log_in, sign_up
from tests.support.accounts import bearer, cli, new_key, unique_spec
from tests.support.polling import wait_for


def _png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(out, "PNG")
    return out.getvalue()


BAR = {"type": "bar", "data": {"labels": ["a"], "datasets": [{"label": "x", "data": [1]}]}}

# Routes taking an id that are public by design, with the reason.
PUBLIC_BY_ID = {
    ("GET", "/chart/render/<chart_id>"): "a short chart's id is the link a user shares",
    ("GET", "/v3/coinglass/advanced-chart/storage/<uuid:job_id>.<ext>"): "the URL is the capability",
    ("GET", "/static/<path:filename>"): "packaged assets",
    ("GET", "/invite/<token>"): "the one-time invite token is the capability",
    ("POST", "/invite/<token>"): "the one-time invite token is the capability",
}

# (method, rule) -> the path with account A's ids, as ``str.format`` fields of ``AccountA.ids``.
ID_ROUTES = {
    ("GET", "/api/v1/api-keys/<uuid:key_id>"): "/api/v1/api-keys/{key}",
    ("DELETE", "/api/v1/api-keys/<uuid:key_id>"): "/api/v1/api-keys/{key}",
    ("POST", "/api/v1/api-keys/<uuid:key_id>/roll"): "/api/v1/api-keys/{key}/roll",
    ("GET", "/api/v1/brand-kits/<kit>"): "/api/v1/brand-kits/{kit}",
    ("PUT", "/api/v1/brand-kits/<kit>"): "/api/v1/brand-kits/{kit}",
    ("DELETE", "/api/v1/brand-kits/<kit>"): "/api/v1/brand-kits/{kit}",
    ("PUT", "/api/v1/brand-kits/<kit>/logo"): "/api/v1/brand-kits/{kit}/logo",
    ("DELETE", "/api/v1/brand-kits/<kit>/logo"): "/api/v1/brand-kits/{kit}/logo",
    ("GET", "/api/v1/jobs/<uuid:job_id>"): "/api/v1/jobs/{job}",
    ("GET", "/api/v1/jobs/<uuid:job_id>/image"): "/api/v1/jobs/{job}/image",
    ("GET", "/api/v1/templates/<template>"): "/api/v1/templates/{template}",
    ("PUT", "/api/v1/templates/<template>"): "/api/v1/templates/{template}",
    ("DELETE", "/api/v1/templates/<template>"): "/api/v1/templates/{template}",
    ("GET", "/api/v1/templates/<template>/render"): "/api/v1/templates/{template}/render",
    ("GET", "/api/v1/webhooks/<uuid:webhook_id>"): "/api/v1/webhooks/{hook}",
    ("PUT", "/api/v1/webhooks/<uuid:webhook_id>"): "/api/v1/webhooks/{hook}",
    ("DELETE", "/api/v1/webhooks/<uuid:webhook_id>"): "/api/v1/webhooks/{hook}",
    ("GET", "/api/v1/webhooks/<uuid:webhook_id>/deliveries"): "/api/v1/webhooks/{hook}/deliveries",
    (
        "POST",
        "/api/v1/webhooks/<uuid:webhook_id>/deliveries/<uuid:delivery_id>/redeliver",
    ): "/api/v1/webhooks/{hook}/deliveries/{delivery}/redeliver",
    ("POST", "/api/v1/webhooks/<uuid:webhook_id>/rotate-secret"): "/api/v1/webhooks/{hook}/rotate-secret",
    ("POST", "/api/v1/webhooks/<uuid:webhook_id>/test"): "/api/v1/webhooks/{hook}/test",
    ("POST", "/app/api-keys/<uuid:key_id>/revoke"): "/app/api-keys/{key}/revoke",
    ("POST", "/app/api-keys/<uuid:key_id>/roll"): "/app/api-keys/{key}/roll",
    ("GET", "/app/renders/<uuid:job_id>"): "/app/renders/{job}",
    ("GET", "/app/renders/<uuid:job_id>/image"): "/app/renders/{job}/image",
    ("GET", "/app/webhooks/<uuid:endpoint_id>"): "/app/webhooks/{hook}",
    ("POST", "/app/webhooks/<uuid:endpoint_id>/delete"): "/app/webhooks/{hook}/delete",
    (
        "POST",
        "/app/webhooks/<uuid:endpoint_id>/deliveries/<uuid:delivery_id>/redeliver",
    ): "/app/webhooks/{hook}/deliveries/{delivery}/redeliver",
    ("POST", "/app/webhooks/<uuid:endpoint_id>/enabled"): "/app/webhooks/{hook}/enabled",
    ("POST", "/app/webhooks/<uuid:endpoint_id>/rotate"): "/app/webhooks/{hook}/rotate",
    ("POST", "/app/webhooks/<uuid:endpoint_id>/test"): "/app/webhooks/{hook}/test",
    ("GET", "/app/brand-kits/<uuid:kit_id>"): "/app/brand-kits/{kit}",
    ("POST", "/app/brand-kits/<uuid:kit_id>"): "/app/brand-kits/{kit}",
    ("POST", "/app/brand-kits/<uuid:kit_id>/delete"): "/app/brand-kits/{kit}/delete",
    ("POST", "/app/brand-kits/<uuid:kit_id>/logo"): "/app/brand-kits/{kit}/logo",
    ("GET", "/app/templates/<uuid:template_id>"): "/app/templates/{template}",
    ("POST", "/app/templates/<uuid:template_id>"): "/app/templates/{template}",
    ("POST", "/app/templates/<uuid:template_id>/delete"): "/app/templates/{template}/delete",
    ("POST", "/app/settings/members/<uuid:member_id>/remove"): "/app/settings/members/{member}/remove",
    ("POST", "/app/settings/members/<uuid:member_id>/role"): "/app/settings/members/{member}/role",
}

# Valid bodies for the writes, so a refusal is about the id (by method, then the rule's last part).
BODIES = {
    "PUT": {
        "<kit>": {"name": "taken"},
        "<template>": {"name": "taken"},
        "<uuid:webhook_id>": {"description": "x"},
    },
    "POST": {"roll": {}, "rotate-secret": {}},
}
BODIES["PUT"]["logo"] = _png()
# Valid dashboard forms, likewise (by the rule's last part).
FORMS = {"role": {"role": "member"}}

# Account-scoped lists: another account's listing never shows A's ids.
LISTS = ("/api/v1/api-keys", "/api/v1/brand-kits", "/api/v1/templates", "/api/v1/webhooks", "/api/v1/renders")

# Render routes need the key's "render" scope.
RENDER_ROUTES = {
    ("POST", "/api/v1/render"): {"json": BAR},
    ("GET", "/api/v1/render"): {"params": {"type": "bar", "labels": "a", "data": "1"}},
    ("POST", "/api/v1/jobs"): {"json": BAR},
    ("GET", "/chart"): {"params": {"cht": "p", "chd": "t:1,2", "chs": "100x100"}},
    ("POST", "/chart"): {"json": {"chart": BAR}},
}


def _app():
    return create_app(Settings.from_env({}, storage="local"))


def _routes(app) -> list[tuple[str, str, object]]:
    return [
        (method, rule.rule, access_of(app.view_functions[rule.endpoint]))
        for rule in app.url_map.iter_rules()
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"})
    ]


def test_every_route_with_an_id_is_swept_or_public_by_design():
    with_ids = {(m, r) for m, r, _ in _routes(_app()) if "<" in r}
    assert with_ids == set(ID_ROUTES) | set(PUBLIC_BY_ID), (
        "classify the new route here: sweep it in ID_ROUTES, or say why it is public",
        with_ids ^ (set(ID_ROUTES) | set(PUBLIC_BY_ID)),
    )


class Owner:
    """Account A with one of each resource, reached with A's own key and dashboard session."""

    def __init__(self, api_url: str, env: dict[str, str]):
        email = f"owner-{uuid.uuid4().hex[:8]}@example.com"
        self.account = f"owner-{uuid.uuid4().hex[:8]}"
        cli(env, "accounts", "create", self.account, "--plan", "enterprise", "--owner-email", email,
            input="owner pw 12345\n" * 2)  # fmt: skip
        self.browser = requests.Session()
        assert log_in(api_url, self.browser, email, "owner pw 12345").status_code == 200
        self.csrf = csrf_of(self.browser.get(f"{api_url}/app/webhooks").text)
        _, self.key = new_key(env, "render", "read", "manage", account=self.account)
        self.http = requests.Session()
        self.http.headers.update(bearer(self.key))
        base = api_url
        spare = self._post(f"{base}/api/v1/api-keys", {"name": "spare", "scopes": ["read"]})
        self.spare_key = spare["key"]
        kit = self._post(f"{base}/api/v1/brand-kits", {"name": f"kit {self.account}", "palette": ["#ff0000"]})
        template = self._post(f"{base}/api/v1/templates", {"name": f"tpl-{self.account}", "spec": BAR})
        job = self.http.post(f"{base}/api/v1/jobs", json=unique_spec(), timeout=30).json()
        hook = self._post(f"{base}/api/v1/webhooks", {"url": "http://127.0.0.2:8080/owner-hook"})
        sent = self.http.post(f"{base}/api/v1/webhooks/{hook['id']}/test", timeout=30).json()
        with create_engine(env["CHARTFLEET_DATABASE_URL"]).connect() as db:
            member = db.execute(text("SELECT id FROM members WHERE email = :e"), {"e": email}).scalar_one()
        self.ids = {
            "member": str(member),
            "key": spare["id"],
            "kit": kit["id"],
            "template": template["id"],
            "job": job["id"],
            "hook": hook["id"],
            "delivery": sent["deliveryId"],
        }
        wait_for(
            lambda: (
                self.http.get(f"{base}/api/v1/jobs/{job['id']}", timeout=30).json()["status"] == "succeeded"
            ),
            what="the owner's job",
        )

    def _post(self, url: str, body: dict) -> dict:
        r = self.http.post(url, json=body, timeout=30)
        assert r.status_code in (200, 201), (url, r.status_code, r.text)
        return r.json()


@pytest.fixture(scope="module")
def owner(api_url, base_env) -> Owner:
    return Owner(api_url, base_env)


@pytest.fixture(scope="module")
def intruder(api_url, base_env):
    """Account B: a key with every scope, and a dashboard session (with its CSRF token)."""
    _, key = new_key(base_env, "render", "read", "manage", plan="enterprise")
    browser = requests.Session()
    assert sign_up(api_url, browser, f"intruder-{uuid.uuid4().hex[:8]}@example.com").status_code == 303
    token = csrf_of(browser.get(f"{api_url}/app/api-keys").text)
    yield key, browser, token
    browser.close()


def _leaks(owner: Owner, text: str, asked: str = "") -> list[str]:
    """A's names, keys and ids in ``text``, but for the ids of the URL ``asked`` (echoed back)."""
    secrets = [owner.account, owner.key, owner.spare_key, *owner.ids.values()]
    return [s for s in secrets if s in text and s not in asked]


def test_another_account_is_refused_every_id_route(api_url, owner, intruder):
    key, browser, token = intruder
    refused = {}
    for (method, rule), template in sorted(ID_ROUTES.items()):
        url = api_url + template.format(**owner.ids)
        if rule.startswith("/app/"):
            data = (
                {"csrf_token": token, **FORMS.get(rule.rsplit("/", 1)[-1], {})} if method == "POST" else None
            )
            r = browser.request(method, url, data=data, allow_redirects=False, timeout=30)
        else:
            body = BODIES.get(method, {}).get(rule.rsplit("/", 1)[-1])
            if isinstance(body, bytes):
                sent = {"data": body, "headers": {**bearer(key), "Content-Type": "image/png"}}
            else:
                sent = {"json": body, "headers": bearer(key)}
            r = requests.request(method, url, allow_redirects=False, timeout=30, **sent)
        assert r.status_code in (403, 404), (method, rule, r.status_code, r.text[:300])
        assert "CSRF" not in r.text, (method, rule, "refused for its token, not for the id")
        assert not _leaks(owner, r.text, url), (method, rule, _leaks(owner, r.text, url))
        refused[(method, rule)] = r.status_code
    assert set(refused) == set(ID_ROUTES)
    # A's resources are as they were: nothing was revoked, rolled, deleted or disabled.
    ids = owner.ids
    for path in (
        f"/api/v1/api-keys/{ids['key']}",
        f"/api/v1/brand-kits/{ids['kit']}",
        f"/api/v1/templates/{ids['template']}",
        f"/api/v1/jobs/{ids['job']}",
        f"/api/v1/webhooks/{ids['hook']}",
        f"/api/v1/webhooks/{ids['hook']}/deliveries",
        f"/api/v1/jobs/{ids['job']}/image",
    ):
        r = owner.http.get(api_url + path, allow_redirects=False, timeout=30)
        assert r.status_code in (200, 302), (path, r.status_code, r.text[:300])
    assert owner.http.get(f"{api_url}/api/v1/api-keys/{ids['key']}", timeout=30).json()["status"] == "active"
    hook = owner.http.get(f"{api_url}/api/v1/webhooks/{ids['hook']}", timeout=30).json()
    assert hook["enabled"] is True and hook["url"].endswith("/owner-hook")
    assert (
        owner.http.get(f"{api_url}/api/v1/brand-kits/{ids['kit']}", timeout=30)
        .json()["name"]
        .startswith("kit ")
    )
    assert (
        requests.get(f"{api_url}/api/v1/stats", headers=bearer(owner.spare_key), timeout=30).status_code
        == 200
    )


def test_lists_never_show_another_accounts_items(api_url, owner, intruder):
    key, browser, _ = intruder
    for path in LISTS:
        for r in (
            requests.get(api_url + path, headers=bearer(key), timeout=30),
            browser.get(api_url + path, timeout=30),
        ):
            assert r.status_code == 200, (path, r.text[:300])
            assert not _leaks(owner, r.text), (path, _leaks(owner, r.text))
        mine = owner.http.get(api_url + path, timeout=30)
        assert mine.status_code == 200 and _leaks(owner, mine.text), path  # the check can see a leak


def _scope_path(rule: str) -> str:
    return re.sub(r"<(?:[^:>]+:)?[^>]+>", str(uuid.uuid4()), rule)


def test_every_management_route_needs_its_scope(api_url, base_env):
    keys = {scope: new_key(base_env, scope, plan="enterprise")[1] for scope in ("render", "read")}
    checked = 0
    for method, rule, access in _routes(_app()):
        if access.kind != "account":
            continue
        # A key with none of the needed scopes; a read key on a manage route.
        lacking = [keys["render"]] + ([keys["read"]] if access.scope == "manage" else [])
        for key in lacking:
            r = requests.request(
                method, api_url + _scope_path(rule), headers=bearer(key), json={}, timeout=30
            )
            assert r.status_code == 403, (method, rule, r.status_code, r.text[:300])
            assert r.json().get("requiredScope") == access.scope, (method, rule, r.text)
        checked += 1
    assert checked >= 30, checked


@pytest.mark.parametrize(("method", "rule"), sorted(RENDER_ROUTES))
def test_render_routes_need_the_render_scope(api_url, base_env, method, rule):
    _, key = new_key(base_env, "read", plan="enterprise")
    r = requests.request(
        method, api_url + rule, headers=bearer(key), timeout=30, **RENDER_ROUTES[(method, rule)]
    )
    assert r.status_code == 403, (method, rule, r.status_code, r.text[:300])


def _signed(params: dict[str, str], account: str, secret: str) -> str:
    query = urlencode({**params, "icac": account})
    return f"{query}&ichm={sign(query, secret)}"


def test_signed_urls_cannot_be_replayed_altered(api_url, base_env):
    account, _ = new_key(base_env, plan="pro")
    other, _ = new_key(base_env, plan="pro")
    secret = cli(base_env, "accounts", "signing-secret", "--account", account).splitlines()[-1].strip()
    params = {"cht": "bvs", "chd": f"t:{uuid.uuid4().int % 90 + 1},2", "chs": "300x200"}
    good = _signed(params, account, secret)
    assert requests.get(f"{api_url}/chart?{good}", timeout=60).status_code == 200
    assert requests.get(f"{api_url}/chart?{good}&chof=.png", timeout=60).status_code == 200
    replays = {"added after ichm": f"{good}&chs=999x999", "added before": f"chs=999x999&{good}"}
    for name in params:
        replays[f"{name} altered"] = good.replace(f"{name}=", f"{name}=9", 1)
        replays[f"{name} removed"] = re.sub(rf"(^|&){name}=[^&]*", "", good, count=1).lstrip("&")
    replays["icac swapped"] = good.replace(f"icac={account}", f"icac={other}")
    replays["ichm of another query"] = good.rsplit("ichm=", 1)[0] + "ichm=" + sign("cht=p", secret)
    for name, query in replays.items():
        r = requests.get(f"{api_url}/chart?{query}", timeout=60)
        assert r.status_code == 403, (name, r.status_code, r.text[:200])
        posted = requests.post(
            f"{api_url}/chart",
            data=query,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            timeout=60,
        )
        assert posted.status_code == 403, (name, "form body", posted.status_code)


PRIVATE = [
    "http://127.0.0.1/hook",
    "http://169.254.169.254/latest/meta-data/",
    "http://[::ffff:169.254.169.254]/hook",
    "http://10.0.0.1/hook",
    "http://localhost:6379/",
    "http://2130706433/hook",
]


@pytest.mark.parametrize("url", PRIVATE)
def test_ssrf_targets_are_refused_by_every_url_taking_feature(api_url, owner, url):
    """Registration is covered in test_webhooks.py; here every other way a URL gets in: an update of
    an endpoint and the dashboard's form."""
    hook = owner.ids["hook"]
    r = owner.http.put(f"{api_url}/api/v1/webhooks/{hook}", json={"url": url}, timeout=30)
    assert r.status_code == 400 and r.json()["field"] == "url", r.text
    before = owner.http.get(f"{api_url}/api/v1/webhooks", timeout=30).json()["data"]
    page = owner.browser.post(
        f"{api_url}/app/webhooks", data={"csrf_token": owner.csrf, "url": url}, timeout=30
    )
    assert page.status_code in (200, 400, 422), page.status_code
    assert "not available on the" not in page.text  # refused for the address, not for the plan
    assert len(owner.http.get(f"{api_url}/api/v1/webhooks", timeout=30).json()["data"]) == len(before)
    assert (
        owner.http.get(f"{api_url}/api/v1/webhooks/{hook}", timeout=30).json()["url"].endswith("/owner-hook")
    )
