"""The issue-15 dashboard pages over real HTTP (app, worker, Postgres, S3): overview, usage and
billing with its self-rendered chart, render history, webhooks and API keys, with CSRF on every
form; and every page's server time with a year of render history for the account."""

from __future__ import annotations

import base64
import csv
import datetime as dt
import hashlib
import hmac
import io
import json
import re
import time
import uuid

import pytest
import requests
from sqlalchemy import select, text

from core.models import Account, AuditLog, Member, RenderJob
from tests.integration.test_dashboard import PASSWORD, csrf_of, log_in, sign_up
from tests.support.accounts import bearer, unique_spec
from tests.support.polling import wait_for_job_row
from tests.support.receiver import Receiver

CHART_SRC = re.compile(r'id="usage-chart" src="([^"]+)"')
PAGES = (
    "/app",
    "/app/usage-billing",
    "/app/renders",
    "/app/webhooks",
    "/app/api-keys",
    "/app/audit-log",
    "/app/brand-kits",
    "/app/brand-kits/new",
    "/app/templates",
    "/app/templates/new",
    "/app/settings",
)


def _account(sessions, email: str) -> uuid.UUID:
    with sessions() as s:
        return s.scalars(select(Member.account_id).where(Member.email == email)).one()


@pytest.fixture()
def member(api_url):
    """A signed-up browser session and its email."""
    email = f"pages-{uuid.uuid4().hex[:8]}@example.com"
    with requests.Session() as browser:
        assert sign_up(api_url, browser, email).status_code == 303
        yield browser, email


def _create_key(api_url, browser) -> str:
    page = browser.get(f"{api_url}/app/api-keys")
    assert 'class="empty"' in page.text  # empty state before the first key
    r = browser.post(
        f"{api_url}/app/api-keys",
        data={"csrf_token": csrf_of(page.text), "name": "ci", "scopes": ["render", "read"]},
    )
    assert r.status_code == 200 and 'data-copy="new-key"' in r.text
    return re.search(r'id="new-key">([^<]+)<', r.text).group(1)


def test_usage_billing_chart_is_rendered_by_chartfleet_and_never_charged(api_url, member, sessions):
    browser, email = member
    key = _create_key(api_url, browser)
    for _ in range(2):
        r = requests.post(f"{api_url}/api/v1/render", json=unique_spec(), headers=bearer(key), timeout=60)
        assert r.status_code == 200, r.text
    page = browser.get(f"{api_url}/app/usage-billing")
    assert page.status_code == 200 and 'id="used">2<' in page.text
    assert 'id="by-key"' in page.text and ">ci " in page.text and 'id="by-dialect"' in page.text
    assert (
        "chartjs" in page.text
        and 'id="projected"' in page.text
        and 'id="invoice-total">0.00 USD' in page.text
    )
    src = CHART_SRC.search(page.text).group(1).replace("&amp;", "&")
    assert src.startswith("/app/usage-billing/chart.png?c=")
    image = browser.get(f"{api_url}{src}")
    assert image.status_code == 200 and image.content.startswith(b"\x89PNG") and image.headers["X-Job-Id"]
    # what the chart draws is the base64 spec of GET /api/v1/render: today's bar holds 2 renders
    c = src.split("c=", 1)[1].split("&", 1)[0]
    spec = json.loads(base64.urlsafe_b64decode(c + "=" * (-len(c) % 4)))
    assert spec["data"]["datasets"][0]["data"][-1] == 2
    # the chart's own render is neither charged to nor listed for the account
    account_id = _account(sessions, email)
    with sessions() as s:
        chart_job = s.get(RenderJob, uuid.UUID(image.headers["X-Job-Id"]))
        assert chart_job.owner == "ip:dashboard" and chart_job.account_id is None
    assert 'id="used">2<' in browser.get(f"{api_url}/app/usage-billing").text
    # the signature binds the spec to the account: a changed spec, another browser, no signature
    assert browser.get(f"{api_url}{src.replace('width=800', 'width=801')}").status_code == 403
    assert requests.get(f"{api_url}{src}", timeout=30).status_code == 401
    with requests.Session() as other:
        assert sign_up(api_url, other, f"x-{uuid.uuid4().hex[:8]}@example.com").status_code == 303
        assert other.get(f"{api_url}{src}").status_code == 403
    # CSV export
    export = browser.get(f"{api_url}/app/usage-billing/usage.csv")
    assert export.status_code == 200 and export.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(export.text)))
    assert rows[0] == ["date", "renders", "cache_hits"]
    assert sum(int(r[1]) for r in rows[1:] if r and r[0][:2] == "20" and len(r[0]) == 10) == 2
    # change plan: CSRF-checked, audited; the trial cannot be restarted
    assert browser.post(f"{api_url}/app/usage-billing/plan", data={"plan": "pro"}).status_code == 400
    token = csrf_of(page.text)
    assert (
        browser.post(
            f"{api_url}/app/usage-billing/plan", data={"csrf_token": token, "plan": "trial"}
        ).status_code
        == 400
    )
    assert (
        browser.post(
            f"{api_url}/app/usage-billing/plan", data={"csrf_token": token, "plan": "nope"}
        ).status_code
        == 400
    )
    moved = browser.post(f"{api_url}/app/usage-billing/plan", data={"csrf_token": token, "plan": "pro"})
    assert (
        moved.status_code == 200
        and 'id="plan">pro<' in moved.text
        and 'id="invoice-total">79.00 USD' in moved.text
    )
    with sessions() as s:
        assert s.get(Account, account_id).plan_name == "pro"
        entry = s.scalars(
            select(AuditLog).where(
                AuditLog.account_id == account_id, AuditLog.action == "account.plan_changed"
            )
        ).one()
        assert entry.before["plan"] == "trial" and entry.after["plan"] == "pro"


