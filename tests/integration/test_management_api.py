"""The management API over real HTTP: keys (scopes, expiry, roll, revoke), stats, render history,
usage, audit log, custom domain. Also: no plaintext key in the database, the audit log is
append-only, and plan terms reach the render path (retention, cache hits and replays uncharged)."""

from __future__ import annotations

import datetime as dt
import subprocess
import time
import uuid
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.exc import DBAPIError

from core.models import Account, ApiKey, AuditLog, RenderJob
from core.services.keys import hash_key
from tests.support.accounts import bearer, cli, new_key, unique_spec
from tests.support.polling import wait_for


@pytest.fixture(scope="module")
def manager(base_env, database):
    """An account with a key holding every scope."""
    return new_key(base_env, "render", "read", "manage")


def test_key_lifecycle_create_use_revoke(api_url, http, manager, sessions):
    _, admin = manager
    created = http.post(
        f"{api_url}/api/v1/api-keys", json={"name": "ci", "scopes": ["render"]}, headers=bearer(admin)
    )
    assert created.status_code == 201, created.text
    body = created.json()
    key = body["key"]
    assert key.startswith("pk_live_") and body["prefix"] == key[:16] and body["scopes"] == ["render"]
    assert created.headers["Cache-Control"] == "no-store"

    listed = http.get(f"{api_url}/api/v1/api-keys", headers=bearer(admin)).json()["data"]
    entry = next(k for k in listed if k["id"] == body["id"])
    assert "key" not in entry and entry["status"] == "active" and entry["lastUsedAt"] is None

    r = http.post(f"{api_url}/api/v1/jobs", json=unique_spec(), headers=bearer(key))
    assert r.status_code == 202, r.text
    with sessions() as s:
        assert s.get(ApiKey, uuid.UUID(body["id"])).last_used_at is not None

    revoked = http.delete(f"{api_url}/api/v1/api-keys/{body['id']}", headers=bearer(admin))
    assert revoked.status_code == 200 and revoked.json()["status"] == "revoked"
    again = http.post(f"{api_url}/api/v1/jobs", json=unique_spec(), headers=bearer(key))
    assert again.status_code == 401 and again.json() == {"error": "Invalid API key"}
    missing = http.delete(f"{api_url}/api/v1/api-keys/{uuid.uuid4()}", headers=bearer(admin))
    assert missing.status_code == 404


def test_expired_key_is_refused_at_once(api_url, http, base_env, sessions):
    _, key = new_key(base_env)
    assert http.get(f"{api_url}/api/v1/stats", headers=bearer(key)).status_code == 200
    with sessions() as s, s.begin():
        s.execute(
            update(ApiKey)
            .where(ApiKey.key_hash == hash_key(key))
            .values(expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1))
        )
    # Changed behind the api's back (plain SQL): every process hears it through NOTIFY and refuses
    # the key within 1 s (docs/architecture.md, hot path), with no request in between needed.
    deadline = time.monotonic() + 1.0
    while (status := http.get(f"{api_url}/api/v1/stats", headers=bearer(key)).status_code) == 200:
        assert time.monotonic() < deadline, "the expired key was still accepted after 1 s"
        time.sleep(0.05)
    assert status == 401
    r = http.post(
        f"{api_url}/api/v1/api-keys",
        json={"expiresAt": "2001-01-01T00:00:00Z"},
        headers=bearer(new_key(base_env, "manage")[1]),
    )
    assert r.status_code == 400


