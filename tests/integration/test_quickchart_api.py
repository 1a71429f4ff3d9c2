"""QuickChart's HTTP API through real HTTP (gunicorn api -> Redis -> Celery worker -> S3 ->
Postgres): /chart in QuickChart's form (every parameter, GET and POST), JavaScript object literal
configs, refused code, /chart/create + /chart/render/<id> with template parameters, and /qr."""

from __future__ import annotations

import base64
import datetime as dt
import io
import json
import uuid
from urllib.parse import quote

import numpy as np
import pytest
import segno
from PIL import Image
from sqlalchemy import text

from core.models import RenderJob, ShortChart
from tests.support.accounts import new_key


def config(kind: str = "bar", **dataset) -> str:
    """A JavaScript object literal config, as QuickChart URLs carry it; a unique label keeps each
    test's render out of the cache."""
    label = dataset.pop("label", uuid.uuid4().hex[:8])
    extra = "".join(f", {k}: {json.dumps(v)}" for k, v in dataset.items())
    return (
        f"{{type: '{kind}', data: {{labels: ['Q1', 'Q2', 'Q3', 'Q4'], "
        f"datasets: [{{label: '{label}', data: [50, 60, 70, 180]{extra}}}]}}}}"
    )


def get_chart(http, api_url, query: str, **headers):
    return http.get(f"{api_url}/chart?{query}", headers=headers, timeout=60)


def image_of(response) -> Image.Image:
    return Image.open(io.BytesIO(response.content))


def assert_qc_error(response, status: int, field: str, *words: str) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["field"] == field, body
    header = response.headers["X-quickchart-error"]
    assert field in header
    for word in words:
        assert word in body["error"] and word in header, (word, body["error"])
    return body


# --- GET /chart: every parameter ------------------------------------------------------------------


def test_defaults_are_quickchart_defaults(api_url, http):
    """500x300 at ratio 2 (1000x600 pixels), PNG, transparent background."""
    r = get_chart(http, api_url, "c=" + quote(config()))
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"] == "image/png"
    image = image_of(r)
    assert image.size == (1000, 600)
    assert image.convert("RGBA").getpixel((2, 2))[3] == 0
    assert r.headers["X-Job-Id"] and r.headers["X-Cache"] == "MISS"


@pytest.mark.parametrize(
    "query, size",
    [
        ("w=300&h=200&devicePixelRatio=1", (300, 200)),
        ("width=400&height=250&devicePixelRatio=1", (400, 250)),
        ("w=400&h=250", (800, 500)),
        ("w=200&h=100&devicePixelRatio=3", (600, 300)),
        ("w=200&h=100&devicePixelRatio=1.5", (300, 150)),
        ("w=120&h=30&devicePixelRatio=1", (120, 30)),  # sparkline-sized
    ],
)
def test_size_times_ratio_is_the_pixel_size(api_url, http, query, size):
    r = get_chart(http, api_url, f"c={quote(config())}&{query}")
    assert r.status_code == 200, r.text
    assert image_of(r).size == size


@pytest.mark.parametrize(
    "query, rgb",
    [
        ("bkg=white", (255, 255, 255)),
        ("backgroundColor=%23ff0000", (255, 0, 0)),
        ("bkg=rgb(0,0,255)", (0, 0, 255)),
        ("bkg=hsl(120,100%25,50%25)", (0, 255, 0)),
    ],
)
def test_background_colour(api_url, http, query, rgb):
    r = get_chart(http, api_url, f"c={quote(config())}&w=200&h=100&devicePixelRatio=1&{query}")
    assert r.status_code == 200, r.text
    assert image_of(r).convert("RGBA").getpixel((1, 1)) == (*rgb, 255)


@pytest.mark.parametrize(
    "query, content_type, check",
    [
        ("f=png", "image/png", lambda c: c.startswith(b"\x89PNG")),
        ("format=webp", "image/webp", lambda c: c[8:12] == b"WEBP"),
        ("f=jpg", "image/jpeg", lambda c: c.startswith(b"\xff\xd8")),
        ("format=svg", "image/svg+xml", lambda c: b"<svg" in c[:1000]),
    ],
)
def test_formats(api_url, http, query, content_type, check):
    r = get_chart(http, api_url, f"c={quote(config())}&w=200&h=100&{query}")
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"].split(";")[0] == content_type
    assert check(r.content)
    if content_type in ("image/png", "image/webp", "image/jpeg"):
        assert image_of(r).size == (400, 200)


