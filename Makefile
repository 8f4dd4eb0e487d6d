# The README's two commands are `make run` and `make test`; the rest serve them and CI.
SHELL := /bin/bash
PORT ?= 8000
# Rate-limit counters live in the limits cache: without Redis, one process (with threads) keeps
# them in one place; with Redis, worker processes share them.
SERVER_PROCESSES ?= $(if $(LIMITS_REDIS_URL)$(REDIS_URL),--workers 2 --threads 2,--workers 1 --threads 4)
VENV := .venv
BIN := $(VENV)/bin
# Django 6.1 needs Python 3.12 or newer: take the first one this machine has.
PYTHON ?= $(shell for p in python3.14 python3.13 python3.12 python3 \
	$(HOME)/.pyenv/versions/3.13*/bin/python3 $(HOME)/.pyenv/versions/3.12*/bin/python3; do \
	"$$p" -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1 \
	&& { command -v "$$p"; break; }; done)

.PHONY: run test lint migrations-check setup lock db seed-fixture clean backup restore concurrency-report bench bench-import bench-search bench-browser loadtest bench-scale screenshots

# Every Python package, with the development and bench extras, pinned with its hashes; `make
# lock` refreshes it. The stamp keeps `make setup` instant until the lock changes.
LOCK := requirements/lock.txt

$(BIN)/.installed: $(LOCK)
	@test -n "$(PYTHON)" || { echo "Python 3.12 or newer is needed (Django 6.1); none was found." >&2; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes -r $(LOCK)
	@touch $@

setup: $(BIN)/.installed

# Resolved on the oldest Python the forum supports, so the lock holds the backports newer ones
# do without (typing-extensions before 3.13); its hashes cover every wheel of each version, so
# it installs on 3.12 and newer alike. Also brings tests/js's npm lock up to date.
LOCK_PYTHON ?= $(shell for p in python3.12 $(HOME)/.pyenv/versions/3.12*/bin/python3; do \
	"$$p" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 12))' >/dev/null 2>&1 \
	&& { command -v "$$p"; break; }; done)
PIP_TOOLS := pip-tools==7.6.2

lock:
	@test -n "$(LOCK_PYTHON)" || { echo "make lock needs Python 3.12 (python3.12 or ~/.pyenv)." >&2; exit 1; }
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	$(LOCK_PYTHON) -m venv "$$tmp" && \
	"$$tmp/bin/python" -m pip install --quiet $(PIP_TOOLS) && \
	CUSTOM_COMPILE_COMMAND="make lock" "$$tmp/bin/pip-compile" --quiet --upgrade \
		--generate-hashes --allow-unsafe --strip-extras --extra dev --extra bench \
		--no-emit-index-url --no-emit-find-links --output-file $(LOCK) pyproject.toml
	npm update --prefix tests/js --package-lock-only --no-audit --no-fund

db: setup
	@mkdir -p var
	$(BIN)/python manage.py migrate --no-input -v 0
	$(BIN)/python manage.py seed

run: db
	@echo "Serving the forum at http://127.0.0.1:$(PORT)/ (Ctrl-C stops it)"
	FORUM_SITE_URL="$${FORUM_SITE_URL:-http://127.0.0.1:$(PORT)}" \
		$(BIN)/gunicorn forum.wsgi --bind 127.0.0.1:$(PORT) $(SERVER_PROCESSES)

test: setup
	@mkdir -p var
	@scripts/ensure-chromium
	@scripts/ensure-nginx
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

bench: setup
	BENCH_DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python -m bench.run

# import_hn of a 5,000-comment thread against the bulk writer (scratch SQLite; or set
# BENCH_DATABASE_URL for PostgreSQL).
bench-import: $(BIN)/.installed
	$(BIN)/python -m bench.hn_import

# Search at 100,000 and 1,000,000 generated posts against its limits (about ten minutes).
SEARCH_BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/forum_bench_search

bench-search: setup
	BENCH_DATABASE_URL=$(SEARCH_BENCH_DATABASE_URL) $(BIN)/python -m bench.search

# Thread pages of 200, 2,000 and 20,000 comments in Chromium with their scripts on and off
# (load, long tasks, elements a post, bytes), and Lighthouse's mobile audit of the 2,000-comment
# one, against the targets; Lighthouse is pinned in bench/lighthouse's npm lock (its trace engine
# asks for two packages at the tag latest: the overrides there pin them, or npm ci would refuse
# the lock each time they publish).
BROWSER_BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/forum_bench_browser
LIGHTHOUSE := bench/lighthouse/node_modules/.installed

$(LIGHTHOUSE): bench/lighthouse/package-lock.json
	npm ci --prefix bench/lighthouse --no-audit --no-fund --loglevel=error
	@touch $@

bench-browser: setup $(LIGHTHOUSE)
	@scripts/ensure-chromium
	BROWSER_BENCH_DATABASE_URL=$(BROWSER_BENCH_DATABASE_URL) $(BIN)/python -m bench.browser

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

loadtest: setup
	@command -v wrk >/dev/null || { echo "Installing wrk (Debian package)"; \
		$(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq wrk; }
	LOADTEST_DATABASE_URL=$(LOADTEST_DATABASE_URL) LOADTEST_REDIS_URL=$(LOADTEST_REDIS_URL) \
		$(BIN)/python -m bench.loadtest

# One app server against two through nginx, each held to the same CPU share (a cgroup quota),
# the cached anonymous and the logged-in mix, alternated over several rounds (about 5 minutes).
SCALE_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/forum_bench_scale
SCALE_REDIS_URL ?= redis://127.0.0.1:6379/15

bench-scale: setup
	@command -v wrk >/dev/null || { echo "Installing wrk (Debian package)"; \
		$(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq wrk; }
	@scripts/ensure-nginx
	SCALE_DATABASE_URL=$(SCALE_DATABASE_URL) SCALE_REDIS_URL=$(SCALE_REDIS_URL) \
		$(BIN)/python -m bench.scale

# The README's screenshots of a thread (dark, light, desktop, phone) into docs/.
screenshots: setup
	@scripts/ensure-chromium
	$(BIN)/python scripts/screenshots.py

clean:
	rm -rf $(VENV) var
