# Two commands: `make run` (install, migrate, demo data, serve) and `make test` (the whole suite).
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
PGSERVER_DIR ?= .pgdata

.PHONY: run serve worker admin test test-system install migrate demo lint format schema check-migrations pytest test-pgbouncer bench loadtest faults db-stop clean

$(VENV)/.installed: requirements.txt requirements-dev.txt constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is needed (set PYTHON=...)")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $@

install: $(VENV)/.installed

migrate: install
	$(PY) manage.py migrate --no-input

demo: migrate
	$(PY) manage.py load_demo

# The development server and one job worker, together (ops/management/commands/run_with_worker.py):
# Ctrl-C stops both, and either one exiting stops the other.
run: demo
	@echo "API:     http://$(HOST):$(PORT)/api/v1/"
	@echo "Docs:    http://$(HOST):$(PORT)/api/docs/  (ReDoc: /api/redoc/, schema: /api/schema/)"
	$(PY) manage.py run_with_worker $(HOST):$(PORT)

# The production server: gunicorn, production settings, WEB_CONCURRENCY workers (2 x cores).
# It runs no job worker: production runs `manage.py procrastinate worker` (`make worker`) as a
# process type of its own, as the owner (DATABASE_URL), one or more; any number is safe (each
# job is fetched by one worker, each periodic tick deferred once), two or more keep the audit
# sealer running through a restart.
serve: migrate
	$(PY) manage.py serve --bind $(HOST):$(PORT)

# One job worker: runs the queue's jobs and defers the periodic ones (the audit sealer).
worker: migrate
	$(PY) manage.py procrastinate worker

# The Django admin for platform operators, connected as the owner (it reads across clinics).
ADMIN_PORT ?= 8001
admin: migrate
	SERVE_AS_APP_ROLE=false $(PY) manage.py runserver $(HOST):$(ADMIN_PORT)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

check-migrations: install
	$(PY) manage.py makemigrations --check --dry-run

schema: install
	$(PY) manage.py spectacular --file openapi.yaml --validate --fail-on-warn

# The unit and API tiers, in parallel (one worker per core; PYTEST_WORKERS=0 runs them in one).
PYTEST_WORKERS ?= auto
pytest: install
	$(VENV)/bin/pytest -m "not system" -n $(PYTEST_WORKERS)

# lint, types, migration drift, then the unit and API tests (which also check openapi.yaml drift).
test: lint check-migrations pytest

# The system tier: servers started by the tests (production and development), database faults,
# the small load test, fuzzing every operation, generated clients; then the PgBouncer pass.
test-system: install
	$(VENV)/bin/pytest -m system -n $(PYTEST_WORKERS)
	ops/pgbouncer_tests.sh

# The row-level-security and concurrency tests through PgBouncer in transaction pooling mode
# (needs pgbouncer and the machine's PostgreSQL on 127.0.0.1:5432; CI runs it after `make test`).
test-pgbouncer: install
	ops/pgbouncer_tests.sh

# Speed at scale: synthetic patients (PATIENTS=1000000 for the full million), p50/p95 per endpoint.
PATIENTS ?= 200000
bench: migrate
	$(PY) manage.py benchmark --patients $(PATIENTS)

# The production server under load beside a bare ceiling app (ops/loadtest); seeds LOAD_PATIENTS
# synthetic patients once. LOADTEST_ARGS="--seconds 20 --rounds 3 --only visit" and the like.
LOAD_PATIENTS ?= 1000000
loadtest: migrate
	$(PY) manage.py loadtest --patients $(LOAD_PATIENTS) $(LOADTEST_ARGS)

# Database restarts, a killed worker and a frozen database under a write load (ops/faults.py).
faults: install
	$(PY) ops/faults.py

db-stop:
	@if [ -d "$(PGSERVER_DIR)" ]; then $(PY) -c 'import pathlib, sys, config.embedded_db as e; print("stopped" if e.stop_embedded_database(pathlib.Path(sys.argv[1])) else "not running")' "$(PGSERVER_DIR)"; fi

clean: db-stop
	rm -rf $(VENV) .pgdata staticfiles