def test_pdf_format(api_url, http, base_env):
    # PDF is a Pro feature (quotas): render it with a Pro key, given as QuickChart's `key`.
    key = new_key(base_env, "render", plan="pro")[1]
    r = get_chart(http, api_url, f"c={quote(config())}&w=200&h=100&f=pdf&key={key}")
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"] == "application/pdf" and r.content.startswith(b"%PDF")


def test_base64_format_is_a_png_data_uri(api_url, http):
    r = get_chart(http, api_url, f"c={quote(config())}&w=200&h=100&devicePixelRatio=1&f=base64")
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"].startswith("text/plain")
    prefix = "data:image/png;base64,"
    assert r.text.startswith(prefix)
    image = Image.open(io.BytesIO(base64.b64decode(r.text[len(prefix) :])))
    assert (image.format, image.size) == ("PNG", (200, 100))


def test_base64_encoding_gives_the_same_chart(api_url, http):
    text = config()
    plain = get_chart(http, api_url, f"c={quote(text)}&w=200&h=100")
    encoded = base64.b64encode(text.encode()).decode()
    coded = get_chart(http, api_url, f"c={quote(encoded)}&encoding=base64&w=200&h=100")
    unescaped_plus = get_chart(http, api_url, f"chart={encoded}&encoding=base64&w=200&h=100")
    assert plain.status_code == coded.status_code == unescaped_plus.status_code == 200, coded.text
    assert plain.headers["ETag"] == coded.headers["ETag"] == unescaped_plus.headers["ETag"]
    assert coded.headers["X-Cache"] == "HIT"


def _ink(response) -> int:
    """How many pixels are not transparent (the chart's drawn area)."""
    alpha = np.asarray(image_of(response).convert("RGBA"))[..., 3]
    return int((alpha > 0).sum())


def test_version_picks_the_chartjs_defaults(api_url, http):
    """Chart.js 2 (QuickChart's default) fills and curves line datasets; 3 and 4 do not."""
    text = quote(config("line"))
    base = f"c={text}&w=300&h=200&devicePixelRatio=1"
    default = get_chart(http, api_url, base)
    v2 = get_chart(http, api_url, base + "&v=2.9.4")
    v3 = get_chart(http, api_url, base + "&version=3")
    v4 = get_chart(http, api_url, base + "&v=4")
    for r in (default, v2, v3, v4):
        assert r.status_code == 200, r.text
    assert default.headers["ETag"] == v2.headers["ETag"]
    assert v3.headers["ETag"] == v4.headers["ETag"] != v2.headers["ETag"]
    assert _ink(v2) > 2 * _ink(v4)  # the filled area under the line
    explicit = get_chart(
        http, api_url, f"c={quote(config('line', fill=False, tension=0))}&w=300&h=200&devicePixelRatio=1"
    )
    assert explicit.status_code == 200 and _ink(explicit) < _ink(v2)


@pytest.mark.parametrize(
    "query, field, words",
    [
        ("w=abc", "w", ("whole number",)),
        ("height=5", "height", ("between",)),
        ("devicePixelRatio=9", "devicePixelRatio", ("between",)),
        ("f=gif", "f", ("format",)),
        ("bkg=notacolour", "bkg", ("colour",)),
        ("v=5", "v", ("version",)),
        ("encoding=hex", "encoding", ("base64",)),
        ("w=4000&h=4000&devicePixelRatio=4", "devicePixelRatio", ("limit",)),
    ],
)
def test_invalid_parameters_are_named(api_url, http, query, field, words):
    r = get_chart(http, api_url, f"c={quote(config())}&{query}")
    assert_qc_error(r, 400, field, *words)


