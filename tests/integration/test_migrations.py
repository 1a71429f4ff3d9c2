"""The Alembic history is the only schema source: it matches the models and runs both ways."""

from __future__ import annotations

import subprocess

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, text

from devstack.stack import BIN, ROOT


def _config(url: str) -> Config:
    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.attributes["database_url"] = url
    return cfg


def test_models_match_migrations(database):
    command.check(_config(database))  # raises if autogenerate would emit anything


def test_downgrade_to_base_and_upgrade_again(base_env, private_env):
    env = private_env("migrations")
    url = env["CHARTFLEET_DATABASE_URL"]
    command.downgrade(_config(url), "base")
    engine = create_engine(url)
    with engine.connect() as conn:
        tables = conn.execute(text("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")).scalar()
    assert tables == 1  # only alembic_version is left
    subprocess.run(
        [str(BIN / "chartfleet"), "db", "upgrade"], env=env, cwd=ROOT, check=True, capture_output=True
    )
    with engine.connect() as conn:
        assert conn.execute(text("SELECT to_regclass('render_jobs')")).scalar() == "render_jobs"
    engine.dispose()
