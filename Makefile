# Chartfleet: `make run` starts everything, `make test` checks everything.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run migrate test lint bench bench-engine bench-platform clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(BIN)/chartfleet db upgrade

run: migrate
	@mkdir -p var
	@echo ""
	@echo "Chartfleet is starting: api on http://127.0.0.1:$${CHARTFLEET_PORT:-8000}, plus worker and beat (Ctrl-C stops all)."
	@echo "Render a chart:"
	@echo "  curl -s -X POST http://127.0.0.1:$${CHARTFLEET_PORT:-8000}/api/v1/render -H 'Content-Type: application/json' \\"
	@echo "    -d '{\"type\":\"bar\",\"data\":{\"labels\":[\"Q1\",\"Q2\",\"Q3\"],\"datasets\":[{\"label\":\"Revenue\",\"data\":[12,19,7]}]}}' -o chart.png"
	@echo "  open http://127.0.0.1:$${CHARTFLEET_PORT:-8000}/api/v1/render?type=line&labels=Mon,Tue,Wed&data=3,7,5&title=Hello"
	@echo ""
	PATH=$(CURDIR)/$(BIN):$$PATH $(BIN)/honcho start -f Procfile web worker beat

lint: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports

test: lint
	$(BIN)/python -m pytest -q

bench: install
	@mkdir -p var/bench
	$(BIN)/python -m bench.engine
	$(BIN)/python -m bench.platform

bench-engine: install
	$(BIN)/python -m bench.engine

bench-platform: install
	$(BIN)/python -m bench.platform

clean:
	rm -rf var/storage var/bench .pytest_cache
