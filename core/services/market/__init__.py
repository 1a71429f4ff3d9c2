"""Market data: symbols, trade and kline ingestion, candles and their roll-ups, live trade fan-out.

Modules: ``intervals`` (bucket arithmetic and the resolution tables of the two APIs), ``symbols``,
``trades`` (batches and the COPY path), ``klines``, ``rollup`` (beat's roll-up and the on-the-fly
tail), ``candles`` (the read path), ``files`` (the CSV layouts the CLI imports), ``stream``.
"""
