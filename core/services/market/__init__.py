"""Market data: symbols, trade and kline ingestion, candles and their roll-ups, live trade fan-out.

Modules: ``intervals`` (bucket arithmetic and the resolution tables of the two APIs), ``symbols``,
``trades`` (batches and the COPY path), ``klines``, ``rollup`` (beat's roll-up and the on-the-fly
tail), ``candles`` (the read path), ``files`` (the CSV layouts the CLI imports), ``stream``.
"""

from pathlib import Path

# Real market data shipped with the package (see demo/SOURCES.md): `chartfleet market demo` loads it
# and the tests compare our candles against its coarser files.
DEMO_DATA_DIR = Path(__file__).resolve().parent / "demo"
