# ctip — the two commands a newcomer needs: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin
CTIP = $(BIN)/ctip
DEMO_CASES ?= 3000
DEMO_SEED ?= 2024
HOST ?= 127.0.0.1:8000

.PHONY: install migrate reference demo-data demo serve test test-sqlite test-postgres screenshots lint format messages clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

migrate: install
	$(CTIP) keys init
	$(CTIP) migrate --no-input -v 0

reference: migrate
	$(CTIP) load-reference

demo-data: reference
	$(CTIP) demo-data --cases $(DEMO_CASES) --seed $(DEMO_SEED) --if-empty
	$(CTIP) demo-accounts
	# Public reports first: the verification demo (in demo-activity) adds reports of its own,
	# and the intake demo adds its reports only to an empty intake.
	$(CTIP) demo-intake
	$(CTIP) demo-activity
	$(CTIP) demo-screening
	$(CTIP) investigations-demo
	$(CTIP) sanctions demo
	$(CTIP) linkage run
	$(CTIP) linkage agreement --partner TH --roles victim --cases-from 2019-01-01 \
		--in-force-until 2030-12-31 --reference "Demo memorandum KH-TH (invented)"
	# Networks of suspects may go to Viet Nam (investigations: Send to a partner country).
	$(CTIP) linkage agreement --partner VN --roles suspect --cases-from 2019-01-01 \
		--in-force-until 2030-12-31 --reference "Demo memorandum KH-VN on networks (invented)"
	$(CTIP) investigations-demo --package VN
	$(CTIP) stats refresh

demo: demo-data
	$(CTIP) collectstatic --no-input -v 0
	@echo "Serving on http://$(HOST)/ — Ctrl-C stops it."
	$(CTIP) runserver $(HOST) --insecure

serve: install
	$(CTIP) runserver $(HOST) --insecure

# The whole suite on SQLite; set DATABASE_URL=postgres://... to run it on PostgreSQL.
test: install
	$(BIN)/pytest

test-sqlite: install
	env -u DATABASE_URL $(BIN)/pytest

test-postgres: install
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/ctip} $(BIN)/pytest

# Retake the user guide's screenshots (docs/img) with the browser test.
screenshots: install
	CTIP_SCREENSHOT_DIR=docs/img $(BIN)/pytest tests/browser -q

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy ctip
	$(BIN)/lint-imports --no-cache
	DJANGO_SETTINGS_MODULE=ctip.settings.test $(CTIP) makemigrations --check --dry-run
	$(BIN)/python -m ctip.access.tests.rules_coverage

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

messages: install
	cd ctip && ../$(CTIP) makemessages -l km --no-obsolete && ../$(CTIP) compilemessages -l km

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
