"""Custom templates in every dialect over real HTTP with the real worker: a Chart.js body, a
QuickChart request, Image-Charts parameters and a finance snapshot body are each stored, checked
by their dialect's parser, and rendered at their short, stable render URL (the key in the query,
as an ``<img src>`` sends it) with the overrides mapped onto the dialect. Plus ``returnUrl`` on
every render route, on the account's custom domain."""

from __future__ import annotations

import io
import subprocess
import uuid
from urllib.parse import urlsplit

import pytest
from PIL import Image

from devstack.stack import BIN, ROOT
from tests.support.accounts import bearer, new_key

# What a browser sends for <img src>: no Authorization header, an image Accept header.
IMG = {"Accept": "image/avif,image/webp,image/apng,image/*,*/*;q=0.8"}
SPECS = {
    "chartjs": {
        "type": "bar",
        "width": 300,
        "height": 200,
        "data": {"labels": ["a", "b", "c"], "datasets": [{"label": "x", "data": [3, 5, 2]}]},
    },
    "quickchart": {
        "chart": "{type: 'line', data: {labels: ['a','b','c'], datasets: [{label: 'q', data: [1, 4, 2]}]}}",
        "width": 300,
        "height": 200,
    },
    "imagecharts": {"cht": "bvg", "chs": "300x200", "chd": "t:10,50,30|20,40,60", "chdl": "A|B"},
    "finance": {"symbol": "BINANCE:BTCUSDT", "interval": "1D", "width": 500, "height": 400},
}


@pytest.fixture(scope="module")
def owner(base_env, database):
    subprocess.run(
        [str(BIN / "chartfleet"), "market", "demo"], env=base_env, cwd=ROOT, check=True, capture_output=True
    )
    return new_key(base_env, "render", "read", "manage")


def _size(data: bytes) -> tuple[int, int]:
    return Image.open(io.BytesIO(data)).size


def _pixel(data: bytes, xy=(2, 2)) -> tuple[int, ...]:
    return Image.open(io.BytesIO(data)).convert("RGB").getpixel(xy)


def _create(http, api_url, key, dialect, spec, **extra):
    body = {"name": f"{dialect} chart", "dialect": dialect, "spec": spec, **extra}
    return http.post(f"{api_url}/api/v1/templates", json=body, headers=bearer(key))


@pytest.mark.parametrize("dialect", sorted(SPECS))
def test_a_template_in_any_dialect_is_a_short_stable_img_url(api_url, http, owner, dialect):
    _, key = owner
    created = _create(http, api_url, key, dialect, SPECS[dialect])
    assert created.status_code == 201, created.text
    tpl = created.json()
    assert tpl["dialect"] == dialect and tpl["renderUrl"].startswith(api_url)
    embed = http.get(tpl["renderUrl"], params={"key": key}, headers=IMG)
    assert embed.status_code == 200, embed.text
    assert embed.headers["Content-Type"] == "image/png"
    width, height = (500, 400) if dialect == "finance" else (300, 200)
    assert _size(embed.content) == (width * 2, height * 2)  # the route's default scale 2
    again = http.get(tpl["renderUrl"], params={"key": key}, headers=IMG)
    assert again.headers["ETag"] == embed.headers["ETag"] and again.headers["X-Cache"] == "HIT"
    assert embed.headers["Cache-Control"] == "public, no-cache"  # stable URL, content that may change
    revalidated = http.get(
        tpl["renderUrl"], params={"key": key}, headers={**IMG, "If-None-Match": embed.headers["ETag"]}
    )
    assert revalidated.status_code == 304

    sized = http.get(tpl["renderUrl"], params={"key": key, "width": 420, "height": 410, "scale": 1})
    assert sized.status_code == 200 and _size(sized.content) == (420, 410), sized.text
    dark = http.get(tpl["renderUrl"], params={"key": key, "scale": 1, "brandKitId": "obsidian"})
    assert dark.status_code == 200, dark.text
    if dialect != "finance":  # finance keeps its panes; a QuickChart kit fills its transparent default
        assert _pixel(dark.content) == (0x11, 0x13, 0x18)
    assert dark.headers["ETag"] not in (embed.headers["ETag"], sized.headers["ETag"])
    for params, field in (
        ({"scale": 7}, "scale"),
        ({"brandKitId": "nope"}, "brandKitId"),
        ({"width": 5000}, "width"),
    ):
        r = http.get(tpl["renderUrl"], params={"key": key, **params})
        assert 400 <= r.status_code < 500 and r.json()["field"] == field, (params, r.text)
    assert http.get(tpl["renderUrl"], headers=IMG).status_code == 404  # custom: only for its account


