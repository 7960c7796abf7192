# Zapys — two commands: `make run` (the product) and `make test` (the suite).
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
export PORT

.PHONY: run test install lint check demo worker clean-db bench

$(VENV)/.installed: pyproject.toml requirements.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c requirements.lock -e ".[dev]"
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(VENV)/.installed node_modules/.installed
	$(PY) manage.py compile_translations

## The product: migrate, load the demo, serve web + Huey worker + scheduler on 127.0.0.1:$(PORT)
## (DEBUG off unless you set DEBUG=true: clients see product error pages, not Django's)
run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py demo
	DEBUG=$${DEBUG:-false} $(PY) manage.py collectstatic --noinput --verbosity 0
	DEBUG=$${DEBUG:-false} $(PY) manage.py serve --port $(PORT)

## The whole test suite (SQLite by default; set DATABASE_URL for PostgreSQL)
test: install
	$(PY) -m pytest

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy zapys
	$(PY) manage.py makemigrations --check --dry-run

demo: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py demo

clean-db:
	rm -f var/zapys.sqlite3* var/huey.sqlite3*
