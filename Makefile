# Two commands: `make run` (site on SQLite with demo data) and `make test` (the whole suite).
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := wsgi:app
export AIMAK_ENV ?= development

.PHONY: run test install install-dev translations migrate seed test-sqlite test-postgres bench clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: requirements.txt $(BIN)/python
	$(BIN)/pip install -q -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(VENV)/.installed
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed translations
install-dev: $(VENV)/.installed-dev translations

translations: $(BIN)/python
	$(BIN)/python -m hearings.core.catalogs compile

migrate: install
	$(BIN)/flask db upgrade

seed: migrate
	$(BIN)/flask demo seed --if-empty

run: seed
	@echo "Serving on http://127.0.0.1:5000 (Ctrl+C to stop)"
	$(BIN)/gunicorn --bind 127.0.0.1:5000 --workers 2 --access-logfile - wsgi:app

# SQLite always; PostgreSQL too when TEST_DATABASE_URL is set (CI sets it).
test: install-dev
	TEST_DATABASE_URL= $(BIN)/pytest -q
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
	  echo "== again on PostgreSQL: $$TEST_DATABASE_URL (browser, load and pure-Python tests ran above) =="; \
	  $(BIN)/pytest -q -m "not browser and not load" --ignore=tests/voting; \
	fi

test-sqlite: install-dev
	TEST_DATABASE_URL= $(BIN)/pytest -q

bench: install-dev
	@command -v wrk >/dev/null || (command -v apt-get >/dev/null && apt-get install -y -q wrk) || \
	  echo "wrk not installed: the vote benchmark uses its slower Python client"
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) instance/*.sqlite*
