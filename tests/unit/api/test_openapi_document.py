"""The OpenAPI document covers every route, validates as OpenAPI 3.1, and the Postman collection
is made from it. No services are needed: building the app connects to nothing."""

from __future__ import annotations

import json

import pytest
from flask import Blueprint
from openapi_spec_validator import validate

from api.app import create_app
from api.openapi import build, doc, openapi_path, undocumented
from api.postman import collection
from core.config import Settings


@pytest.fixture(scope="module")
def app():
    return create_app(Settings.from_env({}, storage="local"))


def test_every_route_is_documented(app):
    assert undocumented(app) == []


def test_document_is_valid_openapi_31_and_lists_every_rule(app):
    document = build(app)
    json.dumps(document)  # plain JSON: every schema was resolved
    validate(document)
    assert document["openapi"] == "3.1.0"
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        path = openapi_path(rule.rule)
        hidden = all(
            getattr(app.view_functions[rule.endpoint], "__openapi__", {}).get(m, {}).get("hidden")
            or getattr(app.view_functions[rule.endpoint], "__openapi__", {}).get("*", {}).get("hidden")
            for m in rule.methods - {"HEAD", "OPTIONS"}
        )
        if not hidden:
            assert path in document["paths"], rule.rule
    for path in (
        "/api/v1/api-keys",
        "/api/v1/stats",
        "/api/v1/renders",
        "/api/v1/usage",
        "/api/v1/audit-logs",
    ):
        assert path in document["paths"]
    assert set(document["paths"]["/api/v1/settings/custom-domain"]) == {"get", "put"}


def test_contract_bodies_are_in_the_document(app):
    document = build(app)
    render = document["paths"]["/api/v1/render"]["post"]["responses"]
    one_of = render["402"]["content"]["application/json"]["schema"]["oneOf"]
    assert len(one_of) == 3
    assert render["429"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/RateLimited"
    }
    assert set(render["200"]["headers"]) >= {
        "X-RateLimit-Limit",
        "X-RateLimit-Remaining",
        "X-RateLimit-Reset",
    }
    assert document["components"]["schemas"]["RateLimited"]["required"] == ["error", "retryAfter"]
    management = document["paths"]["/api/v1/stats"]["get"]
    assert {"sessionCookie": []} in management["security"] and "403" in management["responses"]


def test_a_new_route_without_doc_is_reported():
    app = create_app(Settings.from_env({}, storage="local"))
    bp = Blueprint("extra", __name__)

    @bp.get("/api/v1/extra")
    def extra():
        return {}

    @bp.get("/api/v1/described")
    @doc(summary="Described", tags=["Extra"], responses={200: "fine"})
    def described():
        return {}

    @bp.get("/api/v1/hidden")
    @doc(summary="Hidden", hidden=True)
    def hidden():
        return {}

    app.register_blueprint(bp)
    missing = [m for m in undocumented(app) if "(extra." in m]
    assert missing == ["GET /api/v1/extra (extra.extra)", "GET /api/v1/hidden (extra.hidden)"]
    document = build(app)
    assert document["paths"]["/api/v1/extra"]["get"]["x-undocumented"] is True
    assert document["paths"]["/api/v1/described"]["get"]["summary"] == "Described"


def test_postman_collection_mirrors_the_document(app):
    document = build(app)
    coll = collection(document)
    assert coll["info"]["schema"].endswith("/v2.1.0/collection.json")
    assert {v["key"] for v in coll["variable"]} == {"baseUrl", "apiKey", "sessionToken"}
    requests_ = [item["request"] for folder in coll["item"] for item in folder["item"]]
    operations = sum(len(ops) for ops in document["paths"].values())
    assert len(requests_) == operations
    roll = next(r for r in requests_ if r["url"]["path"][-1] == "roll")
    assert roll["url"]["path"] == ["api", "v1", "api-keys", ":key_id", "roll"]
    render = next(
        r for r in requests_ if r["method"] == "POST" and r["url"]["path"] == ["api", "v1", "render"]
    )
    assert '"type": "line"' in render["body"]["raw"]


def test_brand_kits_templates_and_their_render_options_are_documented(app):
    """Issue 11: every brand-kit and template route with its schemas, and the options every render
    route takes (brandKitId, returnUrl, a card on POST)."""
    document = build(app)
    paths = document["paths"]
    assert set(paths["/api/v1/brand-kits"]) == {"get", "post"}
    assert set(paths["/api/v1/brand-kits/{kit}"]) == {"get", "put", "delete"}
    assert set(paths["/api/v1/brand-kits/{kit}/logo"]) == {"put", "delete"}
    assert set(paths["/api/v1/templates"]) == {"get", "post"}
    assert set(paths["/api/v1/templates/{template}"]) == {"get", "put", "delete"}
    schemas = document["components"]["schemas"]
    assert {"BrandKit", "BrandKitCreate", "Template", "TemplateCreate"} <= set(schemas)
    assert set(schemas["TemplateCreate"]["properties"]["dialect"]["enum"]) == {
        "chartjs",
        "quickchart",
        "imagecharts",
        "finance",
    }
    render = paths["/api/v1/templates/{template}/render"]["get"]
    names = {p["name"] for p in render["parameters"]}
    assert {"labels", "data", "title", "width", "height", "format", "brandKitId", "scale"} <= names
    assert {"devicePixelRatio", "palette", "returnUrl", "key", "data1", "label1"} <= names
    for path in ("/api/v1/render", "/chart"):
        query = {p["name"] for p in paths[path]["get"]["parameters"]}
        assert {"brandKitId", "returnUrl"} <= query, path
    body = schemas["ChartRequest"]["properties"]
    assert {"brandKitId", "returnUrl", "card"} <= set(body)
