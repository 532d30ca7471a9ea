# Two commands for a newcomer: `make run` starts the app on http://localhost:8008,
# `make test` runs the tests. Both create the virtualenv and install the pins first.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run worker test lint format migrate install clean

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $(STAMP)

install: $(STAMP)

migrate: $(STAMP)
	$(PY) manage.py migrate --noinput

run: migrate
	$(PY) manage.py seed_demo_users
	$(PY) manage.py runserver

# Background generation jobs. Needs CELERY_BROKER_URL (Redis); without it `make run` runs jobs
# in the request and no worker is needed.
worker: $(STAMP)
	$(VENV)/bin/celery -A toolbox worker --loglevel=INFO

test: $(STAMP)
	$(PY) -m pytest

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
