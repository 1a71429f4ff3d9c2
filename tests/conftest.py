"""Shared fixtures: a private Postgres database migrated with Alembic, a private Redis DB index and
key prefix, moto's S3 server, and the real api/worker/beat processes."""

from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
import requests
from hypothesis import settings as hypothesis_settings
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session, sessionmaker

from core.config import Settings
from core.queue import RENDER_QUEUES
from devstack.s3server import moto_s3_server
from devstack.stack import (
    BIN,
    ROOT,
    start_api,
    start_beat,
    start_together,
    start_webhooks_worker,
    start_worker,
    stop_together,
)
from tests.support.plans import relax_plans

# Property tests: `make test` is a gate, so its examples are derived from each test (the same every
# run: a red CI run is reproducible and a green one is not luck). `make fuzz` runs the same tests
# with random examples (repeat it to explore); what it finds becomes an @example of the test.
hypothesis_settings.register_profile("gate", derandomize=True, database=None, print_blob=True)
hypothesis_settings.register_profile("fuzz", print_blob=True)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "gate"))

RUN_ID = f"{os.getpid()}"
TEST_DB = f"chartfleet_test_{RUN_ID}"
ADMIN_URL = os.environ.get(
    "CHARTFLEET_TEST_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
TEST_REDIS = os.environ.get("CHARTFLEET_TEST_REDIS_URL", "redis://127.0.0.1:6379/9")


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    with moto_s3_server() as endpoint:
        yield endpoint


@pytest.fixture(scope="session")
def base_env(s3_endpoint: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    db_url = ADMIN_URL.rsplit("/", 1)[0] + f"/{TEST_DB}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHARTFLEET_")}
    env.update(
        CHARTFLEET_DATABASE_URL=db_url,
        CHARTFLEET_REDIS_URL=TEST_REDIS,
        CHARTFLEET_REDIS_PREFIX=f"cftest{RUN_ID}:",
        CHARTFLEET_QUEUE_PREFIX=f"cftest{RUN_ID}-",
        CHARTFLEET_STORAGE="s3",
        CHARTFLEET_S3_ENDPOINT=s3_endpoint,
        CHARTFLEET_S3_BUCKET=f"chartfleet-test-{RUN_ID}",
        CHARTFLEET_SYNC_TIMEOUT="20",
        CHARTFLEET_OUTBOX_INTERVAL="0.5",
        CHARTFLEET_OUTBOX_GRACE="1",
        CHARTFLEET_STUCK_AFTER="6",
        CHARTFLEET_LOG_LEVEL="INFO",
        # The webhook receivers of the tests listen on 127.0.0.2 (tests/support/receiver.py); every
        # other non-public address stays refused.
        CHARTFLEET_WEBHOOK_ALLOWLIST="127.0.0.2/32",
        CHARTFLEET_WEBHOOK_SCAN_INTERVAL="0.5",
        CHARTFLEET_WEBHOOK_REDISPATCH_AFTER="3",
        CHARTFLEET_STORAGE_DIR=str(tmp_path_factory.mktemp("storage")),
        # The whole suite is one client address: tests of failed keys and log-ins must not lock each
        # other out (tests/integration/test_auth_limits.py runs its own stack with small limits).
        CHARTFLEET_AUTH_LIMIT_PER_ADDRESS="1000000",
        CHARTFLEET_AUTH_LIMIT_PER_ACCOUNT="1000000",
        PATH=f"{BIN}:{os.environ.get('PATH', '')}",
    )
    return env


@pytest.fixture(scope="session")
def settings(base_env: dict[str, str]) -> Settings:
    return Settings.from_env(base_env)


