#!/usr/bin/env bash
# Run a command with a throw-away PostgreSQL 15 cluster: initdb in a temporary directory (as the
# `postgres` user when run as root, as on CI), start it on a free loopback port, export
# BCDA_TEST_PG_URL (a superuser URL: tests create a database each), run the command, then stop
# the cluster and remove the directory whatever happens.
#   scripts/with-postgres.sh cargo test -p bcda-server
set -euo pipefail

PG_BIN="${PG_BIN:-}"
if [[ -z "$PG_BIN" ]]; then
    for d in /usr/lib/postgresql/*/bin; do
        [[ -x "$d/initdb" ]] && PG_BIN="$d"
    done
fi
if [[ -z "$PG_BIN" || ! -x "$PG_BIN/initdb" ]]; then
    if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null; then
        echo "with-postgres: installing PostgreSQL (apt-get install postgresql)" >&2
        apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
        for d in /usr/lib/postgresql/*/bin; do
            [[ -x "$d/initdb" ]] && PG_BIN="$d"
        done
    fi
fi
if [[ -z "$PG_BIN" || ! -x "$PG_BIN/initdb" ]]; then
    echo "with-postgres: no initdb found (set PG_BIN, or install PostgreSQL)" >&2
    exit 1
fi

# Run as the cluster's owner: `postgres` when we are root (initdb refuses root).
as_owner() {
    if [[ "$(id -u)" == 0 ]]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

DIR="$(mktemp -d /tmp/bcda-pg.XXXXXX)"
if [[ "$(id -u)" == 0 ]]; then
    chown postgres: "$DIR"
fi
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
USER_NAME="$(if [[ "$(id -u)" == 0 ]]; then echo postgres; else id -un; fi)"

cleanup() {
    as_owner "$PG_BIN/pg_ctl" -D "$DIR/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$DIR"
}
trap cleanup EXIT INT TERM

as_owner "$PG_BIN/initdb" -D "$DIR/data" -U "$USER_NAME" -A trust --no-sync -E UTF8 >"$DIR/initdb.log" 2>&1 \
    || { cat "$DIR/initdb.log" >&2; exit 1; }
# fsync off: a test cluster that is thrown away; max_connections for the multi-node tests.
# In postgresql.conf (not -o) so that a plain `pg_ctl start` after a stop uses them too.
cat >>"$DIR/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = '$DIR'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 400
CONF
as_owner "$PG_BIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -t 60 start >/dev/null \
    || { cat "$DIR/server.log" >&2; exit 1; }

export BCDA_TEST_PG_URL="postgres://$USER_NAME@127.0.0.1:$PORT/postgres"
# For the test that stops and restarts the server (shell commands).
OWNER_PREFIX="$(if [[ "$(id -u)" == 0 ]]; then echo "runuser -u postgres --"; fi)"
export BCDA_TEST_PG_STOP="$OWNER_PREFIX $PG_BIN/pg_ctl -D $DIR/data -m fast -w stop"
export BCDA_TEST_PG_START="$OWNER_PREFIX $PG_BIN/pg_ctl -D $DIR/data -l $DIR/server.log -w -t 60 start"
echo "with-postgres: PostgreSQL ($PG_BIN) on 127.0.0.1:$PORT" >&2
"$@"
