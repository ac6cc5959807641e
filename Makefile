# Oschatzer Land portal. `make run` and `make test` work on a fresh machine with Python 3.11.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
MO := locale/de/LC_MESSAGES/django.mo locale/de/LC_MESSAGES/djangojs.mo

# Demo mode: DEBUG on, demo login printed. Never use these settings in production.
DEV_ENV := DJANGO_DEBUG=true DJANGO_DEMO_MODE=true
# Production settings for a local gunicorn on plain HTTP.
SERVE_ENV := DJANGO_SECRET_KEY=$${DJANGO_SECRET_KEY:-local-serve-only-$$(hostname)-key-0123456789} \
	DJANGO_ALLOWED_HOSTS=$${DJANGO_ALLOWED_HOSTS:-127.0.0.1,localhost} \
	DJANGO_SECURE_SSL_REDIRECT=false DJANGO_SECURE_COOKIES=false DJANGO_SECURE_HSTS_SECONDS=0

.PHONY: install run serve test test-fast lint fmt messages clean bench bench-scan audit backup restore test-ops

# Every package comes hash-checked from a lock file (make lock writes them from pyproject.toml).
# pip and setuptools<81 first (requirements-build.lock), then everything is built without build
# isolation with exactly those, so no unchecked build tool is fetched (XStatic-Bootstrap is an
# sdist). The project itself last, editable, without dependencies; pip check fails if the lock
# no longer matches the pins in pyproject.toml.
$(STAMP): pyproject.toml build-constraints.txt requirements-build.lock requirements-dev.lock
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements-build.lock
	$(BIN)/python -m pip install --quiet --require-hashes --no-build-isolation -r requirements-dev.lock
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	$(BIN)/python -m pip check || { echo "The lock files do not match pyproject.toml: make lock" >&2; exit 1; }
	touch $(STAMP)

$(MO): $(STAMP) locale/de/LC_MESSAGES/django.po locale/de/LC_MESSAGES/djangojs.po
	$(BIN)/pybabel compile --statistics -D django -d locale -l de
	$(BIN)/pybabel compile --statistics -D djangojs -d locale -l de

install: $(STAMP) $(MO)

# Universal (any OS), for Python 3.11; an existing pin stays unless pyproject.toml needs another
# version: `make lock LOCK_ARGS=--upgrade` moves everything to the newest allowed release.
LOCK := $(BIN)/uv pip compile --quiet --generate-hashes --universal --python-version 3.11 \
	--build-constraints build-constraints.txt --custom-compile-command "make lock" $(LOCK_ARGS)

.PHONY: lock image-check
lock:  ## the hashed lock files from pyproject.toml and requirements-build.in (needs PyPI)
	# uv comes with the dev lock; when that is stale only the final pip check fails.
	test -x $(BIN)/uv || $(MAKE) install || test -x $(BIN)/uv
	$(LOCK) -o requirements-build.lock requirements-build.in
	$(LOCK) -o requirements.lock pyproject.toml
	$(LOCK) --extra dev -c requirements.lock -c requirements-build.lock -o requirements-dev.lock pyproject.toml

image-check: install  ## build the Docker image with buildah and prove it serves the site (as root)
	scripts/image-check.sh

run: install  ## serve the site with demo content on http://127.0.0.1:8000
	$(DEV_ENV) $(BIN)/python manage.py migrate --noinput
	$(DEV_ENV) $(BIN)/python manage.py seed_demo
	$(DEV_ENV) $(BIN)/python manage.py media_variants
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
# The server tests run in the background beside the others (scripts/run-tests.sh).
RUN_TESTS := scripts/with-postgres.sh scripts/run-tests.sh

test: install  ## the whole suite against PostgreSQL: browser and operations tests included
	$(RUN_TESTS) "" $(ARGS)

test-fast: install  ## the quick loop: no browser tests, no tests with servers of their own
	scripts/with-postgres.sh $(BIN)/pytest $${PARALLEL--n auto --maxprocesses 4 --dist load} \
		-m "not browser and not servers" $(ARGS)

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
	$(MAKE) bench-scan

bench-scan: install  ## 200 generated paper questionnaires scanned and read back (BENCHMARKS.md)
	DATABASE_URL="$${BENCH_DATABASE_URL:-}" PGDATABASE_NAME=oschatzerland_bench_scan \
		scripts/with-postgres.sh $(BIN)/python -m bench.scan $${SCAN_SHEETS:-200}

audit: install  ## known vulnerabilities in the installed (pinned) dependencies
	scripts/audit.sh

backup: install  ## pg_dump of DATABASE_URL into var/backups/
	scripts/backup.sh

restore: install  ## pg_restore FILE=var/backups/….dump into DATABASE_URL (replaces its data)
	scripts/restore.sh "$(FILE)"

test-ops: install  ## the operations tests only (reliability, security, backup)
	$(RUN_TESTS) "" tests/ops $(ARGS)