def test_overrides_map_onto_each_dialect(api_url, http, owner):
    _, key = owner
    tpls = {d: _create(http, api_url, key, d, s).json() for d, s in SPECS.items()}
    for dialect in ("chartjs", "quickchart", "imagecharts"):
        url = tpls[dialect]["renderUrl"]
        base = http.get(url, params={"key": key, "scale": 1})
        etags = {base.headers["ETag"]}
        for extra in (
            {"labels": "p,q,r"},
            {"data": "9,1,9"},
            {"data2": "2,2,2"},
            {"label1": "Now"},
            {"title": "Hello"},
            {"palette": "%23ff0000,%230000ff".replace("%23", "#")},
        ):
            r = http.get(url, params={"key": key, "scale": 1, **extra})
            assert r.status_code == 200, (dialect, extra, r.text)
            etags.add(r.headers["ETag"])
        assert len(etags) == 7, dialect
        bad = http.get(url, params={"key": key, "data": "1,x"})
        assert bad.status_code == 400 and bad.json()["field"] == "data", (dialect, bad.text)
    red = http.get(tpls["imagecharts"]["renderUrl"], params={"key": key, "scale": 1, "palette": "#ff0000"})
    assert (255, 0, 0) in {
        c for _, c in Image.open(io.BytesIO(red.content)).convert("RGB").getcolors(1 << 16)
    }
    svg = http.get(tpls["imagecharts"]["renderUrl"], params={"key": key, "format": "svg"})
    assert svg.status_code == 400 and svg.json()["field"] == "format"

    fin = tpls["finance"]["renderUrl"]
    jpeg = http.get(fin, params={"key": key, "format": "jpeg", "scale": 1})
    assert jpeg.status_code == 200 and jpeg.headers["Content-Type"] == "image/jpeg", jpeg.text
    for name in ("labels", "title", "palette"):
        r = http.get(fin, params={"key": key, name: "x"})
        assert r.status_code == 400 and r.json()["field"] == name, r.text
    narrow = http.get(fin, params={"key": key, "width": 200})  # the document's minimum is 400
    assert narrow.status_code == 422 and narrow.json()["field"] == "width", narrow.text


