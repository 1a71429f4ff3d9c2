"""The Image-Charts route through real HTTP (gunicorn api -> Redis -> Celery worker -> S3 ->
Postgres): every example of the document, golden images, caching headers, errors in the
Image-Charts shape, POST forms, signed URLs, the watermark setting and asynchronous jobs.

Regenerate the golden images after an intended visual change (and look at every one):

    CHARTFLEET_UPDATE_GOLDEN=1 pytest tests/integration/test_chart_route.py -k golden
"""

from __future__ import annotations

import io
import json
import os
import time
import uuid
from pathlib import Path
from urllib.parse import parse_qs, urlencode

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from matplotlib.testing.compare import compare_images
from PIL import Image
from sqlalchemy import func, select

from core.models import RenderJob
from core.services.signing import sign
from devstack.stack import start_api
from tests.support.accounts import cli, run_cli
from tests.support.imagecharts_examples import EXAMPLES, expected

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "imagecharts"
UPDATE = os.environ.get("CHARTFLEET_UPDATE_GOLDEN") == "1"
TOLERANCE = 2.0  # RMS over 0-255 channels, as for the Chart.js golden images
GOLDEN_CASES = (
    "bar_bvs",
    "bar_mixed_colors",
    "axis_labels",
    "line_lxy",
    "pie_labels_legend",
    "inside_label",
    "gradient_series",
)
POSTED = ("post_form", "post_php")  # the document sends these as forms


def unique(params: dict[str, str]) -> dict[str, str]:
    """The same chart under a title nobody else uses, so the render is never a cache hit."""
    return {**params, "chtt": f"run {uuid.uuid4().hex[:8]}"}


def image_of(response) -> Image.Image:
    return Image.open(io.BytesIO(response.content))


def assert_ic_error(response, status: int, code: str, parameter: str) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["code"] == code and body["field"] == parameter
    assert parameter in body["error"]
    assert response.headers["X-Ic-Error-Code"] == code
    validation = json.loads(response.headers["X-Ic-Error-Validation"])
    assert validation == [{"message": body["error"], "parameter": parameter}]
    return body


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_every_document_example_renders(api_url, http, name):
    params = EXAMPLES[name]
    if name in POSTED:
        r = http.post(f"{api_url}/chart", data=params)
    else:
        r = http.get(f"{api_url}/chart", params=params)
    assert r.status_code == 200, r.text
    size, fmt = expected(params)
    assert r.headers["Content-Type"] == f"image/{fmt.lower()}"
    image = image_of(r)
    assert (image.size, image.format) == (size, fmt)


@pytest.mark.parametrize("name", GOLDEN_CASES)
def test_golden_images(api_url, http, name):
    r = http.get(f"{api_url}/chart", params=EXAMPLES[name])
    assert r.status_code == 200, r.text
    expected_path = GOLDEN / f"{name}.png"
    if UPDATE:
        GOLDEN.mkdir(parents=True, exist_ok=True)
        expected_path.write_bytes(r.content)
        return
    assert expected_path.exists(), f"missing {expected_path}; run with CHARTFLEET_UPDATE_GOLDEN=1"
    actual = Path(os.environ.get("TMPDIR", "/tmp")) / f"ic-{uuid.uuid4().hex}-{name}.png"
    actual.write_bytes(r.content)
    try:
        assert compare_images(str(expected_path), str(actual), tol=TOLERANCE) is None
    finally:
        actual.unlink(missing_ok=True)


def test_headers_cache_and_conditional_requests(api_url, http):
    params = unique({"cht": "bvs", "chs": "300x200", "chd": "t:10,20|30,40"})
    first = http.get(f"{api_url}/chart", params=params)
    second = http.get(f"{api_url}/chart", params=params)
    assert first.status_code == second.status_code == 200
    assert (first.headers["X-Cache"], second.headers["X-Cache"]) == ("MISS", "HIT")
    assert first.content == second.content and first.headers["ETag"] == second.headers["ETag"]
    assert int(first.headers["X-Render-Time-Ms"]) >= 0 and first.headers["X-Request-Id"]
    assert first.headers["X-Job-Id"] != second.headers["X-Job-Id"]
    not_modified = http.get(
        f"{api_url}/chart", params=params, headers={"If-None-Match": first.headers["ETag"]}
    )
    assert not_modified.status_code == 304 and not_modified.headers["ETag"] == first.headers["ETag"]


def test_parameters_in_any_order_give_the_same_chart(api_url, http):
    params = unique({"cht": "lc", "chs": "200x100", "chd": "t:1,2,3"})
    a = http.get(f"{api_url}/chart?" + urlencode(params))
    b = http.get(f"{api_url}/chart?" + urlencode(dict(reversed(list(params.items())))))
    assert a.headers["ETag"] == b.headers["ETag"]


def test_animation_is_a_gif(api_url, http):
    r = http.get(f"{api_url}/chart", params=unique({**EXAMPLES["animation"], "chan": "400,easeOutBounce"}))
    assert r.status_code == 200 and r.headers["Content-Type"] == "image/gif"
    assert image_of(r).n_frames > 5
    assert r.headers["Content-Disposition"] == 'inline; filename="chart.gif"'