def test_roll_keeps_the_old_key_until_the_chosen_time(api_url, http, manager):
    _, admin = manager
    made = http.post(f"{api_url}/api/v1/api-keys", json={"name": "rolling"}, headers=bearer(admin)).json()
    until = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)).isoformat()
    rolled = http.post(
        f"{api_url}/api/v1/api-keys/{made['id']}/roll", json={"oldKeyExpiresAt": until}, headers=bearer(admin)
    )
    assert rolled.status_code == 201, rolled.text
    new, previous = rolled.json()["key"], rolled.json()["previous"]
    assert new["name"] == "rolling" and new["scopes"] == made["scopes"] and new["key"] != made["key"]
    assert previous["replacedById"] == new["id"] and previous["expiresAt"] is not None
    for key in (made["key"], new["key"]):  # both work during the overlap
        assert http.get(f"{api_url}/api/v1/usage", headers=bearer(key)).status_code == 200

    now = dt.datetime.now(dt.UTC).isoformat()
    second = http.post(
        f"{api_url}/api/v1/api-keys/{new['id']}/roll", json={"oldKeyExpiresAt": now}, headers=bearer(admin)
    )
    assert second.status_code == 201
    assert http.get(f"{api_url}/api/v1/usage", headers=bearer(new["key"])).status_code == 401
    assert http.get(f"{api_url}/api/v1/usage", headers=bearer(second.json()["key"]["key"])).status_code == 200
    too_late = (dt.datetime.now(dt.UTC) + dt.timedelta(days=31)).isoformat()
    r = http.post(
        f"{api_url}/api/v1/api-keys/{made['id']}/roll",
        json={"oldKeyExpiresAt": too_late},
        headers=bearer(admin),
    )
    assert r.status_code == 400


def test_scopes_are_enforced(api_url, http, base_env):
    _, render_only = new_key(base_env, "render")
    _, read_only = new_key(base_env, "read")
    r = http.get(f"{api_url}/api/v1/stats", headers=bearer(render_only))
    assert r.status_code == 403 and r.json()["requiredScope"] == "read"
    assert http.get(f"{api_url}/api/v1/stats", headers=bearer(read_only)).status_code == 200
    assert http.get(f"{api_url}/api/v1/api-keys", headers=bearer(read_only)).status_code == 403
    r = http.post(f"{api_url}/api/v1/jobs", json=unique_spec(), headers=bearer(read_only))
    assert r.status_code == 403 and r.json()["requiredScope"] == "render"
    assert http.get(f"{api_url}/api/v1/stats").status_code == 401  # anonymous


def test_stats_history_and_usage(api_url, http, base_env):
    _, key = new_key(base_env, "render", "read")
    spec = unique_spec()
    for _ in range(2):  # a render, then a cache hit (free)
        assert http.post(f"{api_url}/api/v1/render", json=spec, headers=bearer(key)).status_code == 200
    for _ in range(2):
        assert (
            http.post(f"{api_url}/api/v1/render", json=unique_spec(), headers=bearer(key)).status_code == 200
        )

    def stats_with_the_hit() -> dict | None:  # the hit reaches history with the hit log's flush
        body = http.get(f"{api_url}/api/v1/stats", headers=bearer(key)).json()
        return body if body["rendersThisMonth"] == 4 else None

    stats = wait_for(stats_with_the_hit, timeout=30, what="the cache hit in the stats")
    assert stats["rendersThisMonth"] == 4 and stats["cacheHits"] == 1 and stats["rendered"] == 3
    assert stats["successRate"] == 1.0 and stats["averageLatencyMs"] >= 0
    assert stats["quota"]["used"] == 3 and stats["plan"] == "starter"

    usage = http.get(f"{api_url}/api/v1/usage", headers=bearer(key)).json()
    assert usage["used"] == 3 and usage["limit"] > 0 and usage["remaining"] == usage["limit"] - 3
    assert sum(d["renders"] for d in usage["days"]) == 3 and sum(d["cacheHits"] for d in usage["days"]) == 1
    assert usage["days"][-1]["date"] == dt.datetime.now(dt.UTC).date().isoformat()

    page1 = http.get(f"{api_url}/api/v1/renders?limit=3", headers=bearer(key)).json()
    assert len(page1["data"]) == 3 and page1["hasMore"] and page1["nextCursor"]
    page2 = http.get(
        f"{api_url}/api/v1/renders", params={"limit": 3, "cursor": page1["nextCursor"]}, headers=bearer(key)
    ).json()
    assert len(page2["data"]) == 1 and not page2["hasMore"] and page2["nextCursor"] is None
    ids = [j["id"] for j in page1["data"] + page2["data"]]
    assert len(set(ids)) == 4
    bad = http.get(f"{api_url}/api/v1/renders?cursor=nonsense", headers=bearer(key))
    assert bad.status_code == 400
    assert http.get(f"{api_url}/api/v1/renders?limit=0", headers=bearer(key)).status_code == 400


