"""Brand kits, templates and cards over real HTTP with the real worker: CRUD, validation,
cross-account isolation, audit rows, brandKitId on every render route, template overrides and
returnUrl, and a kit update changing the next render."""

from __future__ import annotations

import io
import time
import uuid

import pytest
from PIL import Image
from sqlalchemy import select

from core.models import AuditLog, BrandKit
from core.specs import templates
from core.storage import build_store
from tests.support.accounts import bearer, new_key

BAR = {
    "type": "bar",
    "width": 300,
    "height": 200,
    "data": {"labels": ["a", "b", "c"], "datasets": [{"label": "x", "data": [3, 5, 2]}]},
}


@pytest.fixture(scope="module")
def owner(base_env, database):
    return new_key(base_env, "render", "read", "manage")


@pytest.fixture(scope="module")
def stranger(base_env, database):
    return new_key(base_env, "render", "read", "manage")


def _pixel(data: bytes, xy=(2, 2)) -> tuple[int, ...]:
    return Image.open(io.BytesIO(data)).convert("RGB").getpixel(xy)


def test_kit_crud_validation_audit_and_isolation(api_url, http, owner, stranger, sessions):
    _, key = owner
    url = f"{api_url}/api/v1/brand-kits"
    listed = http.get(url, headers=bearer(key)).json()
    assert [p["id"] for p in listed["presets"]] == ["obsidian", "linen", "polar", "studio", "ember", "harbor"]
    assert all(len(p["palette"]) >= 8 for p in listed["presets"])

    bad = http.post(url, json={"name": "x", "palette": ["#12", "red"]}, headers=bearer(key))
    assert bad.status_code == 400 and bad.json()["field"] == "palette[0]", bad.text
    bad = http.post(url, json={"name": "x", "fontFamily": "Comic Sans"}, headers=bearer(key))
    assert bad.status_code == 400 and bad.json()["field"] == "fontFamily", bad.text
    bad = http.post(url, json={"name": "x", "shadow": True}, headers=bearer(key))
    assert bad.status_code == 400 and bad.json()["field"] == "shadow", bad.text
    assert http.post(url, json={"palette": ["red"]}, headers=bearer(key)).json()["field"] == "name"

    created = http.post(
        url,
        json={"name": "Acme", "base": "obsidian", "palette": ["#ff0000", "#00ff00"], "fontFamily": "lato"},
        headers=bearer(key),
    )
    assert created.status_code == 201, created.text
    kit = created.json()
    assert (
        kit["palette"] == ["#ff0000ff", "#00ff00ff"] and kit["fontFamily"] == "Lato" and kit["version"] == 1
    )
    assert kit["backgroundColor"] == listed["presets"][0]["backgroundColor"]  # inherited from obsidian

    updated = http.put(f"{url}/{kit['id']}", json={"backgroundColor": "#ffffff"}, headers=bearer(key))
    assert updated.status_code == 200 and updated.json()["version"] == 2
    assert updated.json()["palette"] == ["#ff0000ff", "#00ff00ff"]  # untouched fields stay

    _, other = stranger
    assert http.get(f"{url}/{kit['id']}", headers=bearer(other)).status_code == 404
    assert http.put(f"{url}/{kit['id']}", json={"name": "mine"}, headers=bearer(other)).status_code == 404
    assert http.delete(f"{url}/{kit['id']}", headers=bearer(other)).status_code == 404
    foreign = http.post(
        f"{api_url}/api/v1/render", json={**BAR, "brandKitId": kit["id"]}, headers=bearer(other)
    )
    assert foreign.status_code == 400 and foreign.json()["field"] == "brandKitId", foreign.text

    assert http.delete(f"{url}/{kit['id']}", headers=bearer(key)).status_code == 204
    assert http.get(f"{url}/{kit['id']}", headers=bearer(key)).status_code == 404
    with sessions() as s:
        actions = s.scalars(select(AuditLog.action).where(AuditLog.target_id == kit["id"])).all()
    assert sorted(actions) == ["brand_kit.created", "brand_kit.deleted", "brand_kit.updated"]


