# Two commands for a newcomer: `make run` starts the app on http://localhost:8008,
# `make test` runs the tests. Both create the virtualenv and install the pins first: `make run`
# only what the app needs to run (requirements.txt), `make test` the test tools as well.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip install --quiet --disable-pip-version-check
STAMP := $(VENV)/.installed-runtime
DEV_STAMP := $(VENV)/.installed-dev

.PHONY: run worker test lint format migrate install install-dev clean vendor vendor-htmx vendor-sentry vendor-uplot release provision spotlight prometheus-check

$(STAMP): requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) --upgrade pip
	$(PIP) -r requirements.txt
	touch $(STAMP)

$(DEV_STAMP): $(STAMP) requirements-dev.txt
	$(PIP) -r requirements-dev.txt
	touch $(DEV_STAMP)

install: $(STAMP)

install-dev: $(DEV_STAMP)

migrate: $(STAMP)
	$(PY) manage.py migrate --noinput

run: migrate
	$(PY) manage.py seed_demo_users
	$(PY) manage.py runserver

# Background generation jobs. Needs CELERY_BROKER_URL (Redis); without it `make run` runs jobs
# in the request and no worker is needed.
worker: $(STAMP)
	$(VENV)/bin/celery -A toolbox worker --loglevel=INFO

test: $(DEV_STAMP)
	$(PY) -m pytest

# lint-imports checks the layers in .importlinter: which app may import which.
lint: $(DEV_STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

format: $(DEV_STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# The Sentry browser SDK every page loads (monitoring/templates/monitoring/browser_monitoring.html).
# Its npm package ships no ready-made bundle any more, so we bundle the parts we use
# (monitoring/vendor/sentry-entry.mjs) with esbuild into one file that sets window.Sentry, and
# commit it with the licences of everything inside: `make run` needs no Node. Needs npm (only
# here); bump the pins below and run `make vendor-sentry` (or `make vendor`) to refresh.
SENTRY_BROWSER_VERSION := 11.17.0
ESBUILD_VERSION := 0.28.2
VENDOR_SENTRY := monitoring/static/vendor/sentry

vendor-sentry:
	@set -e; build=$$(mktemp -d); trap 'rm -rf "$$build"' EXIT; \
	echo '{"private": true}' > "$$build/package.json"; \
	npm install --prefix "$$build" --no-audit --no-fund --save-exact \
		@sentry/browser@$(SENTRY_BROWSER_VERSION) esbuild@$(ESBUILD_VERSION); \
	cp monitoring/vendor/sentry-entry.mjs "$$build/"; \
	mkdir -p $(VENDOR_SENTRY); \
	"$$build/node_modules/.bin/esbuild" "$$build/sentry-entry.mjs" --bundle --minify \
		--format=iife --global-name=Sentry --target=es2020 --legal-comments=none \
		--outfile=$(VENDOR_SENTRY)/sentry.min.js; \
	: > $(VENDOR_SENTRY)/LICENSE; \
	for package in "$$build"/node_modules/@sentry/* "$$build"/node_modules/web-vitals; do \
		printf '%s %s\n\n' "$$(basename "$$(dirname "$$package")")/$$(basename "$$package")" \
			"$$(node -p "require('$$package/package.json').version")" >> $(VENDOR_SENTRY)/LICENSE; \
		cat "$$package"/LICENSE* >> $(VENDOR_SENTRY)/LICENSE; \
		printf '\n\n' >> $(VENDOR_SENTRY)/LICENSE; \
	done; \
	echo "@sentry/browser $(SENTRY_BROWSER_VERSION) (bundled with esbuild $(ESBUILD_VERSION) by make vendor)" \
		> $(VENDOR_SENTRY)/VERSION; \
	ls -l $(VENDOR_SENTRY)

# Operators: tell Sentry about this release (create, commits, finalize, deploy for
# SENTRY_ENVIRONMENT) and keep its alerts, dashboard and grouping rules as code. Both need
# SENTRY_AUTH_TOKEN, SENTRY_ORG, SENTRY_PROJECT (and SENTRY_URL for self-hosted Sentry).
release: $(DEV_STAMP)
	$(PY) manage.py sentry_release

provision: $(STAMP)
	$(PY) manage.py sentry_provision

# Local development without a Sentry account: the Spotlight sidecar on 127.0.0.1:8969; start the
# app with SENTRY_SPOTLIGHT=true (or the sidecar's URL) to see its errors, traces and logs there.
SPOTLIGHT_VERSION := 4.11.8
spotlight:
	NODE_OPTIONS="--require $(CURDIR)/deploy/spotlight/loopback.cjs" \
	  npx --yes @spotlightjs/spotlight@$(SPOTLIGHT_VERSION) --port 8969

# The Prometheus rules file (Debian: apt-get install prometheus, for promtool).
prometheus-check:
	promtool check rules deploy/prometheus/rules.yml

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache

# Third-party browser code, vendored (committed) so that `make run` needs nothing but Python:
# `make vendor` refetches each pinned package from npm and copies its built file and licence.
HTMX_VERSION := 2.0.11
HTMX_DIR := classroom/static/vendor/htmx

vendor: vendor-htmx vendor-sentry vendor-uplot

vendor-htmx:
	tmp=$$(mktemp -d) && \
	npm pack --silent --pack-destination $$tmp htmx.org@$(HTMX_VERSION) >/dev/null && \
	tar -xzf $$tmp/htmx.org-$(HTMX_VERSION).tgz -C $$tmp && \
	mkdir -p $(HTMX_DIR) && \
	cp $$tmp/package/dist/htmx.min.js $(HTMX_DIR)/htmx.min.js && \
	cp $$tmp/package/LICENSE $(HTMX_DIR)/LICENSE && \
	echo "htmx.org $(HTMX_VERSION) from npm (make vendor-htmx)" > $(HTMX_DIR)/VERSION && \
	rm -rf $$tmp

# The admin dashboard's chart library (monitoring/static/vendor/uplot/), vendored so that no page
# loads a script from a CDN. Refresh by changing the pin and running this target; commit the result.
UPLOT_VERSION := 1.6.32
UPLOT_DIR := monitoring/static/vendor/uplot

vendor-uplot:
	rm -rf $(UPLOT_DIR) && mkdir -p $(UPLOT_DIR)
	cd $(UPLOT_DIR) && npm pack --silent uplot@$(UPLOT_VERSION) >/dev/null
	tar -xzf $(UPLOT_DIR)/uplot-$(UPLOT_VERSION).tgz -C $(UPLOT_DIR) --strip-components=1 \
		package/LICENSE package/dist/uPlot.iife.min.js package/dist/uPlot.min.css
	mv $(UPLOT_DIR)/dist/* $(UPLOT_DIR)/ && rmdir $(UPLOT_DIR)/dist
	rm $(UPLOT_DIR)/uplot-$(UPLOT_VERSION).tgz
	echo "uPlot $(UPLOT_VERSION) from https://www.npmjs.com/package/uplot (MIT, see LICENSE)" \
		> $(UPLOT_DIR)/VERSION
