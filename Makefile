# SocialShop: `make run` serves the app with demo data, `make test` runs every test.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
# Backend worker processes of `make run`. More than 1 needs REFLEX_REDIS_URL: each worker
# is a separate process, and Reflex's in-memory state cannot be shared between them.
WORKERS ?= 1
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)

# Reflex would download bun from the internet; we install it from the npm registry instead.
export REFLEX_USE_SYSTEM_BUN := 1
export REFLEX_TELEMETRY_ENABLED := false
export PATH := $(CURDIR)/$(VENV)/bin:$(HOME)/.bun/bin:$(PATH)

.PHONY: run check-workers bench-concurrency test e2e e2e-scale unit seed migrate reset-db bench lint banner deps browser bun

# Reflex 0.10 serves the prod backend with Granian (gunicorn is not installed; forced anyway,
# because its gunicorn path ignores the worker count) and reads the count from GRANIAN_WORKERS;
# unset, it would pick min(2 x CPUs + 1, 8) as soon as Redis is configured.
run: check-workers banner deps bun migrate seed
	REFLEX_USE_GRANIAN=true GRANIAN_WORKERS=$(WORKERS) \
		reflex run --env prod --single-port --backend-port $(PORT) --loglevel warning

check-workers:
	@if ! [[ "$(WORKERS)" =~ ^[1-9][0-9]*$$ ]]; then \
		echo "WORKERS must be a whole number >= 1 (got '$(WORKERS)')." >&2; exit 2; fi
	@if [ "$(WORKERS)" -gt 1 ] && [ -z "$${REFLEX_REDIS_URL:-}" ]; then \
		echo "WORKERS=$(WORKERS) needs REFLEX_REDIS_URL (e.g. redis://127.0.0.1:6379/0): without Redis each" >&2; \
		echo "worker process keeps its own in-memory state, and a browser whose events reach another" >&2; \
		echo "worker would lose its session. Set REFLEX_REDIS_URL or run with WORKERS=1." >&2; \
		exit 2; fi

banner:
	@echo "SocialShop will be served on http://localhost:$(PORT) by $(WORKERS) backend worker(s) (first build takes about a minute)"
	@echo "Demo accounts (password: socialshop-demo):"
	@echo "  shoppers:  giulia@example.com, marco@example.com  (saved card 4242, Pay PIN 3917)"
	@echo "  merchants: bottega@example.com (Bottega Verde), caffe@example.com (Caffè Aurora), libreria@example.com (Libreria del Porto)"
	@echo "  support:   support@example.com (the agents' queue at /support/agent)"

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	rm -f $(VENV)/.installed-*
	touch $@

deps: $(STAMP)

bun:
	@command -v bun >/dev/null 2>&1 || npm install -g bun || npm install -g --prefix "$(HOME)/.bun" bun

# Chromium (and ffmpeg for failure videos): Debian's packages where apt-get works, Playwright's elsewhere.
browser: deps
	$(PY) scripts/install_browser.py

migrate: deps
	reflex db migrate

seed: deps
	$(PY) -m socialshop.seed

reset-db:
	rm -rf var/socialshop.db var/socialshop.db-wal var/socialshop.db-shm

# Tests run on pytest-xdist workers, one per CPU (JOBS=auto; JOBS=0 runs them in one process,
# e.g. to debug with --headed or pdb), in random order (pytest-randomly: the seed is printed at
# the end; PYTEST_ARGS=--randomly-seed=N replays an order, -p no:randomly keeps file order).
# Browser scenarios share one app server and database per run (tests/e2e/shared_server.py).
JOBS ?= auto
XDIST := -n $(JOBS) --dist worksteal

# Everything on the embedded default (SQLite, in-memory state), then the browser
# scenarios again in the scale-out mode: PostgreSQL and Redis (running on CI machines).
test: deps bun browser
	$(PY) -m pytest tests -q -ra $(XDIST) $(PYTEST_ARGS)
	$(MAKE) --no-print-directory e2e-scale

e2e-scale: deps bun browser
	SOCIALSHOP_E2E_DATABASE=postgresql REFLEX_REDIS_URL=$${SOCIALSHOP_TEST_REDIS_URL:-redis://127.0.0.1:6379/0} \
		$(PY) -m pytest tests/e2e -q -ra -m "e2e and scale" $(XDIST) $(PYTEST_ARGS)

unit: deps
	$(PY) -m pytest tests -q -ra -m "not e2e" $(XDIST) $(PYTEST_ARGS)

# `make e2e K=merchant` runs only the scenarios whose names match (pytest -k);
# PYTEST_ARGS passes anything else to pytest (PYTEST_ARGS="--headed" JOBS=0 to watch one).
e2e: deps bun browser
	$(PY) -m pytest tests/e2e -q -ra -m e2e $(if $(K),-k "$(K)") $(XDIST) $(PYTEST_ARGS)

bench: deps
	$(PY) benchmarks/bench_checkout.py

# 500 buyers racing for 10 units of one product on PostgreSQL (4 processes); not part of `make test`.
bench-concurrency: deps bun browser
	$(PY) benchmarks/bench_concurrency.py

# Lighthouse (npm package pinned in benchmarks/lighthouse_node/, installed there on first use)
# on the feed, a storefront and the Pay pages vs a bare Reflex page; `make lighthouse LH_ARGS="--runs 1 --desktop"`.
# Exit status 1 when a page misses a target, 2 when it could not run.
.PHONY: lighthouse
lighthouse: deps bun browser
	$(PY) benchmarks/lighthouse.py $(LH_ARGS)

lint: deps
	$(VENV)/bin/ruff check socialshop tests benchmarks scripts