def test_brand_kit_id_applies_and_unknown_ones_are_refused(api_url, http, owner):
    _, key = owner
    plain = http.post(f"{api_url}/api/v1/render", json=BAR, headers=bearer(key))
    dark = http.post(f"{api_url}/api/v1/render", json={**BAR, "brandKitId": "obsidian"}, headers=bearer(key))
    assert plain.status_code == dark.status_code == 200, dark.text
    assert plain.headers["ETag"] != dark.headers["ETag"]
    assert _pixel(plain.content) == (255, 255, 255) and _pixel(dark.content) == (0x11, 0x13, 0x18)

    got = http.get(
        f"{api_url}/api/v1/render",
        params={"type": "bar", "data": "1,2,3", "brandKitId": "harbor", "key": key},
    )
    assert got.status_code == 200 and _pixel(got.content) == (0x0B, 0x22, 0x39)

    for value in ("nope", str(uuid.uuid4())):
        r = http.post(f"{api_url}/api/v1/render", json={**BAR, "brandKitId": value}, headers=bearer(key))
        assert r.status_code == 400 and r.json()["field"] == "brandKitId", r.text
        r = http.get(f"{api_url}/api/v1/render", params={"data": "1,2", "brandKitId": value})
        assert r.status_code == 400 and r.json()["field"] == "brandKitId"
        r = http.get(
            f"{api_url}/chart", params={"cht": "bvs", "chd": "t:1,2", "chs": "200x100", "brandKitId": value}
        )
        assert r.status_code == 400 and r.json()["field"] == "brandKitId", r.text

    ic = http.get(
        f"{api_url}/chart", params={"cht": "bvs", "chd": "t:1,2", "chs": "200x100", "brandKitId": "ember"}
    )
    assert ic.status_code == 200, ic.text
    assert _pixel(ic.content) == (0x1C, 0x14, 0x10)


def test_kit_update_changes_the_next_render(api_url, http, owner):
    _, key = owner
    kit = http.post(
        f"{api_url}/api/v1/brand-kits", json={"name": "v", "backgroundColor": "#224466"}, headers=bearer(key)
    ).json()
    body = {**BAR, "brandKitId": kit["id"]}
    first = http.post(f"{api_url}/api/v1/render", json=body, headers=bearer(key))
    again = http.post(f"{api_url}/api/v1/render", json=body, headers=bearer(key))
    assert first.headers["ETag"] == again.headers["ETag"] and again.headers["X-Cache"] == "HIT"
    assert _pixel(first.content) == (0x22, 0x44, 0x66)
    http.put(
        f"{api_url}/api/v1/brand-kits/{kit['id']}", json={"backgroundColor": "#663322"}, headers=bearer(key)
    )
    after = http.post(f"{api_url}/api/v1/render", json=body, headers=bearer(key))
    assert after.status_code == 200 and after.headers["X-Cache"] == "MISS"
    assert after.headers["ETag"] != first.headers["ETag"] and after.content != first.content
    assert _pixel(after.content) == (0x66, 0x33, 0x22)


def test_card_on_the_render_route(api_url, http, owner):
    _, key = owner
    card = {"title": "Revenue", "value": 48200, "change": 0.124, "footnote": "USD"}
    for width, height in ((100, 100), (800, 400), (4000, 1000)):
        r = http.post(
            f"{api_url}/api/v1/render",
            json={**BAR, "width": width, "height": height, "card": card},
            headers=bearer(key),
        )
        assert r.status_code == 200, r.text
        assert Image.open(io.BytesIO(r.content)).size == (width, height)
        assert "X-Chart-Warnings" not in r.headers
    bad = http.post(f"{api_url}/api/v1/render", json={**BAR, "card": {"change": "lots"}}, headers=bearer(key))
    assert bad.status_code == 400 and bad.json()["field"] == "card.change"


@pytest.mark.parametrize("template", sorted(templates.BUILTIN))
def test_builtin_templates_render_at_scale_two(api_url, http, template):
    r = http.get(f"{api_url}/api/v1/templates/{template}/render", params={"width": 300, "height": 150})
    assert r.status_code == 200, r.text
    assert Image.open(io.BytesIO(r.content)).size == (600, 300)


def test_template_overrides(api_url, http, owner):
    _, key = owner
    url = f"{api_url}/api/v1/templates/comparison-bars/render"
    base = {"width": 200, "height": 120, "scale": 1, "key": key}
    ref = http.get(url, params=base)
    assert ref.status_code == 200
    variants = {
        "labels": {"labels": "P,Q,R,S"},
        "data": {"data": "1,2,3,4"},
        "title": {"title": "Hello"},
        "format": {"format": "svg"},
        "brandKitId": {"brandKitId": "linen"},
        "palette": {"palette": "#ff0000,#0000ff"},
        "data2": {"data2": "9,9,9,9"},
        "label1": {"label1": "Now"},
        "data3": {"data3": "4,3,2,1"},
    }
    etags = {ref.headers["ETag"]}
    for name, extra in variants.items():
        r = http.get(url, params={**base, **extra})
        assert r.status_code == 200, (name, r.text)
        etags.add(r.headers["ETag"])
    assert len(etags) == len(variants) + 1
    assert _pixel(http.get(url, params={**base, "brandKitId": "linen"}).content) == (0xFA, 0xF6, 0xEF)
    big = http.get(url, params={"key": key, "width": 300, "height": 200, "devicePixelRatio": 3})
    assert Image.open(io.BytesIO(big.content)).size == (900, 600)
    jpeg = http.get(url, params={**base, "format": "jpeg"})
    assert jpeg.headers["Content-Type"] == "image/jpeg"

    for params, field in (
        ({"scale": 5}, "scale"),
        ({"width": 50}, "width"),
        ({"palette": "zz"}, "palette"),
        ({"data": "1,x"}, "data"),
        ({"brandKitId": "nope"}, "brandKitId"),
        ({"data5": "1"}, "data5"),
    ):
        r = http.get(url, params={**base, **params})
        assert r.status_code == 400 and r.json()["field"] == field, (params, r.text)
    gauge = http.get(f"{api_url}/api/v1/templates/gauge/render", params={"data": 120})
    assert gauge.status_code == 400 and gauge.json()["field"] == "data"
    assert http.get(f"{api_url}/api/v1/templates/nope/render").status_code == 404


