#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for `make test-postgres` (issue 16): Debian's PostgreSQL 15, initdb in a temp folder,
# on a free loopback port, with a password the tests read from a file (the store's password_file); runs the command it
# is given with LIAISON_TEST_POSTGRES_URL set, then stops the cluster and removes the folder, also when the command
# fails or the script is interrupted.
#
#   scripts/postgres-cluster.sh [--with-standby] COMMAND [ARGS...]
#
# PostgreSQL refuses to run as root: run as root, the cluster belongs to a system user `liaison-pg` (created if
# missing, no login shell, no home) and initdb and pg_ctl run as that user through runuser.
#
# --with-standby adds a streaming-replication standby (docs/operations.md): the primary keeps WAL for a physical
# replication slot `liaison_standby` and lets a role `liaison_replicator` (its own random password, scram, loopback
# only) replicate; `pg_basebackup -R -S liaison_standby` copies it into a second folder, which starts on a second free
# loopback port, and the script waits (at most 30 s) until the primary reports it streaming. The command then also
# gets LIAISON_TEST_POSTGRES_STANDBY_URL (the same user, database and password file, the standby's port; read-only
# until promoted) and LIAISON_TEST_POSTGRES_FAILOVER, the path of a script that simulates losing the primary: it stops
# the primary with `pg_ctl -m immediate stop`, promotes the standby with `pg_ctl promote -w` and prints the time taken.
# Both clusters are stopped and removed on exit.
set -euo pipefail

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
if [ ! -x "$PG_BIN/initdb" ] || [ ! -x "$PG_BIN/pg_ctl" ]; then
  echo "PostgreSQL 15's server is needed in $PG_BIN: apt-get install postgresql (make deps installs it)." >&2
  exit 1
fi
with_standby=""
if [ "${1:-}" = "--with-standby" ]; then
  with_standby=yes
  shift
