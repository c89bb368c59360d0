#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for `make test-postgres` (issue 16): Debian's PostgreSQL 15, initdb in a temp folder,
# on a free loopback port, with a password the tests read from a file (the store's password_file); runs the command it
# is given with LIAISON_TEST_POSTGRES_URL set, then stops the cluster and removes the folder, also when the command
# fails or the script is interrupted.
#
#   scripts/postgres-cluster.sh COMMAND [ARGS...]
#
# PostgreSQL refuses to run as root: run as root, the cluster belongs to a system user `liaison-pg` (created if
# missing, no login shell, no home) and initdb and pg_ctl run as that user through runuser.
set -euo pipefail

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
if [ ! -x "$PG_BIN/initdb" ] || [ ! -x "$PG_BIN/pg_ctl" ]; then
  echo "PostgreSQL 15's server is needed in $PG_BIN: apt-get install postgresql (make deps installs it)." >&2
  exit 1
fi
if [ "$#" -eq 0 ]; then
  echo "usage: $0 COMMAND [ARGS...]" >&2
  exit 2
fi

as_owner=()
if [ "$(id -u)" = 0 ]; then
  if ! id liaison-pg >/dev/null 2>&1; then
    useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin liaison-pg
  fi
  as_owner=(runuser -u liaison-pg --)
fi

folder=$(mktemp -d "${TMPDIR:-/tmp}/liaison-pg.XXXXXX")
started=""
cleanup() {
  status=$?
  if [ -n "$started" ]; then
    "${as_owner[@]}" "$PG_BIN/pg_ctl" -D "$folder/data" -m fast -w stop >/dev/null 2>&1 \
      || "${as_owner[@]}" "$PG_BIN/pg_ctl" -D "$folder/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$folder"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A random password in a file only its owner reads (the store refuses a password file others may read).
head -c 24 /dev/urandom | base64 | tr -d '/+=\n' >"$folder/password"
chmod 600 "$folder/password"
if [ "$(id -u)" = 0 ]; then chown -R liaison-pg "$folder"; fi

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"${as_owner[@]}" "$PG_BIN/initdb" -D "$folder/data" -U liaison --pwfile="$folder/password" --auth=scram-sha-256 \
  --encoding=UTF8 --locale=C --no-sync >"$folder/initdb.log" 2>&1 || { cat "$folder/initdb.log" >&2; exit 1; }
started=yes
"${as_owner[@]}" "$PG_BIN/pg_ctl" -D "$folder/data" -l "$folder/server.log" -w -t 60 \
  -o "-p $port -k $folder -c listen_addresses=127.0.0.1 -c synchronous_commit=on" start >/dev/null \
  || { cat "$folder/server.log" >&2; exit 1; }
"${as_owner[@]}" env PGPASSWORD="$(cat "$folder/password")" \
  "$PG_BIN/createdb" -h 127.0.0.1 -p "$port" -U liaison liaison_test
export LIAISON_TEST_POSTGRES_URL="postgresql://liaison@127.0.0.1:$port/liaison_test?sslmode=disable&password_file=$folder/password"
echo "PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$port (throwaway cluster in $folder)"
"$@"
