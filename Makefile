# Chartfleet: `make run` starts everything, `make test` checks everything.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run migrate demo test test-reliability fuzz lint docs bench bench-engine bench-platform bench-http bench-market bench-memory bench-imagecharts bench-finance bench-report clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(BIN)/chartfleet db upgrade

demo: migrate
	$(BIN)/chartfleet market demo

run: demo
	@mkdir -p var
	@echo ""
	@echo "Chartfleet is starting: api on http://127.0.0.1:$${CHARTFLEET_PORT:-8000}, plus the render workers (interactive and batch), webhooks, beat and the streaming service (Ctrl-C stops all)."
	@echo "Render a chart:"
	@echo "  curl -s -X POST http://127.0.0.1:$${CHARTFLEET_PORT:-8000}/api/v1/render -H 'Content-Type: application/json' \\"
	@echo "    -d '{\"type\":\"bar\",\"data\":{\"labels\":[\"Q1\",\"Q2\",\"Q3\"],\"datasets\":[{\"label\":\"Revenue\",\"data\":[12,19,7]}]}}' -o chart.png"
	@echo "  open http://127.0.0.1:$${CHARTFLEET_PORT:-8000}/api/v1/render?type=line&labels=Mon,Tue,Wed&data=3,7,5&title=Hello"
	@echo "Market data (demo set: BTCUSDT klines 2022-11..2025-08, Yahoo BTC-USD 2014..2024):"
	@echo "  curl -s 'http://127.0.0.1:$${CHARTFLEET_PORT:-8000}/api/v1/candles?symbol=BTCUSDT&interval=1h&from=2025-08-05&to=2025-08-06'"
	@echo "  live trades stream from the streaming service on port $${CHARTFLEET_STREAM_PORT:-8001} (see docs/market-data.md)"
	@echo ""
	PATH=$(CURDIR)/$(BIN):$$PATH $(BIN)/honcho start -f Procfile web worker batch webhooks beat stream

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

test: lint
	$(BIN)/python -m pytest -q

# The reliability scenarios alone (also part of `make test`); figures in var/reliability/report.json.
test-reliability: install
	$(BIN)/python -m pytest -q tests/reliability

# The property tests with random examples instead of the gate's fixed ones (tests/conftest.py).
fuzz: install
	HYPOTHESIS_PROFILE=fuzz $(BIN)/python -m pytest -q $$(grep -rl "@given" tests)

# Regenerates the generated sections of the docs (the configuration table of docs/operations.md);
# tests/unit/cli/test_docs_sections.py fails while the committed table differs from `chartfleet config`.
docs: install
	$(BIN)/chartfleet config --update docs/operations.md

BENCHES := engine platform http memory market imagecharts finance

# Every benchmark in turn, then bench-report.
bench: install
	@mkdir -p var/bench
	set -e; for b in $(BENCHES) report; do $(BIN)/python -m bench.$$b; done

# bench-engine, bench-platform, ... one benchmark; bench-report rewrites the figures of
# docs/benchmarks.md from every var/bench/*.json (the end of `make bench`).
$(addprefix bench-,$(BENCHES) report): bench-%: install
	$(BIN)/python -m bench.$*

clean:
	rm -rf var/storage var/bench .pytest_cache