def test_invalid_base64_is_named(api_url, http):
    assert_qc_error(get_chart(http, api_url, "c=%%%%&encoding=base64"), 400, "c", "base64")


def test_image_charts_requests_still_go_to_image_charts(api_url, http):
    r = get_chart(http, api_url, f"cht=bvs&chs=120x80&chd=t:1,2&c={quote(config())}")
    assert r.status_code == 200 and image_of(r).size == (120, 80)
    missing = get_chart(http, api_url, "chs=120x80&chd=t:1,2")
    assert missing.status_code == 400 and missing.headers["X-Ic-Error-Code"] == "IC_MISSING_PARAMETER"


def test_ignored_parameters_are_reported_even_with_a_nul_in_their_name(api_url, http):
    r = get_chart(http, api_url, f"c={quote(config())}&w=200&h=100&zz%00top=1&extra=2")
    assert r.status_code == 200, r.text
    warnings = r.headers["X-Chart-Warnings"]
    assert "extra" in warnings and "zz" in warnings and "top" in warnings  # the NUL is replaced, not fatal


def test_conditional_get_and_cache(api_url, http):
    query = f"c={quote(config())}&w=200&h=100"
    first = get_chart(http, api_url, query)
    second = get_chart(http, api_url, query)
    assert (first.headers["X-Cache"], second.headers["X-Cache"]) == ("MISS", "HIT")
    not_modified = get_chart(http, api_url, query, **{"If-None-Match": first.headers["ETag"]})
    assert not_modified.status_code == 304


# --- JavaScript object literals and refused code -----------------------------------------------------


def test_javascript_object_literal_equals_its_json(api_url, http):
    label = uuid.uuid4().hex[:8]
    literal = (
        "{ // QuickChart's usual form\n"
        f"  type: 'bar', data: {{ labels: ['A+B', \"C\", 'D',], /* trailing commas */\n"
        f"  datasets: [{{ label: '{label}', data: [0x10, .5, +3,], }}], }}, }}"
    )
    as_json = json.dumps(
        {
            "type": "bar",
            "data": {"labels": ["A+B", "C", "D"], "datasets": [{"label": label, "data": [16, 0.5, 3]}]},
        }
    )
    # The literal's "+" is sent unescaped, as QuickChart users do: it stays a "+".
    a = get_chart(http, api_url, "w=200&h=100&c=" + quote(literal, safe="+"))
    b = get_chart(http, api_url, "w=200&h=100&c=" + quote(as_json))
    assert a.status_code == b.status_code == 200, a.text
    assert a.headers["ETag"] == b.headers["ETag"]


@pytest.mark.parametrize(
    "literal, field, words",
    [
        (
            "{type:'bar', data:{datasets:[{data:[1]}]}, options:{scales:{yAxes:[{ticks:"
            "{callback: function(value) { return '$' + value; }}}]}}}",
            "c.options.scales.yAxes[0].ticks.callback",
            ("functions are not allowed", "options.plugins.tickFormat"),
        ),
        (
            "{type:'bar', data:{datasets:[{data:[1]}]}, options:{plugins:{datalabels:"
            "{formatter: (v, ctx) => v + '%'}}}}",
            "c.options.plugins.datalabels.formatter",
            ("functions are not allowed", "applyToDataLabels"),
        ),
        (
            "{type:'line', data:{labels:[new Date(2024, 0, 1)], datasets:[{data:[1]}]}}",
            "c.data.labels[0]",
            ("new Date(2024, 0, 1)", "ISO 8601"),
        ),
        (
            "{type:'bar', data:{datasets:[{data:[1], "
            "backgroundColor: Chart.helpers.color('red').alpha(0.5).rgbString()}]}}",
            "c.data.datasets[0].backgroundColor",
            ("Chart.helpers.color", "never evaluates code"),
        ),
        (
            '{"type":"bar","data":{"datasets":[{"data":[1]}]},"options":{"tooltips":'
            '{"callbacks":{"label":"function (item) { return item; }"}}}}',
            "c.options.tooltips.callbacks.label",
            ("functions are not allowed", "tooltips"),
        ),
    ],
)
def test_code_is_refused_with_its_path_and_the_declarative_option(api_url, http, literal, field, words):
    r = get_chart(http, api_url, "c=" + quote(literal))
    body = assert_qc_error(r, 400, field, *words)
    assert body["code"] == "code_not_allowed"