def test_custom_template_crud_render_and_return_url(api_url, http, owner, stranger, sessions):
    _, key = owner
    url = f"{api_url}/api/v1/templates"
    bad = http.post(url, json={"name": "t", "spec": {"type": "pyramid"}}, headers=bearer(key))
    assert bad.status_code == 400 and bad.json()["field"].startswith("spec"), bad.text
    bad = http.post(
        url, json={"name": "t", "spec": BAR, "parameters": {"who": {"path": "../etc"}}}, headers=bearer(key)
    )
    assert bad.status_code == 400 and bad.json()["field"] == "parameters.who.path", bad.text
    created = http.post(
        url,
        json={
            "name": "Sales",
            "spec": {**BAR, "card": {"title": "Sales"}},
            "parameters": {"series": {"path": "data.datasets.0.label"}},
            "brandKitId": "studio",
        },
        headers=bearer(key),
    )
    assert created.status_code == 201, created.text
    tpl = created.json()
    assert tpl["renderUrl"].endswith(f"/api/v1/templates/{tpl['id']}/render")
    assert any(t["id"] == "gauge" for t in http.get(url, headers=bearer(key)).json()["builtIn"])

    render = f"{url}/{tpl['id']}/render"
    r = http.get(render, params={"key": key, "series": "Q3", "scale": 1})
    assert r.status_code == 200, r.text
    assert Image.open(io.BytesIO(r.content)).size == (300, 200)
    assert _pixel(r.content) == (0xF4, 0xF4, 0xF5)  # the template's kit (studio)
    j = http.get(render, params={"key": key, "returnUrl": "true"})
    assert j.status_code == 200, j.text
    doc = j.json()
    assert {"url", "size", "etag", "expiresAt", "format"} <= set(doc) and doc["format"] == "png"
    assert doc["size"] > 0 and doc["etag"] == j.headers["ETag"].strip('"')

    _, other = stranger
    assert http.get(render, params={"key": other}).status_code == 404
    assert http.get(f"{url}/{tpl['id']}", headers=bearer(other)).status_code == 404
    assert http.put(f"{url}/{tpl['id']}", json={"name": "x"}, headers=bearer(other)).status_code == 404

    updated = http.put(f"{url}/{tpl['id']}", json={"brandKitId": "ember"}, headers=bearer(key))
    assert updated.status_code == 200 and updated.json()["version"] == 2
    r = http.get(render, params={"key": key, "scale": 1})
    assert _pixel(r.content) == (0x1C, 0x14, 0x10)
    assert http.delete(f"{url}/{tpl['id']}", headers=bearer(key)).status_code == 204
    assert http.get(render, params={"key": key}).status_code == 404
    with sessions() as s:
        actions = s.scalars(select(AuditLog.action).where(AuditLog.target_id == tpl["id"])).all()
    assert sorted(actions) == ["template.created", "template.deleted", "template.updated"]


LOGO_SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 60 20">'
    b'<rect width="60" height="20" fill="#e4572e"/></svg>'
)


