#!/usr/bin/env bash
# A backup and restore drill for the hub's store on PostgreSQL (issue 16, docs/operations.md), on a throwaway
# PostgreSQL 15 cluster that is removed afterwards.
#
# Given a liaison binary (make restore-drill passes the debug build's), it runs on the hub's real store:
#
#   1. a primary with WAL archiving (archive_mode=on, archive_command copying each finished WAL file to an archive
#      folder); a hub in a temporary folder (keys for the hub and two agencies, npas and yot; hub.yaml with store:
#      naming the primary) and its broker started (liaison broker), which creates the store's schema;
#   2. messages sent both ways between the two agencies (liaison send, synthetic bodies {"n":N});
#   3. a base backup with pg_basebackup while the broker runs, checked with pg_verifybackup;
#   4. more messages after the backup, so that the restore replays the WAL of the broker's own commits; the broker
#      stopped (SIGTERM: it signs a last checkpoint), then the cut: `liaison audit verify --store` must say OK, and the
#      tree size and root (audit proof's JSON, which must agree with verify's), the messages' count and an md5 over
#      them are noted with the time on the primary;
#   5. the broker started again and more messages sent after the cut, then stopped; verify again (the end);
#   6. the WAL switched, the script waits until it is archived; the primary stopped at once (pg_ctl -m immediate);
#   7. a point-in-time restore: the base backup copied to a new folder, recovery.signal, restore_command from the
#      archive, recovery_target_time = the cut; started on a new port and waited for until promoted. On it
#      `liaison audit verify --store` must say OK with the cut's tree size and root, and audit proof (through a
#      hub.yaml naming the restored cluster) the same; the messages the same as at the cut, none sent after it;
#   8. a restore to the end of the archive (recovery_target_timeline latest, no target): verify OK, the end's size
#      and root, every message.
#
# Without an argument it runs the same backup and restore on plain SQL tables standing in for the hub's (messages and
# audit entries, synthetic rows), each restore checked by row counts and an md5 over every row.
#
# Each step prints its duration; the drill ends with PASS, or FAIL and a non-zero exit.
#
#   scripts/postgres-restore-drill.sh .build/debug/liaison      (make restore-drill)
#   DRILL_MESSAGES=100 DRILL_MESSAGES_AFTER=200 DRILL_MESSAGES_LATE=50 scripts/postgres-restore-drill.sh LIAISON
#   scripts/postgres-restore-drill.sh                           (plain SQL tables)
#   DRILL_ROWS=100000 DRILL_ROWS_AFTER=50000 scripts/postgres-restore-drill.sh
#
# Run as root, the clusters belong to the system user `liaison-pg` (PostgreSQL refuses root), as in
# scripts/postgres-cluster.sh.
set -euo pipefail

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
ROWS_BEFORE=${DRILL_ROWS:-100000}         # written before the base backup
ROWS_AFTER=${DRILL_ROWS_AFTER:-50000}     # written after the backup, before the cut (in 50 transactions)
ROWS_LATE=1000                            # written after the cut: absent from the point-in-time restore
LIAISON=${1:-}                            # a liaison binary: the drill runs on the hub's own store
MESSAGES_BEFORE=${DRILL_MESSAGES:-100}          # sent before the base backup
MESSAGES_AFTER=${DRILL_MESSAGES_AFTER:-200}     # sent after the backup, before the cut
MESSAGES_LATE=${DRILL_MESSAGES_LATE:-50}        # sent after the cut: absent from the point-in-time restore
if [ -n "$LIAISON" ]; then
  if [ ! -x "$LIAISON" ]; then
    echo "$LIAISON is not an executable liaison binary: build it (swift build --product liaison) and give its path." >&2
    exit 1
  fi
  LIAISON=$(cd "$(dirname "$LIAISON")" && pwd)/$(basename "$LIAISON")
