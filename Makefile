# KCN Planner — two commands do everything on a fresh Debian 12 machine (as root):
#   make run    install what is missing, migrate, load the demo province, serve http://127.0.0.1:8000
#   make test   the same set-up, the import contracts, then the whole suite on SpatiaLite and PostGIS
SHELL := /bin/bash
.DEFAULT_GOAL := run
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
HOST ?= 127.0.0.1
PORT ?= 8000
# Debian's interpreter: the pyenv python3 on PATH cannot load SQLite extensions (SpatiaLite).
SYSTEM_PYTHON := /usr/bin/python3
OL_VERSION := 7.5.2

.PHONY: run test lint lint-imports setup deps deps-test venv assets messages migrate demo admin-user serve bench clean

setup: deps venv assets

deps:
	@scripts/install_deps.sh run

deps-test:
	@scripts/install_deps.sh test

venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	@start=$$(date +%s); \
	[ -x $(PY) ] || $(SYSTEM_PYTHON) -m venv $(VENV); \
	mkdir -p var; \
	{ $(PY) -m pip install --disable-pip-version-check --upgrade pip && \
	  $(PY) -m pip install --disable-pip-version-check -e ".[test]"; } > var/pip.log 2>&1 \
	  || { tail -30 var/pip.log; echo "!! pip install failed (full log: var/pip.log)"; exit 1; }; \
	$(PY) -c "import django, shapely, pyproj, pyogrio" && touch $@ && \
	echo ">> virtual environment ready in $$(( $$(date +%s) - start )) s"

# Browser assets, built from npm packages into static files (nothing from a CDN at run time):
#   - OpenLayers' full build for the admin's map widgets (gis_service/static/vendor/ol/);
#   - the map page bundled by esbuild from frontend/ (gis_service/static/build/);
#   - the Vietnamese translations compiled to .mo files (locale/vi/LC_MESSAGES/).
# All three are build output, git-ignored; `make clean` removes them.
FRONTEND_SOURCES := $(shell find frontend -type f \( -name '*.js' -o -name '*.mjs' -o -name '*.css' \) 2>/dev/null)
PO_FILES := $(wildcard locale/*/LC_MESSAGES/*.po)
MO_FILES := $(PO_FILES:.po=.mo)

assets: gis_service/static/vendor/ol/ol.js gis_service/static/build/map.js messages

node_modules/.kcn-installed: package.json package-lock.json
	@npm ci --silent --no-audit --no-fund >/dev/null
	@touch $@

gis_service/static/vendor/ol/ol.js: node_modules/.kcn-installed
	@mkdir -p gis_service/static/vendor/ol
	@cp node_modules/ol/dist/ol.js node_modules/ol/ol.css gis_service/static/vendor/ol/
	@echo ">> OpenLayers $(OL_VERSION) copied to static files"

gis_service/static/build/map.js: node_modules/.kcn-installed $(FRONTEND_SOURCES)
	@node frontend/build.mjs

messages: $(MO_FILES)

# compilemessages (GNU gettext's msgfmt), run inside locale/ so it compiles LOCALE_PATHS only and
# does not walk into the venv or node_modules.
$(MO_FILES): %.mo: %.po $(VENV)/.installed
	@cd locale && ../$(PY) ../manage.py compilemessages -v0
	@touch $(MO_FILES)
	@echo ">> translations compiled: $(PO_FILES)"

migrate: setup
	@$(MANAGE) migrate --noinput -v0
	@$(MANAGE) collectstatic --noinput -v0

demo: migrate
	@$(MANAGE) load_demo
	@$(MANAGE) build_rasters

admin-user: migrate
	@$(MANAGE) ensure_demo_admin
	@$(MANAGE) ensure_demo_users

# The server and one job worker (analyses, imports) beside it. The worker has a session of its
# own, so Ctrl+C reaches only the server; then the worker gets one SIGTERM: it finishes the job
# it runs, then stops.
serve:
	@echo ">> serving http://$(HOST):$(PORT)/  (admin: http://$(HOST):$(PORT)/admin/)"
	@mkdir -p var; \
	setsid $(MANAGE) run_worker --no-reload -v1 >> var/worker.log 2>&1 & worker=$$!; \
	echo ">> job worker started (pid $$worker, log: var/worker.log)"; \
	trap 'echo ">> stopping the job worker (it finishes its current job)"; \
	      kill -TERM $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT; \
	trap 'exit 130' INT TERM; \
	$(MANAGE) runserver --noreload $(HOST):$(PORT)

run: demo admin-user serve

test: setup deps-test lint
	@scripts/test.sh

# The dependency direction (contracts in .importlinter; DESIGN.md, "Map of the code"). A broken
# contract fails `make test` before any test runs.
lint-imports: venv
	@$(VENV)/bin/lint-imports --no-cache

# Everything static: the import contracts, ruff's rules and its formatting.
lint: lint-imports
	@$(VENV)/bin/ruff check .
	@$(VENV)/bin/ruff format --check .

bench: setup
	@scripts/install_deps.sh bench
	@scripts/bench.sh

clean:
	rm -rf $(VENV) node_modules gis_service/static/vendor gis_service/static/build var/static locale/*/LC_MESSAGES/*.mo
