# The commands the README names. Everything installs into .venv from pyproject.toml.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
PORT ?= 5000
export FLASK_APP := wsgi

.PHONY: install run test lint format bench run-scaled translations i18n-update migrate clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-* && touch $@

install: $(STAMP)

translations: install
	$(BIN)/python scripts/i18n.py compile > /dev/null

# Prepare the SQLite database (migrations + demo data once) and serve on IPv4 and IPv6.
run: translations
	$(BIN)/flask db upgrade
	$(BIN)/flask demo
	$(BIN)/python -m participation.serve --host :: --port $(PORT)

test: translations
	$(BIN)/pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: translations
	$(BIN)/python bench/run_all.py

# Two gevent web processes, a Celery worker and beat, on local PostgreSQL and Redis.
run-scaled: translations
	bash scripts/run_scaled.sh

i18n-update: install
	$(BIN)/python scripts/i18n.py update

# After changing models: make migrate m="what changed"
migrate: install
	$(BIN)/flask db migrate -m "$(m)"

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache
