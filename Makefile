# Waymark. `make run` starts the app locally; `make test` runs the linter and the tests.
# Both need PostgreSQL and Redis running (see docs/operators.md).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: venv run test lint fmt clean bench

venv: $(STAMP)

# Re-install only when a requirements file is newer than the last install.
$(STAMP): requirements.txt requirements-dev.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
		|| { echo "Waymark needs Python 3.11 or newer; $(PYTHON) is $$($(PYTHON) --version 2>&1)."; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv --clear $(VENV)
	$(BIN)/python -m pip install --disable-pip-version-check -r requirements-dev.txt
	@touch $(STAMP)

run: venv
	$(BIN)/python manage.py preflight --create-database
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	bash scripts/run.sh

test: venv
	$(BIN)/ruff check .
	$(BIN)/python manage.py preflight
	$(BIN)/pytest

lint: venv
	$(BIN)/ruff check .

fmt: venv
	$(BIN)/ruff check --fix .

# Time the pages, served by gunicorn, against a large seeded workspace in a database of
# its own (see bench/README.md).
bench: venv
	$(BIN)/python -m bench.run

clean:
	rm -rf staticfiles .pytest_cache .ruff_cache test-artifacts celerybeat-schedule*
	find . -path ./$(VENV) -prune -o -type d -name __pycache__ -prune -exec rm -rf {} +