def test_idempotent_replay_is_not_charged_again(api_url, http, base_env):
    _, key = new_key(base_env, "render", "read")
    headers = {**bearer(key), "Idempotency-Key": uuid.uuid4().hex}
    spec = unique_spec()
    first = http.post(f"{api_url}/api/v1/jobs", json=spec, headers=headers)
    second = http.post(f"{api_url}/api/v1/jobs", json=spec, headers=headers)
    assert first.json()["id"] == second.json()["id"]
    assert http.get(f"{api_url}/api/v1/usage", headers=bearer(key)).json()["used"] == 1


def test_retention_comes_from_the_plan(api_url, http, base_env, sessions):
    _, key = new_key(base_env, plan="pro")
    r = http.post(f"{api_url}/api/v1/render", json=unique_spec(returnUrl=True), headers=bearer(key))
    anonymous = http.post(f"{api_url}/api/v1/render", json=unique_spec(returnUrl=True))
    now = dt.datetime.now(dt.UTC)
    for response, days in ((r, 90), (anonymous, 30)):  # anonymous: the starter plan's terms
        assert response.status_code == 200, response.text
        expires = dt.datetime.fromisoformat(response.json()["expiresAt"])
        assert abs((expires - now) - dt.timedelta(days=days)) < dt.timedelta(minutes=5)


def test_audit_log_records_who_what_when_where(api_url, http, manager):
    _, admin = manager
    made = http.post(f"{api_url}/api/v1/api-keys", json={"name": "audited"}, headers=bearer(admin)).json()
    http.delete(f"{api_url}/api/v1/api-keys/{made['id']}", headers=bearer(admin))
    log = http.get(f"{api_url}/api/v1/audit-logs", headers=bearer(admin)).json()
    revoked = next(e for e in log["data"] if e["action"] == "api_key.revoked" and e["targetId"] == made["id"])
    assert revoked["actor"] == {"type": "api_key", "id": revoked["actor"]["id"], "label": admin[:16]}
    assert revoked["ip"] == "127.0.0.1" and revoked["requestId"]
    assert revoked["before"]["status"] == "active" and revoked["after"]["status"] == "revoked"
    assert made["key"] not in str(log)  # never the key itself

    only = http.get(f"{api_url}/api/v1/audit-logs?action=api_key.revoked", headers=bearer(admin)).json()[
        "data"
    ]
    assert only and all(e["action"] == "api_key.revoked" for e in only)
    prefix = http.get(f"{api_url}/api/v1/audit-logs?action=api_key.*", headers=bearer(admin)).json()["data"]
    assert {e["action"] for e in prefix} >= {"api_key.created", "api_key.revoked"}
    by_actor = http.get(
        f"{api_url}/api/v1/audit-logs", params={"actor": admin[:16]}, headers=bearer(admin)
    ).json()["data"]
    assert by_actor and all(e["actor"]["label"] == admin[:16] for e in by_actor)
    future = (dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5)).isoformat()
    later = http.get(f"{api_url}/api/v1/audit-logs", params={"since": future}, headers=bearer(admin)).json()
    assert later["data"] == []
    page = http.get(f"{api_url}/api/v1/audit-logs?limit=1", headers=bearer(admin)).json()
    assert len(page["data"]) == 1 and page["hasMore"]
    older = http.get(
        f"{api_url}/api/v1/audit-logs",
        params={"limit": 1, "cursor": page["nextCursor"]},
        headers=bearer(admin),
    ).json()
    assert older["data"][0]["id"] < page["data"][0]["id"]