@pytest.mark.parametrize(
    "params, code, parameter",
    [
        ({"chs": "300x200", "chd": "t:1"}, "IC_MISSING_PARAMETER", "cht"),
        ({"cht": "bvs", "chd": "t:1"}, "IC_MISSING_PARAMETER", "chs"),
        ({"cht": "bvs", "chs": "300x200"}, "IC_MISSING_PARAMETER", "chd"),
        ({"cht": "nope", "chs": "300x200", "chd": "t:1"}, "IC_INVALID_CHART_TYPE", "cht"),
        ({"cht": "bvs", "chs": "1000x100", "chd": "t:1"}, "IC_CHART_SIZE_TOO_LARGE", "chs"),
        ({"cht": "bvs", "chs": "300x200", "chd": "t:1,x"}, "IC_INVALID_DATA", "chd"),
        ({"cht": "bvs", "chs": "300x200", "chd": "t:1", "chan": "5000"}, "IC_INVALID_ANIMATION", "chan"),
        (
            {"cht": "bvs", "chs": "300x200", "chd": "t:1", "chan": "100,EaseOutBack"},
            "IC_INVALID_ANIMATION",
            "chan",
        ),
        ({"cht": "bvs", "chs": "300x200", "chd": "t:1", "chco": "rouge€"}, "IC_INVALID_COLOR", "chco"),
    ],
)
def test_errors_name_the_parameter_in_body_and_headers(api_url, http, params, code, parameter):
    assert_ic_error(http.get(f"{api_url}/chart", params=params), 400, code, parameter)


def test_post_form_renders_like_get(api_url, http):
    params = unique({"cht": "lc", "chs": "300x200", "chxt": "x", "chd": "t:40,20,50,20,100"})
    posted = http.post(f"{api_url}/chart", data=params)
    got = http.get(f"{api_url}/chart", params=params)
    assert posted.status_code == got.status_code == 200
    assert posted.headers["ETag"] == got.headers["ETag"] and posted.content == got.content


def test_post_body_limit_and_type(api_url, http):
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    fine = "cht=lc&chs=300x100&chd=t:" + ",".join(["7"] * 45_000)  # about 90 KB
    ok = http.post(f"{api_url}/chart", data=fine, headers=form)
    assert ok.status_code == 200, ok.text
    big = "cht=lc&chs=300x100&chd=t:" + ",".join(["10"] * 40_000)  # about 120 KB
    r = http.post(f"{api_url}/chart", data=big, headers=form)
    assert_ic_error(r, 413, "IC_POST_BODY_TOO_LARGE", "body")
    r = http.post(f"{api_url}/chart", json={"cht": "lc"})
    assert_ic_error(r, 415, "IC_UNSUPPORTED_MEDIA_TYPE", "body")


def _signing_secret(base_env, account: str, *, rotate: bool = False) -> str:
    rotation = ["--rotate"] if rotate else []
    return cli(base_env, "accounts", "signing-secret", "--account", account, *rotation)


def _signed(params: dict[str, str], account: str, secret: str) -> str:
    query = urlencode({**params, "icac": account})
    return f"{query}&ichm={sign(query, secret)}"


