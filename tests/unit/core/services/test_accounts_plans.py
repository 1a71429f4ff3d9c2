"""Pure logic of accounts, plans and limits: custom domains, scopes, plan checks, passwords."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from core.services.accounts import AccountError, normalize_domain
from core.services.audit import Actor, _jsonable
from core.services.keys import KeyRequestError, Principal, network_of, normalize_scopes
from core.services.members import MemberError, check_password, hash_password, normalize_email
from core.services.plans import PlanTerms
from core.services.quotas import (
    UPGRADE_URL,
    PlanLimitExceeded,
    QuotaExceeded,
    check_render,
    month_start,
    next_month,
)

NOW = dt.datetime(2026, 11, 21, 12, 0, tzinfo=dt.UTC)


def terms(**overrides) -> PlanTerms:
    values = dict(
        name="starter",
        monthly_quota=10_000,
        overage_cents_per_1000=None,
        rate_limit=100,
        rate_window_seconds=900,
        max_width=4000,
        max_height=4000,
        formats=("png", "jpeg", "svg", "webp", "gif"),
        retention_days=30,
        webhooks_allowed=True,
        trial_ends_at=None,
    )
    values.update(overrides)
    return PlanTerms(**values)


KEYED = Principal(
    client_ip="10.0.0.1", account_id=uuid.uuid4(), api_key_id=uuid.uuid4(), scopes=frozenset({"render"})
)


def check(t: PlanTerms, principal: Principal = KEYED, **kw) -> None:
    args = dict(fmt="png", width=800, height=400, webhook=False, now=NOW)
    args.update(kw)
    check_render(principal, t, **args)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("charts.example.com", "charts.example.com"),
        ("  Charts.Example.COM. ", "charts.example.com"),
        ("bücher.example.de", "xn--bcher-kva.example.de"),
        ("a-b.c-d.io", "a-b.c-d.io"),
    ],
)
def test_custom_domains_are_normalized(value, expected):
    assert normalize_domain(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        "",
        "https://charts.example.com",
        "charts.example.com/path",
        "charts.example.com:8443",
        "user@charts.example.com",
        "localhost",
        "charts.localhost",
        "printer.local",
        "10.0.0.1",
        "[::1]",
        "single",
        "-bad.example.com",
        "bad-.example.com",
        "a..example.com",
        "x" * 64 + ".example.com",
        ("a" * 60 + ".") * 5 + "com",
        "charts.example.123",
        "white space.example.com",
        "under_score.example.com",
    ],
)
def test_custom_domains_refused(value):
    with pytest.raises(AccountError):
        normalize_domain(value)


def test_own_host_refused():
    with pytest.raises(AccountError):
        normalize_domain("api.chartfleet.io", own_host="api.chartfleet.io")


def test_scopes_are_normalized_and_checked():
    assert normalize_scopes(["manage", " Render "]) == ["render", "manage"]
    with pytest.raises(KeyRequestError):
        normalize_scopes(["admin"])
    with pytest.raises(KeyRequestError):
        normalize_scopes([])


def test_manage_implies_read_but_not_render():
    p = Principal(
        client_ip="1.2.3.4", account_id=uuid.uuid4(), api_key_id=uuid.uuid4(), scopes=frozenset({"manage"})
    )
    assert p.allows("read") and p.allows("manage") and not p.allows("render")
    assert Principal(client_ip="1.2.3.4").allows("render")  # built by code, unrestricted


def test_ipv6_clients_share_a_bucket_per_64():
    a = Principal(client_ip="2001:db8:1:2:aaaa::1")
    b = Principal(client_ip="2001:db8:1:2:bbbb::2")
    c = Principal(client_ip="2001:db8:1:3::1")
    assert a.rate_bucket == b.rate_bucket == "ip:2001:db8:1:2::/64" != c.rate_bucket
    assert a.usage_owner == b.usage_owner
    assert network_of("::ffff:192.0.2.1") == "192.0.2.1"
    assert network_of("192.0.2.1") == "192.0.2.1" and network_of("unknown") == "unknown"


def test_rate_buckets_per_key_member_or_ip():
    key_id, member_id = uuid.uuid4(), uuid.uuid4()
    assert Principal("1.1.1.1", uuid.uuid4(), key_id).rate_bucket == f"key:{key_id}"
    assert Principal("1.1.1.1", uuid.uuid4(), member_id=member_id).rate_bucket == f"member:{member_id}"
    assert Principal("1.1.1.1").rate_bucket == "ip:1.1.1.1"
    account_id = uuid.uuid4()
    assert Principal("1.1.1.1", account_id).rate_bucket == f"account:{account_id}"  # signed URLs


def test_trial_expired_gives_the_documented_402():
    with pytest.raises(QuotaExceeded) as info:
        check(terms(name="trial", trial_ends_at=NOW - dt.timedelta(seconds=1)))
    assert info.value.body == {
        "error": "Trial expired. Please upgrade to continue.",
        "plan": "expired",
        "upgradeUrl": "/app/usage-billing",
    }
    check(terms(name="trial", trial_ends_at=NOW + dt.timedelta(days=1)))  # still running


def test_pdf_needs_pro_with_the_documented_402():
    with pytest.raises(QuotaExceeded) as info:
        check(terms(), fmt="pdf")
    assert info.value.body == {
        "error": "PDF output requires the Pro plan",
        "plan": "starter",
        "upgradeUrl": UPGRADE_URL,
    }
    check(terms(name="pro", formats=("png", "pdf")), fmt="pdf")


def test_other_plan_limits_are_not_402():
    with pytest.raises(PlanLimitExceeded) as info:
        check(terms(formats=("png",)), fmt="svg")
    assert info.value.status == 400 and info.value.detail["field"] == "format"
    with pytest.raises(PlanLimitExceeded) as info:
        check(terms(max_width=2000), width=2001)
    assert info.value.status == 400 and info.value.detail["field"] == "width"
    with pytest.raises(PlanLimitExceeded) as info:
        check(terms(webhooks_allowed=False), webhook=True)
    assert info.value.status == 403
    no_render = Principal("1.1.1.1", uuid.uuid4(), uuid.uuid4(), scopes=frozenset({"read"}))
    with pytest.raises(PlanLimitExceeded) as info:
        check(terms(), principal=no_render)
    assert info.value.status == 403 and info.value.detail == {"requiredScope": "render"}


def test_calendar_months():
    assert month_start(NOW) == dt.date(2026, 11, 1)
    assert next_month(dt.date(2026, 11, 1)) == dt.date(2026, 12, 1)
    assert next_month(dt.date(2026, 12, 1)) == dt.date(2027, 1, 1)


def test_passwords_are_argon2id_and_checked():
    hashed = hash_password("correct horse battery")
    assert hashed.startswith("$argon2id$") and "correct horse" not in hashed
    with pytest.raises(MemberError):
        check_password("short")
    assert normalize_email(" Ops@Example.COM ") == "ops@example.com"
    with pytest.raises(MemberError):
        normalize_email("not-an-email")


def test_audit_values_become_json():
    moment = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    uid = uuid.uuid4()
    assert _jsonable({"at": moment, "id": uid, "scopes": frozenset({"b", "a"}), "n": 1}) == {
        "at": moment.isoformat(),
        "id": str(uid),
        "scopes": ["a", "b"],
        "n": 1,
    }
    with pytest.raises(ValueError):
        Actor("robot")
