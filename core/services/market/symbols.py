"""Symbols: canonical names, aliases resolved case-insensitively, and stable hex feed ids."""

from __future__ import annotations

import dataclasses
import hashlib
import re
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.models import MarketSymbol, MarketSymbolAlias

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:/-]{0,63}$")
FEED_ID = re.compile(r"^0x[0-9a-fA-F]{64}$")
GROUP = re.compile(r"^[A-Za-z0-9._-]{1,32}$")


class SymbolError(ValueError):
    """A symbol definition that cannot be stored (bad name, alias taken by another symbol)."""


@dataclasses.dataclass(frozen=True)
class SymbolInfo:
    """A symbol as the services use it (``group`` is the stored ``group_name``)."""

    id: int
    name: str
    feed_id: str
    base_currency: str
    quote_currency: str
    group: str
    description: str = ""
    exchange: str = ""


def feed_id_for(name: str) -> str:
    """The feed id of a symbol: a hash of its canonical name, so the same symbol has the same id on
    every installation. Migration 0003 uses the same formula for the symbols it seeds."""
    return "0x" + hashlib.sha256(f"chartfleet-feed:{name.upper()}".encode()).hexdigest()


def _info(row: MarketSymbol) -> SymbolInfo:
    """The row's columns of the same names (the group is ``group_name`` in the table)."""
    skip = ("group", "exchange")
    values = {f.name: getattr(row, f.name) for f in dataclasses.fields(SymbolInfo) if f.name not in skip}
    return SymbolInfo(**values, group=row.group_name, exchange=row.exchange or "")


def resolve(session: Session, name: str) -> SymbolInfo | None:
    """The symbol ``name`` (canonical or alias, any case) refers to, or None."""
    return resolve_many(session, [name]).get(name.strip().upper())


def resolve_many(session: Session, names: Iterable[str]) -> dict[str, SymbolInfo]:
    """Symbols by upper-cased name, for every name that resolves (one query)."""
    # A name that could not have been defined is not looked up (nor sent to Postgres).
    wanted = {n.strip().upper() for n in names if isinstance(n, str) and NAME.match(n.strip())}
    if not wanted:
        return {}
    rows = session.execute(
        select(MarketSymbolAlias.alias, MarketSymbol)
        .join(MarketSymbol, MarketSymbol.id == MarketSymbolAlias.symbol_id)
        .where(MarketSymbolAlias.alias.in_(wanted))
    ).all()
    return {alias: _info(symbol) for alias, symbol in rows}


def resolve_listed(session: Session, text: str) -> SymbolInfo | None:
    """A snapshot symbol ``EXCHANGE:NAME`` (or a bare ``NAME``): the whole text as an alias first,
    else ``NAME`` when the symbol's exchange is ``EXCHANGE`` (any case). Suffixes such as ``.P`` or
    ``_241227`` are part of the name: they resolve only to a symbol stored under that name."""
    text = text.strip()
    found = resolve(session, text)
    if found is not None or ":" not in text:
        return found
    exchange, _, name = text.partition(":")
    found = resolve(session, name)
    if found is not None and found.exchange and found.exchange == exchange.strip().upper():
        return found
    return None


def set_exchange(session: Session, name: str, exchange: str | None) -> SymbolInfo:
    """Record the exchange of the symbol ``name`` (canonical or alias); None clears it."""
    info = resolve(session, name)
    if info is None:
        raise SymbolError(f"unknown symbol {name!r}")
    value = exchange.strip().upper() if exchange else None
    if value is not None and not GROUP.match(value):
        raise SymbolError(f"invalid exchange {exchange!r}: 1-32 letters, digits and . _ -")
    row = session.get(MarketSymbol, info.id)
    row.exchange = value
    session.flush()
    return _info(row)


def by_feed_ids(session: Session, feed_ids: Iterable[str]) -> dict[str, SymbolInfo]:
    """Symbols by lower-cased feed id."""
    wanted = {f.strip().lower() for f in feed_ids if isinstance(f, str) and FEED_ID.match(f.strip())}
    if not wanted:
        return {}
    rows = session.scalars(select(MarketSymbol).where(MarketSymbol.feed_id.in_(wanted))).all()
    return {row.feed_id: _info(row) for row in rows}


def list_symbols(session: Session, group: str | None = None) -> list[SymbolInfo]:
    """Every symbol, or those of ``group`` (any case), by name."""
    query = select(MarketSymbol).order_by(MarketSymbol.name)
    if group is not None:
        if not GROUP.match(group.strip()):
            return []
        query = query.where(MarketSymbol.group_name == group.strip().lower())
    return [_info(row) for row in session.scalars(query)]


def define_symbol(
    session: Session,
    name: str,
    *,
    base_currency: str,
    quote_currency: str,
    group: str = "crypto",
    aliases: Iterable[str] = (),
    description: str | None = None,
) -> SymbolInfo:
    """Create the symbol ``name`` or update its attributes, and add ``aliases`` to it (aliases are
    only ever added). The feed id is fixed when the symbol is created."""
    canonical = name.strip().upper()
    names = [canonical, *(a.strip().upper() for a in aliases)]
    for n in names:
        if not NAME.match(n):
            raise SymbolError(f"invalid symbol name {n!r}: 1-64 letters, digits and . _ : / -")
    row = session.scalars(select(MarketSymbol).where(MarketSymbol.name == canonical)).first()
    if row is None:
        owner = resolve(session, canonical)
        if owner is not None:
            raise SymbolError(f"{canonical} is already an alias of {owner.name}")
        row = MarketSymbol(name=canonical, feed_id=feed_id_for(canonical))
        session.add(row)
    row.base_currency = base_currency.strip().upper()
    row.quote_currency = quote_currency.strip().upper()
    if not GROUP.match(group.strip()):
        raise SymbolError(f"invalid group {group!r}: 1-32 letters, digits and . _ -")
    row.group_name = group.strip().lower()
    if description is not None or row.description is None:
        row.description = description or ""
    session.flush()
    taken = resolve_many(session, names)
    for n in names:
        if n in taken:
            if taken[n].id != row.id:
                raise SymbolError(f"{n} already names {taken[n].name}")
            continue
        session.add(MarketSymbolAlias(alias=n, symbol_id=row.id))
    session.flush()
    return _info(row)