def test_overview_and_render_history_with_filters_detail_and_image(api_url, member, sessions):
    browser, _ = member
    empty = browser.get(f"{api_url}/app/renders")
    assert empty.status_code == 200 and "No renders yet" in empty.text
    key = _create_key(api_url, browser)
    spec = unique_spec()
    ok = requests.post(f"{api_url}/api/v1/render", json=spec, headers=bearer(key), timeout=60)
    hit = requests.post(f"{api_url}/api/v1/render", json=spec, headers=bearer(key), timeout=60)
    assert ok.headers["X-Cache"] == "MISS" and hit.headers["X-Cache"] == "HIT"
    wait_for_job_row(sessions, hit.headers["X-Job-Id"])  # the hit log's flush (beat) records the hit
    # a failed render, as the worker records one (the renderer rarely fails on a valid spec)
    with sessions() as s, s.begin():
        failed_id = s.execute(
            text(
                "INSERT INTO render_jobs (account_id, owner, dialect, mode, spec, cache_key, format, width, "
                "height, status, cache_hit, attempts, error) "
                "SELECT id, 'account:' || id, 'chartjs', 'async', '{}'::json, md5(random()::text), 'png', "
                "300, 200, 'failed', false, 3, 'renderer crashed: boom' FROM accounts "
                "WHERE id = (SELECT account_id FROM api_keys WHERE prefix = :prefix) RETURNING id"
            ),
            {"prefix": key[:16]},
        ).scalar_one()
    overview = browser.get(f"{api_url}/app")
    assert overview.status_code == 200 and 'id="cache-ratio"' in overview.text
    assert re.search(r'id="render-times">\d+ / \d+ ms<', overview.text), overview.text
    assert ok.headers["X-Job-Id"] in overview.text and 'class="thumb"' in overview.text

    listing = browser.get(f"{api_url}/app/renders")
    assert all(j in listing.text for j in (ok.headers["X-Job-Id"], hit.headers["X-Job-Id"]))
    hits = browser.get(f"{api_url}/app/renders", params={"cache": "hit"}).text
    assert hit.headers["X-Job-Id"] in hits and ok.headers["X-Job-Id"] not in hits
    assert (
        ok.headers["X-Job-Id"]
        in browser.get(f"{api_url}/app/renders", params={"q": ok.headers["X-Job-Id"]}).text
    )
    only_failed = browser.get(f"{api_url}/app/renders", params={"status": "failed"}).text
    assert str(failed_id) in only_failed and ok.headers["X-Job-Id"] not in only_failed
    assert str(failed_id) in browser.get(f"{api_url}/app/renders", params={"q": "BOOM"}).text
    failed_page = browser.get(f"{api_url}/app/renders/{failed_id}").text
    assert (
        'id="render-error">renderer crashed: boom<' in failed_page
        and 'id="render-attempts">3<' in failed_page
    )
    invalid = browser.get(f"{api_url}/app/renders", params={"status": "nope", "from": "yesterday"})
    assert (
        invalid.status_code == 400
        and 'id="error-status"' in invalid.text
        and 'id="error-from"' in invalid.text
    )
    assert browser.get(f"{api_url}/app/renders", params={"cursor": "garbage"}).status_code == 400
    nothing = browser.get(f"{api_url}/app/renders", params={"from": "2001-01-01", "to": "2001-01-02"})
    assert "No render matches these filters" in nothing.text

    detail = browser.get(f"{api_url}/app/renders/{ok.headers['X-Job-Id']}")
    assert (
        detail.status_code == 200
        and 'id="render-image"' in detail.text
        and spec["data"]["datasets"][0]["label"] in detail.text
    )
    image = browser.get(f"{api_url}/app/renders/{ok.headers['X-Job-Id']}/image")
    assert image.status_code == 200 and image.content == ok.content
    # another account sees neither the page nor the image
    with requests.Session() as other:
        sign_up(api_url, other, f"o-{uuid.uuid4().hex[:8]}@example.com")
        assert other.get(f"{api_url}/app/renders/{ok.headers['X-Job-Id']}").status_code == 404
        assert other.get(f"{api_url}/app/renders/{ok.headers['X-Job-Id']}/image").status_code == 404