def test_syntax_errors_are_400(api_url, http):
    assert_qc_error(get_chart(http, api_url, "c=" + quote("{type: 'bar', data: [1, 2")), 400, "c", "JSON")


# --- POST /chart -------------------------------------------------------------------------------------


def test_post_json_body_with_an_object(api_url, http):
    body = {
        "chart": json.loads(
            json.dumps({"type": "bar", "data": {"datasets": [{"data": [1, 2], "label": "x"}]}})
        ),
        "width": 250,
        "height": 150,
        "devicePixelRatio": 2,
        "backgroundColor": "#00ff00",
        "format": "png",
        "version": "3",
    }
    body["chart"]["data"]["datasets"][0]["label"] = uuid.uuid4().hex
    r = http.post(f"{api_url}/chart", json=body, timeout=60)
    assert r.status_code == 200, r.text
    image = image_of(r)
    assert image.size == (500, 300) and image.convert("RGB").getpixel((1, 1)) == (0, 255, 0)


def test_post_json_body_with_a_literal_string_and_defaults(api_url, http):
    r = http.post(f"{api_url}/chart", json={"chart": config(), "format": "webp"}, timeout=60)
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"] == "image/webp" and image_of(r).size == (1000, 600)


def test_post_form(api_url, http):
    r = http.post(
        f"{api_url}/chart", data={"c": config(), "w": "200", "h": "100", "bkg": "white"}, timeout=60
    )
    assert r.status_code == 200, r.text
    assert image_of(r).size == (400, 200)


def test_post_body_key_renders_for_its_account(api_url, http, base_env, sessions):
    key = new_key(base_env, "render")[1]
    r = http.post(f"{api_url}/chart", json={"chart": config(), "key": key, "width": 200, "height": 100})
    assert r.status_code == 200, r.text
    with sessions() as session:
        job = session.get(RenderJob, uuid.UUID(r.headers["X-Job-Id"]))
        assert job.account_id is not None and job.dialect == "quickchart"
    bad = http.post(f"{api_url}/chart", json={"chart": config(), "key": "pk_live_" + "x" * 40})
    assert_qc_error(bad, 401, "key")


@pytest.mark.parametrize(
    "body, field",
    [
        ({"width": 200}, "chart"),
        ({"chart": 42}, "chart"),
        ({"chart": config(), "width": "wide"}, "width"),
        ({"chart": config(), "format": "tiff"}, "format"),
        (
            {"chart": {"type": "bar", "data": {"datasets": [{"data": [1]}]}, "options": {"x": "() => 1"}}},
            "chart.options.x",
        ),
    ],
)
def test_post_errors_are_named(api_url, http, body, field):
    assert_qc_error(http.post(f"{api_url}/chart", json=body), 400, field)


# --- short URLs ------------------------------------------------------------------------------------------


def test_create_and_render_a_short_url(api_url, http, sessions):
    body = {
        "chart": config("line"),
        "width": 300,
        "height": 200,
        "devicePixelRatio": 1,
        "backgroundColor": "white",
    }
    created = http.post(f"{api_url}/chart/create", json=body)
    assert created.status_code == 200, created.text
    answer = created.json()
    assert answer["success"] is True
    assert "/chart/render/" in answer["url"]
    chart_id = answer["url"].rsplit("/", 1)[1]
    rendered = http.get(f"{api_url}/chart/render/{chart_id}")
    assert rendered.status_code == 200, rendered.text
    assert rendered.headers["Content-Type"] == "image/png" and image_of(rendered).size == (300, 200)
    direct = http.post(f"{api_url}/chart", json=body)
    assert direct.headers["ETag"] == rendered.headers["ETag"]  # the very same chart
    with sessions() as session:
        row = session.get(ShortChart, chart_id)
        kept = row.expires_at - row.created_at
    assert dt.timedelta(days=1) <= kept <= dt.timedelta(days=3700)


