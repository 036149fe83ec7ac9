# Two commands set up and use a fresh machine:
#   make run    install everything, then start Dream Mosaic with a demo on http://127.0.0.1:8000
#   make test   install everything, start the local services the tests use, run the whole test suite
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-all lint bench services browser clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/mosaic serve --demo $(ARGS)

services:
	@scripts/services.sh

browser:
	@command -v chromium >/dev/null 2>&1 || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null)

test: $(STAMP) services browser
	$(BIN)/pytest -n 2 --dist loadgroup $(ARGS)

test-all: $(STAMP) services browser
	$(BIN)/pytest -n 2 --dist loadgroup -m "" $(ARGS)

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy

bench: $(STAMP) services
	$(BIN)/python -m bench $(ARGS)

clean:
	rm -rf $(VENV) var .pytest_cache
