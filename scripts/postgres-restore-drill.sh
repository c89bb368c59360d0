#!/usr/bin/env bash
# A backup and restore drill for the hub's store on PostgreSQL (issue 16, docs/operations.md), on a throwaway
# PostgreSQL 15 cluster that is removed afterwards:
#
#   1. a primary with WAL archiving (archive_mode=on, archive_command copying each finished WAL file to an archive
#      folder) and rows standing in for the hub's (messages and audit entries; plain SQL, synthetic);
#   2. a base backup with pg_basebackup, checked with pg_verifybackup;
#   3. more rows after the backup, then the cut (a time noted on the primary, with the primary's row counts and an md5
#      over every row), then rows after the cut; the WAL is switched and the script waits until it is archived;
#   4. the primary is stopped at once (pg_ctl -m immediate), as if its machine were lost;
#   5. a point-in-time restore: the base backup copied to a new folder, recovery.signal, restore_command from the
#      archive, recovery_target_time = the cut; started on a new port and waited for until promoted. Every row
#      written before the cut must be there (counts and md5 equal to the primary's at the cut), none written after;
#   6. a restore to the end of the archive (recovery_target_timeline latest, no target): every row must be there.
#
# Each step prints its duration; the drill ends with PASS, or FAIL and a non-zero exit.
#
#   scripts/postgres-restore-drill.sh            (make restore-drill)
#   DRILL_ROWS=100000 DRILL_ROWS_AFTER=50000 scripts/postgres-restore-drill.sh
#
# Run as root, the clusters belong to the system user `liaison-pg` (PostgreSQL refuses root), as in
# scripts/postgres-cluster.sh.
set -euo pipefail

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
ROWS_BEFORE=${DRILL_ROWS:-100000}         # written before the base backup
ROWS_AFTER=${DRILL_ROWS_AFTER:-50000}     # written after the backup, before the cut (in 50 transactions)
ROWS_LATE=1000                            # written after the cut: absent from the point-in-time restore
for tool in initdb pg_ctl pg_basebackup pg_verifybackup psql; do
  if [ ! -x "$PG_BIN/$tool" ]; then
    echo "PostgreSQL 15's $tool is needed in $PG_BIN: apt-get install postgresql (make deps installs it)." >&2
    exit 1
  fi
done

as_owner=()
if [ "$(id -u)" = 0 ]; then
  if ! id liaison-pg >/dev/null 2>&1; then
    useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin liaison-pg
  fi
  as_owner=(runuser -u liaison-pg --)
fi

folder=$(mktemp -d "${TMPDIR:-/tmp}/liaison-restore-drill.XXXXXX")
running=()        # data folders with a server to stop on exit
current_step=""
verdict=""
cleanup() {
  status=$?
  for data in "${running[@]}"; do
    "${as_owner[@]}" "$PG_BIN/pg_ctl" -D "$data" -m fast -w stop >/dev/null 2>&1 \
      || "${as_owner[@]}" "$PG_BIN/pg_ctl" -D "$data" -m immediate -w stop >/dev/null 2>&1 || true
  done
  rm -rf "$folder"
  if [ -z "$verdict" ]; then
    echo "FAIL: the drill stopped at '$current_step' (exit $status)" >&2
    [ "$status" = 0 ] && status=1
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

head -c 24 /dev/urandom | base64 | tr -d '/+=\n' >"$folder/password"
chmod 600 "$folder/password"
printf '127.0.0.1:*:*:liaison:%s\n' "$(cat "$folder/password")" >"$folder/pgpass"
chmod 600 "$folder/pgpass"
mkdir "$folder/archive"
if [ "$(id -u)" = 0 ]; then chown -R liaison-pg "$folder"; fi
export PGPASSFILE="$folder/pgpass"

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
seconds() { printf '%d.%03d' $(( $1 / 1000 )) $(( $1 % 1000 )); }
sql() { # PORT SQL: one value per row, unaligned
  "$PG_BIN/psql" -X -A -t -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$1" -U liaison -d drill -c "$2"
}
summary=()
step() { # NAME FUNCTION [ARGS...]: runs it and prints how long it took
  current_step=$1
  local began ended
  began=$(now_ms)
  "${@:2}"
  ended=$(now_ms)
  printf '%-62s %8s s\n' "$1" "$(seconds $(( ended - began )))"
  summary+=("$(printf '%-62s %8s s' "$1" "$(seconds $(( ended - began )))")")
}
failures=0
check() { # WHAT EXPECTED ACTUAL
  if [ "$2" = "$3" ]; then
    echo "  ok: $1 ($3)"
  else
    echo "  MISMATCH: $1: expected $2, found $3"
    failures=$(( failures + 1 ))
  fi
}

# The rows' fingerprint: counts and an md5 over every column of every row, in order (bodies by their SHA-256).
FINGERPRINT="SELECT (SELECT count(*) FROM messages) || ' messages, ' || (SELECT count(*) FROM audit_log)
  || ' audit entries, md5 ' || md5(
    (SELECT string_agg(sequence || ':' || message_id || ':' || source || ':' || encode(sha256(body), 'hex') || ':'
       || extract(epoch FROM accepted_at), ',' ORDER BY sequence) FROM messages) || '|' ||
    (SELECT string_agg(entry || ':' || encode(leaf, 'hex'), ',' ORDER BY entry) FROM audit_log))"

insert_rows() { # PORT FROM TO: messages FROM..TO and an audit entry for each, in one transaction
  sql "$1" "BEGIN;
    INSERT INTO messages SELECT i, md5('drill message ' || i)::uuid, 'school-' || (i % 430),
      convert_to(repeat(md5(i::text), 16), 'UTF8'), clock_timestamp() FROM generate_series($2, $3) AS i;
    INSERT INTO audit_log SELECT sequence, sha256(body) FROM messages WHERE sequence BETWEEN $2 AND $3;
    COMMIT;"
}

start_server() { # DATA PORT LOG [SETTINGS...]
  local data=$1 port=$2 log=$3
  shift 3
  running+=("$data")
  "${as_owner[@]}" "$PG_BIN/pg_ctl" -D "$data" -l "$log" -w -t 120 \
    -o "-p $port -k $folder -c listen_addresses=127.0.0.1 $*" start >/dev/null || { tail -n 30 "$log" >&2; exit 1; }
}

make_primary() {
  primary_port=$(free_port)
  "${as_owner[@]}" "$PG_BIN/initdb" -D "$folder/primary" -U liaison --pwfile="$folder/password" \
    --auth=scram-sha-256 --encoding=UTF8 --locale=C >"$folder/initdb.log" 2>&1 || { cat "$folder/initdb.log" >&2; exit 1; }
  # archive_command must not overwrite a file already archived, and must fail (non-zero) if the copy fails, so that
  # PostgreSQL keeps the WAL file and retries.
  start_server "$folder/primary" "$primary_port" "$folder/primary.log" \
    -c wal_level=replica -c archive_mode=on \
    -c "archive_command='test ! -f $folder/archive/%f && cp %p $folder/archive/%f'"
  "$PG_BIN/createdb" -h 127.0.0.1 -p "$primary_port" -U liaison drill
  sql "$primary_port" "CREATE TABLE messages (sequence bigint PRIMARY KEY, message_id uuid NOT NULL,
      source text NOT NULL, body bytea NOT NULL, accepted_at timestamptz NOT NULL);
    CREATE TABLE audit_log (entry bigint PRIMARY KEY, leaf bytea NOT NULL);"
}

write_before_backup() { insert_rows "$primary_port" 1 "$ROWS_BEFORE"; }

base_backup() {
  "${as_owner[@]}" env PGPASSFILE="$PGPASSFILE" "$PG_BIN/pg_basebackup" -h 127.0.0.1 -p "$primary_port" -U liaison -w \
    -D "$folder/backup" -X stream --checkpoint=fast >"$folder/basebackup.log" 2>&1 \
    || { cat "$folder/basebackup.log" >&2; exit 1; }
}

verify_backup() {
  "${as_owner[@]}" "$PG_BIN/pg_verifybackup" -q "$folder/backup" >"$folder/verifybackup.log" 2>&1 \
    || { cat "$folder/verifybackup.log" >&2; exit 1; }
}

write_after_backup() {
  local batch=$(( (ROWS_AFTER + 49) / 50 )) from=$(( ROWS_BEFORE + 1 )) last=$(( ROWS_BEFORE + ROWS_AFTER ))
  while [ "$from" -le "$last" ]; do
    local to=$(( from + batch - 1 ))
    [ "$to" -gt "$last" ] && to=$last
    insert_rows "$primary_port" "$from" "$to"
    from=$(( to + 1 ))
  done
}

the_cut() {
  cut_fingerprint=$(sql "$primary_port" "$FINGERPRINT")
  cut_time=$(sql "$primary_port" "SELECT clock_timestamp()")
  sleep 0.5   # every commit after this is clearly later than the cut
}

write_after_cut() {
  insert_rows "$primary_port" $(( ROWS_BEFORE + ROWS_AFTER + 1 )) $(( ROWS_BEFORE + ROWS_AFTER + ROWS_LATE ))
}

the_end() { all_fingerprint=$(sql "$primary_port" "$FINGERPRINT"); }

