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

run: $(VENV)/.runtime-deps
	$(BIN)/hotline db upgrade
	$(BIN)/hotline classify ensure-model
	$(BIN)/hotline seed-demo
	$(BIN)/hotline serve

test: $(VENV)/.test-deps
	$(BIN)/python -m pytest -q

bench: $(VENV)/.test-deps
	$(BIN)/python bench/run_all.py

lint: $(VENV)/.dev-deps
	$(BIN)/ruff check hotline tests bench
	$(BIN)/lint-imports

clean:
	rm -rf $(VENV) var/hotline.db* var/models