def test_webhooks_page_secret_once_test_event_delivery_rotate_and_delete(api_url, member, sessions):
    browser, _ = member
    page = browser.get(f"{api_url}/app/webhooks")
    assert "No webhook endpoints yet" in page.text
    token = csrf_of(page.text)
    assert browser.post(f"{api_url}/app/webhooks", data={"url": "http://x"}).status_code == 400  # no CSRF
    missing = browser.post(f"{api_url}/app/webhooks", data={"csrf_token": token, "url": "", "events": []})
    assert (
        missing.status_code == 400
        and 'id="error-url"' in missing.text
        and 'id="error-events"' in missing.text
    )
    private = browser.post(
        f"{api_url}/app/webhooks",
        data={"csrf_token": token, "url": "http://10.1.2.3/hook", "events": ["render.succeeded"]},
    )
    assert private.status_code == 400 and 'id="error-url"' in private.text
    with Receiver([(200, {}, b"received, thanks")]) as receiver:
        created = browser.post(
            f"{api_url}/app/webhooks",
            data={"csrf_token": token, "url": receiver.url, "events": ["render.succeeded", "render.failed"]},
        )
        assert created.status_code == 200 and created.history[0].status_code == 303, created.text
        secret = re.search(r'id="new-secret">([^<]+)<', created.text).group(1)
        assert secret.startswith("whsec_")
        endpoint_id = re.search(r'/app/webhooks/([0-9a-f-]{36})"', created.text).group(1)
        detail = browser.get(f"{api_url}/app/webhooks/{endpoint_id}")
        assert secret not in detail.text and "Nothing sent to this endpoint yet" in detail.text
        sent = browser.post(f"{api_url}/app/webhooks/{endpoint_id}/test", data={"csrf_token": token})
        assert sent.status_code == 200 and "Test event queued" in sent.text
        receiver.wait_for(1)
        deadline = time.monotonic() + 20
        while "received, thanks" not in (body := browser.get(f"{api_url}/app/webhooks/{endpoint_id}").text):
            assert time.monotonic() < deadline, body
            time.sleep(0.3)
        assert "webhook.test" in body and re.search(r"<strong[^>]*>200</strong> ·\s*\d+ ms", body)
        delivery_id = re.search(r'data-delivery-id="([0-9a-f-]{36})"', body).group(1)
        again = browser.post(
            f"{api_url}/app/webhooks/{endpoint_id}/deliveries/{delivery_id}/redeliver",
            data={"csrf_token": token},
        )
        assert again.status_code == 200 and "Delivery queued again" in again.text
        receiver.wait_for(2)
    rotated = browser.post(
        f"{api_url}/app/webhooks/{endpoint_id}/rotate", data={"csrf_token": token, "grace_hours": "1"}
    )
    new_secret = re.search(r'id="new-secret">([^<]+)<', rotated.text).group(1)
    assert (
        new_secret != secret and new_secret not in browser.get(f"{api_url}/app/webhooks/{endpoint_id}").text
    )
    off = browser.post(
        f"{api_url}/app/webhooks/{endpoint_id}/enabled", data={"csrf_token": token, "enabled": "false"}
    )
    assert 'id="disabled-reason"' in off.text and 'id="send-test"' not in off.text
    gone = browser.post(f"{api_url}/app/webhooks/{endpoint_id}/delete", data={"csrf_token": token})
    assert gone.status_code == 200 and "No webhook endpoints yet" in gone.text


