# The same commands locally and in CI (.ci/run calls `make test`).
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin

.PHONY: install lint typecheck test unit integration schemas demo clean

$(BIN)/parkctl: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

install: $(BIN)/parkctl

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy

# pytest exits non-zero when no test ran, so an empty run never passes as green.
test: lint typecheck
	$(BIN)/python -m pytest

unit: install
	$(BIN)/python -m pytest tests/unit

integration: install
	$(BIN)/python -m pytest tests/integration

# Regenerate schemas/json/ after changing a model in schemas/messages.
schemas: install
	$(BIN)/python -m schemas.export_json_schemas

demo:
	@echo "make demo: the local stack (broker, database, ingest, API, simulated nodes) arrives"
	@echo "with the ingest, node and API services; today 'make test' runs what exists."
	@exit 2

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