def test_named_parameters_and_validation_per_dialect(api_url, http, owner, stranger_kit):
    _, key = owner
    made = _create(
        http,
        api_url,
        key,
        "finance",
        SPECS["finance"],
        parameters={"tf": {"path": "interval", "description": "Candle interval"}},
    )
    assert made.status_code == 201, made.text
    url = made.json()["renderUrl"]
    four = http.get(url, params={"key": key, "tf": "4h", "scale": 1})
    day = http.get(url, params={"key": key, "scale": 1})
    assert four.status_code == day.status_code == 200, four.text
    assert four.headers["ETag"] != day.headers["ETag"]
    assert http.get(url, params={"key": key, "tf": "7s"}).json()["field"] == "interval"

    for dialect, spec, field in (
        ("imagecharts", {"cht": "bvs", "chs": "300x200"}, "spec.chd"),
        ("imagecharts", {"cht": "bvs", "chs": "300x200", "chd": 5}, "spec"),
        ("quickchart", {"chart": "{type: 'bar', data: {datasets: [{data: [1]}]}}", "width": 1}, "spec.width"),
        ("finance", {"interval": "7s"}, "spec.interval"),
        ("chartjs", {"type": "pyramid"}, "spec.type"),
    ):
        r = _create(http, api_url, key, dialect, spec)
        assert r.status_code == 400 and r.json()["field"] == field, (dialect, r.text)
    unknown = _create(http, api_url, key, "vega", {"a": 1})
    assert unknown.status_code == 400 and "dialect" in unknown.text, unknown.text
    foreign = _create(http, api_url, key, "chartjs", SPECS["chartjs"], brandKitId=stranger_kit)
    assert foreign.status_code == 400 and foreign.json()["field"] == "brandKitId"

    # Changing only the dialect re-checks the stored spec with the new dialect's parser.
    tpl = _create(http, api_url, key, "chartjs", SPECS["chartjs"]).json()
    switched = http.put(
        f"{api_url}/api/v1/templates/{tpl['id']}", json={"dialect": "imagecharts"}, headers=bearer(key)
    )
    assert switched.status_code == 400 and switched.json()["field"].startswith("spec"), switched.text
    moved = http.put(
        f"{api_url}/api/v1/templates/{tpl['id']}",
        json={"dialect": "imagecharts", "spec": SPECS["imagecharts"]},
        headers=bearer(key),
    )
    assert moved.status_code == 200 and moved.json()["dialect"] == "imagecharts", moved.text
    assert http.get(moved.json()["renderUrl"], params={"key": key}).status_code == 200


@pytest.fixture(scope="module")
def stranger_kit(api_url, http_module, base_env):
    _, other = new_key(base_env, "render", "read", "manage")
    kit = http_module.post(f"{api_url}/api/v1/brand-kits", json={"name": "theirs"}, headers=bearer(other))
    return kit.json()["id"]


@pytest.fixture(scope="module")
def http_module():
    import requests

    with requests.Session() as session:
        yield session


def test_return_url_on_every_render_route_uses_the_custom_domain(api_url, http, base_env):
    _, key = new_key(base_env, "render", "read", "manage")
    domain = f"img-{uuid.uuid4().hex[:8]}.example.com"
    r = http.put(
        f"{api_url}/api/v1/settings/custom-domain", json={"customDomain": domain}, headers=bearer(key)
    )
    assert r.status_code == 200, r.text
    tpl = _create(http, api_url, key, "imagecharts", SPECS["imagecharts"]).json()
    assert urlsplit(tpl["renderUrl"]).netloc == domain  # the embed URL is on the custom domain too
    ic = "cht=bvs&chd=t:1,2&chs=200x100&returnUrl=true&key=" + key
    qc = {"c": "{type:'bar',data:{labels:['a'],datasets:[{data:[1]}]}}", "returnUrl": "true", "key": key}
    answers = {
        "render POST": http.post(
            f"{api_url}/api/v1/render", json={**SPECS["chartjs"], "returnUrl": True}, headers=bearer(key)
        ),
        "render GET": http.get(
            f"{api_url}/api/v1/render", params={"data": "1,2", "returnUrl": 1, "key": key}
        ),
        "chart (Image-Charts)": http.get(f"{api_url}/chart?{ic}"),
        "chart (QuickChart)": http.get(f"{api_url}/chart", params=qc),
        "template": http.get(
            f"{api_url}/api/v1/templates/{tpl['id']}/render", params={"returnUrl": "true", "key": key}
        ),
        "finance POST": http.post(
            f"{api_url}/v3/coinglass/advanced-chart",
            json={"interval": "1D", "returnUrl": True},
            headers={"x-api-key": key},
        ),
        "finance GET": http.get(
            f"{api_url}/v3/coinglass/advanced-chart",
            params={"interval": "1D", "returnUrl": "true", "key": key},
        ),
    }
    for route, answer in answers.items():
        assert answer.status_code == 200, (route, answer.text)
        assert answer.headers["Content-Type"].startswith("application/json"), route
        doc = answer.json()
        assert {"url", "size", "etag", "expiresAt", "format"} <= set(doc), (route, doc)
        assert urlsplit(doc["url"]).netloc == domain and doc["size"] > 0, (route, doc)
        image = http.get(api_url + urlsplit(doc["url"]).path, headers=bearer(key), allow_redirects=True)
        assert image.status_code == 200 and image.content[:4] in (b"\x89PNG", b"\xff\xd8\xff\xe0"), route


