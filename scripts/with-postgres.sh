#!/usr/bin/env bash
# Run a command with DATABASE_URL pointing at PostgreSQL:
#   1. DATABASE_URL if it is set;
#   2. else the server on 127.0.0.1:5432 (user postgres);
#   3. else a throwaway cluster made with the machine's initdb/pg_ctl, stopped afterwards;
#   4. else a clear error. Never SQLite.
set -euo pipefail
PY="${PYTHON:-.venv/bin/python}"

can_connect() {
  "$PY" - "$1" <<'PYEOF'
import sys
import psycopg2
try:
    psycopg2.connect(sys.argv[1], connect_timeout=3).close()
except Exception:
    sys.exit(1)
PYEOF
}

if [ -n "${DATABASE_URL:-}" ]; then
  exec "$@"
fi

LOCAL_URL="postgres://postgres@127.0.0.1:5432/postgres"
if can_connect "$LOCAL_URL"; then
  export DATABASE_URL="postgres://postgres@127.0.0.1:5432/${PGDATABASE_NAME:-oschatzerland}"
  exec "$@"
fi

PGBIN=""
for dir in /usr/lib/postgresql/*/bin; do
  [ -x "$dir/initdb" ] && PGBIN="$dir"
done
if [ -z "$PGBIN" ] && command -v initdb >/dev/null 2>&1; then
  PGBIN="$(dirname "$(command -v initdb)")"
fi
if [ -z "$PGBIN" ]; then
  echo "ERROR: no PostgreSQL found. Set DATABASE_URL, start a server on 127.0.0.1:5432," >&2
  echo "or install the server binaries (Debian: apt-get install postgresql)." >&2
  exit 2
fi

TMP="$(mktemp -d /tmp/oschatzerland-pg.XXXXXX)"
PORT="$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
RUN=()
if [ "$(id -u)" = "0" ]; then
  # initdb and pg_ctl refuse to run as root.
  chown postgres "$TMP"
  RUN=(runuser -u postgres --)
fi
cleanup() {
  "${RUN[@]}" "$PGBIN/pg_ctl" -D "$TMP/data" -m fast stop >/dev/null 2>&1 || true
  rm -rf "$TMP"
}
trap cleanup EXIT
echo "Starting a throwaway PostgreSQL cluster ($PGBIN) on port $PORT …"
"${RUN[@]}" "$PGBIN/initdb" -D "$TMP/data" -U postgres --auth=trust -E UTF8 >/dev/null
"${RUN[@]}" "$PGBIN/pg_ctl" -D "$TMP/data" -l "$TMP/log" -w \
  -o "-c listen_addresses=127.0.0.1 -p $PORT -k $TMP -c fsync=off" start >/dev/null
export DATABASE_URL="postgres://postgres@127.0.0.1:$PORT/oschatzerland"
"$@"
