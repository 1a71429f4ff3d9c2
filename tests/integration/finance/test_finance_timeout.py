"""504 when a snapshot does not render in time: an api of its own whose queue no worker consumes."""

from __future__ import annotations

import subprocess
import uuid
from urllib.parse import urlsplit

import requests

from devstack.stack import BIN, ROOT, start_api


def test_render_timeout_is_504_with_the_job_to_poll(base_env, private_env, redis_client, log_dir):
    env = {
        **private_env("fin504"),
        "CHARTFLEET_QUEUE_PREFIX": f"{base_env['CHARTFLEET_QUEUE_PREFIX']}fin504-",
        "CHARTFLEET_SYNC_TIMEOUT": "2",
    }

    def cli(*args: str) -> str:
        return subprocess.run(
            [str(BIN / "chartfleet"), *args], env=env, cwd=ROOT, check=True, capture_output=True, text=True
        ).stdout.strip()

    cli("market", "demo")
    key = cli("keys", "create", "--account", "fin504")
    api, base = start_api(env, log_dir, name="fin504-api")
    try:
        # A chart nobody rendered before: the render cache is shared with the other stacks' tests.
        body = {"watermark": uuid.uuid4().hex}
        r = requests.post(
            f"{base}/v3/coinglass/advanced-chart", json=body, headers={"x-api-key": key}, timeout=60
        )
        assert r.status_code == 504, r.text
        body = r.json()
        assert "did not finish" in body["message"] and body["jobId"] and body["status"] == "queued"
        status = requests.get(base + urlsplit(body["statusUrl"]).path, timeout=10)
        assert status.status_code == 200 and status.json()["dialect"] == "finance"
    finally:
        api.stop()
