# Qingyi: two commands on a fresh machine (Python 3.11+ and make).
#   make run   — install everything, create the SQLite database, load the demo hospital, serve on :8000
#   make test  — run the whole test suite (SQLite by default; DATABASE_URL=postgres://... for PostgreSQL)
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test install lint typecheck

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	DEBUG=true $(PY) manage.py migrate --noinput
	DEBUG=true $(PY) manage.py demo_data
	DEBUG=true $(PY) manage.py runserver 127.0.0.1:8000

test: $(STAMP)
	$(PY) -m pytest -n 2 $(PYTEST_ARGS)

# bench/ may not exist yet in a fresh clone (git keeps no empty folders).
LINT_PATHS := $(wildcard src tests bench deploy)
TEMPLATE_DIRS := $(wildcard src/qingyi/templates src/qingyi/*/templates)

lint: $(STAMP)
	$(PY) -m ruff check $(LINT_PATHS)
	$(PY) -m ruff format --check $(LINT_PATHS)
	$(VENV)/bin/djhtml --check $(TEMPLATE_DIRS)

# mypy with django-stubs on the modules listed in pyproject.toml ([tool.mypy] files). The
# django plugin imports the settings, which need QINGYI_TESTING (or DEBUG) without a SECRET_KEY.
typecheck: $(STAMP)
	QINGYI_TESTING=true $(PY) -m mypy
