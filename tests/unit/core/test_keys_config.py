"""Pure logic: key format and checksum, settings parsing, client IP resolution."""

from __future__ import annotations

import pytest
from flask import Flask, request

from api.auth import client_ip
from core.config import Settings
from core.services.keys import VISIBLE_PREFIX_LEN, generate_key, hash_key, well_formed


def test_generated_keys_are_well_formed_and_unique():
    keys = {generate_key() for _ in range(200)}
    assert len(keys) == 200
    assert all(k.startswith("pk_live_") and well_formed(k) for k in keys)
    assert well_formed(generate_key("test")) and generate_key("test").startswith("pk_test_")


def test_checksum_catches_typos_and_truncation():
    key = generate_key()
    flipped = key[:-8] + ("A" if key[-8] != "A" else "B") + key[-7:]
    assert not well_formed(flipped)
    assert not well_formed(key[:-1])
    assert not well_formed(key.replace("pk_live_", "pk_prod_"))


def test_only_a_hash_and_prefix_are_derived():
    key = generate_key()
    assert len(hash_key(key)) == 64 and key not in hash_key(key)
    assert len(key[:VISIBLE_PREFIX_LEN]) == 16


def test_settings_from_env_types_and_errors():
    s = Settings.from_env({"CHARTFLEET_PORT": "9001", "CHARTFLEET_SYNC_TIMEOUT": "2.5"})
    assert (s.port, s.sync_timeout) == (9001, 2.5)
    assert s.storage_backend == "local"
    assert Settings.from_env({"CHARTFLEET_S3_ENDPOINT": "http://minio:9000"}).storage_backend == "s3"
    assert Settings.from_env({}).effective_broker_url == s.redis_url
    with pytest.raises(ValueError, match="CHARTFLEET_PORT"):
        Settings.from_env({"CHARTFLEET_PORT": "eighty"})


def test_every_setting_is_documented():
    names = [env for env, _, doc in Settings.documented()]
    assert all(n.startswith("CHARTFLEET_") for n in names) and len(names) == len(set(names))
    assert all(doc for _, _, doc in Settings.documented())


@pytest.mark.parametrize(
    ("trusted", "xff", "expected"),
    [
        (0, "6.6.6.6", "10.0.0.9"),  # no trusted proxy: the header is ignored
        (1, "6.6.6.6, 1.2.3.4", "1.2.3.4"),  # spoofed first entry ignored, proxy's entry believed
        (2, "6.6.6.6, 1.2.3.4, 10.0.0.2", "1.2.3.4"),
        (1, "", "10.0.0.9"),
    ],
)
def test_client_ip_trusts_only_configured_proxies(trusted, xff, expected):
    app = Flask(__name__)
    headers = {"X-Forwarded-For": xff} if xff else {}
    with app.test_request_context("/", headers=headers, environ_base={"REMOTE_ADDR": "10.0.0.9"}):
        assert client_ip(request, trusted) == expected
