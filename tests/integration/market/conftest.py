"""Market data fixtures: an api that accepts market writes, the streaming service, an account
with a key, and fresh symbols (each test owns its symbols, so tests never see each other's data)."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from core.models import Account
from core.services.market.symbols import SymbolInfo, define_symbol
from devstack.stack import running_api
from tests.support.market import start_stream


@dataclasses.dataclass(frozen=True)
class MarketAccount:
    name: str
    id: uuid.UUID
    key: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key}"}


@pytest.fixture(scope="session")
def market_env(base_env: dict[str, str], database: str) -> dict[str, str]:
    # One stream per api process, to see its cap refuse the second.
    return {**base_env, "CHARTFLEET_MARKET_WRITERS": "*", "CHARTFLEET_STREAM_API_LIMIT": "1"}


@pytest.fixture(scope="session")
def market_api(market_env: dict[str, str], log_dir: Path, api_url: str) -> Iterator[str]:
    """An api allowed to take market writes (the shared stack's worker and beat roll up)."""
    with running_api(market_env, log_dir, name="market-api") as base:
        yield base


@pytest.fixture(scope="session")
def stream_url(market_env: dict[str, str], log_dir: Path) -> Iterator[str]:
    proc, base = start_stream(market_env, log_dir)
    yield base
    proc.stop()


@pytest.fixture(scope="session")
def market_account(make_key, sessions: sessionmaker[Session]) -> MarketAccount:
    name, key = make_key()
    with sessions() as session:
        account_id = session.scalar(select(Account.id).where(Account.name == name))
    return MarketAccount(name=name, id=account_id, key=key)


@pytest.fixture()
def new_symbol(sessions: sessionmaker[Session]):
    """A fresh symbol ``T<hex>`` with the alias ``t<hex>-alias`` (``alias_of``)."""

    def _make(base: str = "BTC", quote: str = "USDT", group: str = "crypto") -> SymbolInfo:
        tag = uuid.uuid4().hex[:10]
        with sessions() as session, session.begin():
            return define_symbol(
                session,
                f"T{tag}",
                base_currency=base,
                quote_currency=quote,
                group=group,
                aliases=[f"t{tag}-alias"],
            )

    return _make