def test_every_page_under_300_ms_with_a_year_of_history(api_url, member, sessions):
    """A year of render history (1,000 jobs a day, bulk-inserted in SQL) for the account; each
    page's server time (X-Server-Time-Ms, measured by the app) stays under the issue's 300 ms."""
    browser, email = member
    account_id = _account(sessions, email)
    owner = f"account:{account_id}"
    with sessions() as s, s.begin():
        s.execute(
            text(
                """
                INSERT INTO render_jobs (account_id, owner, dialect, mode, spec, cache_key, format,
                                         width, height, status, cache_hit, attempts, queued_at,
                                         started_at, finished_at, render_ms, error)
                SELECT :account, :owner,
                       CASE WHEN n % 7 = 0 THEN 'imagecharts' ELSE 'chartjs' END, 'sync', '{}'::json,
                       md5(n::text), 'png', 600, 400,
                       CASE WHEN n % 997 = 0 THEN 'failed' ELSE 'succeeded' END, n % 3 = 0, 1,
                       now() - (n * interval '86.4 seconds'), now() - (n * interval '86.4 seconds'),
                       now() - (n * interval '86.4 seconds') + interval '80 ms', 40 + n % 200,
                       CASE WHEN n % 997 = 0 THEN 'boom ' || n END
                FROM generate_series(1, 365 * 1000 + 1000) AS n
                """
            ),
            {"account": account_id, "owner": owner},
        )
        s.execute(
            text(
                "INSERT INTO usage_counters (owner, period, renders) "
                "SELECT :owner, (date_trunc('month', now()) - make_interval(months => m))::date, 30000 "
                "FROM generate_series(1, 12) AS m"
            ),
            {"owner": owner},
        )
        # a year of audit history too: 100 entries a day, by four actors and five actions
        s.execute(
            text(
                "INSERT INTO audit_logs (account_id, actor_type, actor_id, actor_label, action, created_at) "
                "SELECT :account, 'api_key', NULL, 'pk_live_' || (n % 4), "
                "(ARRAY['api_key.rolled', 'webhook.test', 'brand_kit.updated', 'template.updated', "
                "'account.plan_changed'])[1 + n % 5], now() - n * interval '864 seconds' "
                "FROM generate_series(1, 36500) AS n"
            ),
            {"account": account_id},
        )
    # a year-old table has been vacuumed: index-only scans can skip the heap
    with sessions.kw["bind"].connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE render_jobs"))
        conn.execute(text("VACUUM ANALYZE audit_logs"))
    token = csrf_of(browser.get(f"{api_url}/app/brand-kits/new").text)
    kit = browser.post(
        f"{api_url}/app/brand-kits/new", data={"csrf_token": token, "name": "Timed"}, allow_redirects=False
    )
    template = browser.post(
        f"{api_url}/app/templates/new",
        data={"csrf_token": token, "name": "Timed", "spec": json.dumps(unique_spec())},
        allow_redirects=False,
    )
    assert kit.status_code == 303 and template.status_code == 303, (kit.text, template.text)
    urls = [
        *PAGES,
        kit.headers["Location"].split("?")[0].removeprefix(api_url),
        template.headers["Location"].split("?")[0].removeprefix(api_url),
        "/app/audit-log?action=api_key.*",
        "/app/audit-log?action=webhook.test&actor=pk_live_1",
        "/app/audit-log?actor=pk_live_3&from=2025-12-01&to=2026-06-30",
        "/app/audit-log?action=nothing.matches",
        "/app/renders?status=failed",
        "/app/renders?cache=hit&dialect=imagecharts",
        "/app/renders?q=boom",
        "/app/usage-billing/usage.csv",
    ]
    times = {}
    for path in urls:
        browser.get(f"{api_url}{path}")  # warm the worker process's caches
        r = browser.get(f"{api_url}{path}")
        assert r.status_code == 200, (path, r.text[:300])
        times[path] = float(r.headers["X-Server-Time-Ms"])
    older = browser.get(f"{api_url}/app/renders")
    nxt = re.search(r'id="next-page" href="([^"]+)"', older.text).group(1).replace("&amp;", "&")
    page2 = browser.get(f"{api_url}{nxt}")
    times["page 2"] = float(page2.headers["X-Server-Time-Ms"])
    print("server ms:", times)
    assert 'id="past-periods"' in browser.get(f"{api_url}/app/usage-billing").text
    slow = {p: t for p, t in times.items() if t >= 300}
    assert not slow, slow


PREVIEW_SRC = re.compile(r'id="(?:kit|template)-preview" src="([^"]+)"')
LOGO_SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 60 20">'
    b'<rect width="60" height="20" fill="#e4572e"/></svg>'
)


def _audit_actions(sessions, account_id) -> list[str]:
    with sessions() as s:
        return list(
            s.scalars(select(AuditLog.action).where(AuditLog.account_id == account_id).order_by(AuditLog.id))
        )


def _png(browser, api_url, src: str) -> bytes:
    image = browser.get(f"{api_url}{src.replace('&amp;', '&')}")
    assert image.status_code == 200 and image.content.startswith(b"\x89PNG"), image.text[:300]
    return image.content


