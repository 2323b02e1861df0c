# Waymark. `make run` starts the app locally, `make test` runs the linter and the tests,
# `make bench` times the pages. Each uses DATABASE_URL and REDIS_URL when set, else PostgreSQL
# and Redis on 127.0.0.1 when they answer, else embedded ones it starts in var/
# (scripts/services.py decides, and says which on its first lines). Without make, see
# README.md ("Without make") for the same steps by hand.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SERVICES := $(BIN)/python scripts/services.py

.PHONY: venv run test lint fmt clean bench stop delete-local-data

venv: $(STAMP)

# Re-install only when a requirements file is newer than the last install. requirements-local.txt
# (the embedded PostgreSQL and Redis) goes into .venv only, never into the Docker image.
$(STAMP): requirements.txt requirements-dev.txt requirements-local.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
		|| { echo "Waymark needs Python 3.11 or newer; $(PYTHON) is $$($(PYTHON) --version 2>&1). Run e.g. make PYTHON=python3.12"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv --clear $(VENV)
	$(BIN)/python -m pip install --disable-pip-version-check -r requirements-dev.txt -r requirements-local.txt
	@touch $(STAMP)

# Choose or start the services, then preflight, migrate, seed the demo, collect static files
# and serve (scripts/run.sh). Ctrl-C stops everything, the embedded servers it started too.
run: venv
	@$(SERVICES) run

# ruff, the import contracts (lint-imports), the preflight check, then the whole pytest suite.
test: venv
	@$(SERVICES) test

# Time the pages, served by gunicorn, against a large seeded workspace in a database of
# its own (see bench/README.md).
bench: venv
	@$(SERVICES) bench

lint: venv
	$(BIN)/ruff check .

fmt: venv
	$(BIN)/ruff check --fix .

# Stop the embedded PostgreSQL and Redis of this folder (their data stays in var/).
stop:
	@if [ -x $(BIN)/python ]; then $(SERVICES) stop; else echo "Nothing to stop: there is no $(VENV) yet."; fi

# Never touches var/: the embedded servers' data lives there.
clean:
	rm -rf staticfiles .pytest_cache .ruff_cache .import_linter_cache test-artifacts celerybeat-schedule*
	find . -path ./$(VENV) -prune -o -path ./var -prune -o -type d -name __pycache__ -prune -exec rm -rf {} +

# Stop the embedded servers and delete var/ with all their data, after asking
# (`make delete-local-data YES=1` does not ask).
delete-local-data:
	@if [ -x $(BIN)/python ]; then $(SERVICES) delete-data $(if $(YES),--yes); \
	elif [ -d var ]; then echo "Run make venv first, so that the embedded servers are stopped before var/ goes."; exit 1; \
	else echo "Nothing to delete: there is no var/."; fi