def test_custom_domain_validated_used_and_audited(api_url, http, base_env, manager):
    _, admin = manager
    url = f"{api_url}/api/v1/settings/custom-domain"
    assert http.get(url, headers=bearer(admin)).json() == {"customDomain": None, "baseUrl": api_url}
    for bad in ("https://x.example.com", "localhost", "10.1.2.3", "no_dots", "a" * 300):
        r = http.put(url, json={"customDomain": bad}, headers=bearer(admin))
        assert r.status_code == 400 and r.json()["field"] == "customDomain", bad
    domain = f"charts-{uuid.uuid4().hex[:8]}.example.com"
    r = http.put(url, json={"customDomain": domain.upper()}, headers=bearer(admin))
    assert r.status_code == 200 and r.json() == {"customDomain": domain, "baseUrl": f"https://{domain}"}

    job = http.post(f"{api_url}/api/v1/jobs", json=unique_spec(), headers=bearer(admin)).json()
    assert urlsplit(job["statusUrl"]).netloc == domain and job["statusUrl"].startswith("https://")

    _, other = new_key(base_env, "manage")
    taken = http.put(url, json={"customDomain": domain}, headers=bearer(other))
    assert taken.status_code == 409
    assert http.put(url, json={"customDomain": None}, headers=bearer(admin)).json()["customDomain"] is None
    changes = http.get(
        f"{api_url}/api/v1/audit-logs?action=settings.custom_domain_changed", headers=bearer(admin)
    ).json()["data"]
    assert [c["after"]["customDomain"] for c in changes][:2] == [None, domain]


def test_database_holds_no_plaintext_key(api_url, http, base_env, manager):
    _, admin = manager
    key = http.post(f"{api_url}/api/v1/api-keys", json={}, headers=bearer(admin)).json()["key"]
    _, cli_key = new_key(base_env)
    url = base_env["CHARTFLEET_DATABASE_URL"].replace("postgresql+psycopg://", "postgresql://")
    dump = subprocess.run(
        ["pg_dump", "--data-only", "--table=api_keys", "--table=audit_logs", url],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert hash_key(key) in dump  # the dump is the real one
    assert key not in dump and cli_key not in dump
    assert key[8:] not in dump and cli_key[8:] not in dump


def test_audit_log_is_append_only(sessions, manager):
    with sessions() as s:
        row_id = s.scalars(select(AuditLog.id).limit(1)).first()
    assert row_id is not None
    for statement in (
        "UPDATE audit_logs SET action = 'forged' WHERE id = :id",
        "DELETE FROM audit_logs WHERE id = :id",
        "TRUNCATE audit_logs",
    ):
        with sessions() as s, pytest.raises(DBAPIError, match="append-only"):
            s.execute(text(statement), {"id": row_id})
            s.commit()


def test_cli_changes_are_audited_as_operator(base_env, sessions):
    name, _ = new_key(base_env)
    cli(base_env, "accounts", "set-plan", name, "pro")
    with sessions() as s:
        account_id = s.scalars(select(Account.id).where(Account.name == name)).one()
        rows = s.scalars(select(AuditLog).where(AuditLog.account_id == account_id)).all()
    assert sorted(r.action for r in rows) == ["account.created", "account.plan_changed", "api_key.created"]
    assert all(r.actor_type == "operator" for r in rows)
    plan_change = next(r for r in rows if r.action == "account.plan_changed")
    assert plan_change.before["plan"] == "starter" and plan_change.after["plan"] == "pro"


def test_jobs_record_their_retention(sessions, api_url, http, base_env):
    _, key = new_key(base_env, plan="enterprise")
    job = http.post(f"{api_url}/api/v1/jobs", json=unique_spec(), headers=bearer(key)).json()
    with sessions() as s:
        assert s.get(RenderJob, uuid.UUID(job["id"])).retention_days == 365


def test_access_log_never_shows_a_key(api_url, http, base_env, log_dir):
    _, key = new_key(base_env)
    r = http.get(
        f"{api_url}/api/v1/render", params={"type": "bar", "data": "1,2", "key": key, "t": uuid.uuid4().hex}
    )
    assert r.status_code == 200, r.text
    log = log_dir / "api.log"
    deadline = time.monotonic() + 10
    while key[:16] not in log.read_text() and time.monotonic() < deadline:
        time.sleep(0.1)
    text = log.read_text()
    assert key[:16] in text and key not in text
