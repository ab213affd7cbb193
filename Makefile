# geo-api: two commands on a fresh machine.
#   make serve   install the runtime, build the store (from ../shared/data when present), serve it
#   make test    install the runtime and the test tools, lint, type-check, run the test suite
# Every path is absolute (derived from this Makefile), never relative to the caller's cwd.
# Variables (make VAR=value …): PORT (8000), HOST (127.0.0.1), WORKERS (1), STORE
# (var/geo-api.gpkg), MIRROR (../shared/data when it exists, else the live sources),
# PYTHON (python3), VENV (.venv).

ROOT    := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
VENV    ?= $(ROOT)/.venv
PYTHON  ?= python3
MIRROR  ?= $(firstword $(wildcard $(abspath $(ROOT)/../shared/data)))
STORE   ?= $(ROOT)/var/geo-api.gpkg
HOST    ?= 127.0.0.1
PORT    ?= 8000
WORKERS ?= 1
BIN     := $(VENV)/bin
RUNTIME := $(VENV)/.runtime-installed
DEV     := $(VENV)/.dev-installed
SUDO    := $(if $(filter 0,$(shell id -u)),,sudo -n)

.PHONY: install install-dev serve build test lint browser-deps gis-deps bench vendor-leaflet clean

# The runtime only (what `make serve` needs); Leaflet ships inside the package.
$(RUNTIME): $(ROOT)/pyproject.toml
	@echo "== installing geo-api and its runtime dependencies into $(VENV) (1-3 min)"
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --progress-bar on -e '$(ROOT)'
	touch $@

# The test, lint and type-check tools on top (what `make test` needs).
$(DEV): $(RUNTIME) $(ROOT)/pyproject.toml
	@echo "== installing the test tools (pytest, ruff, mypy, playwright, schemathesis …)"
	$(BIN)/pip install --progress-bar on -e '$(ROOT)[dev]'
	touch $@

# GDAL's command-line tools (Debian's gdal-bin, GDAL 3.6): the README's GIS client
# commands are run by the tests as written.
gis-deps:
	@command -v ogrinfo >/dev/null 2>&1 || { \
	  echo "== installing Debian's gdal-bin for the GIS client tests"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends \
	    gdal-bin >/dev/null; }

# Debian's Chromium for the browser tests (Playwright drives it; no browser download).
browser-deps:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "== installing Debian's chromium for the browser tests"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends \
	    chromium fonts-dejavu-core >/dev/null; }

install: $(RUNTIME)
install-dev: $(DEV)

$(STORE): | $(RUNTIME)
	@echo "== building the store $(STORE) from $(if $(MIRROR),the mirror $(MIRROR),the live sources)"
	$(BIN)/geo-api build $(if $(MIRROR),--mirror $(MIRROR)) --store $(STORE)

build: $(RUNTIME)
	$(BIN)/geo-api build $(if $(MIRROR),--mirror $(MIRROR)) --store $(STORE)

serve: $(RUNTIME) $(STORE)
	@echo "== serving http://$(HOST):$(PORT)/ (Ctrl-C stops)"
	$(BIN)/geo-api serve --store $(STORE) --host $(HOST) --port $(PORT) --workers $(WORKERS)

lint: $(DEV)
	cd $(ROOT) && $(BIN)/ruff check . && $(BIN)/ruff format --check . && $(BIN)/mypy

test: $(DEV) browser-deps gis-deps
	cd $(ROOT) && $(BIN)/ruff check . && $(BIN)/ruff format --check . && $(BIN)/mypy
	cd $(ROOT) && GEO_API_TEST_MIRROR=$(MIRROR) $(BIN)/pytest

# geo-api vs tipg on PostGIS, side by side on the mirror (installs its own anchor); then
# the CPU cost of adversarial drawn areas before and after their bounds (benchmarks/areas.py);
# then the site planner's seconds and its gap to the exact optimum (benchmarks/plans.py).
bench: $(DEV) browser-deps
	$(ROOT)/benchmarks/setup.sh
	$(BIN)/python $(ROOT)/benchmarks/run.py $(if $(MIRROR),--mirror $(MIRROR))
	test -f $(STORE) || $(BIN)/geo-api build $(if $(MIRROR),--mirror $(MIRROR)) --store $(STORE)
	$(BIN)/python $(ROOT)/benchmarks/areas.py --store $(STORE)
	$(BIN)/python $(ROOT)/benchmarks/plans.py --store $(STORE)

# Refresh the vendored Leaflet, Leaflet-Geoman, MapLibre and PMTiles JS (geo_api/static/)
# from package-lock.json.
vendor-leaflet:
	cd $(ROOT) && npm ci --no-audit --no-fund --loglevel=error
	cp $(ROOT)/node_modules/leaflet/dist/leaflet.js $(ROOT)/node_modules/leaflet/dist/leaflet.css \
	  $(ROOT)/geo_api/static/leaflet/
	cp $(ROOT)/node_modules/leaflet/dist/images/*.png $(ROOT)/geo_api/static/leaflet/images/
	cp $(ROOT)/node_modules/leaflet/LICENSE $(ROOT)/geo_api/static/leaflet/LICENSE
	cp $(ROOT)/node_modules/@geoman-io/leaflet-geoman-free/dist/leaflet-geoman.min.js \
	  $(ROOT)/node_modules/@geoman-io/leaflet-geoman-free/dist/leaflet-geoman.css \
	  $(ROOT)/node_modules/@geoman-io/leaflet-geoman-free/LICENSE $(ROOT)/geo_api/static/geoman/
	cp $(ROOT)/node_modules/maplibre-gl/dist/maplibre-gl.js \
	  $(ROOT)/node_modules/maplibre-gl/dist/maplibre-gl.css \
	  $(ROOT)/node_modules/maplibre-gl/LICENSE.txt $(ROOT)/geo_api/static/maplibre/
	cp $(ROOT)/node_modules/pmtiles/dist/pmtiles.js $(ROOT)/geo_api/static/pmtiles/
	cp $(ROOT)/node_modules/leaflet.markercluster/dist/leaflet.markercluster-src.js \
	  $(ROOT)/node_modules/leaflet.markercluster/dist/MarkerCluster*.css \
	  $(ROOT)/node_modules/leaflet.markercluster/MIT-LICENCE.txt $(ROOT)/geo_api/static/markercluster/

clean:
	rm -rf $(VENV) $(ROOT)/var $(ROOT)/node_modules $(ROOT)/test-artifacts
