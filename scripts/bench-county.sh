#!/usr/bin/env bash
# `make bench-county`: the whole county through the hub, as issue 12 measures it. Steps 1 to 4 of `make demo` (keys,
# a synthetic county, the broker and every adapter as processes of their own, the children-in-care list, every
# school's first half term dropped in the import's inbox at once), without the demo's two-year archive. Prints the time
# from the first attendance.return accepted to the last one acknowledged by the desk (from the audit log), each
# process's CPU, and a baseline from the same run: the same files read and checked by `liaison mis check` alone.
# A benchmark, not a test: it asserts nothing. All data synthetic.
#   bash scripts/bench-county.sh LIAISON [SCHOOLS] [PUPILS]
set -euo pipefail
LIAISON=$1
SCHOOLS=${2:-430}
PUPILS=${3:-120000}
ROOT=$(pwd)
OUT=$(mktemp -d "${TMPDIR:-/tmp}/liaison-bench-county.XXXXXX")
PIDS=()
finish() {
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$OUT"
}
trap finish EXIT

bash "$ROOT/scripts/county-hub.sh" "$LIAISON" "$ROOT" "$OUT"
CONFIG="$OUT/hub.yaml"
"$LIAISON" synth --schools "$SCHOOLS" --pupils "$PUPILS" --seed 2025 --academic-year 2025 --half-terms 1 --out "$OUT/county" > /dev/null
# As different MIS products would send them (and as make demo does): a CTF for most schools, the CSV for every fifth.
FILES=()
n=0
for file in "$OUT"/county/ctf/*-ht1.xml; do
  n=$((n + 1))
  if [ $((n % 5)) -eq 0 ]; then FILES+=("$OUT/county/csv/$(basename "$file" .xml).csv"); else FILES+=("$file"); fi
done
echo "Liaison county benchmark: $n schools, $PUPILS pupils, first half term ($(du -ch "${FILES[@]}" | tail -1 | cut -f1) of MIS files), $(nproc) cores"

# Baseline: the import's own reading and checking of the same files, in one process, nothing sent.
begin=$(date +%s.%N)
"$LIAISON" mis check --schools "$OUT/county/schools.csv" --format csv "${FILES[@]}" > /dev/null || true
baseline=$(awk -v begin="$begin" -v end="$(date +%s.%N)" 'BEGIN { print end - begin }')
printf 'baseline: liaison mis check on the same files: %.1f s\n' "$baseline"

cd "$OUT"
"$LIAISON" broker --config "$CONFIG" > "$OUT/broker.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 100); do grep -q "Broker running" "$OUT/broker.log" && break; sleep 0.1; done
A="$OUT/agencies"
"$LIAISON" adapter schools-mis --config "$CONFIG" --folder "$A/schools-mis" --schools "$OUT/county/schools.csv" > "$OUT/schools-mis.log" 2>&1 &
PIDS+=($!)
"$LIAISON" adapter npas-desk --config "$CONFIG" --folder "$A/npas" > "$OUT/npas-desk.log" 2>&1 &
PIDS+=($!)
"$LIAISON" adapter advisory-service --config "$CONFIG" --folder "$A/advisory-service" > "$OUT/advisory-service.log" 2>&1 &
PIDS+=($!)
for partner in social-services yot connexions; do
  "$LIAISON" adapter partner "$partner" --config "$CONFIG" --folder "$A/$partner" > "$OUT/$partner.log" 2>&1 &
  PIDS+=($!)
done
for log in schools-mis npas-desk advisory-service social-services yot connexions; do
  for _ in $(seq 1 100); do grep -q "Adapter running" "$OUT/$log.log" && break; sleep 0.1; done
done
# Social Services' children in care first, so that the desk's care alerts go out as in the demo.
mkdir -p "$A/social-services/inbox"
{ echo "upn"; awk -F, 'FNR > 1 && $9 == "true" { print $3 }' "$OUT"/county/csv/*-ht1.csv | sort -u | awk 'NR % 4 != 0'; } \
  > "$A/social-services/inbox/children-in-care.csv.part"
mv "$A/social-services/inbox/children-in-care.csv.part" "$A/social-services/inbox/children-in-care.csv"
for _ in $(seq 1 300); do [ -f "$A/social-services/outbox/replies/children-in-care.csv.reply.csv" ] && break; sleep 0.1; done

INBOX="$A/schools-mis/inbox"
# The clock the issue states starts here: the first file dropped (milliseconds since the epoch, as the audit log's `at`).
dropped=$(date +%s%3N)
for file in "${FILES[@]}"; do
  base=$(basename "$file")
  cp "$file" "$INBOX/$base.part" && mv "$INBOX/$base.part" "$INBOX/$base"
done
DB="$OUT/data/hub.sqlite"
# Python's sqlite3 module (python3 is among make deps' packages; the sqlite3 shell is not), read-only.
query() {
  python3 -c 'import sqlite3, sys
try:
    row = sqlite3.connect("file:" + sys.argv[1] + "?mode=ro", uri=True).execute(sys.argv[2]).fetchone()
    print(row[0] if row and row[0] is not None else 0)
except sqlite3.Error:
    print(0)' "$DB" "$1"
}
# One poller for the whole wait (a python3 started every half second took about 2.5 CPU-seconds from the processes
# being measured): every half second, up to 20 minutes, until the desk has acknowledged every return.
acknowledged=$(python3 -c 'import sqlite3, sys, time
count = 0
for _ in range(2400):
    try:
        db = sqlite3.connect("file:" + sys.argv[1] + "?mode=ro", uri=True)
        count = db.execute("SELECT count(*) FROM audit_log WHERE kind = ? AND type = ? AND recipient = ?",
                           ("acknowledged", "attendance.return", "npas")).fetchone()[0]
        db.close()
    except sqlite3.Error:
        pass
    if count >= int(sys.argv[2]):
        break
    time.sleep(0.5)
print(count)' "$DB" "$n")
hub=$(query "SELECT (MAX(CASE WHEN kind = 'acknowledged' THEN at END) - MIN(CASE WHEN kind = 'accepted' THEN at END)) / 1000.0 FROM audit_log WHERE type = 'attendance.return'")
printf 'the county through the hub: %d of %d returns acknowledged by the desk, %.1f s from the first accepted to the last acknowledged (%.1fx the baseline)\n' \
  "$acknowledged" "$n" "$hub" "$(awk -v hub="$hub" -v baseline="$baseline" 'BEGIN { print hub / baseline }')"
fromDrop=$(query "SELECT (MAX(at) - $dropped) / 1000.0 FROM audit_log WHERE kind = 'acknowledged' AND type = 'attendance.return'")
printf '  from the first file dropped to the last return acknowledged: %.1f s\n' "$fromDrop"
# Where the time went: when the import's last message was accepted, and when the desk acknowledged its last return.
t0="(SELECT MIN(at) FROM audit_log WHERE kind = 'accepted' AND type = 'attendance.return')"
echo "  timeline: the import's last return accepted at $(query "SELECT printf('%.1f', (MAX(at) - $t0) / 1000.0) FROM audit_log WHERE kind = 'accepted' AND type = 'attendance.return'") s, its last roll at $(query "SELECT printf('%.1f', (MAX(at) - $t0) / 1000.0) FROM audit_log WHERE kind = 'accepted' AND type = 'pupil.roll'") s; the desk's last share accepted at $(query "SELECT printf('%.1f', (MAX(at) - $t0) / 1000.0) FROM audit_log WHERE kind = 'accepted' AND type = 'connexions.notification'") s"
echo "  messages: $(query "SELECT group_concat(type || ' ' || n, ', ') FROM (SELECT type, count(*) AS n FROM audit_log WHERE kind = 'accepted' GROUP BY type ORDER BY n DESC)")"
roles=(broker schools-mis npas-desk advisory-service social-services yot connexions)
cpu=""
for index in "${!PIDS[@]}"; do
  cpu+="${roles[$index]} $(ps -o cputime= -p "${PIDS[$index]}" | tr -d ' '), "
done
echo "  CPU: ${cpu%, }"