@pytest.fixture(scope="session")
def database(base_env: dict[str, str], settings: Settings) -> Iterator[str]:
    """A fresh database for this run, migrated by the real CLI (Alembic), dropped at the end."""
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{TEST_DB}" WITH (FORCE)'))
    subprocess.run(
        [str(BIN / "chartfleet"), "db", "upgrade"], env=base_env, cwd=ROOT, check=True, capture_output=True
    )
    relax_plans(settings.database_url)
    yield settings.database_url
    from core.db import dispose_engines

    dispose_engines()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{TEST_DB}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def private_env(base_env: dict[str, str], database: str) -> Iterator:
    """Environments for extra stacks, each with its own migrated database, so that one stack's
    beat never relays or sweeps another stack's jobs onto its own queues.

    The first call migrates a template database with the real CLI (Alembic), as the session's
    database is; every private database is then a copy of it (CREATE DATABASE ... TEMPLATE: a
    fraction of a second instead of a CLI run per stack), the same schema and seeded rows."""
    created: list[str] = []
    template = f"{TEST_DB}_template"

    def _migrated_template() -> str:
        if template not in created:
            _drop_database(template)
            env = {**base_env, "CHARTFLEET_DATABASE_URL": _url(template)}
            subprocess.run(
                [str(BIN / "chartfleet"), "db", "upgrade"], env=env, cwd=ROOT, check=True, capture_output=True
            )
            created.append(template)  # nothing stays connected to it (a copy needs that)
        return template

    def _url(db: str) -> str:
        return base_env["CHARTFLEET_DATABASE_URL"].rsplit("/", 1)[0] + f"/{db}"

    def _make(name: str, *, seeded_plans: bool = False) -> dict[str, str]:
        db = f"{TEST_DB}_{name}"
        env = {**base_env, "CHARTFLEET_DATABASE_URL": _url(db)}
        _drop_database(db)
        _admin(f'CREATE DATABASE "{db}" TEMPLATE "{_migrated_template()}"')
        if not seeded_plans:  # keep the seeded limits only where a test is about them
            relax_plans(env["CHARTFLEET_DATABASE_URL"])
        created.append(db)
        return env

    yield _make
    for db in created:
        _drop_database(db)


def _drop_database(name: str) -> None:
    _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _admin(sql: str) -> None:
    """One statement on the maintenance database (database creation and removal)."""
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(sql))
    admin.dispose()


@pytest.fixture(scope="session")
def redis_client(settings: Settings) -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(settings.redis_url)
    yield client
    # Remove only what this run created (never flush a shared Redis).
    for pattern in (f"{settings.redis_prefix}*", f"*{settings.queue_prefix}*"):
        for key in client.scan_iter(pattern, count=1000):
            client.delete(key)
    client.close()


@pytest.fixture(scope="session")
def sessions(database: str) -> sessionmaker[Session]:
    from core.db import session_factory

    return session_factory(database)


@pytest.fixture(scope="session")
def log_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("logs")


@pytest.fixture(scope="session")
def stack(base_env: dict[str, str], database: str, redis_client: redis.Redis, log_dir: Path) -> Iterator[str]:
    """api (gunicorn) + worker (2 prefork processes) + webhooks worker (threads) + beat; yields the
    api's base URL."""
    (api, base), worker, webhooks, beat = start_together(
        lambda: start_api(base_env, log_dir),
        lambda: start_worker(base_env, log_dir, queues=(*RENDER_QUEUES, "maintenance")),
        lambda: start_webhooks_worker(base_env, log_dir),
        lambda: start_beat(base_env, log_dir),
    )
    yield base
    stop_together(beat, webhooks, worker, api)


@pytest.fixture(scope="session")
def api_url(stack: str) -> str:
    return stack


@pytest.fixture()
def http() -> Iterator[requests.Session]:
    with requests.Session() as s:
        yield s


@pytest.fixture(scope="session")
def make_key(base_env: dict[str, str], database: str):
    """Create an API key through the real CLI; returns (account_name, key)."""

    def _make(account: str | None = None) -> tuple[str, str]:
        name = account or f"acct-{uuid.uuid4().hex[:10]}"
        out = subprocess.run(
            [str(BIN / "chartfleet"), "keys", "create", "--account", name],
            env=base_env,
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        )
        return name, out.stdout.strip()

    return _make