def test_api_keys_and_webhooks_create_with_post_redirect_get(api_url, member):
    browser, _ = member
    page = browser.get(f"{api_url}/app/api-keys")
    token = csrf_of(page.text)
    made = browser.post(
        f"{api_url}/app/api-keys",
        data={"csrf_token": token, "name": "prg", "scopes": ["render"]},
        allow_redirects=False,
    )
    assert made.status_code == 303 and made.headers["Location"].endswith("/app/api-keys")
    shown = browser.get(f"{api_url}/app/api-keys")
    key = re.search(r'id="new-key">([^<]+)<', shown.text).group(1)
    assert key.startswith("pk_live_")
    again = browser.get(f"{api_url}/app/api-keys")  # a reload: the key is not shown twice
    assert key not in again.text and 'id="new-key"' not in again.text
    assert again.text.count("data-key-id=") == 1  # and nothing was submitted again
    # a failing form still answers in place, with the message beside the field
    bad = browser.post(f"{api_url}/app/api-keys", data={"csrf_token": token, "expires_days": "0"})
    assert bad.status_code == 400 and 'id="key-error"' in bad.text
    with Receiver([(200, {}, b"ok")]) as receiver:
        hook = browser.post(
            f"{api_url}/app/webhooks",
            data={"csrf_token": token, "url": receiver.url, "events": ["render.succeeded"]},
            allow_redirects=False,
        )
    assert hook.status_code == 303
    listing = browser.get(f"{api_url}/app/webhooks").text
    secret = re.search(r'id="new-secret">([^<]+)<', listing).group(1)
    assert secret.startswith("whsec_") and secret not in browser.get(f"{api_url}/app/webhooks").text


def test_brand_kit_pages_create_preview_edit_logo_delete(api_url, member, sessions):
    browser, email = member
    account_id = _account(sessions, email)
    listing = browser.get(f"{api_url}/app/brand-kits")
    assert listing.status_code == 200 and "No brand kits of your own yet" in listing.text
    assert all(p in listing.text for p in ("obsidian", "linen", "polar", "studio", "ember", "harbor"))
    form = browser.get(f"{api_url}/app/brand-kits/new?base=ember")
    token = csrf_of(form.text)
    assert '<option value="ember" selected>' in form.text
    _png(browser, api_url, PREVIEW_SRC.search(form.text).group(1))
    # the API's validation, shown beside the field
    bad = browser.post(
        f"{api_url}/app/brand-kits/new",
        data={"csrf_token": token, "name": "Acme", "base": "ember", "backgroundColor": "not a colour"},
    )
    assert bad.status_code == 400 and 'id="error-backgroundColor"' in bad.text
    assert browser.post(f"{api_url}/app/brand-kits/new", data={"name": "x"}).status_code == 400  # no CSRF
    nameless = browser.post(f"{api_url}/app/brand-kits/new", data={"csrf_token": token, "name": ""})
    assert nameless.status_code == 400 and 'id="error-name"' in nameless.text
    made = browser.post(
        f"{api_url}/app/brand-kits/new",
        data={"csrf_token": token, "name": "Acme", "base": "ember", "palette": "#112233, #445566"},
        allow_redirects=False,
    )
    assert made.status_code == 303, made.text
    edit_url = api_url + made.headers["Location"].split("?")[0].removeprefix(api_url)
    kit_id = edit_url.rsplit("/", 1)[1]
    api_view = browser.get(f"{api_url}/api/v1/brand-kits/{kit_id}").json()
    assert api_view["base"] == "ember" and api_view["palette"] == ["#112233ff", "#445566ff"]
    edit = browser.get(edit_url)
    src = PREVIEW_SRC.search(edit.text).group(1)
    before = _png(browser, api_url, src)
    # the live preview: the form as it stands, not saved, answers a signed URL of a different image
    fields = {"csrf_token": token, "kit_id": kit_id, "name": "Acme", "base": "ember", "palette": "#112233"}
    live = browser.post(f"{api_url}/app/brand-kits/preview", data={**fields, "backgroundColor": "#ff0000"})
    assert live.status_code == 200, live.text
    changed = _png(browser, api_url, live.json()["src"])
    assert changed != before
    wrong = browser.post(f"{api_url}/app/brand-kits/preview", data={**fields, "textColor": "nope"})
    assert wrong.status_code == 400 and "textColor" in wrong.json()["errors"]
    # signed for this account only, and for exactly these parameters
    tampered = live.json()["src"].replace("kit=", "kit=0")
    assert browser.get(f"{api_url}{tampered}").status_code == 403
    with requests.Session() as other:
        sign_up(api_url, other, f"k-{uuid.uuid4().hex[:8]}@example.com")
        assert other.get(f"{api_url}{live.json()['src']}").status_code == 403
        assert other.get(edit_url).status_code == 404
    saved = browser.post(edit_url, data={**fields, "backgroundColor": "#ff0000"})
    assert saved.status_code == 200 and "Saved." in saved.text
    assert browser.get(f"{api_url}/api/v1/brand-kits/{kit_id}").json()["version"] == 2
    assert _png(browser, api_url, PREVIEW_SRC.search(saved.text).group(1)) == changed
    # logos: validated like PUT /api/v1/brand-kits/{id}/logo
    junk = browser.post(
        f"{edit_url}/logo",
        data={"csrf_token": token},
        files={"logo": ("logo.png", b"not an image", "image/png")},
    )
    assert junk.status_code == 400 and 'id="error-logo"' in junk.text
    scripted = browser.post(
        f"{edit_url}/logo",
        data={"csrf_token": token},
        files={
            "logo": (
                "x.svg",
                b'<svg xmlns="http://www.w3.org/2000/svg"><script>1</script></svg>',
                "image/svg+xml",
            )
        },
    )
    assert scripted.status_code == 400 and 'id="error-logo"' in scripted.text
    logo = browser.post(
        f"{edit_url}/logo",
        data={"csrf_token": token},
        files={"logo": ("logo.svg", LOGO_SVG, "image/svg+xml")},
    )
    assert logo.status_code == 200 and "Logo saved." in logo.text
    assert browser.get(f"{api_url}/api/v1/brand-kits/{kit_id}").json()["hasLogo"] is True
    assert _png(browser, api_url, PREVIEW_SRC.search(logo.text).group(1)) != changed  # the logo is drawn
    # the usage chart wears the account's kit (and stops naming it once the kit is gone)
    usage_src = CHART_SRC.search(browser.get(f"{api_url}/app/usage-billing").text).group(1)
    assert f"kit={kit_id}" in usage_src
    _png(browser, api_url, usage_src)
    gone = browser.post(f"{edit_url}/delete", data={"csrf_token": token})
    assert (
        gone.status_code == 200
        and "Brand kit deleted." in gone.text
        and "No brand kits of your own" in gone.text
    )
    assert "kit=" not in CHART_SRC.search(browser.get(f"{api_url}/app/usage-billing").text).group(1)
    assert browser.get(f"{api_url}/api/v1/brand-kits/{kit_id}").status_code == 404
    actions = _audit_actions(sessions, account_id)
    for action in ("brand_kit.created", "brand_kit.updated", "brand_kit.logo_set", "brand_kit.deleted"):
        assert action in actions, actions


