"""The Alembic history is the only schema source: it matches the models and runs both ways."""

from __future__ import annotations

import datetime as dt
import subprocess
from decimal import Decimal

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from core.services.market.klines import Candle, import_klines
from core.services.market.rollup import run_rollup
from core.services.market.symbols import define_symbol
from core.services.market.trades import Trade, ensure_partitions, insert_trades
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


def test_candle_flows_are_backfilled_from_the_stored_trades(private_env):
    """0013 adds quote volume, taker buy count and taker buy quote volume to the candles: the
    1-minute candles built from trades get the sums of their trades, imported klines stay unknown,
    and the roll-up (queued by the migration) carries them to the wider candles."""
    env = private_env("flow_backfill")
    url = env["CHARTFLEET_DATABASE_URL"]
    engine = create_engine(url)
    start = dt.datetime(2025, 5, 6, 22, 50, tzinfo=dt.UTC)
    with Session(engine) as session, session.begin():
        symbol = define_symbol(session, "BACKFILL", base_currency="BTC", quote_currency="USDT")
    batch = [
        Trade(
            symbol,
            i,
            start + dt.timedelta(seconds=41 * i),
            Decimal(f"{200 + i % 9}.{i % 97:02d}"),
            Decimal(f"0.{i % 89 + 1:03d}"),
            "b" if i % 3 else "s",
        )
        for i in range(200)
    ]
    ensure_partitions(engine, batch[0].time, batch[-1].time)
    kline = Candle(
        dt.datetime(2025, 5, 1, tzinfo=dt.UTC), *(Decimal(v) for v in (1, 2, 1, 2, 3)), 4, Decimal(1)
    )
    with engine.begin() as conn:
        insert_trades(conn, batch)
        import_klines(conn, symbol.id, 60, [kline])
    command.downgrade(_config(url), "0012")  # as the previous release left the candles
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM market_rollup_dirty"))
    command.upgrade(_config(url), "head")
    run_rollup(engine, [symbol.id], wait=True)

    flows = """count(*) FILTER (WHERE side = 'b'), sum(price * size),
               coalesce(sum(price * size) FILTER (WHERE side = 'b'), 0)"""
    with engine.connect() as conn:
        for minutes, width in ((1, "1 minute"), (60, "1 hour"), (1440, "1 day")):
            expected = conn.execute(
                text(
                    f"SELECT date_bin('{width}', time, TIMESTAMPTZ 'epoch'), {flows} FROM market_trades"  # noqa: S608
                    " WHERE symbol_id = :s GROUP BY 1 ORDER BY 1"
                ),
                {"s": symbol.id},
            ).all()
            stored = conn.execute(
                text(
                    "SELECT bucket, taker_buy_count, quote_volume, taker_buy_quote_volume FROM market_candles"
                    " WHERE symbol_id = :s AND minutes = :m AND NOT imported ORDER BY bucket"
                ),
                {"s": symbol.id, "m": minutes},
            ).all()
            assert [tuple(r) for r in stored] == [tuple(r) for r in expected] and len(expected) > 1
        imported = conn.execute(
            text(
                "SELECT taker_buy_count, quote_volume FROM market_candles WHERE symbol_id = :s AND imported"
            ),
            {"s": symbol.id},
        ).one()
        assert tuple(imported) == (None, None)
    engine.dispose()