fi
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
broker_pid=""     # the hub's broker, when one runs
current_step=""
verdict=""
cleanup() {
  status=$?
  if [ -n "$broker_pid" ]; then
    kill -TERM "$broker_pid" 2>/dev/null || true
    wait "$broker_pid" 2>/dev/null || true
  fi
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
  [ -n "$LIAISON" ] && return 0   # the broker creates the hub's schema itself
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

# --- The hub's own store (given a liaison binary) ---

store_url() { echo "postgresql://liaison@127.0.0.1:$1/drill?sslmode=disable&password_file=$folder/password"; }

make_hub() {
  mkdir "$folder/hub"
  for name in hub npas yot; do "$LIAISON" keys generate --agency "$name" --out "$folder/hub/keys" >/dev/null; done
  printf 'agencies:\n  npas:\n    name: Drill agency npas\n    public_key_file: keys/npas.pub\n  yot:\n    name: Drill agency yot\n    public_key_file: keys/yot.pub\n' \
    >"$folder/hub/agencies.yaml"
  hub_config "$folder/hub/hub.yaml" "$primary_port"
}

hub_config() { # FILE PORT: a hub.yaml whose store is the cluster on PORT
  printf 'endpoint: ipc://hub.ipc\ndata_dir: data\nkeys_dir: keys\nagencies_file: agencies.yaml\nstore: "%s"\n' \
    "$(store_url "$2")" >"$1"
}

start_broker() {
  local log="$folder/hub/broker-$1.log"
  "$LIAISON" broker --config "$folder/hub/hub.yaml" >"$log" 2>&1 &
  broker_pid=$!
  for _ in $(seq 1 300); do
    grep -q "Broker running" "$log" && return 0
    if ! kill -0 "$broker_pid" 2>/dev/null; then
      echo "The broker stopped as it started; its log:" >&2
      tail -n 20 "$log" >&2
      exit 1
    fi
    sleep 0.1
  done
  echo "The broker was not running after 30 s; its log:" >&2
  tail -n 20 "$log" >&2
  exit 1
}

stop_broker() { # SIGTERM, and it must stop cleanly (exit 0)
  local pid=$broker_pid status=0
  kill -TERM "$pid"
  wait "$pid" || status=$?
  broker_pid=""
  if [ "$status" != 0 ]; then
    echo "The broker exited $status on SIGTERM; see $folder/hub/broker-*.log" >&2
    exit 1
  fi
}

send_messages() { # FROM COUNT: messages FROM.., half yot to npas, half npas to yot, the two agencies at once
  local from=$1 count=$2 pids=() pid failed=0
  local half=$(( count / 2 ))
  send_loop yot npas "$from" "$half" & pids+=($!)
  send_loop npas yot $(( from + half )) $(( count - half )) & pids+=($!)
  for pid in "${pids[@]}"; do wait "$pid" || failed=1; done
  [ "$failed" = 0 ] || { echo "liaison send failed; see $folder/hub/send.log" >&2; exit 1; }
}

send_loop() { # AS TO FROM COUNT
  local n
  for (( n = $3; n < $3 + $4; n++ )); do
    printf '{"n":%d}' "$n" | "$LIAISON" send --config "$folder/hub/hub.yaml" --as "$1" --to "$2" \
      --type drill.message --file - >>"$folder/hub/send.log" 2>&1
  done
}

# The hub's messages: their count and an md5 over each one's sequence, sender, id, type and body hash.
MESSAGES_FINGERPRINT="SELECT count(*) || ' messages, md5 ' || coalesce(md5(string_agg(sequence || ':' || source || ':'
  || message_id || ':' || type || ':' || body_sha256, ',' ORDER BY sequence)), '-') FROM liaison.messages"

tree_of() { # CONFIG PORT: sets tree ("SIZE ROOT" from audit verify --store; audit proof must agree) and messages
  local verified proof proven
  verified=$("$LIAISON" audit verify --config "$1" --store "$(store_url "$2")" 2>&1) \
    || { echo "liaison audit verify failed on the cluster on port $2:" >&2; echo "$verified" >&2; exit 1; }
  echo "$verified" | sed 's/^/  verify: /'
  tree=$(echo "$verified" | sed -n 's/^OK: \([0-9]*\) entries, tree root \([0-9a-f]*\).*/\1 \2/p')
  [ -n "$tree" ] || { echo "audit verify said OK but named no size and root: $verified" >&2; exit 1; }
  proof=$("$LIAISON" audit proof --config "$1" --entry 1)
  proven=$(echo "$proof" | python3 -c 'import json, sys; p = json.load(sys.stdin); print(p["tree_size"], p["root"])')
  check "audit proof's tree size and root agree with audit verify's" "$tree" "$proven"
  messages=$(sql "$2" "$MESSAGES_FINGERPRINT")
}

