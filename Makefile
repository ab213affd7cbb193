# geo-api: two commands on a fresh machine.
#   make serve   install, build the store (from ../shared/data when present), serve it
#   make test    install, lint, run the test suite
# Every path is absolute (derived from this Makefile), never relative to the caller's cwd.

ROOT    := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
VENV    ?= $(ROOT)/.venv
PYTHON  ?= python3
MIRROR  ?= $(firstword $(wildcard $(abspath $(ROOT)/../shared/data)))
STORE   ?= $(ROOT)/var/geo-api.gpkg
HOST    ?= 127.0.0.1
PORT    ?= 8000
BIN     := $(VENV)/bin
LEAFLET := $(ROOT)/node_modules/leaflet/dist/leaflet.js
SUDO    := $(if $(filter 0,$(shell id -u)),,sudo -n)

.PHONY: install serve build test lint browser-deps bench clean

$(BIN)/geo-api: $(ROOT)/pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '$(ROOT)[dev]'
	touch $@

# Leaflet for the maps, from the npm lock file: geo-api serves it itself (offline maps).
$(LEAFLET): $(ROOT)/package.json $(ROOT)/package-lock.json
	cd $(ROOT) && npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Debian's Chromium for the browser tests (Playwright drives it; no browser download).
browser-deps:
	@command -v chromium >/dev/null 2>&1 || { \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends \
	    chromium fonts-dejavu-core >/dev/null; }

install: $(BIN)/geo-api $(LEAFLET)

$(STORE): | $(BIN)/geo-api
	$(BIN)/geo-api build $(if $(MIRROR),--mirror $(MIRROR)) --store $(STORE)

build: $(BIN)/geo-api
	$(BIN)/geo-api build $(if $(MIRROR),--mirror $(MIRROR)) --store $(STORE)

serve: $(BIN)/geo-api $(LEAFLET) $(STORE)
	$(BIN)/geo-api serve --store $(STORE) --host $(HOST) --port $(PORT)

lint: $(BIN)/geo-api
	cd $(ROOT) && $(BIN)/ruff check . && $(BIN)/ruff format --check . && $(BIN)/mypy

test: $(BIN)/geo-api $(LEAFLET) browser-deps
	cd $(ROOT) && $(BIN)/ruff check . && $(BIN)/ruff format --check . && $(BIN)/mypy
	cd $(ROOT) && GEO_API_TEST_MIRROR=$(MIRROR) $(BIN)/pytest

# geo-api vs tipg on PostGIS, side by side on the mirror (installs its own anchor).
bench: install browser-deps
	$(ROOT)/benchmarks/setup.sh
	$(BIN)/python $(ROOT)/benchmarks/run.py $(if $(MIRROR),--mirror $(MIRROR))

clean:
	rm -rf $(VENV) $(ROOT)/var $(ROOT)/node_modules $(ROOT)/test-artifacts
