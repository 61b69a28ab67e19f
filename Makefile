# Two commands set everything up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run test bench lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

# runtime dependencies only (make run)
$(VENV)/.runtime-deps: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

# runtime + test dependencies (make test, make bench)
$(VENV)/.test-deps: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e ".[test]"
	touch $@ $(VENV)/.runtime-deps

$(VENV)/.dev-deps: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e ".[test,dev]"
	touch $@

# Front-end assets (ECharts, Swagger UI, axe-core for the browser tests) from the npm registry,
# exactly as package-lock.json pins them; the app serves the built files under /vendor/
# (hotline/web/vendor.py), never from a CDN. .npmrc turns off install scripts.
node_modules/.installed: package.json package-lock.json
	npm ci
	touch $@

run: $(VENV)/.runtime-deps node_modules/.installed
	$(BIN)/hotline db upgrade
	$(BIN)/hotline classify ensure-model
	$(BIN)/hotline seed-demo
	$(BIN)/hotline serve

test: $(VENV)/.test-deps node_modules/.installed
	$(BIN)/python -m pytest -q

bench: $(VENV)/.test-deps
	$(BIN)/python bench/run_all.py

lint: $(VENV)/.dev-deps
	$(BIN)/ruff check hotline tests bench
	$(BIN)/lint-imports

clean:
	rm -rf $(VENV) var/hotline.db* var/models node_modules