hub_cut() {
  tree_of "$folder/hub/hub.yaml" "$primary_port"
  cut_tree=$tree cut_messages=$messages
  cut_last_sequence=$(sql "$primary_port" "SELECT coalesce(max(sequence), 0) FROM liaison.messages")
  cut_time=$(sql "$primary_port" "SELECT clock_timestamp()")
  sleep 0.5   # every commit after this is clearly later than the cut
}

hub_end() {
  tree_of "$folder/hub/hub.yaml" "$primary_port"
  end_tree=$tree end_messages=$messages
}

check_restored() { # NAME: audit verify and proof on the restored cluster, then stopped
  hub_config "$folder/hub/$1.yaml" "$restore_port"
  tree_of "$folder/hub/$1.yaml" "$restore_port"
  restored_tree=$tree restored_messages=$messages
  late=$(sql "$restore_port" "SELECT count(*) FROM liaison.messages WHERE sequence > $cut_last_sequence")
  "${as_owner[@]}" "$PG_BIN/pg_ctl" -D "$folder/$1" -m fast -w stop >/dev/null
  running=()
}

hub_drill() {
  echo "Restore drill on the hub's store: PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}'), $LIAISON, $MESSAGES_BEFORE messages before the backup, $MESSAGES_AFTER after it, $MESSAGES_LATE after the cut ($folder)"
  step "Make the primary (initdb, archive_mode=on)" make_primary
  step "Make the hub (keys for hub, npas, yot; store: the primary)" make_hub
  step "Start the broker (creates the store's schema)" start_broker 1
  step "Send $MESSAGES_BEFORE messages (liaison send, yot and npas at once)" send_messages 1 "$MESSAGES_BEFORE"
  step "Base backup (pg_basebackup -X stream, fast checkpoint)" base_backup
  echo "  backup: $(du -sh "$folder/backup" | cut -f1)"
  step "Verify the backup (pg_verifybackup)" verify_backup
  step "Send $MESSAGES_AFTER more after the backup" send_messages $(( MESSAGES_BEFORE + 1 )) "$MESSAGES_AFTER"
  step "Stop the broker (SIGTERM)" stop_broker
  step "The cut: audit verify, tree size and root, messages, time" hub_cut
  echo "  cut at $cut_time: tree size and root $cut_tree; $cut_messages"
  step "Start the broker again" start_broker 2
  step "Send $MESSAGES_LATE more after the cut" send_messages $(( MESSAGES_BEFORE + MESSAGES_AFTER + 1 )) "$MESSAGES_LATE"
  step "Stop the broker (SIGTERM)" stop_broker
  step "The end: audit verify, tree size and root, messages" hub_end
  echo "  end: tree size and root $end_tree; $end_messages"
  step "Switch WAL and wait until it is archived" archive_wal
  echo "  archive: $(find "$folder/archive" -type f | wc -l) files, $(du -sh "$folder/archive" | cut -f1)"
  step "Lose the primary (pg_ctl -m immediate stop)" lose_primary

  step "Point in time: copy the base backup" copy_backup pitr
  step "Point in time: replay the archive to the cut, promote" replay pitr \
    "recovery_target_time = '$cut_time'" "recovery_target_action = 'promote'"
  step "Point in time: audit verify, tree size and root, messages" check_restored pitr
  check "the tree's size and root at the cut" "$cut_tree" "$restored_tree"
  check "the messages at the cut (count and md5)" "$cut_messages" "$restored_messages"
  check "messages sent after the cut" 0 "$late"

  step "Latest: copy the base backup" copy_backup latest
  step "Latest: replay the whole archive, promote" replay latest
  step "Latest: audit verify, tree size and root, messages" check_restored latest
  check "the tree's size and root at the end" "$end_tree" "$restored_tree"
  check "every message (count and md5)" "$end_messages" "$restored_messages"
  check "messages sent after the cut" "$MESSAGES_LATE" "$late"
  if [ "${cut_tree%% *}" -ge "${end_tree%% *}" ]; then
    echo "  MISMATCH: the end's tree (${end_tree%% *} entries) is not larger than the cut's (${cut_tree%% *})"
    failures=$(( failures + 1 ))
  fi
}

# --- Plain SQL tables standing in for the hub's (no liaison binary given) ---

plain_drill() {
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
}

drill_began=$(now_ms)
if [ -n "$LIAISON" ]; then hub_drill; else plain_drill; fi

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
