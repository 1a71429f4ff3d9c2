"""``chartfleet market``: symbols, bulk imports through COPY, the demo data set, roll-ups."""

from __future__ import annotations

from pathlib import Path

import click

from core.config import Settings
from core.services.market import DEMO_DATA_DIR

DEMO_DIR = DEMO_DATA_DIR
# (file, symbol): the shipped Binance klines are BTCUSDT (an alias of BTC_USDC_PERP, as the
# candles API documents); Yahoo's daily BTC-USD is a separate series.
DEMO_FILES = (
    ("binance-spot_BTCUSDT_1d_2022-11-11_2025-08-06.csv", "BTCUSDT"),
    ("binance-spot_BTCUSDT_4h_2025-02-21_2025-08-06.csv", "BTCUSDT"),
    ("binance-spot_BTCUSDT_1h_2025-06-25_2025-08-06.csv", "BTCUSDT"),
    ("binance-spot_BTCUSDT_15m_2025-07-27_2025-08-06.csv", "BTCUSDT"),
    ("binance-spot_BTCUSDT_5m_2025-08-03_2025-08-06.csv", "BTCUSDT"),
    ("binance-spot_BTCUSDT_1m_2025-08-05_2025-08-06.csv", "BTCUSDT"),
    ("yahoo_BTC-USD_1d_2014-09-17_2024-04-21.csv", "BTC-USD"),
)


@click.group("market")
def market() -> None:
    """Market data: symbols, imports (COPY), roll-ups."""


def _engine():
    from core.db import get_engine

    return get_engine(Settings.from_env().database_url)


@market.command("symbol")
@click.argument("name")
@click.option("--base", "base_currency", required=True, help="Base currency, e.g. BTC.")
@click.option("--quote", "quote_currency", required=True, help="Quote currency, e.g. USDT.")
@click.option("--group", default="crypto", show_default=True, help="Group, e.g. crypto.")
@click.option("--alias", "aliases", multiple=True, help="Another name of the symbol (repeatable).")
@click.option("--description", default=None, help="What the symbol is.")
@click.option("--exchange", default=None, help="Exchange it trades on (finance symbols EXCHANGE:NAME).")
def symbol_define(
    name: str,
    base_currency: str,
    quote_currency: str,
    group: str,
    aliases: tuple[str, ...],
    description: str | None,
    exchange: str | None,
) -> None:
    """Create or update the symbol NAME (its feed id never changes)."""
    from sqlalchemy.orm import Session

    from core.services.market.symbols import SymbolError, define_symbol, set_exchange

    with Session(_engine()) as session, session.begin():
        try:
            info = define_symbol(
                session,
                name,
                base_currency=base_currency,
                quote_currency=quote_currency,
                group=group,
                aliases=aliases,
                description=description,
            )
            if exchange is not None:
                info = set_exchange(session, info.name, exchange)
        except SymbolError as exc:
            raise click.ClickException(str(exc)) from exc
    click.echo(f"{info.name} {info.feed_id}")


@market.command("symbols")
def symbols_list() -> None:
    """List the symbols with their aliases and feed ids."""
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from core.models import MarketSymbolAlias
    from core.services.market.symbols import list_symbols

    with Session(_engine()) as session:
        aliases: dict[int, list[str]] = {}
        for alias, symbol_id in session.execute(select(MarketSymbolAlias.alias, MarketSymbolAlias.symbol_id)):
            aliases.setdefault(symbol_id, []).append(alias)
        for info in list_symbols(session):
            others = ",".join(sorted(a for a in aliases.get(info.id, []) if a != info.name)) or "-"
            click.echo(
                f"{info.name}\t{info.base_currency}/{info.quote_currency}\t{info.group}\t{others}\t{info.feed_id}"
            )


@market.command("import")
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option("--symbol", help="Symbol or alias; default: the first part of the file name that names one.")
@click.option(
    "--interval",
    type=click.Choice(["1m", "5m", "15m", "30m", "1h", "2h", "4h", "1d"]),
    help="Width of the klines; default: from the file name, else the spacing of the first rows.",
)
def import_files(files: tuple[Path, ...], symbol: str | None, interval: str | None) -> None:
    """Import CSV FILES (klines or trades, layout detected) through COPY, then roll them up."""
    _import(list(files), symbol, interval)


