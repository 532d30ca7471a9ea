# Two commands for a newcomer: `make run` starts the app on http://localhost:8008,
# `make test` runs the tests. Both create the virtualenv and install the pins first: `make run`
# only what the app needs to run (requirements.txt), `make test` the test tools as well.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip install --quiet --disable-pip-version-check
STAMP := $(VENV)/.installed-runtime
DEV_STAMP := $(VENV)/.installed-dev

.PHONY: run worker test lint format migrate install install-dev clean release provision spotlight prometheus-check

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
