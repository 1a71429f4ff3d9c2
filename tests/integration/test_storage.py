"""The ObjectStore contract, run against both backends: ``local`` on a temporary directory and ``s3``
against moto's S3 server over real HTTP (the session-scoped ``s3_endpoint`` fixture of conftest.py)."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import textwrap
import threading
import time
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from minio import Minio

from core.config import Settings
from core.storage import (
    InvalidKey,
    LocalObjectStore,
    ObjectNotFound,
    ObjectStore,
    S3ObjectStore,
    StorageError,
    StoredObject,
    build_store,
    object_key,
)
from devstack.s3server import free_port

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>'
HASH = hashlib.sha256(b"a chart").hexdigest()


def md5_hex(data: bytes) -> str:
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


def fresh_bucket() -> str:
    return f"cf-test-{uuid.uuid4().hex[:12]}"


def s3_settings(endpoint: str, bucket: str) -> Settings:
    return Settings(
        storage="s3",
        s3_endpoint=endpoint,
        s3_bucket=bucket,
        s3_access_key="test",
        s3_secret_key="test",
        s3_region="us-east-1",
    )


@pytest.fixture(params=["local", "s3"])
def store(request, tmp_path) -> ObjectStore:
    if request.param == "local":
        return build_store(Settings(storage="local", storage_dir=str(tmp_path / "storage")))
    return build_store(s3_settings(request.getfixturevalue("s3_endpoint"), fresh_bucket()))


# --- the contract, both backends ------------------------------------------------------------------


def test_put_get_stat_delete_round_trip(store):
    key = object_key(HASH, "png")
    stored = store.put(key, PNG, "image/png")
    assert stored == StoredObject(key=key, size=len(PNG), etag=md5_hex(PNG), content_type="image/png")
    assert store.get(key) == PNG
    assert store.stat(key) == stored
    store.delete(key)
    assert store.stat(key) is None
    with pytest.raises(ObjectNotFound):
        store.get(key)


@pytest.mark.parametrize(
    ("fmt", "content_type", "data"),
    [
        ("svg", "image/svg+xml; charset=utf-8", SVG),
        ("pdf", "application/pdf", b"%PDF-1.7\n%%EOF\n"),
        ("jpeg", "image/jpeg", b""),
    ],
)
def test_content_type_is_preserved(store, fmt, content_type, data):
    key = object_key(HASH, fmt)
    store.put(key, data, content_type)
    info = store.stat(key)
    assert info is not None
    assert (info.content_type, info.size) == (content_type, len(data))
    assert store.get(key) == data


def test_put_replaces_and_etag_follows_the_bytes(store):
    first = store.put("renders/aa/one.png", PNG, "image/png")
    again = store.put("renders/aa/two.png", PNG, "image/png")
    assert first.etag == again.etag == store.stat("renders/aa/one.png").etag
    replaced = store.put("renders/aa/one.png", SVG, "image/svg+xml")
    assert replaced.etag == md5_hex(SVG) != first.etag
    assert store.get("renders/aa/one.png") == SVG
    assert store.stat("renders/aa/one.png") == replaced


def test_large_objects_keep_an_md5_etag(store):
    data = os.urandom(6 << 20)  # above minio's multipart threshold of 5 MiB
    assert store.put("renders/aa/large.pdf", data, "application/pdf").etag == md5_hex(data)
    assert store.stat("renders/aa/large.pdf").etag == md5_hex(data)
    assert store.get("renders/aa/large.pdf") == data


def test_missing_objects(store):
    with pytest.raises(ObjectNotFound):
        store.get("renders/00/missing.png")
    assert store.stat("renders/00/missing.png") is None
    store.delete("renders/00/missing.png")  # no error
    with pytest.raises(StorageError):  # ObjectNotFound is a StorageError
        store.get("renders/00/missing.png")


@pytest.mark.parametrize(
    "key",
    [
        "../etc/passwd",
        "renders/../../x",
        "renders/./x",
        "/abs/path.png",
        "renders//x.png",
        "renders/",
        "Renders/X.png",
        ".hidden",
        "renders/.x.png.tmp",
        "a b",
        "renders\\x",
        "",
        "x" * 600,
    ],
)
def test_bad_keys_are_rejected(store, key):
    for call in (
        lambda: store.put(key, b"x", "text/plain"),
        lambda: store.get(key),
        lambda: store.stat(key),
        lambda: store.delete(key),
    ):
        with pytest.raises(InvalidKey):
            call()


def test_bad_content_type_is_rejected(store):
    with pytest.raises(ValueError):
        store.put("renders/aa/x.png", b"x", "image/png\nX-Evil: 1")


def test_check_passes(store):
    store.check()


# --- object_key -----------------------------------------------------------------------------------


def test_object_key_is_deterministic():
    assert object_key(HASH, "png") == object_key(HASH, "png") == f"renders/{HASH[:2]}/{HASH}.png"
    assert object_key(HASH, "jpeg").endswith(".jpg")
    assert object_key(HASH, "svg") != object_key(HASH, "png")


@pytest.mark.parametrize(
    ("cache_key", "fmt"),
    [
        (HASH.upper(), "png"),
        ("../" + HASH, "png"),
        (HASH + "/x", "png"),
        ("abc", "png"),
        ("g" * 64, "png"),
        ("", "png"),
        (HASH, "exe"),
        (HASH, "PNG"),
        (HASH, "../png"),
        (None, "png"),
    ],
)
def test_object_key_rejects_bad_input(cache_key, fmt):
    with pytest.raises(ValueError):
        object_key(cache_key, fmt)


# --- s3 specifics ---------------------------------------------------------------------------------


def raw_client(endpoint: str) -> Minio:
    return Minio(urlsplit(endpoint).netloc, "test", "test", secure=False, region="us-east-1")


def test_s3_creates_its_bucket_on_first_use(s3_endpoint):
    bucket = fresh_bucket()
    store = build_store(s3_settings(s3_endpoint, bucket))
    assert not raw_client(s3_endpoint).bucket_exists(bucket)
    store.put("renders/aa/x.png", PNG, "image/png")
    assert raw_client(s3_endpoint).bucket_exists(bucket)


def test_s3_bucket_creation_races_are_harmless(s3_endpoint):
    bucket = fresh_bucket()
    stores = [build_store(s3_settings(s3_endpoint, bucket)) for _ in range(6)]
    with ThreadPoolExecutor(len(stores)) as pool:
        list(pool.map(lambda s: s.put("renders/aa/x.png", PNG, "image/png"), stores))
    assert all(s.get("renders/aa/x.png") == PNG for s in stores)


def test_s3_construction_does_no_network_io():
    store = S3ObjectStore(f"127.0.0.1:{free_port()}", "k", "s", "no-server-here")
    assert store.presigned_url("renders/aa/x.png", timedelta(minutes=5)).startswith("http://127.0.0.1:")


def test_s3_presigned_url_downloads_the_object(s3_endpoint):
    store = build_store(s3_settings(s3_endpoint, fresh_bucket()))
    key = object_key(HASH, "svg")
    store.put(key, SVG, "image/svg+xml")
    url = store.presigned_url(key, timedelta(minutes=10))
    assert parse_qs(urlsplit(url).query)["X-Amz-Expires"] == ["600"]
    with urllib.request.urlopen(url, timeout=5) as response:
        assert response.status == 200
        assert response.headers["Content-Type"] == "image/svg+xml"
        assert response.read() == SVG


def test_s3_presigned_url_signs_its_expiry(s3_endpoint):
    """moto serves presigned URLs without checking their expiry, so the test asserts what a real S3
    or MinIO checks: a SigV4 query signature that covers the request time and the lifetime."""
    store = build_store(s3_settings(s3_endpoint, fresh_bucket()))
    store.put("renders/aa/x.png", PNG, "image/png")
    before = datetime.now(UTC).replace(microsecond=0)
    url = store.presigned_url("renders/aa/x.png", timedelta(seconds=90))
    after = datetime.now(UTC)
    query = {name: values[0] for name, values in parse_qs(urlsplit(url).query).items()}
    assert query["X-Amz-Algorithm"] == "AWS4-HMAC-SHA256"
    assert query["X-Amz-Expires"] == "90"
    signed_at = datetime.strptime(query["X-Amz-Date"], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    assert before <= signed_at <= after
    assert "host" in query["X-Amz-SignedHeaders"].split(";")
    assert len(query["X-Amz-Signature"]) == 64 and int(query["X-Amz-Signature"], 16) >= 0
    with urllib.request.urlopen(url, timeout=5) as response:
        assert response.read() == PNG


def test_s3_unreachable_endpoint_fails_fast():
    store = S3ObjectStore(f"http://127.0.0.1:{free_port()}", "k", "s", "cf-dead")
    started = time.monotonic()
    with pytest.raises(StorageError):
        store.check()
    for call in (
        lambda: store.put("renders/aa/x.png", b"x", "image/png"),
        lambda: store.get("renders/aa/x.png"),
        lambda: store.stat("renders/aa/x.png"),
    ):
        with pytest.raises(StorageError) as info:
            call()
        assert not isinstance(info.value, ObjectNotFound)
    assert time.monotonic() - started < 5


@pytest.mark.parametrize(
    ("endpoint", "netloc", "secure"),
    [
        ("http://127.0.0.1:9000", "127.0.0.1:9000", False),
        ("https://s3.example.com", "s3.example.com", True),
        ("minio:9000", "minio:9000", False),
    ],
)
def test_s3_endpoint_forms(endpoint, netloc, secure):
    url = S3ObjectStore(endpoint, "k", "s", "bucket").presigned_url("a.png", timedelta(seconds=60))
    assert url.startswith(f"{'https' if secure else 'http'}://{netloc}/bucket/a.png?")


@pytest.mark.parametrize("endpoint", ["ftp://host", "http://host/path", "http://u:p@host", "http://"])
def test_s3_bad_endpoints_are_rejected(endpoint):
    with pytest.raises(ValueError):
        S3ObjectStore(endpoint, "k", "s", "bucket")


def test_build_store_picks_the_backend(tmp_path):
    assert isinstance(build_store(Settings(storage_dir=str(tmp_path))), LocalObjectStore)
    assert isinstance(build_store(Settings(s3_endpoint="127.0.0.1:9000")), S3ObjectStore)
    with pytest.raises(ValueError):
        build_store(Settings(storage="ftp"))
    with pytest.raises(ValueError):
        build_store(Settings(storage="s3"))


# --- local specifics ------------------------------------------------------------------------------


def test_local_has_no_presigned_urls(tmp_path):
    assert LocalObjectStore(tmp_path).presigned_url("renders/aa/x.png", timedelta(minutes=1)) is None


def test_local_check_fails_on_unusable_root(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_bytes(b"")
    with pytest.raises(StorageError):
        LocalObjectStore(blocker / "storage").check()


def test_local_concurrent_thread_puts_leave_a_complete_object(tmp_path):
    store = LocalObjectStore(tmp_path)
    data = os.urandom(1 << 20)
    stop = threading.Event()
    seen: list[bytes] = []

    def read_while_writing():
        while not stop.is_set():
            try:
                seen.append(store.get("renders/aa/same.png"))
            except ObjectNotFound:
                pass

    reader = threading.Thread(target=read_while_writing)
    reader.start()
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda _: store.put("renders/aa/same.png", data, "image/png"), range(40)))
    stop.set()
    reader.join()
    assert all(chunk == data for chunk in seen)
    assert store.get("renders/aa/same.png") == data
    assert os.listdir(tmp_path / "renders" / "aa") == ["same.png"]  # no temporary files left


def test_local_concurrent_process_puts_leave_a_complete_object(tmp_path):
    data_file = tmp_path / "payload"
    data_file.write_bytes(os.urandom(1 << 20))
    root = tmp_path / "storage"
    writer = textwrap.dedent(f"""
        from pathlib import Path
        from core.storage import LocalObjectStore
        store, data = LocalObjectStore(Path({str(root)!r})), Path({str(data_file)!r}).read_bytes()
        for _ in range(25):
            store.put("renders/aa/same.png", data, "image/png")
    """)
    procs = [subprocess.Popen([sys.executable, "-c", writer]) for _ in range(4)]
    store, data = LocalObjectStore(root), data_file.read_bytes()
    while any(p.poll() is None for p in procs):
        try:
            assert store.get("renders/aa/same.png") == data
        except ObjectNotFound:
            pass
    assert [p.wait() for p in procs] == [0, 0, 0, 0]
    assert store.get("renders/aa/same.png") == data
    assert store.stat("renders/aa/same.png").etag == md5_hex(data)
    assert sorted(os.listdir(Path(root) / "renders" / "aa")) == ["same.png"]


def test_local_rejects_a_foreign_file(tmp_path):
    (tmp_path / "stray.png").write_bytes(b"not written by chartfleet")
    with pytest.raises(StorageError):
        LocalObjectStore(tmp_path).get("stray.png")
