# complyscan: `make demo` and `make test` set everything up on a fresh machine, asking nothing.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
BROWSER_STAMP := $(VENV)/.browser
CONSENT_STAMP := $(VENV)/.consent-js

.PHONY: all setup browser demo test lint typecheck check bench crosscheck-tls clean eval-statements

all: test

setup: $(STAMP) $(BROWSER_STAMP) $(CONSENT_STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $@

# A Chromium for Playwright: one already found (COMPLYSCAN_CHROMIUM, Playwright's own, the
# system's) is used as it is; otherwise Debian's package when we are root on Debian/Ubuntu,
# else Playwright's download. libnss3-tools brings certutil, used to trust --ca-bundle CAs.
$(BROWSER_STAMP): $(STAMP)
	@if $(BIN)/python -m scanner.browser.discovery >/dev/null 2>&1 && command -v certutil >/dev/null; then \
	  echo "browser: $$($(BIN)/python -m scanner.browser.discovery)"; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "browser: installing Debian's chromium and libnss3-tools"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium libnss3-tools >/dev/null; \
	else \
	  $(BIN)/python -m playwright install chromium; \
	fi
	@$(BIN)/python -m scanner.browser.discovery
	@touch $@

# The consent manager's rules (@duckduckgo/autoconsent) and, for the tests, real consent managers,
# from the npm registry by their committed package-lock.json files; never committed themselves.
# Without npm the scan still runs and says "consent manager not evaluated" (README: Consent).
$(CONSENT_STAMP): scanner/consent/js/package-lock.json tests/consent_sites/package-lock.json
	@if command -v npm >/dev/null; then \
	  npm ci --prefix scanner/consent/js --no-audit --no-fund --ignore-scripts --silent && \
	  npm ci --prefix tests/consent_sites --no-audit --no-fund --ignore-scripts --silent && \
	  touch $@; \
	else echo "consent: npm not found, so the consent manager will not be evaluated"; fi

demo: setup
	$(BIN)/complyscan demo --out out/demo

test: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/python -m pytest -q -p no:cacheprovider

lint: $(STAMP)
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

bench: setup
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev,bench]'
	$(BIN)/python -m bench.run $(BENCH_ARGS)

# The statement reader against our labels of real published statements (docs/statements.md);
# CORPUS is the git-ignored cache of their texts.
CORPUS ?= .corpus
eval-statements: $(STAMP)
	$(BIN)/python scripts/eval_statements.py --corpus $(CORPUS)

# Our TLS verdicts beside testssl's on the test hosts (needs Debian's testssl.sh).
crosscheck-tls: setup
	@command -v testssl >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get install -y -qq testssl.sh >/dev/null; }
	$(BIN)/python scripts/crosscheck_tls.py

clean:
	rm -rf $(VENV) out build dist .mypy_cache .ruff_cache
