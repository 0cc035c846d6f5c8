# complyscan: `make demo` and `make test` set everything up on a fresh machine, asking nothing.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
BROWSER_STAMP := $(VENV)/.browser
PG_STAMP := $(VENV)/.postgresql
CONSENT_STAMP := $(VENV)/.consent-js
SDK_DIR := tests/sdk
SDK_STAMP := $(SDK_DIR)/node_modules/.complyscan-installed

.PHONY: all setup sdk browser demo wheel check-wheel test lint typecheck check bench bench-fleet crosscheck-tls clean eval-statements

all: test

setup: $(STAMP) $(BROWSER_STAMP) $(PG_STAMP) $(CONSENT_STAMP)

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

# PostgreSQL's server binaries, for the fleet's tests (tests/pg.py starts a throwaway cluster
# from them): Debian's package when we are root on Debian/Ubuntu and initdb is missing.
$(PG_STAMP):
	@if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null; then \
	  echo "postgresql: $$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | tail -1)"; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "postgresql: installing Debian's postgresql"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; \
	else \
	  echo "postgresql: not installed; the PostgreSQL tests will be skipped"; \
	fi
	@touch $@

# Node.js and npm: Debian's packages when missing and we are root on Debian/Ubuntu. The consent
# manager's rules and the tests' real SDKs and consent managers come from the npm registry.
NODE_INSTALL = if ! command -v npm >/dev/null; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "node: installing Debian's nodejs and npm"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null; \
	  fi; \
	fi

# The consent manager's rules (@duckduckgo/autoconsent) and, for the tests, real consent managers,
# from the npm registry by their committed package-lock.json files; never committed themselves.
# Without npm the scan still runs and says "consent manager not evaluated" (README: Consent).
$(CONSENT_STAMP): scanner/consent/js/package-lock.json tests/consent_sites/package-lock.json
	@$(NODE_INSTALL)
	@if command -v npm >/dev/null; then \
	  npm ci --prefix scanner/consent/js --no-audit --no-fund --ignore-scripts --silent && \
	  npm ci --prefix tests/consent_sites --no-audit --no-fund --ignore-scripts --silent && \
	  touch $@; \
	else echo "consent: npm not found, so the consent manager will not be evaluated"; fi

# The real vendor SDKs the tests load (tests/sdk/package.json, pinned by its lock file): Node.js
# and npm from Debian when missing (as root), then `npm ci` once, and the site's own bundle of the
# SDKs that ship no browser build (npm run build). Nothing else is downloaded at test time.
sdk: $(SDK_STAMP)

$(SDK_STAMP): $(SDK_DIR)/package.json $(SDK_DIR)/package-lock.json $(wildcard $(SDK_DIR)/src/*.js)
	@$(NODE_INSTALL)
	@command -v npm >/dev/null || { echo "sdk: Node.js and npm are needed (apt-get install nodejs npm)" >&2; exit 2; }
	cd $(SDK_DIR) && npm ci --no-audit --no-fund --loglevel=error && npm run --silent build
	@touch $@

# The demo's site breaks its own statement on purpose, so its gate fails (complyscan exits 1):
# that is the demo working. Any other exit code is a real failure of make demo.
demo: setup
	@$(BIN)/complyscan demo --out out/demo; code=$$?; \
	if [ $$code = 1 ]; then \
	  echo "make demo: done. The gate failed on purpose: the demo site breaks its own privacy statement."; \
	  echo "make demo: read the report: out/demo/report.html (open it in a browser); all files in out/demo/"; \
	else exit $$code; fi

# A wheel from this checkout, installed in a fresh venv outside it, must scan the demo:
# rules/ and reports/ travel inside the wheel. WHEEL_DIR and CHECK_DIR may point elsewhere.
WHEEL_DIR ?= dist
CHECK_DIR ?= build/check-wheel
wheel: $(STAMP)
	rm -f $(WHEEL_DIR)/complyscan-*.whl
	$(BIN)/python -m pip wheel --quiet --disable-pip-version-check --no-deps -w $(WHEEL_DIR) .

check-wheel: wheel
	rm -rf $(CHECK_DIR) && mkdir -p $(CHECK_DIR)/tmp
	$(PYTHON) -m venv $(CHECK_DIR)/venv
	$(CHECK_DIR)/venv/bin/python -m pip install --quiet --disable-pip-version-check $(WHEEL_DIR)/complyscan-*.whl
	cd $(CHECK_DIR) && export TMPDIR=$$PWD/tmp && \
	  { venv/bin/complyscan demo --out demo >demo.log 2>&1; code=$$?; \
	    [ $$code = 1 ] || { cat demo.log; echo "check-wheel: demo exited $$code, expected 1"; exit 1; }; } && \
	  test -s demo/report.html && test -s demo/report.sarif && \
	  { test -z "$$(ls -A tmp)" || { echo "check-wheel: left in TMPDIR: $$(ls -A tmp)"; exit 1; }; }
	@echo "check-wheel: the wheel installs and scans the demo (report in $(CHECK_DIR)/demo)"

# The suite runs in two processes (pytest-xdist), a test file each at a time (module fixtures,
# such as a crawled site, stay in one process): most of a browser test is waiting on timers and
# the network, so two overlap well on two cores. TEST_WORKERS=0 runs it in one process.
TEST_WORKERS ?= 2

test: setup sdk
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/python -m pytest -q -p no:cacheprovider --reruns 2 -r R -n $(TEST_WORKERS) --dist loadfile

lint: $(STAMP)
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

bench: setup
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev,bench]'
	$(BIN)/python -m bench.run $(BENCH_ARGS)

# The fleet beside scan-all: sites/hour for 1, 2 and 4 workers, memory per worker, queue overhead.
bench-fleet: setup
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev,bench]'
	$(BIN)/python -m bench.fleet $(BENCH_FLEET_ARGS)
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
