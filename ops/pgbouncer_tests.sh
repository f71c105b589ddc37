#!/usr/bin/env bash
# The row-level-security and concurrency tests once more, with every connection going through
# PgBouncer in transaction pooling mode, as production connections do (docs/scaling.md).
# Needs pgbouncer (Debian package `pgbouncer`) and the PostgreSQL server of DATABASE_URL
# (default: the machine's, 127.0.0.1:5432, trust authentication).
set -euo pipefail
cd "$(dirname "$0")/.."

PG_HOST=127.0.0.1
PG_PORT=5432
NAME=pgbouncer_ci
PORT=${PGBOUNCER_PORT:-6433}
PYTEST=${PYTEST:-.venv/bin/pytest}
TESTS=(
  tests/api/test_row_security.py
  tests/api/test_tenancy.py
  tests/api/test_idempotency.py
  tests/api/test_login_across_workers.py
  tests/api/test_nested_reads.py
  tests/treatments/test_races.py
  tests/scheduling/test_double_booking.py
)

work=$(mktemp -d)
trap 'kill "$(cat "$work/pgbouncer.pid" 2>/dev/null)" 2>/dev/null || true; sleep 1;
      psql -h $PG_HOST -p $PG_PORT -U postgres -qc "DROP DATABASE IF EXISTS test_$NAME WITH (FORCE)" postgres >/dev/null 2>&1 || true;
      rm -rf "$work"' EXIT

cat >"$work/pgbouncer.ini" <<INI
[databases]
* = host=$PG_HOST port=$PG_PORT

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $PORT
unix_socket_dir =
auth_type = trust
auth_file = $work/userlist.txt
pool_mode = transaction
max_client_conn = 500
default_pool_size = 20
ignore_startup_parameters = extra_float_digits,options
logfile = $work/pgbouncer.log
pidfile = $work/pgbouncer.pid
INI
printf '"postgres" ""\n"chiro_api" ""\n' >"$work/userlist.txt"
# PgBouncer refuses to run as root; it runs as the database's system user then.
if [ "$(id -u)" = 0 ]; then
  chown -R postgres "$work"
  pgbouncer -d -u postgres "$work/pgbouncer.ini"
else
  pgbouncer -d "$work/pgbouncer.ini"
fi
for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p "$PORT" -q && break; sleep 0.2; done

# The test database is made directly (PgBouncer keeps server connections to it, which would
# stop DROP DATABASE) and kept by the run (--reuse-db); it is dropped on the way out.
psql -h $PG_HOST -p $PG_PORT -U postgres -qc "DROP DATABASE IF EXISTS test_$NAME WITH (FORCE)" postgres
psql -h $PG_HOST -p $PG_PORT -U postgres -qc "CREATE DATABASE test_$NAME" postgres
DATABASE_URL="postgres://postgres@127.0.0.1:$PORT/$NAME" \
  "$PYTEST" --reuse-db -q -p no:randomly "${TESTS[@]}"