archive_wal() {
  local segment archived=""
  segment=$(sql "$primary_port" "SELECT pg_walfile_name(pg_switch_wal())")
  for _ in $(seq 1 600); do
    archived=$(sql "$primary_port" "SELECT coalesce(last_archived_wal, '') FROM pg_stat_archiver")
    if [ -n "$archived" ] && [[ ! "$archived" < "$segment" ]]; then return 0; fi
    sleep 0.1
  done
  echo "WAL file $segment was not archived within 60 s (last archived: '$archived'); see $folder/primary.log" >&2
  exit 1
}

lose_primary() {
  "${as_owner[@]}" "$PG_BIN/pg_ctl" -D "$folder/primary" -m immediate -w stop >/dev/null
  running=()
}

copy_backup() { # NAME
  "${as_owner[@]}" cp -a "$folder/backup" "$folder/$1"
}

replay() { # NAME [RECOVERY SETTINGS...]: recovery.signal, restore_command from the archive, started, promoted
  local name=$1 state=""
  shift
  "${as_owner[@]}" touch "$folder/$name/recovery.signal"
  {
    echo "restore_command = 'cp $folder/archive/%f \"%p\"'"
    echo "recovery_target_timeline = 'latest'"
    for setting in "$@"; do echo "$setting"; done
  } | "${as_owner[@]}" tee -a "$folder/$name/postgresql.auto.conf" >/dev/null
  restore_port=$(free_port)
  # The restored cluster does not archive: the drill's archive stays the primary's alone.
  start_server "$folder/$name" "$restore_port" "$folder/$name.log" -c archive_mode=off
  for _ in $(seq 1 1200); do
    state=$(sql "$restore_port" "SELECT pg_is_in_recovery()" 2>/dev/null || true)
    [ "$state" = f ] && return 0
    sleep 0.1
  done
  echo "The restored cluster $name was still in recovery after 120 s; see its log:" >&2
  tail -n 20 "$folder/$name.log" >&2
  exit 1
}

drill_began=$(now_ms)
echo "Restore drill: PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}'), $ROWS_BEFORE rows before the backup, $ROWS_AFTER after it, $ROWS_LATE after the cut ($folder)"
step "Make the primary (initdb, archive_mode=on)" make_primary
step "Write $ROWS_BEFORE messages and audit entries" write_before_backup
step "Base backup (pg_basebackup -X stream, fast checkpoint)" base_backup
echo "  backup: $(du -sh "$folder/backup" | cut -f1)"
step "Verify the backup (pg_verifybackup)" verify_backup
step "Write $ROWS_AFTER more after the backup (50 transactions)" write_after_backup
step "The cut: note the time, count and md5 the primary's rows" the_cut
echo "  cut at $cut_time: $cut_fingerprint"
step "Write $ROWS_LATE more after the cut" write_after_cut
step "The end: count and md5 all the primary's rows" the_end
step "Switch WAL and wait until it is archived" archive_wal
echo "  archive: $(find "$folder/archive" -type f | wc -l) files, $(du -sh "$folder/archive" | cut -f1)"
step "Lose the primary (pg_ctl -m immediate stop)" lose_primary

check_pitr() {
  pitr_fingerprint=$(sql "$restore_port" "$FINGERPRINT")
  late=$(sql "$restore_port" "SELECT count(*) FROM messages WHERE sequence > $(( ROWS_BEFORE + ROWS_AFTER ))")
  "${as_owner[@]}" "$PG_BIN/pg_ctl" -D "$folder/pitr" -m fast -w stop >/dev/null
  running=()
}
check_latest() { latest_fingerprint=$(sql "$restore_port" "$FINGERPRINT"); }

step "Point in time: copy the base backup" copy_backup pitr
step "Point in time: replay the archive to the cut, promote" replay pitr \
  "recovery_target_time = '$cut_time'" "recovery_target_action = 'promote'"
step "Point in time: count and md5 the restored rows" check_pitr
check "every row written before the cut, and nothing else" "$cut_fingerprint" "$pitr_fingerprint"
check "rows written after the cut" 0 "$late"

step "Latest: copy the base backup" copy_backup latest
step "Latest: replay the whole archive, promote" replay latest
step "Latest: count and md5 the restored rows" check_latest
check "every row the primary had" "$all_fingerprint" "$latest_fingerprint"

echo
echo "Summary ($(date -u +%Y-%m-%d), $(nproc) cores, PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}')):"
printf '  %s\n' "${summary[@]}"
printf '  %-62s %8s s\n' "The whole drill" "$(seconds $(( $(now_ms) - drill_began )))"
if [ "$failures" -eq 0 ]; then
  verdict=PASS
  echo "PASS"
else
  verdict=FAIL
  echo "FAIL: $failures check(s) failed"
  exit 1
fi
