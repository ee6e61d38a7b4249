# auditor: make help lists the targets.
.DEFAULT_GOAL := help
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
OUT ?= out/demo
AS_OF ?= 2026-10-31

.PHONY: help install demo demo-eu test lint sample clean bench bench-web fuzz install-browser golden

help: ## Show this help
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) ## Create .venv and install auditor with its dev tools

demo: install ## Audit the bundled sample_data/ with every pack (SQLite auditor.db) and write reports to out/demo
	$(BIN)/auditor run --data sample_data --out $(OUT) --as-of $(AS_OF)
	@echo "Demo reports: $(abspath $(OUT))/index.html"

demo-eu: install ## Audit sample_data/ with the EU 2023/1543 pack only (its requests alone) into out/demo-eu
	$(BIN)/auditor run --pack eu2023_1543 --data sample_data --out out/demo-eu --as-of $(AS_OF)
	@echo "EU demo reports: $(abspath out/demo-eu)/index.html"

test: install install-browser ## Run the whole test suite, one worker per core (PYTEST_WORKERS=N to choose)
	$(BIN)/python -m pytest -n $${PYTEST_WORKERS:-auto} --dist worksteal --durations=30

install-browser: ## Install chromium (browser tests) and pango (PDF reports) with apt when missing
	@command -v chromium >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq chromium >/dev/null; } \
	  || echo "chromium not installed: the browser tests skip (they fail when CI is set)"
	@ldconfig -p 2>/dev/null | grep -q libpangoft2-1.0 || apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 >/dev/null \
	  || echo "pango not installed: --format pdf is unavailable"

golden: install ## Regenerate the report golden files (tests/reports/golden) after an intended change
	UPDATE_GOLDEN=1 $(BIN)/python -m pytest -q tests/reports/test_golden.py

fuzz: install ## The hostile-input property tests with 10x the examples (AUDITOR_FUZZ=N for N x)
	AUDITOR_FUZZ=$${AUDITOR_FUZZ:-10} $(BIN)/python -m pytest -q tests/ingest/test_hostile_properties.py tests/reports/test_hostile_outputs.py tests/jobs/test_ledger.py -k 'hostile or escaping or never or property or formula or control'

bench: install ## Benchmark N requests end to end against the floor (N=1000000, PROFILE=clean|messy|both; see docs/performance.md)
	$(BIN)/python -m bench.run --requests $${N:-1000000} --profile $${PROFILE:-both}

bench-web: install ## Time the workbench's pages on a run grown to 1M findings (a copy of DB=auditor.db; run `make demo` first)
	$(BIN)/python -m bench.workbench --db sqlite:///$${DB:-auditor.db} --findings $${FINDINGS:-1000000}

lint: install ## ruff
	$(BIN)/ruff check .

sample: install ## Regenerate sample_data/ from its fixed seed (and the intake examples made from it)
	$(BIN)/python -m sample_data.generate
	$(BIN)/python -m sample_data.intake.make_examples

clean: ## Remove the venv, the demo database and outputs
	rm -rf $(VENV) out auditor.db auditor.db-wal auditor.db-shm .auditor test-artifacts
