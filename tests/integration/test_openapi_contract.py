"""The published contract against the running api: Schemathesis generates requests from
/api/v1/openapi.json (valid and invalid ones) and checks that nothing answers 5xx and that every
response matches the document (status codes, content types, headers, JSON bodies). Also: /docs
works from packaged assets only, and the CLI exports the same document and a Postman collection."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import CHECKS as REGISTERED_CHECKS
from schemathesis.checks import load_all_checks, negative_data_rejection, positive_data_acceptance

from tests.support.accounts import bearer, cli, new_key

# Every check Schemathesis has (issue 16: "with all checks"), the stateful ones included.
load_all_checks()
CHECKS = REGISTERED_CHECKS.get_all()
# Operations whose valid inputs depend on more than a JSON Schema can say: Schemathesis's
# positive_data_acceptance check (schema-valid data must be accepted) cannot hold there, and the 400
# each answers names the field. Every other check runs on them.
POSITIVE_DATA_BEYOND_SCHEMA = {
    ("POST", "/api/v1/render"): "a chart's colours are CSS colours; its parts depend on each other",
    ("POST", "/api/v1/jobs"): "the same chart spec, and `webhookUrl` gets the webhook destination check",
    ("POST", "/api/v1/brand-kits"): "colours are CSS colours: named ones are checked against the CSS list",
    ("PUT", "/api/v1/brand-kits/{kit}"): "the same CSS colours",
    ("GET", "/api/v1/render"): "`chart` and `c` are aliases: giving both is refused",
    ("GET", "/api/v1/renders"): "`cursor` is an opaque token from a previous page",
    ("GET", "/api/v1/webhooks/{webhook_id}/deliveries"): "the same opaque `cursor`",
    ("PUT", "/api/v1/settings/custom-domain"): "a host name is checked label by label (and for a dot)",
    ("POST", "/api/v1/templates"): "`spec` is a whole chart spec, validated as a render's",
    ("PUT", "/api/v1/templates/{template}"): "the same chart spec",
    ("POST", "/api/v1/webhooks"): "a URL is refused for the address its host resolves to (SSRF)",
    ("PUT", "/api/v1/webhooks/{webhook_id}"): "the same destination check",
    ("POST", "/api/v1/api-keys"): "`expiresAt` must be in the future: it depends on the clock",
    ("GET", "/api/v1/audit-logs"): "the same opaque `cursor`",
    ("GET", "/api/v1/candles"): "`from` and `to` are times in several notations (ISO 8601, unix s/ms/us)",
    ("GET", "/api/v1/history"): "`to` must not be before `from`",
    ("GET", "/api/v1/history/rows"): "the same `from`/`to` order",
    ("GET", "/qr"): "`dark` and `light` are colours (hex or CSS); `size` and `margin` numbers in text",
    (
        "POST",
        "/chart/create",
    ): "a QuickChart body: its chart is a whole spec, sizes and formats checked together",
    ("GET", "/chart"): "Image-Charts parameters depend on each other (chd's format on cht, ...)",
    ("POST", "/chart"): "the same Image-Charts parameters, or a QuickChart body whose chart is a spec",
}
# Chart.js configs are read as leniently as Chart.js reads them (docs/chartjs-compat.md, "Leniency":
# numeric text, gaps, pairs, nulls for defaults), so a body that breaks the document's types may
# still be a chart: negative_data_rejection (schema-violating data must be refused) is skipped there.
NEGATIVE_DATA_LENIENT = {
    ("POST", "/api/v1/render"): "a Chart.js config",
    ("POST", "/api/v1/jobs"): "a Chart.js config",
}
# Long-lived or browser-only operations are not fuzzed here (they are tested on their own).
NOT_FUZZED = r"^/api/v1/streaming|^/docs$"


@pytest.fixture(scope="module")
def contract_key(base_env, database):
    return new_key(base_env, "render", "read", "manage", plan="enterprise")[1]


def _document() -> dict:
    """The document the api serves (test_cli_exports_the_served_document_and_a_postman_collection
    checks they are equal), built at collection time so each operation is its own test."""
    from api.app import create_app
    from api.openapi import build
    from core.config import Settings

    return build(create_app(Settings.from_env({}, storage="local")))


# Routes still missing their @doc are reported by tests/unit/api/test_openapi_document.py.
schema = (
    schemathesis.openapi.from_dict(_document()).exclude(tag="Undocumented").exclude(path_regex=NOT_FUZZED)
)


@schema.parametrize()
@settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck), database=None)
def test_api_honours_its_openapi_document(case, api_url, contract_key):
    operation = (case.method.upper(), case.path)
    excluded = [positive_data_acceptance] if operation in POSITIVE_DATA_BEYOND_SCHEMA else []
    excluded += [negative_data_rejection] if operation in NEGATIVE_DATA_LENIENT else []
    case.call_and_validate(
        base_url=api_url, headers=bearer(contract_key), checks=CHECKS, excluded_checks=excluded, timeout=60
    )


def test_exceptions_name_documented_operations():
    document = _document()
    for method, path in [*POSITIVE_DATA_BEYOND_SCHEMA, *NEGATIVE_DATA_LENIENT]:
        assert method.lower() in document["paths"].get(path, {}), (method, path)


def test_docs_page_uses_packaged_assets_only(api_url):
    page = requests.get(f"{api_url}/docs", timeout=30)
    assert page.status_code == 200 and "default-src 'self'" in page.headers["Content-Security-Policy"]
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert sources and all(s.startswith("/") for s in sources), sources
    for src in sources:
        asset = requests.get(f"{api_url}{src}", timeout=30)
        assert asset.status_code == 200, src
    bundle = requests.get(f"{api_url}/static/vendor/swagger-ui/swagger-ui-bundle.js", timeout=30)
    assert bundle.status_code == 200 and len(bundle.content) > 500_000


def test_cli_exports_the_served_document_and_a_postman_collection(api_url, base_env, tmp_path: Path):
    served = requests.get(f"{api_url}/api/v1/openapi.json", timeout=30).json()
    exported = json.loads(cli(base_env, "openapi", "--server-url", served["servers"][0]["url"]))
    assert exported == served
    target = tmp_path / "chartfleet.postman_collection.json"
    cli(base_env, "openapi", "--postman", "-o", str(target))
    collection = json.loads(target.read_text())
    names = {item["name"] for folder in collection["item"] for item in folder["item"]}
    assert {"Create an API key", "Render a chart from a JSON spec", "The account's audit log"} <= names
    served_postman = requests.get(f"{api_url}/api/v1/postman.json", timeout=30).json()
    assert {i["name"] for f in served_postman["item"] for i in f["item"]} == names


def test_every_response_carries_rate_limit_headers(api_url, contract_key):
    headers = {"X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"}
    for path in ("/api/v1/usage", "/api/v1/nope"):
        r = requests.get(f"{api_url}{path}", headers=bearer(contract_key), timeout=30)
        assert headers <= set(r.headers), path
    for path in ("/api/v1/openapi.json", "/login"):  # pages and docs are outside the API's budget
        r = requests.get(f"{api_url}{path}", headers=bearer(contract_key), timeout=30)
        assert r.status_code == 200 and not headers & set(r.headers), path
    bad = requests.get(f"{api_url}/api/v1/usage", headers=bearer("pk_live_" + "x" * 36), timeout=30)
    # counted against the address's failed-authentication limit, not its request budget
    assert bad.status_code == 401 and "X-RateLimit-Remaining" not in bad.headers