def _import(files: list[Path], symbol: str | None, interval: str | None, quiet: bool = False) -> None:
    from sqlalchemy.orm import Session

    from core.services.market.files import FileImportError, import_file
    from core.services.market.intervals import WIDTHS
    from core.services.market.rollup import run_rollup
    from core.services.market.symbols import resolve

    engine = _engine()
    touched: set[int] = set()
    for path in files:
        with Session(engine) as session:
            info = resolve(session, symbol) if symbol else _symbol_from_name(session, path, resolve)
        if info is None:
            raise click.ClickException(
                f"{path.name}: unknown symbol {symbol!r}" if symbol else f"{path.name}: pass --symbol"
            )
        with click.progressbar(length=path.stat().st_size, label=path.name, file=None) as bar:
            try:
                result = import_file(
                    engine, path, info.id, minutes=WIDTHS[interval] if interval else None, progress=bar.update
                )
            except FileImportError as exc:
                raise click.ClickException(str(exc)) from exc
        touched.add(info.id)
        rate = result.rows / result.seconds if result.seconds else 0.0
        if result.kind == "trades":
            line = f"{result.rows} trades, {result.written} new, {result.skipped} already stored"
        else:
            line = (
                f"{result.rows} {result.minutes}m klines, {result.written} written, {result.skipped} skipped"
            )
        if not quiet:
            click.echo(f"{path.name} -> {info.name}: {line} in {result.seconds:.2f}s ({rate:,.0f} rows/s)")
    rolled = run_rollup(engine, sorted(touched), wait=True)
    if not quiet:
        click.echo(f"rolled up {rolled.spans} span(s): {rolled.written} candles written")


def _symbol_from_name(session, path: Path, resolve):
    for token in path.stem.replace("-", "_").split("_") + path.stem.split("_"):
        info = resolve(session, token) if token else None
        if info is not None:
            return info
    return None


@market.command("demo")
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=DEMO_DIR,
    show_default=True,
    help="Where the shipped market data lives.",
)
def demo(data_dir: Path) -> None:
    """Load the shipped market data (Binance BTCUSDT klines, Yahoo BTC-USD daily). Idempotent."""
    from sqlalchemy.orm import Session

    if not data_dir.is_dir():  # `make run` goes on without charts rather than failing
        click.echo(f"no market data at {data_dir}; skipping the demo set", err=True)
        return

    from core.services.market.symbols import define_symbol, set_exchange

    with Session(_engine()) as session, session.begin():
        define_symbol(
            session,
            "BTC-USD",
            base_currency="BTC",
            quote_currency="USD",
            group="crypto",
            description="Bitcoin in US dollars, Yahoo Finance daily (volume in USD)",
        )
        # Where each series comes from, so finance snapshots can say BINANCE:BTCUSDT (docs/finance.md).
        set_exchange(session, "BTCUSDT", "BINANCE")
        set_exchange(session, "BTC-USD", "YAHOO")
    for name, symbol in DEMO_FILES:
        _import([data_dir / name], symbol, None)
    click.echo(
        "demo data loaded: try /api/v1/candles?symbol=BTCUSDT&interval=1h&from=2025-08-01&to=2025-08-06"
    )


@market.command("import-metrics")
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option("--symbol", help="Symbol or alias (else a `symbol` column).")
@click.option("--metric", help="Metric name, e.g. open_interest (else a `metric` column).")
def import_metrics(files: tuple[Path, ...], symbol: str | None, metric: str | None) -> None:
    """Import metric series from CSV FILES with a header: time and value, or time, open, high, low
    and close (plus symbol/metric columns when the options are not given). Idempotent."""
    import csv

    from sqlalchemy.orm import Session

    from core.services.market.metrics import store_metrics, validate_metrics
    from core.services.market.symbols import resolve_listed, resolve_many

    engine = _engine()
    if symbol:  # EXCHANGE:NAME as the snapshots take it, or any name or alias
        with Session(engine) as session:
            info = resolve_listed(session, symbol)
        if info is None:
            raise click.ClickException(f"unknown symbol {symbol!r}")
        symbol = info.name
    for path in files:
        with open(path, newline="") as f:
            rows = [
                {k.strip().lower(): v for k, v in row.items() if k and v not in (None, "")}
                for row in csv.DictReader(f)
            ]
        for row in rows:
            if symbol:
                row["symbol"] = symbol
            if metric:
                row["metric"] = metric
        with Session(engine) as session:
            symbols = resolve_many(session, [r.get("symbol", "") for r in rows])
        good, errors = validate_metrics(rows, symbols)
        for error in errors[:10]:
            click.echo(f"{path.name}: row {error['index'] + 2}: {error['field']}: {error['error']}", err=True)
        if not good:
            raise click.ClickException(f"{path.name}: no valid rows")
        with engine.begin() as conn:
            changed = store_metrics(conn, good)
        click.echo(f"{path.name}: {len(good)} values, {changed} new or changed, {len(errors)} rejected")


@market.command("rollup")
def rollup() -> None:
    """Roll up every pending span now (beat does this every CHARTFLEET_MARKET_ROLLUP_INTERVAL s)."""
    from core.services.market.rollup import run_rollup

    result = run_rollup(_engine(), wait=True)
    click.echo(f"{result.symbols} symbol(s), {result.spans} span(s), {result.written} candles written")
