#!/usr/bin/env bash
# Start a throwaway PostgreSQL cluster on a local port for the tests, as a non-root user.
# Prints the URL to use as DTI_TEST_POSTGRES_URL. Usage: tools/pg-test-server.sh [start|stop]
set -euo pipefail
PORT=${DTI_PG_PORT:-55432}
DIR=${DTI_PG_DIR:-/tmp/dti-pg-$PORT}
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -n "$PGBIN" ] || { echo "PostgreSQL is not installed (apt-get install postgresql)" >&2; exit 1; }

as_owner() {
  if [ "$(id -u)" = 0 ]; then su postgres -s /bin/bash -c "$*"; else bash -c "$*"; fi
}

case "${1:-start}" in
  start)
    if [ ! -f "$DIR/PG_VERSION" ]; then
      mkdir -p "$DIR"
      [ "$(id -u)" = 0 ] && chown postgres "$DIR"
      as_owner "$PGBIN/initdb -D $DIR -A trust -U postgres -E UTF8 --locale=C.UTF-8" >/dev/null
    fi
    if ! as_owner "$PGBIN/pg_ctl -D $DIR status" >/dev/null 2>&1; then
      as_owner "$PGBIN/pg_ctl -D $DIR -w -l $DIR/server.log -o '-p $PORT -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300' start" >/dev/null
    fi
    as_owner "$PGBIN/psql -h 127.0.0.1 -p $PORT -U postgres -tAc \"SELECT 1 FROM pg_database WHERE datname='dti_test'\"" | grep -q 1 ||
      as_owner "$PGBIN/createdb -h 127.0.0.1 -p $PORT -U postgres dti_test"
    echo "postgresql+asyncpg://postgres@127.0.0.1:$PORT/dti_test"
    ;;
  stop)
    as_owner "$PGBIN/pg_ctl -D $DIR -m fast stop" >/dev/null || true
    ;;
esac
