# Two commands for a newcomer: `make run` starts the app on http://localhost:8008,
# `make test` runs the tests. Both create the virtualenv and install the pins first: `make run`
# only what the app needs to run (requirements.txt), `make test` the test tools as well.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip install --quiet --disable-pip-version-check
STAMP := $(VENV)/.installed-runtime
DEV_STAMP := $(VENV)/.installed-dev

.PHONY: run worker test lint format migrate install install-dev clean vendor-uplot

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

lint: $(DEV_STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(DEV_STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache

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