def test_template_parameters_change_the_stored_chart(api_url, http):
    created = http.post(f"{api_url}/chart/create", json={"chart": config(), "width": 300, "height": 200})
    url = f"{api_url}/chart/render/" + created.json()["url"].rsplit("/", 1)[1]
    plain = http.get(url)
    changed = http.get(url, params={"data1": "5,6,7,8", "labels": "a,b,c,d", "title": "Hello", "label1": "x"})
    coloured = http.get(url, params={"backgroundColor1": "red", "borderColor1": "blue"})
    second = http.get(url, params={"data2": "1,2,3,4"})
    for r in (plain, changed, coloured, second):
        assert r.status_code == 200, r.text
    assert len({r.headers["ETag"] for r in (plain, changed, coloured, second)}) == 4
    assert_qc_error(http.get(url, params={"data1": "1,x"}), 400, "data1", "not a number")
    assert_qc_error(http.get(url, params={"data5": "1"}), 400, "data5")
    assert_qc_error(
        http.get(url, params={"backgroundColor1": "nope"}), 400, "chart.data.datasets[0].backgroundColor"
    )


def test_short_url_errors(api_url, http, sessions):
    bad = http.post(
        f"{api_url}/chart/create", json={"chart": "{type: 'bar', data: {datasets: [{data: [x => 1]}]}}"}
    )
    body = assert_qc_error(bad, 400, "chart.data.datasets[0].data[0]", "functions are not allowed")
    assert body["success"] is False
    missing = http.get(f"{api_url}/chart/render/nosuchchart")
    assert missing.status_code == 404 and "X-quickchart-error" in missing.headers
    created = http.post(f"{api_url}/chart/create", json={"chart": config()}).json()
    chart_id = created["url"].rsplit("/", 1)[1]
    with sessions() as session, session.begin():
        session.get(ShortChart, chart_id).expires_at = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    assert http.get(f"{api_url}/chart/render/{chart_id}").status_code == 404


def test_short_url_renders_for_the_creating_account(api_url, http, base_env, sessions):
    key = new_key(base_env, "render")[1]
    created = http.post(f"{api_url}/chart/create", json={"chart": config(), "key": key})
    assert created.status_code == 200, created.text
    rendered = http.get(created.json()["url"].replace(created.json()["url"].split("/chart/")[0], api_url))
    assert rendered.status_code == 200, rendered.text
    with sessions() as session:
        job = session.get(RenderJob, uuid.UUID(rendered.headers["X-Job-Id"]))
        row = session.get(ShortChart, created.json()["url"].rsplit("/", 1)[1])
        assert job.account_id == row.account_id is not None


# --- /qr ---------------------------------------------------------------------------------------------------


def _modules(image: Image.Image, count: int) -> np.ndarray:
    """Sample the centre of each module of a ``count``-module symbol: True where dark."""
    pixels = np.asarray(image.convert("L"))
    centres = ((np.arange(count) + 0.5) * image.size[0] / count).astype(int)
    return pixels[centres][:, centres] < 128


def test_qr_defaults(api_url, http):
    text = f"https://example.com/{uuid.uuid4().hex}"
    r = http.get(f"{api_url}/qr", params={"text": text})
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"] == "image/png"
    image = image_of(r)
    assert image.size == (150, 150)
    expected = np.array(
        list(segno.make(text, error="m", micro=False, boost_error=False).matrix_iter(border=4))
    )
    assert (_modules(image, expected.shape[0]) == expected.astype(bool)).all()


def test_qr_parameters(api_url, http):
    text = uuid.uuid4().hex
    params = {"text": text, "size": "330", "margin": "1", "ecLevel": "H", "dark": "ff0000", "light": "00ff00"}
    r = http.get(f"{api_url}/qr", params=params)
    assert r.status_code == 200, r.text
    image = image_of(r).convert("RGB")
    assert image.size == (330, 330)
    expected = np.array(
        list(segno.make(text, error="h", micro=False, boost_error=False).matrix_iter(border=1))
    )
    assert (_modules(image, expected.shape[0]) == expected.astype(bool)).all()
    assert set(image.getdata()) == {(255, 0, 0), (0, 255, 0)}


