# The README's two commands are `make run` and `make test`; the rest serve them and CI.
SHELL := /bin/bash
PORT ?= 8000
VENV := .venv
BIN := $(VENV)/bin
# Django 6.1 needs Python 3.12 or newer: take the first one this machine has.
PYTHON ?= $(shell for p in python3.14 python3.13 python3.12 python3 \
	$(HOME)/.pyenv/versions/3.13*/bin/python3 $(HOME)/.pyenv/versions/3.12*/bin/python3; do \
	"$$p" -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1 \
	&& { command -v "$$p"; break; }; done)

.PHONY: run test lint migrations-check setup db seed-fixture screenshots clean

$(BIN)/.installed: pyproject.toml
	@test -n "$(PYTHON)" || { echo "Python 3.12 or newer is needed (Django 6.1); none was found." >&2; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet ".[dev]"
	@touch $@

setup: $(BIN)/.installed

db: setup
	@mkdir -p var
	$(BIN)/python manage.py migrate --no-input -v 0
	$(BIN)/python manage.py seed

run: db
	@echo "Serving the forum at http://127.0.0.1:$(PORT)/ (Ctrl-C stops it)"
	$(BIN)/gunicorn forum.wsgi --bind 127.0.0.1:$(PORT) --workers 2

test: setup
	@mkdir -p var
	@scripts/ensure-chromium
	@test -f tests/js/node_modules/axe-core/axe.min.js || npm ci --prefix tests/js --no-audit --no-fund
	$(BIN)/pytest $(PYTEST_ARGS)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

migrations-check: setup
	@mkdir -p var
	$(BIN)/python manage.py makemigrations --check --dry-run

# Rebuilds fixtures/seed.json from fixtures/source/ in a throwaway database.
seed-fixture: setup
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	export DATABASE_URL="sqlite:///$$tmp/seed.sqlite3" && \
	$(BIN)/python manage.py migrate --no-input -v 0 && \
	$(BIN)/python manage.py build_seed --output fixtures/seed.json

# The README's screenshots of a thread (dark, light, desktop, phone) into docs/.
screenshots: setup
	@scripts/ensure-chromium
	$(BIN)/python scripts/screenshots.py

clean:
	rm -rf $(VENV) var
