# The same commands locally and in CI (.ci/run calls `make test`).
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin

.PHONY: install lint typecheck check-deploy test unit integration schemas demo clean dashboard \
	dashboard-test compose-test

# One .venv, two installs, each remembered by a stamp: the developers' (`dev`: everything, the
# tools and test dependencies too) and the demo's (`demo`: only what `make demo` runs).
DEV_STAMP := $(VENV)/.installed-dev
DEMO_STAMP := $(VENV)/.installed-demo

$(DEV_STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@ $(DEMO_STAMP)

$(DEMO_STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[demo]'
	touch $@

install: $(DEV_STAMP)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy

# compose.yaml against the Compose specification and `nginx -t` (no Docker engine needed).
check-deploy: install
	VENV_BIN=$(BIN) bash infra/check_deploy.sh

# A Docker engine for the Compose test (tests/compose): the one DOCKER_HOST,
# /var/run/docker.sock or a running dockerd's -H socket names when it answers, else a private
# dockerd started as root (Debian's docker.io) with its state in DOCKERD_DIR, kept between
# runs as the build cache, and stopped afterwards. Where none can start, the Compose test is skipped and pytest prints why.
DOCKERD_DIR ?= /tmp/parking-dockerd
WITH_ENGINE := bash tests/support/docker_engine.sh run $(DOCKERD_DIR) --

# pytest exits non-zero when no test ran, so an empty run never passes as green.
# The dashboard's browser test runs in dashboard-test (after its build), not twice.
test: lint typecheck check-deploy dashboard-test
	$(WITH_ENGINE) $(BIN)/python -m pytest --ignore=tests/e2e/dashboard

# Every image built, the whole compose.yaml stack started, scaled and faulted (tests/compose).
compose-test: install
	$(WITH_ENGINE) $(BIN)/python -m pytest -m compose tests/compose

unit: install
	$(BIN)/python -m pytest tests/unit

integration: install
	$(BIN)/python -m pytest tests/integration

# Regenerate schemas/json/ after changing a model in schemas/messages.
schemas: install
	$(BIN)/python -m schemas.export_json_schemas

# The whole system as local processes (infra/local/): ports DEMO_MQTT_PORT (1883),
# DEMO_PG_PORT (5433), DEMO_API_PORT (8000), DEMO_DASHBOARD_PORT (8080), state in DEMO_DIR
# (.local/demo); Ctrl-C stops it in dependency order, clients before the broker and database
# (honcho then exits 130: a clean stop, not an error). Installs the `demo` extra only.
demo: $(DEMO_STAMP)
	@if command -v npm >/dev/null; then $(MAKE) --no-print-directory dashboard; \
	else echo "demo: npm not found: the dashboard is not built (needs Node.js 20+)"; fi
	$(BIN)/python -m infra.local.demo || [ $$? -eq 130 ]

# The admin dashboard (dashboard/): dependencies from package-lock.json, then the Vite build
# into dashboard/dist, which `make demo` and the Nginx image serve.
DASHBOARD_NODE_MODULES := dashboard/node_modules/.package-lock.json

$(DASHBOARD_NODE_MODULES): dashboard/package.json dashboard/package-lock.json
	cd dashboard && npm ci --no-audit --no-fund
	touch $@

dashboard: $(DASHBOARD_NODE_MODULES)
	cd dashboard && npm run build

# Typecheck, component tests (Vitest), build, then the browser test against the local stack
# (headless Debian Chromium through playwright-core: tests/e2e/dashboard).
dashboard-test: install $(DASHBOARD_NODE_MODULES)
	cd dashboard && npm run typecheck && npm test && npm run build
	$(BIN)/python -m pytest tests/e2e/dashboard

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis dashboard/node_modules dashboard/dist