def test_template_pages_create_preview_edit_delete(api_url, member, sessions):
    browser, email = member
    account_id = _account(sessions, email)
    listing = browser.get(f"{api_url}/app/templates")
    assert listing.status_code == 200 and "No templates of your own yet" in listing.text
    builtin_src = re.search(
        r'<img loading="lazy" src="([^"]+)" alt="preview of KPI line"', listing.text
    ).group(1)
    _png(browser, api_url, builtin_src)
    form = browser.get(f"{api_url}/app/templates/new")
    token = csrf_of(form.text)
    spec = {
        "type": "line",
        "width": 400,
        "height": 200,
        "data": {"labels": ["a", "b"], "datasets": [{"data": [1, 3]}]},
    }
    data = {
        "csrf_token": token,
        "name": "Weekly",
        "description": "d",
        "spec": json.dumps(spec),
        "parameters": "",
    }
    not_json = browser.post(f"{api_url}/app/templates/new", data={**data, "spec": "{type: line"})
    assert not_json.status_code == 400 and 'id="error-spec"' in not_json.text
    bad_type = browser.post(f"{api_url}/app/templates/new", data={**data, "spec": '{"type": "nope"}'})
    assert bad_type.status_code == 400 and 'id="error-spec"' in bad_type.text
    no_kit = browser.post(f"{api_url}/app/templates/new", data={**data, "brandKitId": str(uuid.uuid4())})
    assert no_kit.status_code == 400 and 'id="error-brandKitId"' in no_kit.text
    live = browser.post(f"{api_url}/app/templates/preview", data={**data, "brandKitId": "obsidian"})
    assert live.status_code == 200, live.text
    dark = _png(browser, api_url, live.json()["src"])
    made = browser.post(f"{api_url}/app/templates/new", data=data, allow_redirects=False)
    assert made.status_code == 303, made.text
    edit_url = api_url + made.headers["Location"].split("?")[0].removeprefix(api_url)
    template_id = edit_url.rsplit("/", 1)[1]
    edit = browser.get(api_url + made.headers["Location"].removeprefix(api_url))
    assert "Template created." in edit.text and f"/api/v1/templates/{template_id}/render" in edit.text
    plain = _png(browser, api_url, PREVIEW_SRC.search(edit.text).group(1))
    assert plain != dark
    saved = browser.post(edit_url, data={**data, "brandKitId": "obsidian", "name": "Weekly dark"})
    assert saved.status_code == 200 and "Saved." in saved.text
    assert _png(browser, api_url, PREVIEW_SRC.search(saved.text).group(1)) == dark
    view = browser.get(f"{api_url}/api/v1/templates/{template_id}").json()
    assert view["name"] == "Weekly dark" and view["brandKitId"] == "obsidian" and view["version"] == 2
    gone = browser.post(f"{edit_url}/delete", data={"csrf_token": token})
    assert gone.status_code == 200 and "Template deleted." in gone.text
    assert browser.get(f"{api_url}/api/v1/templates/{template_id}").status_code == 404
    actions = _audit_actions(sessions, account_id)
    assert {"template.created", "template.updated", "template.deleted"} <= set(actions), actions


