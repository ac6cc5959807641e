# Oschatzer Land portal. `make run` and `make test` work on a fresh machine with Python 3.11.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
MO := locale/de/LC_MESSAGES/django.mo

# Demo mode: DEBUG on, demo login printed. Never use these settings in production.
DEV_ENV := DJANGO_DEBUG=true DJANGO_DEMO_MODE=true
# Production settings for a local gunicorn on plain HTTP.
SERVE_ENV := DJANGO_SECRET_KEY=$${DJANGO_SECRET_KEY:-local-serve-only-$$(hostname)-key-0123456789} \
	DJANGO_ALLOWED_HOSTS=$${DJANGO_ALLOWED_HOSTS:-127.0.0.1,localhost} \
	DJANGO_SECURE_SSL_REDIRECT=false DJANGO_SECURE_COOKIES=false DJANGO_SECURE_HSTS_SECONDS=0

.PHONY: install run serve test test-fast lint fmt messages clean bench audit backup restore test-ops

$(STAMP): pyproject.toml build-constraints.txt
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=25.3"
	# XStatic-Bootstrap is an sdist whose build still needs setuptools<81.
	$(BIN)/python -m pip install --quiet --build-constraint build-constraints.txt -e '.[dev]'
	touch $(STAMP)

$(MO): $(STAMP) locale/de/LC_MESSAGES/django.po
	$(BIN)/pybabel compile --statistics -D django -d locale -l de

install: $(STAMP) $(MO)

run: install  ## serve the site with demo content on http://127.0.0.1:8000
	$(DEV_ENV) $(BIN)/python manage.py migrate --noinput
	$(DEV_ENV) $(BIN)/python manage.py seed_demo
	$(DEV_ENV) $(BIN)/python manage.py runserver 127.0.0.1:8000

serve: install  ## the same site under gunicorn with production settings
	$(SERVE_ENV) $(BIN)/python manage.py migrate --noinput
	$(SERVE_ENV) $(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(SERVE_ENV) $(BIN)/gunicorn -c gunicorn.conf.py oschatzerland.wsgi

# The suite runs in one pytest process per core, at most four (pytest-xdist; each process
# migrates a test database of its own), tests handed out in pytest-django's order (every
# process runs the tests that flush the database after the others). Then, in one process,
# the tests with servers of their own (marker "servers": a PostgreSQL cluster, gunicorn,
# one Redis db, var/static). Exit code 5 = nothing selected (e.g. ARGS="tests/survey").
PYTEST := scripts/with-postgres.sh $(BIN)/pytest
PARALLEL := -n auto --maxprocesses 4 --dist load

test: install  ## the whole suite against PostgreSQL: browser and operations tests included
	$(PYTEST) $(PARALLEL) -m "not servers" $(ARGS) || [ $$? = 5 ]
	$(PYTEST) -m servers $(ARGS) || [ $$? = 5 ]

test-fast: install  ## the same without the browser tests (operations tests included)
	$(PYTEST) $(PARALLEL) -m "not browser and not servers" $(ARGS) || [ $$? = 5 ]
	$(PYTEST) -m servers $(ARGS) || [ $$? = 5 ]

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

fmt: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

messages: install  ## collect new strings into the German .po file (needs GNU gettext)
	$(BIN)/python manage.py makemessages -l de --no-obsolete --ignore=.venv --ignore=var --ignore=tests
	$(BIN)/pybabel compile --statistics -D django -d locale -l de

clean:
	rm -rf $(VENV) var/static

# --- Operations (README, section "Betrieb") ---------------------------------------------

bench: install  ## load test under gunicorn, one JSON line per target (BENCHMARKS.md)
	command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	DATABASE_URL="$${BENCH_DATABASE_URL:-}" PGDATABASE_NAME=oschatzerland_bench \
		scripts/with-postgres.sh $(BIN)/python -m bench.run

audit: install  ## known vulnerabilities in the installed (pinned) dependencies
	scripts/audit.sh

backup: install  ## pg_dump of DATABASE_URL into var/backups/
	scripts/backup.sh

restore: install  ## pg_restore FILE=var/backups/….dump into DATABASE_URL (replaces its data)
	scripts/restore.sh "$(FILE)"

test-ops: install  ## the operations tests only (reliability, security, backup)
	$(PYTEST) $(PARALLEL) -m "not servers" tests/ops $(ARGS) || [ $$? = 5 ]
	$(PYTEST) -m servers tests/ops $(ARGS) || [ $$? = 5 ]
