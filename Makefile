# auditor: make help lists the targets.
.DEFAULT_GOAL := help
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
OUT ?= out/demo
AS_OF ?= 2026-06-30

.PHONY: help install demo test lint sample clean

help: ## Show this help
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) ## Create .venv and install auditor with its dev tools

demo: install ## Audit the bundled sample_data/ (SQLite auditor.db) and write reports to out/demo
	$(BIN)/auditor run --data sample_data --out $(OUT) --as-of $(AS_OF)
	@echo "Demo reports: $(abspath $(OUT))/index.html"

test: install ## Run the whole test suite
	$(BIN)/python -m pytest

lint: install ## ruff
	$(BIN)/ruff check .

sample: install ## Regenerate sample_data/ from its fixed seed
	$(BIN)/python -m sample_data.generate

clean: ## Remove the venv, the demo database and outputs
	rm -rf $(VENV) out auditor.db auditor.db-wal auditor.db-shm .auditor