def test_another_accounts_kit_is_refused_on_every_render_route(api_url, http, owner, stranger_kit):
    """brandKitId is never ignored: another account's kit reads like an unknown one on every route
    and dialect, a 4xx naming brandKitId."""
    _, key = owner
    kit = stranger_kit
    auth = bearer(key)
    qc_config = "{type:'bar',data:{labels:['a'],datasets:[{data:[1]}]}}"
    fin = f"{api_url}/v3/coinglass/advanced-chart"
    answers = {
        "render POST": http.post(
            f"{api_url}/api/v1/render", json={**SPECS["chartjs"], "brandKitId": kit}, headers=auth
        ),
        "render GET": http.get(
            f"{api_url}/api/v1/render", params={"data": "1,2", "brandKitId": kit, "key": key}
        ),
        "chart IC": http.get(
            f"{api_url}/chart", params={**SPECS["imagecharts"], "brandKitId": kit, "key": key}
        ),
        "chart QC": http.get(f"{api_url}/chart", params={"c": qc_config, "brandKitId": kit, "key": key}),
        "chart QC body": http.post(
            f"{api_url}/chart", json={"chart": qc_config, "brandKitId": kit, "key": key}
        ),
        "job chartjs": http.post(
            f"{api_url}/api/v1/jobs", json={**SPECS["chartjs"], "brandKitId": kit}, headers=auth
        ),
        "job IC": http.post(
            f"{api_url}/api/v1/jobs",
            json={"dialect": "imagecharts", "params": {**SPECS["imagecharts"], "brandKitId": kit}},
            headers=auth,
        ),
        "job QC": http.post(
            f"{api_url}/api/v1/jobs",
            json={"dialect": "quickchart", "chart": qc_config, "brandKitId": kit},
            headers=auth,
        ),
        "template": http.get(
            f"{api_url}/api/v1/templates/revenue-bar/render", params={"brandKitId": kit, "key": key}
        ),
    }
    for route, r in answers.items():
        assert r.status_code == 400 and r.json()["field"] == "brandKitId", (route, r.status_code, r.text)
    for r in (
        http.post(fin, json={"interval": "1D", "brandKitId": kit}, headers={"x-api-key": key}),
        http.get(fin, params={"interval": "1D", "brandKitId": kit, "key": key}),
        http.post(f"{api_url}/api/v1/jobs", json={"dialect": "finance", "brandKitId": kit}, headers=auth),
    ):
        assert r.status_code == 422 and r.json()["errors"][0]["path"] == "brandKitId", r.text


def test_a_kit_fills_quickcharts_transparent_default_on_the_chart_route(api_url, http):
    config = "{type:'bar',data:{labels:['a','b'],datasets:[{data:[1,2]}]}}"
    dark = http.get(f"{api_url}/chart", params={"c": config, "brandKitId": "obsidian"})
    assert dark.status_code == 200 and _pixel(dark.content) == (0x11, 0x13, 0x18), dark.text
    own = http.get(f"{api_url}/chart", params={"c": config, "brandKitId": "obsidian", "bkg": "#ffffff"})
    assert own.status_code == 200 and _pixel(own.content) == (255, 255, 255)
    plain = http.get(f"{api_url}/chart", params={"c": config})
    assert Image.open(io.BytesIO(plain.content)).getpixel((2, 2))[3] == 0  # QuickChart: transparent
