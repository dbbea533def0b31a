# The two quick-start commands (README): `make report` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
EXAMPLE ?= inputs/examples/document-intelligence.xlsx

.PHONY: report test lint bench template examples

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

## Install the tool (as a user would: not editable) and render the example report into output/
## (--force: run again, it replaces the example's report rather than adding versions of it).
report: $(BIN)/python
	bash scripts/install-system-packages.sh
	$(BIN)/pip install -q .
	$(BIN)/crossover report $(EXAMPLE) -o output --force

## Install the test extras and run the whole suite (the portal's on SQLite and on a PostgreSQL
## server started for the run, its shared rate limits on a Redis server started likewise).
test: $(BIN)/python
	bash scripts/install-system-packages.sh --test
	$(BIN)/pip install -q -e '.[dev]'
	$(BIN)/ruff check src tests scripts
	$(BIN)/mypy
	$(BIN)/lint-imports
	bash scripts/with-postgres.sh bash scripts/with-redis.sh $(BIN)/python -m pytest

## Regenerate inputs/template.xlsx and the example workbooks from the JSON examples.
examples: $(BIN)/python
	$(BIN)/python scripts/make_workbooks.py
