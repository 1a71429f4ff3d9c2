"""QuickChart plugins and chart types through real HTTP (api -> Redis -> worker -> S3): the image the
API returns is the golden image of tests/unit/worker/render/quickchart, and bad plugin options are 400s."""

from __future__ import annotations

import base64
import copy
import io
import json
import time
from pathlib import Path

from matplotlib.testing.compare import compare_images
from PIL import Image

from tests.support import quickchart_configs as configs

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "quickchart"


def assert_golden(data: bytes, name: str, tmp_path: Path) -> None:
    actual = tmp_path / f"{name}.png"
    actual.write_bytes(data)
    assert compare_images(str(GOLDEN / f"{name}.png"), str(actual), tol=2.0) is None


def test_datalabels_with_tick_format_render_synchronously(api_url, http, tmp_path):
    r = http.post(f"{api_url}/api/v1/render", json=configs.DATALABELS_BAR)
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"] == "image/png"
    assert "X-Chart-Warnings" not in r.headers  # every plugin option was understood
    assert_golden(r.content, "datalabels_bar", tmp_path)


def test_quickchart_envelope_gauge_renders(api_url, http, tmp_path):
    r = http.post(f"{api_url}/api/v1/render", json={"chart": configs.GAUGE, "width": 800, "height": 400})
    assert r.status_code == 200, r.text
    assert Image.open(io.BytesIO(r.content)).size == (800, 400)
    assert_golden(r.content, "gauge", tmp_path)


def test_sparkline_from_a_get_url(api_url, http, tmp_path):
    encoded = base64.urlsafe_b64encode(json.dumps(configs.SPARKLINE).encode()).decode().rstrip("=")
    r = http.get(f"{api_url}/api/v1/render", params={"c": encoded})
    assert r.status_code == 200, r.text
    assert_golden(r.content, "sparkline", tmp_path)


def test_sankey_renders_as_an_async_job(api_url, http, tmp_path):
    r = http.post(f"{api_url}/api/v1/jobs", json={**configs.SANKEY, "format": "png"})
    assert r.status_code == 202, r.text
    status_url = r.json()["statusUrl"]
    deadline = time.monotonic() + 30
    while (body := http.get(status_url).json())["status"] not in ("succeeded", "failed", "dead"):
        assert time.monotonic() < deadline, body
        time.sleep(0.1)
    assert body["status"] == "succeeded", body
    image = http.get(f"{api_url}/api/v1/jobs/{body['id']}/image")
    assert image.status_code == 200
    assert_golden(image.content, "sankey", tmp_path)


def test_bad_plugin_option_is_a_400_naming_the_field(api_url, http):
    config = copy.deepcopy(configs.DATALABELS_BAR)
    config["options"]["plugins"]["tickFormat"]["currency"] = "DOLLARS"
    r = http.post(f"{api_url}/api/v1/render", json=config)
    assert r.status_code == 400
    assert r.json()["field"] == "options.plugins.tickFormat.currency"
    gauge = copy.deepcopy(configs.GAUGE)
    del gauge["data"]["datasets"][0]["value"]
    r = http.post(f"{api_url}/api/v1/render", json=gauge)
    assert r.status_code == 400
    assert r.json()["field"] == "data.datasets[0].value"
