"""Asynchronous jobs through HTTP: submit, poll, fetch, idempotency, conditional requests."""

from __future__ import annotations

import io
import uuid

from PIL import Image

from tests.support.polling import wait_finished


def line_spec(**overrides):
    spec = {
        "type": "line",
        "width": 500,
        "height": 250,
        "format": "png",
        "data": {
            "labels": ["a", "b", "c", "d"],
            "datasets": [{"label": f"s-{uuid.uuid4().hex[:6]}", "data": [1, 3, 2, 4], "fill": True}],
        },
    }
    spec.update(overrides)
    return spec


def test_async_lifecycle(api_url, http):
    r = http.post(f"{api_url}/api/v1/jobs", json=line_spec())
    assert r.status_code == 202, r.text
    body = r.json()
    assert body["status"] == "queued" and body["statusUrl"].endswith(body["id"])
    assert r.headers["Location"] == body["statusUrl"]
    done = wait_finished(http, body["statusUrl"])
    assert done["status"] == "succeeded", done
    assert done["attempts"] == 1 and done["startedAt"] and done["finishedAt"] and done["renderTimeMs"] >= 0
    assert done["contentType"] == "image/png" and done["size"] > 0 and done["expiresAt"]
    image = http.get(f"{api_url}/api/v1/jobs/{body['id']}/image", allow_redirects=False)
    assert image.status_code == 302  # S3 backend: a presigned URL
    fetched = http.get(image.headers["Location"])
    assert fetched.headers["Content-Type"] == "image/png"
    assert Image.open(io.BytesIO(fetched.content)).size == (500, 250)
    assert len(fetched.content) == done["size"]


def test_image_if_none_match_is_304(api_url, http):
    body = http.post(f"{api_url}/api/v1/jobs", json=line_spec()).json()
    done = wait_finished(http, body["statusUrl"])
    r = http.get(
        f"{api_url}/api/v1/jobs/{body['id']}/image",
        headers={"If-None-Match": f'"{done["etag"]}"'},
        allow_redirects=False,
    )
    assert r.status_code == 304 and r.headers["ETag"] == f'"{done["etag"]}"'


def test_image_of_unfinished_or_unknown_job(api_url, http):
    r = http.get(f"{api_url}/api/v1/jobs/{uuid.uuid4()}")
    assert r.status_code == 404 and r.json()["error"] == "Job not found"
    assert http.get(f"{api_url}/api/v1/jobs/not-a-uuid").status_code == 404


def test_idempotency_replay_returns_the_same_job(api_url, http, sessions):
    key = uuid.uuid4().hex
    spec = line_spec()
    first = http.post(f"{api_url}/api/v1/jobs", json=spec, headers={"Idempotency-Key": key})
    second = http.post(f"{api_url}/api/v1/jobs", json=spec, headers={"Idempotency-Key": key})
    assert first.status_code == second.status_code == 202
    assert first.json()["id"] == second.json()["id"]


def test_idempotency_key_with_another_body_is_422(api_url, http):
    key = uuid.uuid4().hex
    assert (
        http.post(f"{api_url}/api/v1/jobs", json=line_spec(), headers={"Idempotency-Key": key}).status_code
        == 202
    )
    r = http.post(f"{api_url}/api/v1/jobs", json=line_spec(width=700), headers={"Idempotency-Key": key})
    assert r.status_code == 422 and "Idempotency-Key" in r.json()["error"]


def test_idempotency_is_scoped_per_account(api_url, http, make_key):
    key = uuid.uuid4().hex
    _, k1 = make_key()
    _, k2 = make_key()
    a = http.post(
        f"{api_url}/api/v1/jobs", json=line_spec(), headers={"Idempotency-Key": key, "x-api-key": k1}
    )
    b = http.post(
        f"{api_url}/api/v1/jobs", json=line_spec(), headers={"Idempotency-Key": key, "x-api-key": k2}
    )
    assert a.status_code == b.status_code == 202 and a.json()["id"] != b.json()["id"]
    # another account's job is invisible to a caller authenticated as someone else
    assert http.get(a.json()["statusUrl"], headers={"x-api-key": k2}).status_code == 404
    assert http.get(a.json()["statusUrl"], headers={"x-api-key": k1}).status_code == 200


def test_concurrent_idempotent_submissions_create_one_job(api_url, make_key):
    import concurrent.futures

    import requests

    key = uuid.uuid4().hex
    spec = line_spec()

    def submit(_):
        return requests.post(
            f"{api_url}/api/v1/jobs", json=spec, headers={"Idempotency-Key": key}, timeout=30
        )

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        results = list(pool.map(submit, range(8)))
    assert {r.status_code for r in results} == {202}
    assert len({r.json()["id"] for r in results}) == 1


def test_cached_spec_submitted_async_is_born_succeeded(api_url, http):
    spec = line_spec()
    first = http.post(f"{api_url}/api/v1/jobs", json=spec).json()
    wait_finished(http, first["statusUrl"])
    second = http.post(f"{api_url}/api/v1/jobs", json=spec).json()
    assert (
        second["status"] == "succeeded"
        and second["cache"] == "HIT"
        and second["etag"] == wait_finished(http, first["statusUrl"])["etag"]
    )
