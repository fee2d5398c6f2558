# The same commands locally and in CI (.ci/run calls `make test`).
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin

.PHONY: install lint typecheck check-deploy test unit integration schemas demo clean

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

# compose.yaml against the Compose specification and `nginx -t` (no Docker engine needed).
check-deploy: install
	VENV_BIN=$(BIN) bash infra/check_deploy.sh

# pytest exits non-zero when no test ran, so an empty run never passes as green.
test: lint typecheck check-deploy
	$(BIN)/python -m pytest

unit: install
	$(BIN)/python -m pytest tests/unit

integration: install
	$(BIN)/python -m pytest tests/integration

# Regenerate schemas/json/ after changing a model in schemas/messages.
schemas: install
	$(BIN)/python -m schemas.export_json_schemas

# The whole system as local processes (infra/local/): ports DEMO_MQTT_PORT (1883),
# DEMO_PG_PORT (5433), DEMO_API_PORT (8000), state in DEMO_DIR (.local/demo); Ctrl-C stops it.
demo: install
	$(BIN)/python -m infra.local.demo

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
