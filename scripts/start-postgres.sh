#!/usr/bin/env bash
# Starts a throwaway PostgreSQL cluster for tests and local use, on loopback only.
#
#   scripts/start-postgres.sh DIR [PORT]   initdb in DIR (if new), start, print the URL
#   scripts/start-postgres.sh --stop DIR   stop the cluster in DIR
#
# Uses Debian's server binaries (package `postgresql`, in scripts/apt-packages.txt). As
# root it runs the server as the `postgres` user, since initdb refuses to run as root.
# Trust auth is fine here: the server listens on 127.0.0.1 and a socket inside DIR only.
set -euo pipefail

bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
  echo "start-postgres: no PostgreSQL server binaries under /usr/lib/postgresql (apt-get install postgresql)" >&2
  exit 1
fi

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

if [ "${1:-}" = "--stop" ]; then
  dir=$(realpath "$2")
  as_owner "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
  exit 0
fi

dir=$(realpath "${1:?usage: start-postgres.sh DIR [PORT]}")
port=${2:-55432}
mkdir -p "$dir"
if [ "$(id -u)" -eq 0 ]; then
  chown postgres:postgres "$dir"
  # The server user must reach DIR through its parents (pytest's temp dirs are 0700).
  chmod 0711 "$(dirname "$dir")" 2>/dev/null || true
fi
if [ ! -f "$dir/data/PG_VERSION" ]; then
  as_owner "$bindir/initdb" -D "$dir/data" -U postgres --auth=trust \
    --encoding=UTF8 --no-locale >"$dir/initdb.log" 2>&1 ||
    { cat "$dir/initdb.log" >&2; exit 1; }
fi
# fsync off: a test cluster is thrown away, and fsync is most of its write time.
as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
  -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c full_page_writes=off" \
  start >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
echo "postgresql+psycopg://postgres@127.0.0.1:$port/postgres"