def test_qr_svg(api_url, http):
    r = http.get(f"{api_url}/qr", params={"text": uuid.uuid4().hex, "format": "svg", "dark": "#123456"})
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"].split(";")[0] == "image/svg+xml"
    assert b"<svg" in r.content and b"#123456" in r.content


@pytest.mark.parametrize(
    "params, field",
    [
        ({}, "text"),
        ({"text": "x", "format": "gif"}, "format"),
        ({"text": "x", "size": "big"}, "size"),
        ({"text": "x", "size": "5000"}, "size"),
        ({"text": "x", "ecLevel": "Z"}, "ecLevel"),
        ({"text": "x", "dark": "nope"}, "dark"),
        ({"text": "x" * 3000, "ecLevel": "H"}, "text"),
    ],
)
def test_qr_errors(api_url, http, params, field):
    assert_qc_error(http.get(f"{api_url}/qr", params=params), 400, field)


# --- the reference --------------------------------------------------------------------------------------


def test_openapi_lists_the_quickchart_routes(api_url, http):
    document = http.get(f"{api_url}/api/v1/openapi.json").json()
    paths = document["paths"]
    assert {"/chart/create", "/chart/render/{chart_id}", "/qr"} <= set(paths)
    chart = paths["/chart"]["get"]
    names = {p["name"] for p in chart["parameters"]}
    assert {"c", "chart", "w", "h", "devicePixelRatio", "bkg", "f", "v", "encoding", "cht"} <= names
    assert "application/json" in paths["/chart"]["post"]["requestBody"]["content"]
    assert "text/plain" in chart["responses"]["200"]["content"]


# --- the pipeline's plan terms apply ----------------------------------------------------------------------


@pytest.fixture()
def tight_key(base_env, sessions):
    """A key on a plan of its own: 2 renders a month, 6 requests per window, kept 7 days."""
    plan = f"qc-{uuid.uuid4().hex[:8]}"
    with sessions() as session, session.begin():
        session.execute(
            text(
                "INSERT INTO plans (name, display_name, monthly_quota, overage_cents_per_1000, rate_limit,"
                " rate_window_seconds, max_width, max_height, formats, retention_days, webhooks_allowed,"
                " price_cents) VALUES (:name, 'QC test', 2, NULL, 6, 900, 4000, 4000, '{png}', 7, false, 0)"
            ),
            {"name": plan},
        )
    return new_key(base_env, "render", plan=plan)[1]


def test_quota_rate_limit_and_retention_of_the_plan(api_url, http, sessions, tight_key):
    created = http.post(f"{api_url}/chart/create", json={"chart": config(), "key": tight_key})  # request 1
    assert created.status_code == 200, created.text
    chart_id = created.json()["url"].rsplit("/", 1)[1]
    with sessions() as session:
        row = session.get(ShortChart, chart_id)
        assert row.expires_at - row.created_at == pytest.approx(
            dt.timedelta(days=7), abs=dt.timedelta(minutes=1)
        )
    assert http.get(f"{api_url}/chart/render/{chart_id}").status_code == 200  # render 1 of the account
    ok = get_chart(http, api_url, f"c={quote(config())}&key={tight_key}")  # request 2, render 2
    assert ok.status_code == 200, ok.text
    svg = get_chart(http, api_url, f"c={quote(config())}&key={tight_key}&f=svg")  # request 3
    assert svg.status_code == 400 and "SVG output is not available" in svg.headers["X-quickchart-error"]
    over = get_chart(http, api_url, f"c={quote(config())}&key={tight_key}")  # request 4
    assert over.status_code == 402, over.text
    assert "quota" in over.headers["X-quickchart-error"].lower()
    statuses = [get_chart(http, api_url, f"c={quote(config())}&key={tight_key}") for _ in range(3)]
    limited = statuses[-1]
    assert limited.status_code == 429, [r.status_code for r in statuses]
    assert limited.headers["Retry-After"] and limited.headers["X-quickchart-error"]
