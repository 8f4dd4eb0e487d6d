# The README's two commands are `make run` and `make test`; the rest serve them and CI.
SHELL := /bin/bash
PORT ?= 8000
# Rate-limit counters live in the cache: without Redis, one process (with threads) keeps them
# in one place; with Redis, worker processes share them.
SERVER_PROCESSES ?= $(if $(REDIS_URL),--workers 2 --threads 2,--workers 1 --threads 4)
VENV := .venv
BIN := $(VENV)/bin
# Django 6.1 needs Python 3.12 or newer: take the first one this machine has.
PYTHON ?= $(shell for p in python3.14 python3.13 python3.12 python3 \
	$(HOME)/.pyenv/versions/3.13*/bin/python3 $(HOME)/.pyenv/versions/3.12*/bin/python3; do \
	"$$p" -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1 \
	&& { command -v "$$p"; break; }; done)

.PHONY: run test lint migrations-check setup db seed-fixture clean backup restore concurrency-report bench bench-search loadtest screenshots

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
	$(BIN)/gunicorn forum.wsgi --bind 127.0.0.1:$(PORT) $(SERVER_PROCESSES)

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

# `make backup` writes var/backups/forum-TIME.backup.gz (or BACKUP=FILE); `make restore
# BACKUP=FILE` loads one into the empty database that DATABASE_URL names.
BACKUP ?= var/backups/forum-$(shell date -u +%Y%m%d-%H%M%S).backup.gz
backup: setup
	@mkdir -p $(dir $(BACKUP))
	$(BIN)/python manage.py backup_forum $(BACKUP)

restore: setup
	@test -f "$(BACKUP)" || { echo "make restore BACKUP=FILE (a file that backup made)" >&2; exit 1; }
	@mkdir -p var
	$(BIN)/python manage.py migrate --no-input -v 0
	$(BIN)/python manage.py restore_forum $(BACKUP)

# Runs the concurrency harness with and without the thread lock on SQLite and on PostgreSQL
# (BENCH_POSTGRES_URL, a scratch database that it empties) into bench/results/.
concurrency-report: setup
	$(BIN)/python -m bench.concurrency

# Benchmarks on PostgreSQL in throwaway databases named forum_bench*; each ends within minutes.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/forum_bench
LOADTEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/forum_bench_load
LOADTEST_REDIS_URL ?= redis://127.0.0.1:6379/15

$(BIN)/.bench-installed: $(BIN)/.installed
	$(BIN)/python -m pip install --quiet ".[dev,bench]"
	@touch $@

bench: $(BIN)/.bench-installed
	BENCH_DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python -m bench.run

# Search at 100,000 and 1,000,000 generated posts against its limits (about ten minutes).
SEARCH_BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/forum_bench_search

bench-search: $(BIN)/.bench-installed
	BENCH_DATABASE_URL=$(SEARCH_BENCH_DATABASE_URL) $(BIN)/python -m bench.search

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

loadtest: setup
	@command -v wrk >/dev/null || { echo "Installing wrk (Debian package)"; \
		$(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq wrk; }
	LOADTEST_DATABASE_URL=$(LOADTEST_DATABASE_URL) LOADTEST_REDIS_URL=$(LOADTEST_REDIS_URL) \
		$(BIN)/python -m bench.loadtest

# The README's screenshots of a thread (dark, light, desktop, phone) into docs/.
screenshots: setup
	@scripts/ensure-chromium
	$(BIN)/python scripts/screenshots.py

clean:
	rm -rf $(VENV) var
