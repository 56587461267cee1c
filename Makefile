# The two commands of the README: `make run` and `make test`. Both work on a bare machine with
# Python 3.11: they create .venv and install what they need.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test compile lint openapi check-openapi bench-api bench-migration clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@rm -f $(VENV)/.installed-*; touch $@

# The migration's rules compiled with mypyc (decision 0009); fast when the build is fresh, and
# without a C compiler the plain modules serve, so it never stops `make run` or `make test`.
compile: $(STAMP)
	$(BIN)/python -m cir.compiled --optional

run: $(STAMP) compile
	$(BIN)/cir migrate --no-input -v 0
	$(BIN)/cir collectstatic --no-input -v 0
	$(BIN)/cir seed-demo --host http://$(HOST):$(PORT)
	@echo "Serving on http://$(HOST):$(PORT)/  (Ctrl-C stops)"
	$(BIN)/gunicorn cir.wsgi:application --bind $(HOST):$(PORT) --workers 2 --worker-class gthread --threads 4 --keep-alive 75 --access-logfile -

test: $(STAMP) compile
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

openapi: $(STAMP)
	$(BIN)/cir spectacular --file src/cir/interface/openapi.yaml --validate

check-openapi: $(STAMP)
	$(BIN)/cir spectacular --file $(VENV)/openapi.generated.yaml --validate
	diff -u src/cir/interface/openapi.yaml $(VENV)/openapi.generated.yaml \
	  || (echo "OpenAPI drift: run 'make openapi' and commit src/cir/interface/openapi.yaml"; exit 1)

bench-api: $(STAMP)
	$(BIN)/python bench/api.py

bench-migration: $(STAMP) compile
	$(BIN)/python bench/migration.py

clean:
	rm -rf var build