def test_signed_urls(api_url, http, base_env, make_key, sessions):
    account, _key = make_key()
    secret = _signing_secret(base_env, account)
    params = unique({"cht": "bvs", "chd": "s:93zyvneTTO", "chs": "400x401"})
    good = http.get(f"{api_url}/chart?{_signed(params, account, secret)}&chof=.png")
    assert good.status_code == 200, good.text
    assert image_of(good).size == (400, 401)
    with sessions() as s:
        job = s.get(RenderJob, uuid.UUID(good.headers["X-Job-Id"]))
        assert job.account_id is not None and job.owner == f"account:{job.account_id}"

    def job_count() -> int:
        with sessions() as s:
            return s.scalar(select(func.count()).select_from(RenderJob))

    before = job_count()
    tampered = _signed(params, account, secret).replace("chs=400x401", "chs=400x402")
    assert_ic_error(http.get(f"{api_url}/chart?{tampered}"), 403, "IC_INVALID_SIGNATURE", "ichm")
    wrong = _signed(params, account, "not-the-secret")
    assert_ic_error(http.get(f"{api_url}/chart?{wrong}"), 403, "IC_INVALID_SIGNATURE", "ichm")
    unknown = _signed(params, "no-such-account", secret)
    assert_ic_error(http.get(f"{api_url}/chart?{unknown}"), 403, "IC_UNKNOWN_ACCOUNT", "icac")
    appended = _signed(params, account, secret) + "&chd=t:1"
    assert_ic_error(http.get(f"{api_url}/chart?{appended}"), 403, "IC_INVALID_SIGNATURE", "ichm")
    half = urlencode({**params, "icac": account})
    assert_ic_error(http.get(f"{api_url}/chart?{half}"), 403, "IC_SIGNATURE_MISSING", "ichm")
    assert job_count() == before  # nothing was rendered for a bad signature

    posted = http.post(
        f"{api_url}/chart",
        data=_signed(params, account, secret),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert posted.status_code == 200 and posted.headers["ETag"] == good.headers["ETag"]

    refused = run_cli(base_env, "accounts", "signing-secret", "--account", account)
    assert refused.returncode != 0 and "--rotate" in refused.stderr
    rotated = _signing_secret(base_env, account, rotate=True)
    assert rotated != secret
    stale = http.get(f"{api_url}/chart?{_signed(params, account, secret)}")
    assert_ic_error(stale, 403, "IC_INVALID_SIGNATURE", "ichm")
    assert http.get(f"{api_url}/chart?{_signed(params, account, rotated)}").status_code == 200


def test_watermark_on_unsigned_renders_when_the_server_asks(base_env, log_dir, api_url, http, make_key):
    env = {**base_env, "CHARTFLEET_WATERMARK_UNSIGNED": "1"}
    api, base = start_api(env, log_dir, name="api-watermark")  # same database, queues and worker
    try:
        params = unique({"cht": "bvg", "chs": "300x150", "chd": "t:0"})
        plain = http.get(f"{api_url}/chart", params=params)
        marked = http.get(f"{base}/chart", params=params)
        assert plain.status_code == marked.status_code == 200
        assert plain.headers["ETag"] != marked.headers["ETag"]
        a = np.asarray(image_of(plain).convert("RGB"), dtype=int)
        b = np.asarray(image_of(marked).convert("RGB"), dtype=int)
        changed = np.argwhere((a != b).any(axis=2))
        assert len(changed) and changed[:, 0].min() > 100 and changed[:, 1].min() > 200  # bottom right
        account, key = make_key()
        secret = _signing_secret(base_env, account)
        signed = http.get(f"{base}/chart?{_signed(params, account, secret)}")
        keyed = http.get(f"{base}/chart", params=params, headers={"Authorization": f"Bearer {key}"})
        for response in (signed, keyed):
            assert response.status_code == 200
            assert np.array_equal(np.asarray(image_of(response).convert("RGB"), dtype=int), a)
    finally:
        api.stop()


def _wait(http, url, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body = http.get(url).json()
        if body["status"] in ("succeeded", "failed", "dead"):
            return body
        time.sleep(0.1)
    raise AssertionError(f"job not finished: {body}")


def test_async_imagecharts_jobs(api_url, http, base_env, make_key):
    params = unique({"cht": "pd", "chs": "320x200", "chd": "t:10,40,45", "chli": "95K€", "chan": "300"})
    r = http.post(f"{api_url}/api/v1/jobs", json={"dialect": "imagecharts", "params": params})
    assert r.status_code == 202, r.text
    done = _wait(http, r.json()["statusUrl"])
    assert done["status"] == "succeeded" and done["dialect"] == "imagecharts", done
    assert done["contentType"] == "image/gif" and (done["width"], done["height"]) == (320, 200)
    fetched = http.get(done["url"])
    assert fetched.status_code == 200 and image_of(fetched).size == (320, 200)

    account, key = make_key()
    secret = _signing_secret(base_env, account)
    query = _signed(unique({"cht": "bvs", "chs": "200x100", "chd": "t:1,2"}), account, secret)
    r = http.post(f"{api_url}/api/v1/jobs", json={"dialect": "imagecharts", "params": query})
    assert r.status_code == 202, r.text
    assert _wait(http, r.json()["statusUrl"])["status"] == "succeeded"
    bad = http.post(f"{api_url}/api/v1/jobs", json={"dialect": "imagecharts", "params": query[:-4] + "0000"})
    assert bad.status_code == 403 and bad.json()["code"] == "IC_INVALID_SIGNATURE"
    invalid = http.post(f"{api_url}/api/v1/jobs", json={"dialect": "imagecharts", "params": {"cht": "bvs"}})
    assert invalid.status_code == 400 and invalid.json()["field"] == "chs"
    assert (
        http.post(f"{api_url}/api/v1/jobs", json={"dialect": "imagecharts", "params": 3}).status_code == 400
    )


QUERY_TEXT = st.text(alphabet="abcdefhlmnorstxy0123456789=&:|,._-%+*@ €", max_size=120)


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.one_of(QUERY_TEXT, QUERY_TEXT.map(lambda q: "cht=bvs&chs=100x80&chd=" + q)))
@example("")
@example("c=")  # QuickChart's form, with its own error header
def test_random_query_strings_are_never_a_server_error(api_url, query):
    import requests

    r = requests.get(f"{api_url}/chart?{query}", timeout=60)
    assert r.status_code in (200, 400, 403), (query, r.status_code, r.text)
    if r.status_code != 200:
        # A query naming a chart with c= or chart= (and no cht) is QuickChart's form of the route,
        # whose errors carry QuickChart's header; every other one is Image-Charts'.
        if "X-quickchart-error" in r.headers:
            assert "cht" not in parse_qs(query, keep_blank_values=True), query
        else:
            assert r.headers["X-Ic-Error-Code"].startswith("IC_")