def test_audit_log_filters_pages_and_old_address(api_url, member, sessions):
    browser, email = member
    account_id = _account(sessions, email)
    old = browser.get(f"{api_url}/app/audit-logs?action=member.*", allow_redirects=False)
    assert old.status_code == 301 and old.headers["Location"].endswith("/app/audit-log?action=member.*")
    with sessions() as s, s.begin():  # 120 entries over 120 days, by two actors
        s.execute(
            text(
                "INSERT INTO audit_logs (account_id, actor_type, actor_id, actor_label, action, created_at) "
                "SELECT :account, 'api_key', NULL, "
                "CASE WHEN n % 2 = 0 THEN 'pk_live_even' ELSE 'pk_live_odd' END, "
                "'api_key.rolled', now() - n * interval '1 day' FROM generate_series(1, 120) AS n"
            ),
            {"account": account_id},
        )
    page = browser.get(f"{api_url}/app/audit-log", params={"action": "api_key.*"})
    assert page.text.count('<td class="action">api_key.rolled') == 50 and 'id="next-page"' in page.text
    nxt = re.search(r'id="next-page" href="([^"]+)"', page.text).group(1).replace("&amp;", "&")
    assert "action=api_key" in nxt
    page2 = browser.get(f"{api_url}{nxt}")
    assert page2.text.count("api_key.rolled") == 50 and 'id="first-page"' in page2.text
    day = (dt.datetime.now(dt.UTC) - dt.timedelta(days=10)).date().isoformat()
    one_day = browser.get(f"{api_url}/app/audit-log", params={"from": day, "to": day}).text
    assert one_day.count("pk_live_even") + one_day.count("pk_live_odd") == 1
    by_actor = browser.get(f"{api_url}/app/audit-log", params={"actor": "pk_live_odd"}).text
    assert "pk_live_odd" in by_actor and "pk_live_even" not in by_actor
    assert "member.added" in browser.get(f"{api_url}/app/audit-log", params={"actor": email}).text
    invalid = browser.get(f"{api_url}/app/audit-log", params={"from": "yesterday", "cursor": "x"})
    assert (
        invalid.status_code == 400
        and 'id="error-from"' in invalid.text
        and 'id="error-cursor"' in invalid.text
    )
    backwards = browser.get(f"{api_url}/app/audit-log", params={"from": "2026-02-01", "to": "2026-01-01"})
    assert backwards.status_code == 400 and 'id="error-to"' in backwards.text
    nothing = browser.get(f"{api_url}/app/audit-log", params={"action": "nothing.here"})
    assert "No entry matches these filters" in nothing.text