fi
if [ "$#" -eq 0 ]; then
  echo "usage: $0 [--with-standby] COMMAND [ARGS...]" >&2
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
standby_started=""
cleanup() {
  status=$?
  for data in ${standby_started:+"$folder/standby"} ${started:+"$folder/data"}; do
    "${as_owner[@]}" "$PG_BIN/pg_ctl" -D "$data" -m fast -w stop >/dev/null 2>&1 \
      || "${as_owner[@]}" "$PG_BIN/pg_ctl" -D "$data" -m immediate -w stop >/dev/null 2>&1 || true
  done
  rm -rf "$folder"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A random password in a file only its owner reads (the store refuses a password file others may read).
head -c 24 /dev/urandom | base64 | tr -d '/+=\n' >"$folder/password"
chmod 600 "$folder/password"
if [ -n "$with_standby" ]; then
  # The replication role's password, in a libpq password file (host:port:database:user:password) that the standby's
  # primary_conninfo names, so the password is in no command line and no configuration file.
  head -c 24 /dev/urandom | base64 | tr -d '/+=\n' >"$folder/replication.password"
  chmod 600 "$folder/replication.password"
fi
if [ "$(id -u)" = 0 ]; then chown -R liaison-pg "$folder"; fi

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
port=$(free_port)
"${as_owner[@]}" "$PG_BIN/initdb" -D "$folder/data" -U liaison --pwfile="$folder/password" --auth=scram-sha-256 \
  --encoding=UTF8 --locale=C --no-sync >"$folder/initdb.log" 2>&1 || { cat "$folder/initdb.log" >&2; exit 1; }
server_options="-p $port -k $folder -c listen_addresses=127.0.0.1 -c synchronous_commit=on"
if [ -n "$with_standby" ]; then
  # Replication only for liaison_replicator, only over loopback TCP, only with scram: initdb's default lines let any
  # role replicate (locally and over loopback) and are dropped.
  sed -i '/^[[:space:]]*\(local\|host\)[[:space:]]\+replication[[:space:]]/d' "$folder/data/pg_hba.conf"
  echo "host    replication     liaison_replicator   127.0.0.1/32    scram-sha-256" >>"$folder/data/pg_hba.conf"
  server_options="$server_options -c wal_level=replica -c max_wal_senders=4 -c max_replication_slots=4 -c hot_standby=on"
fi
started=yes
"${as_owner[@]}" "$PG_BIN/pg_ctl" -D "$folder/data" -l "$folder/server.log" -w -t 60 -o "$server_options" start >/dev/null \
  || { cat "$folder/server.log" >&2; exit 1; }
"${as_owner[@]}" env PGPASSWORD="$(cat "$folder/password")" \
  "$PG_BIN/createdb" -h 127.0.0.1 -p "$port" -U liaison liaison_test
export LIAISON_TEST_POSTGRES_URL="postgresql://liaison@127.0.0.1:$port/liaison_test?sslmode=disable&password_file=$folder/password"

if [ -n "$with_standby" ]; then
  # psql reads the replication password from its file itself (\set ... `cat`), so it is on no command line.
  "${as_owner[@]}" env PGPASSWORD="$(cat "$folder/password")" "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 \
    -h 127.0.0.1 -p "$port" -U liaison -d liaison_test >/dev/null <<SQL
\set replication_password \`cat $folder/replication.password\`
CREATE ROLE liaison_replicator WITH LOGIN REPLICATION PASSWORD :'replication_password';
SELECT pg_create_physical_replication_slot('liaison_standby');
SQL
  printf '127.0.0.1:%s:replication:liaison_replicator:%s\n' "$port" "$(cat "$folder/replication.password")" \
    >"$folder/replication.pgpass"
  chmod 600 "$folder/replication.pgpass"
  if [ "$(id -u)" = 0 ]; then chown liaison-pg "$folder/replication.pgpass"; fi

  standby_port=$(free_port)
  # -R writes standby.signal and primary_conninfo (naming the passfile, not the password); -S streams through the slot.
  "${as_owner[@]}" env PGPASSFILE="$folder/replication.pgpass" "$PG_BIN/pg_basebackup" \
    -h 127.0.0.1 -p "$port" -U liaison_replicator -w -D "$folder/standby" -R -S liaison_standby -X stream \
    --checkpoint=fast --no-sync >"$folder/basebackup.log" 2>&1 || { cat "$folder/basebackup.log" >&2; exit 1; }
  if grep -q "password=" "$folder/standby/postgresql.auto.conf"; then
    echo "pg_basebackup -R wrote a password into the standby's postgresql.auto.conf; refusing to go on." >&2
    exit 1
  fi
  standby_started=yes
  "${as_owner[@]}" "$PG_BIN/pg_ctl" -D "$folder/standby" -l "$folder/standby.log" -w -t 60 \
    -o "-p $standby_port -k $folder -c listen_addresses=127.0.0.1 -c synchronous_commit=on -c hot_standby=on" start \
    >/dev/null || { cat "$folder/standby.log" >&2; exit 1; }

  # Streaming once the primary's walsender for the slot says so (30 s at most).
  state=""
  for _ in $(seq 1 300); do
    state=$(PGPASSWORD="$(cat "$folder/password")" "$PG_BIN/psql" -X -A -t -h 127.0.0.1 -p "$port" -U liaison \
      -d liaison_test -c "SELECT r.state FROM pg_stat_replication r JOIN pg_replication_slots s ON s.active_pid = r.pid
                          WHERE s.slot_name = 'liaison_standby'" 2>/dev/null || true)
    [ "$state" = streaming ] && break
    sleep 0.1
  done
  if [ "$state" != streaming ]; then
    echo "The standby on 127.0.0.1:$standby_port was not streaming from the primary after 30 s (state '${state}'):" >&2
    tail -n 20 "$folder/standby.log" >&2
    exit 1
  fi

  # Synchronous: the primary's COMMIT waits until the standby has flushed the transaction's WAL, so what the broker
  # answered ACCEPTED survives the primary's loss (docs/operations.md, "A standby database"). Wait for sync_state.
  PGPASSWORD="$(cat "$folder/password")" "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U liaison \
    -d liaison_test -c "ALTER SYSTEM SET synchronous_standby_names = '*'" -c "SELECT pg_reload_conf()" >/dev/null
  sync=""
  for _ in $(seq 1 300); do
    sync=$(PGPASSWORD="$(cat "$folder/password")" "$PG_BIN/psql" -X -A -t -h 127.0.0.1 -p "$port" -U liaison \
      -d liaison_test -c "SELECT sync_state FROM pg_stat_replication" 2>/dev/null || true)
    [ "$sync" = sync ] && break
    sleep 0.1
  done
  if [ "$sync" != sync ]; then
    echo "The standby did not become synchronous after 30 s (sync_state '${sync}')." >&2
    exit 1
  fi

  # Losing the primary: the script may be run by root or by the clusters' owner; it works out which itself.
  cat >"$folder/failover.sh" <<FAILOVER
#!/usr/bin/env bash
# Simulates losing the primary: stops it at once (no shutdown checkpoint, as if its machine died) and promotes the
# standby on 127.0.0.1:$standby_port, then prints how long that took. Generated by scripts/postgres-cluster.sh.
set -euo pipefail
owner=\$(stat -c %U "$folder/data")
as_owner=()
if [ "\$(id -un)" != "\$owner" ]; then
  if [ "\$(id -u)" != 0 ]; then echo "Run this as root or as \$owner, who owns the clusters." >&2; exit 1; fi
  as_owner=(runuser -u "\$owner" --)
fi
now() { date +%s%N; }
began=\$(now)
"\${as_owner[@]}" "$PG_BIN/pg_ctl" -D "$folder/data" -m immediate -w stop >/dev/null
stopped=\$(now)
"\${as_owner[@]}" "$PG_BIN/pg_ctl" -D "$folder/standby" -w -t 60 promote >/dev/null
promoted=\$(now)
ms() { echo "\$(( (\$2 - \$1) / 1000000 ))"; }
echo "Failover: primary on 127.0.0.1:$port stopped (immediate) in \$(ms \$began \$stopped) ms; standby on 127.0.0.1:$standby_port promoted in \$(ms \$stopped \$promoted) ms; \$(ms \$began \$promoted) ms in all"
FAILOVER
  chmod 755 "$folder/failover.sh"
  export LIAISON_TEST_POSTGRES_STANDBY_URL="postgresql://liaison@127.0.0.1:$standby_port/liaison_test?sslmode=disable&password_file=$folder/password"
  export LIAISON_TEST_POSTGRES_FAILOVER="$folder/failover.sh"
fi

echo "PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$port (throwaway cluster in $folder)"
if [ -n "$with_standby" ]; then
  echo "Standby streaming from it through slot liaison_standby on 127.0.0.1:$standby_port; failover script $folder/failover.sh"
fi
"$@"