def test_logo_upload_validation_and_render(api_url, http, owner, stranger):
    _, key = owner
    kit = http.post(
        f"{api_url}/api/v1/brand-kits",
        json={"name": "logo", "base": "polar", "logoPosition": "top-left"},
        headers=bearer(key),
    ).json()
    logo_url = f"{api_url}/api/v1/brand-kits/{kit['id']}/logo"
    body = {**BAR, "width": 600, "height": 300, "brandKitId": kit["id"]}
    before = http.post(f"{api_url}/api/v1/render", json=body, headers=bearer(key))

    def put(data: bytes, content_type: str, who: str = key):
        return http.put(logo_url, data=data, headers={**bearer(who), "Content-Type": content_type})

    not_image = put(b"hello, not a picture", "image/png")
    assert not_image.status_code == 400 and not_image.json()["field"] == "logo", not_image.text
    script = put(b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "image/svg+xml")
    assert script.status_code == 400 and script.json()["field"] == "logo"
    huge = put(b"\x89PNG\r\n\x1a\n" + b"\0" * (300 * 1024), "image/png")
    assert huge.status_code == 413 and huge.json()["field"] == "logo"
    assert put(b"GIF89a", "image/gif").status_code == 415
    assert put(LOGO_SVG, "image/svg+xml", stranger[1]).status_code == 404

    stored = put(LOGO_SVG, "image/svg+xml")
    assert stored.status_code == 200 and stored.json()["hasLogo"] and stored.json()["version"] == 2, (
        stored.text
    )
    after = http.post(f"{api_url}/api/v1/render", json=body, headers=bearer(key))
    assert after.status_code == 200 and after.headers["ETag"] != before.headers["ETag"]
    assert _pixel(before.content, (20, 12)) == (255, 255, 255)
    assert _pixel(after.content, (20, 12)) == (0xE4, 0x57, 0x2E)  # the logo, top left

    removed = http.delete(logo_url, headers=bearer(key))
    assert removed.status_code == 200 and not removed.json()["hasLogo"]


def test_async_jobs_take_brand_kits_and_cards(api_url, http, owner):
    _, key = owner
    r = http.post(
        f"{api_url}/api/v1/jobs",
        json={**BAR, "brandKitId": "ember", "card": {"title": "Async", "change": -0.02}},
        headers=bearer(key),
    )
    assert r.status_code == 202, r.text
    bad = http.post(
        f"{api_url}/api/v1/jobs",
        json={"dialect": "imagecharts", "params": "cht=bvs&chd=t:1,2&chs=200x100&brandKitId=nope"},
        headers=bearer(key),
    )
    assert bad.status_code == 400 and bad.json()["field"] == "brandKitId", bad.text
    ok = http.post(
        f"{api_url}/api/v1/jobs",
        json={
            "dialect": "imagecharts",
            "params": {"cht": "bvs", "chd": "t:1,2", "chs": "200x100", "brandKitId": "linen"},
        },
        headers=bearer(key),
    )
    assert ok.status_code == 202, ok.text
    for job, expected in ((r.json(), (0x1C, 0x14, 0x10)), (ok.json(), (0xFA, 0xF6, 0xEF))):
        deadline = time.monotonic() + 30
        doc = job
        while doc["status"] != "succeeded" and time.monotonic() < deadline:
            time.sleep(0.2)
            doc = http.get(job["statusUrl"], headers=bearer(key)).json()
        assert doc["status"] == "succeeded", doc
        image = http.get(doc["url"], headers=bearer(key))
        assert _pixel(image.content) == expected


def test_replaced_and_removed_logos_leave_no_object_behind(api_url, http, owner, settings, sessions):
    """The logo objects live in S3 (moto's server here): a new logo, removing it and deleting the
    kit each delete the object the kit let go of."""
    _, key = owner
    store = build_store(settings)

    def logo_key(kit_id: str) -> str | None:
        with sessions() as s:
            return s.get(BrandKit, uuid.UUID(kit_id)).logo_key

    def put(kit_id: str, color: str):
        svg = LOGO_SVG.replace(b"#e4572e", color.encode())
        r = http.put(
            f"{api_url}/api/v1/brand-kits/{kit_id}/logo",
            data=svg,
            headers={**bearer(key), "Content-Type": "image/svg+xml"},
        )
        assert r.status_code == 200, r.text
        return logo_key(kit_id)

    kit = http.post(f"{api_url}/api/v1/brand-kits", json={"name": "gc"}, headers=bearer(key)).json()["id"]
    first = put(kit, "#e4572e")
    assert store.stat(first) is not None
    assert put(kit, "#e4572e") == first and store.stat(first) is not None  # the same logo again: kept
    second = put(kit, "#2e86e4")
    assert second != first and store.stat(second) is not None
    assert store.stat(first) is None  # replaced: gone from the bucket
    assert http.delete(f"{api_url}/api/v1/brand-kits/{kit}/logo", headers=bearer(key)).status_code == 200
    assert store.stat(second) is None and logo_key(kit) is None
    third = put(kit, "#44aa44")
    assert http.delete(f"{api_url}/api/v1/brand-kits/{kit}", headers=bearer(key)).status_code == 204
    assert store.stat(third) is None
    with sessions() as s:
        actions = s.scalars(select(AuditLog.action).where(AuditLog.target_id == kit)).all()
    assert sorted(actions) == [
        "brand_kit.created",
        "brand_kit.deleted",
        "brand_kit.logo_removed",
        *["brand_kit.logo_set"] * 4,
    ]