def test_settings_signing_secret_members_and_password(api_url, member, sessions):
    browser, email = member
    account_id = _account(sessions, email)
    page = browser.get(f"{api_url}/app/settings")
    token = csrf_of(page.text)
    assert "No signing secret yet" in page.text
    # signing secret: shown once after the redirect, and it signs /chart URLs
    assert browser.post(f"{api_url}/app/settings/signing-secret", data={}).status_code == 400  # no CSRF
    made = browser.post(
        f"{api_url}/app/settings/signing-secret", data={"csrf_token": token}, allow_redirects=False
    )
    assert made.status_code == 303
    shown = browser.get(f"{api_url}/app/settings").text
    secret = re.search(r'id="new-signing-secret">([^<]+)<', shown).group(1)
    assert secret not in browser.get(f"{api_url}/app/settings").text
    query = f"cht=p&chs=100x100&chd=t:1,2&icac={account_id}"
    signed = f"{query}&ichm={hmac.new(secret.encode(), query.encode(), hashlib.sha256).hexdigest()}"
    assert requests.get(f"{api_url}/chart?{signed}", timeout=60).status_code == 200
    browser.post(f"{api_url}/app/settings/signing-secret", data={"csrf_token": token})
    assert (
        requests.get(f"{api_url}/chart?{signed}", timeout=60).status_code == 403
    )  # rotated: old one refused
    # invite: a pending member until the link is used
    invitee = f"inv-{uuid.uuid4().hex[:8]}@example.com"
    bad = browser.post(
        f"{api_url}/app/settings/members", data={"csrf_token": token, "email": "nope", "role": "member"}
    )
    assert bad.status_code == 400 and 'id="error-email"' in bad.text
    invited = browser.post(
        f"{api_url}/app/settings/members", data={"csrf_token": token, "email": invitee, "role": "member"}
    )
    link = re.search(r'id="invite-link">([^<]+)<', invited.text).group(1)
    assert re.search(rf'data-member="{invitee}">.*?class="member-status">invited<', invited.text, re.S)
    twice = browser.post(
        f"{api_url}/app/settings/members", data={"csrf_token": token, "email": invitee, "role": "owner"}
    )
    assert twice.status_code == 400 and 'id="error-email"' in twice.text
    with requests.Session() as guest:
        assert log_in(api_url, guest, invitee, "").status_code == 401  # pending: no password yet
        form = guest.get(link.replace(services_url(link), api_url))
        assert form.status_code == 200 and invitee in form.text
        joined = guest.post(
            link.replace(services_url(link), api_url),
            data={
                "csrf_token": csrf_of(form.text),
                "password": "invitee password 1",
                "confirm_password": "invitee password 1",
            },
        )
        assert joined.status_code == 200 and invitee in joined.text  # logged in, on the overview
        assert guest.get(link.replace(services_url(link), api_url)).status_code == 404  # used once
        # a member (not owner) sees the list but cannot invite
        as_member = guest.get(f"{api_url}/app/settings")
        assert 'id="invite-form"' not in as_member.text
        refused = guest.post(
            f"{api_url}/app/settings/members",
            data={"csrf_token": csrf_of(as_member.text), "email": "z@example.com"},
        )
        assert refused.status_code == 403
    with sessions() as s:
        invitee_id = s.scalars(select(Member.id).where(Member.email == invitee)).one()
        me_id = s.scalars(select(Member.id).where(Member.email == email)).one()
    # the last owner cannot step down; after promoting the invitee they can
    last = browser.post(
        f"{api_url}/app/settings/members/{me_id}/role", data={"csrf_token": token, "role": "member"}
    )
    assert last.status_code == 400 and f'id="error-member-{me_id}"' in last.text
    promoted = browser.post(
        f"{api_url}/app/settings/members/{invitee_id}/role", data={"csrf_token": token, "role": "owner"}
    )
    assert promoted.status_code == 200 and "Role changed." in promoted.text
    removed = browser.post(f"{api_url}/app/settings/members/{invitee_id}/remove", data={"csrf_token": token})
    assert removed.status_code == 200 and invitee not in removed.text
    assert log_in(api_url, requests.Session(), invitee, "invitee password 1").status_code == 401

    # password: the current one is required; the change ends every session
    def change_password(current: str, new: str) -> requests.Response:
        fields = {"current_password": current, "new_password": new, "confirm_password": new}
        return browser.post(f"{api_url}/app/settings/password", data={"csrf_token": token, **fields})

    wrong = change_password("wrong one!!", "x" * 12)
    assert wrong.status_code == 400 and 'id="error-current_password"' in wrong.text
    short = change_password(PASSWORD, "short")
    assert short.status_code == 400 and 'id="error-new_password"' in short.text
    changed = change_password(PASSWORD, "a new password 2")
    assert changed.url.endswith("/login?changed=password") and "Password changed" in changed.text
    assert browser.get(f"{api_url}/app/settings", allow_redirects=False).status_code == 302
    assert log_in(api_url, browser, email, PASSWORD).status_code == 401
    assert log_in(api_url, browser, email, "a new password 2").status_code == 200
    actions = _audit_actions(sessions, account_id)
    for action in (
        "account.signing_secret_created",
        "account.signing_secret_rotated",
        "member.invited",
        "member.invite_accepted",
        "member.role_changed",
        "member.removed",
        "member.password_changed",
    ):
        assert action in actions, actions


def services_url(link: str) -> str:
    """The public URL an invite link starts with (the test app's may differ from api_url)."""
    return link.split("/invite/", 1)[0]
