"""Operational surfaces: health probes, the local storage backend end to end, the embedded CLI."""

from __future__ import annotations

import io
import json
import subprocess
import uuid

import pytest
import requests
from PIL import Image

from devstack.s3server import free_port
from devstack.stack import BIN, ROOT, start_api, start_together, start_worker, stop_together


def test_healthz_and_readyz(api_url, http):
    assert http.get(f"{api_url}/healthz").json() == {"status": "ok"}
    ready = http.get(f"{api_url}/readyz")
    assert ready.status_code == 200, ready.text
    assert ready.json()["checks"] == {"postgres": "ok", "redis": "ok", "storage": "ok"}


def test_readyz_names_the_failing_dependency(base_env, database, log_dir):
    port = free_port()
    env = {**base_env, "CHARTFLEET_S3_ENDPOINT": f"http://127.0.0.1:{port}"}  # nothing listens there
    api, base = start_api(env, log_dir, name="unready-api")
    try:
        r = requests.get(f"{base}/readyz", timeout=30)
        assert r.status_code == 503
        assert r.json()["checks"] == {"postgres": "ok", "redis": "ok", "storage": "unavailable"}
        assert r.json()["failing"] == ["storage"] and str(port) not in r.text  # no internals
    finally:
        api.stop()


@pytest.fixture(scope="module")
def local_stack(base_env, private_env, redis_client, log_dir, tmp_path_factory):
    """The default single-machine configuration: the `local` storage backend."""
    env = {
        **private_env("local"),
        "CHARTFLEET_STORAGE": "local",
        "CHARTFLEET_STORAGE_DIR": str(tmp_path_factory.mktemp("local-storage")),
        "CHARTFLEET_QUEUE_PREFIX": f"{base_env['CHARTFLEET_QUEUE_PREFIX']}local-",
        "CHARTFLEET_REDIS_PREFIX": f"{base_env['CHARTFLEET_REDIS_PREFIX']}local:",
    }
    (api, base), worker = start_together(
        lambda: start_api(env, log_dir, name="local-api"),
        lambda: start_worker(env, log_dir, name="local-worker", concurrency=1),
    )
    yield base
    stop_together(worker, api)


def test_local_backend_serves_bytes_itself(local_stack):
    spec = {
        "type": "doughnut",
        "width": 320,
        "height": 320,
        "format": "webp",
        "data": {"labels": ["a", "b"], "datasets": [{"data": [2, 3], "label": uuid.uuid4().hex}]},
    }
    rendered = requests.post(f"{local_stack}/api/v1/render", json={**spec, "returnUrl": True}, timeout=30)
    assert rendered.status_code == 200, rendered.text
    body = rendered.json()
    assert "directUrl" not in body  # no presigned URLs on the local backend
    image = requests.get(body["url"], allow_redirects=False, timeout=30)
    assert image.status_code == 200 and image.headers["Content-Type"] == "image/webp"
    assert Image.open(io.BytesIO(image.content)).size == (320, 320)
    again = requests.post(f"{local_stack}/api/v1/render", json=spec, timeout=30)
    assert again.headers["X-Cache"] == "HIT" and again.content == image.content


def test_cli_renders_in_process_without_services(tmp_path):
    spec = tmp_path / "spec.json"
    spec.write_text(
        json.dumps(
            {
                "type": "radar",
                "width": 400,
                "height": 400,
                "options": {"animation": False},
                "data": {"labels": ["a", "b", "c"], "datasets": [{"data": [1, 2, 3]}]},
            }
        )
    )
    out = tmp_path / "chart.png"
    env = {
        "PATH": f"{BIN}",
        "CHARTFLEET_DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/none",
        "CHARTFLEET_REDIS_URL": "redis://127.0.0.1:1/0",
    }  # unreachable on purpose
    result = subprocess.run(
        [str(BIN / "chartfleet"), "render", str(spec), "-o", str(out)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "ignored options.animation" in result.stderr
    assert Image.open(out).size == (400, 400)


def test_cli_render_refuses_bad_spec_with_the_field(tmp_path):
    spec = tmp_path / "bad.json"
    spec.write_text(json.dumps({"type": "line", "width": 99999, "data": {"datasets": [{"data": [1]}]}}))
    result = subprocess.run(
        [str(BIN / "chartfleet"), "render", str(spec), "-o", str(tmp_path / "x.png")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0 and "width" in result.stderr and not (tmp_path / "x.png").exists()
