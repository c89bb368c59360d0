#!/usr/bin/env bash
# `make demo`: the hub's main job on a synthetic county, then a tour of the partner exchanges.
# Everything it writes goes under demo-output/. All data is synthetic: no real child anywhere.
#   DEMO_SCHOOLS=430 DEMO_PUPILS=120000 make demo    # the full county
set -euo pipefail
LIAISON=${1:-.build/debug/liaison}
SCHOOLS=${DEMO_SCHOOLS:-24}
PUPILS=${DEMO_PUPILS:-6000}
SEED=${DEMO_SEED:-2025}
YEAR=2025
ROOT=$(pwd)
OUT="$ROOT/demo-output"
rm -rf "$OUT"
mkdir -p "$OUT/keys" "$OUT/bodies" "$OUT/received" "$OUT/logs"

say()  { printf '\n\033[1m== %s\033[0m\n' "$*"; }
step() { printf '   %s\n' "$*"; }
count() { find "$1" -maxdepth 1 -type f ! -name '*.txt' ! -name '*.part' 2>/dev/null | wc -l; }
PIDS=()
stop_all() { for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done; for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done; PIDS=(); }
trap stop_all EXIT

say "1. Keys: the hub and each agency get a CURVE keypair; the configuration is checked"
# The demo runs on its own copy of the configuration: the same agencies, schemas and agreements, with
# its own endpoint, keys and data folder.
bash "$ROOT/scripts/county-hub.sh" "$LIAISON" "$ROOT" "$OUT"
step "wrote $(ls "$OUT/keys" | wc -l) key files to demo-output/keys (secret keys are mode 0600)"
CONFIG="$OUT/hub.yaml"
EXAMPLES="$ROOT/schemas/examples"
"$LIAISON" config check --config "$CONFIG" | sed 's/^/   /'
"$LIAISON" rules check --config "$CONFIG" | sed 's/^/   /'
"$LIAISON" report check | sed 's/^/   /'

say "2. A synthetic county: $SCHOOLS schools, $PUPILS pupils, two half terms of registers (seed $SEED)"
"$LIAISON" synth --schools "$SCHOOLS" --pupils "$PUPILS" --seed "$SEED" --academic-year $YEAR --half-terms 2 --out "$OUT/county" | sed 's/^/   /'
step "each school's MIS exports: demo-output/county/ctf/*.xml (Common Transfer Files) and county/csv/*.csv"
for PAST in $((YEAR - 2)) $((YEAR - 1)); do
  "$LIAISON" synth --schools "$SCHOOLS" --pupils "$PUPILS" --seed "$SEED" --academic-year $PAST --roster-year $YEAR --half-terms 6 \
    --formats csv --out "$OUT/county-$PAST" > /dev/null
done
step "and the two years before, the same children a year and two younger: demo-output/county-$((YEAR - 2)), county-$((YEAR - 1)) (for the reports' trends)"

INBOX="$OUT/agencies/schools-mis/inbox"
AGENCIES="$OUT/agencies"
wait_for_inbox() {
  local last="" shown=$SECONDS
  for _ in $(seq 1 4800); do
    left=$(( $(count "$INBOX") + $(count "$AGENCIES/schools-mis/processing") ))
    done_=$(count "$AGENCIES/schools-mis/processed"); failed=$(count "$AGENCIES/schools-mis/failed")
    line=$(printf 'importing: %d processed, %d failed, %d to go' "$done_" "$failed" "$left")
    if [ -t 1 ]; then
      [ "$line" != "$last" ] && printf '\r   %s   ' "$line"
    elif [ "$line" != "$last" ] && { [ "$left" -eq 0 ] || [ $((SECONDS - shown)) -ge 5 ]; }; then
      printf '   %s\n' "$line"; shown=$SECONDS  # a log gets a line every 5 seconds, not one per file
    fi
    last=$line
    [ "$left" -eq 0 ] && break
    sleep 0.25
  done
  [ -t 1 ] && printf '\n'
  return 0
}
# The desk finds children by name on the schools' rolls: let it take in every roll first.
wait_for_desk() {
  for _ in $(seq 1 1200); do
    held=$("$LIAISON" desk returns --folder "$AGENCIES/npas" 2>/dev/null | grep " ${2:-$YEAR/$(((YEAR + 1) % 100))} " | grep "with roll" | grep -vc " to 20" || true)
    [ "$held" -ge "$1" ] && break
    sleep 0.25
  done
}

say "3. The broker and every adapter start, each its own process with its own key"
"$LIAISON" broker --config "$CONFIG" > "$OUT/logs/broker.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 100); do grep -q "Broker running" "$OUT/logs/broker.log" && break; sleep 0.1; done
step "broker running (pid ${PIDS[0]}), log in demo-output/logs/broker.log"
AGENCIES="$OUT/agencies"
"$LIAISON" adapter schools-mis --config "$CONFIG" --folder "$AGENCIES/schools-mis" --schools "$OUT/county/schools.csv" \
  > "$OUT/logs/schools-mis.log" 2>&1 &
PIDS+=($!)
"$LIAISON" adapter npas-desk --config "$CONFIG" --folder "$AGENCIES/npas" > "$OUT/logs/npas-desk.log" 2>&1 &
PIDS+=($!)
"$LIAISON" adapter advisory-service --config "$CONFIG" --folder "$AGENCIES/advisory-service" > "$OUT/logs/advisory-service.log" 2>&1 &
PIDS+=($!)
for partner in social-services yot connexions; do
  "$LIAISON" adapter partner $partner --config "$CONFIG" --folder "$AGENCIES/$partner" > "$OUT/logs/$partner.log" 2>&1 &
  PIDS+=($!)
done
for log in schools-mis npas-desk advisory-service social-services yot connexions; do
  for _ in $(seq 1 100); do grep -q "Adapter running" "$OUT/logs/$log.log" && break; sleep 0.1; done
  step "$log adapter running, log in demo-output/logs/$log.log"
done

step "the desk's archive: the schools' returns for $((YEAR - 2))/$((YEAR - 1 - 2000)) and $((YEAR - 1))/$((YEAR - 2000)) pass through the hub first (CSV register exports, 12 per school)"
for file in "$OUT"/county-$((YEAR - 2))/csv/*.csv "$OUT"/county-$((YEAR - 1))/csv/*.csv; do
  base=$(basename "$file"); cp "$file" "$INBOX/$base.part" && mv "$INBOX/$base.part" "$INBOX/$base"
done
wait_for_inbox
wait_for_desk "$(ls "$OUT"/county-$((YEAR - 1))/csv/*.csv | wc -l)" "$((YEAR - 1))/$((YEAR % 100))"
step "Social Services send their list of children in care (most of the county's looked-after children):"
mkdir -p "$AGENCIES/social-services/inbox"
{ echo "upn"; awk -F, 'FNR > 1 && $9 == "true" { print $3 }' "$OUT"/county/csv/*-ht1.csv | sort -u | awk 'NR % 4 != 0'; } \
  > "$AGENCIES/social-services/inbox/children-in-care.csv.part"
mv "$AGENCIES/social-services/inbox/children-in-care.csv.part" "$AGENCIES/social-services/inbox/children-in-care.csv"
for _ in $(seq 1 100); do [ -f "$AGENCIES/social-services/outbox/replies/children-in-care.csv.reply.csv" ] && break; sleep 0.1; done
sed -n 2p "$AGENCIES/social-services/outbox/replies/children-in-care.csv.reply.csv" | cut -c1-150 | sed 's/^/     /'
# Two young people at risk (absent 10% or more in the first half term, aged 13+) who told Connexions they want no contact.
python3 - "$OUT/county/csv" "$ROOT/Sources/AttendanceDomain/Resources/attendance-codes.csv" > "$OUT/bodies/opt-outs.csv" <<'PY'
import csv, collections, datetime, glob, sys
category = {row["code"]: row["category"] for row in csv.DictReader(open(sys.argv[2]))}
possible, absent, born = collections.Counter(), collections.Counter(), {}
for path in sorted(glob.glob(sys.argv[1] + "/*4???-*-ht1.csv")):
    for row in csv.DictReader(open(path)):
        kind = category.get(row["code"])
        if kind in ("present", "aea", "authorised", "unauthorised"): possible[row["upn"]] += 1
        if kind in ("authorised", "unauthorised"): absent[row["upn"]] += 1
        born[row["upn"]] = row["dob"]
today = datetime.date.today()
def age(dob): d = datetime.date.fromisoformat(dob); return today.year - d.year - ((today.month, today.day) < (d.month, d.day))
print("upn")
print("\n".join(sorted(u for u in possible if absent[u] * 10 >= possible[u] and age(born[u]) >= 13)[:2]))
PY
step "Connexions send the young people who opted out of contact ($(($(wc -l < "$OUT/bodies/opt-outs.csv") - 1)) of them):"
cp "$OUT/bodies/opt-outs.csv" "$AGENCIES/connexions/inbox/opt-outs.csv.part" && mv "$AGENCIES/connexions/inbox/opt-outs.csv.part" "$AGENCIES/connexions/inbox/opt-outs.csv"
for _ in $(seq 1 100); do [ -f "$AGENCIES/connexions/outbox/replies/opt-outs.csv.reply.csv" ] && break; sleep 0.1; done
sed -n 2p "$AGENCIES/connexions/outbox/replies/opt-outs.csv.reply.csv" | cut -c1-150 | sed 's/^/     /'

say "4. Half term: every school's MIS export lands in the import's inbox (and a few files that are wrong)"
# CTF for most schools, the CSV register export for every fifth, as different MIS products would send.
n=0
for file in "$OUT"/county/ctf/*-ht1.xml; do
  n=$((n + 1)); base=$(basename "$file" .xml)
  if [ $((n % 5)) -eq 0 ]; then cp "$OUT/county/csv/$base.csv" "$INBOX/$base.csv.part" && mv "$INBOX/$base.csv.part" "$INBOX/$base.csv"
  else cp "$file" "$INBOX/$base.xml.part" && mv "$INBOX/$base.xml.part" "$INBOX/$base.xml"; fi
done
# (globs, not `ls | head`: with pipefail, ls killed by SIGPIPE on a large county would stop the demo)
firsts=("$OUT"/county/ctf/*-ht1.xml); first=${firsts[0]}
head -c 3000 "$first" > "$INBOX/truncated-export.xml"                                   # cut off mid-file
estab=$(basename "$first" | cut -c4-7)
sed "s/<Estab>$estab<\/Estab>/<Estab>9999<\/Estab>/g" "$first" > "$INBOX/unknown-school.xml"          # not a county school
sed '0,/<UPN>\([A-Z]\)/s//<UPN>X/' "$first" | sed 's/-2025-ht1/-2025-ht1-resent/' > "$INBOX/bad-check-letter.xml"  # one pupil's UPN mistyped
cp "$EXAMPLES/referral/valid-1.json" "$INBOX/referral-$(date +%Y%m%d)-1.json"
step "$((n + 4)) files dropped in demo-output/agencies/schools-mis/inbox: $n schools' exports, 3 faulty files and a referral"
wait_for_inbox
wait_for_desk "$n"

step "the Youth Offending Team sends its caseload: two children by UPN, one by name and date of birth only, one it has wrong"
python3 - "$OUT/county/csv" > "$AGENCIES/yot/inbox/caseload.csv.part" <<'PY'
import csv, glob, sys
rows = list(csv.DictReader(open(sorted(glob.glob(sys.argv[1] + "/*4???-*-ht1.csv"))[0])))
older = sorted({r["upn"]: r for r in rows if r["year_group"] in ("10", "11")}.values(), key=lambda r: r["upn"])
a, b, c = older[0], older[7], older[14]
print("upn,forename,surname,date_of_birth,case_reference")
print(f"{a['upn']},{a['forename']},{a['surname']},{a['dob']},YOT-2025-0101")
print(f"{b['upn']},{b['forename']},{b['surname']},{b['dob']},YOT-2025-0102")
print(f",{c['forename'].upper()},{c['surname'].upper()},{c['dob']},YOT-2025-0103")
print(",Nobody,Synthetic,2010-02-03,YOT-2025-0104")
PY
mv "$AGENCIES/yot/inbox/caseload.csv.part" "$AGENCIES/yot/inbox/caseload.csv"
for _ in $(seq 1 600); do [ -f "$AGENCIES/yot/outbox/replies/caseload.csv.reply.csv" ] && break; sleep 0.1; done
sed 1d "$AGENCIES/yot/outbox/replies/caseload.csv.reply.csv" | cut -c1-150 | sed 's/^/     /'

say "5. Second half term: the autumn term's other half arrives"
# One school's MIS exports its register every day: its first week arrives as a register to date, so the desk
# alerts Social Services to a looked-after child's absence that week without waiting for half term.
dailies=("$OUT"/county/csv/*-ht2.csv); DAILY=${dailies[0]}
WEEK=$(awk -F, 'FNR > 1 { print $12 }' "$DAILY" | sort -u | sed -n 5p)
awk -F, -v last="$WEEK" 'FNR == 1 || $12 <= last' "$DAILY" > "$INBOX/$(basename "$DAILY" .csv)-to-$WEEK.csv.part"
mv "$INBOX/$(basename "$DAILY" .csv)-to-$WEEK.csv.part" "$INBOX/$(basename "$DAILY" .csv)-to-$WEEK.csv"
wait_for_inbox
for _ in $(seq 1 100); do "$LIAISON" desk returns --folder "$AGENCIES/npas" | grep -q "to $WEEK" && break; sleep 0.1; done
step "a school's daily export, its register to $WEEK, reaches the desk as a return to date:"
"$LIAISON" desk returns --folder "$AGENCIES/npas" | grep "to $WEEK" | sed 's/^/     /'
for file in "$OUT"/county/ctf/*-ht2.xml; do base=$(basename "$file" .xml); cp "$file" "$INBOX/$base.xml.part" && mv "$INBOX/$base.xml.part" "$INBOX/$base.xml"; done
wait_for_inbox
RETURNS=$(( $(ls "$OUT"/county/ctf/*.xml | wc -l) ))
wait_for_desk "$RETURNS"
step "the desk holds $held of $RETURNS returns, each with its school's roll"

say "6. Term end: the attendance service sends the Advisory Service its termly feed (school-level only)"
"$LIAISON" desk term-end --config "$CONFIG" --folder "$AGENCIES/npas" --year $YEAR --term autumn \
  --schools "$OUT/county/schools.csv" --log-level warning | sed 's/^/   /'
for _ in $(seq 1 100); do [ -f "$AGENCIES/advisory-service/outbox/$YEAR-autumn.csv" ] && break; sleep 0.1; done
step "the Advisory Service's outbox: $(ls "$AGENCIES/advisory-service/outbox" | tr '\n' ' ')"
head -4 "$AGENCIES/advisory-service/outbox/$YEAR-autumn.csv" | cut -c1-160 | sed 's/^/     /'
"$LIAISON" desk term-end --config "$CONFIG" --folder "$AGENCIES/npas" --year $((YEAR - 1)) --year-end \
  --schools "$OUT/county/schools.csv" --log-level warning > "$OUT/logs/annual-feed.log"
ANNUAL="$AGENCIES/advisory-service/outbox/$((YEAR - 1))-full_year.csv"
for _ in $(seq 1 100); do [ -f "$ANNUAL" ] && break; sleep 0.1; done
step "and last year's annual feed (all six half terms, school names, the Advisers' flags): $(grep -c below_county "$ANNUAL" || true) schools flagged below the county for their phase, $(grep -c persistent_absence_rising "$ANNUAL" || true) with persistent absence rising"
step "a pupil-level return for the Advisory Service is refused (no agreement allows it):"
"$LIAISON" send --config "$CONFIG" --as npas --type attendance.return --to advisory-service \
  --file "$EXAMPLES/attendance.return/valid-1.json" --log-level critical 2>&1 | cut -c1-200 | sed 's/^/     /' || true

say "7. Casework: a school refers a pupil; the desk works the case to court and back"
# A referral, as the school's MIS would drop it (synthetic): the pupil of the first school with the most unauthorised
# absence among those of compulsory school age throughout the penalty notice's 10 school weeks (years 2 to 10), so that the case is one a court could act on.
python3 - "$OUT/county/csv" "$EXAMPLES/referral/valid-1.json" "$OUT/bodies/referral.json" <<'PY'
import collections, csv, glob, json, sys
rows = list(csv.DictReader(open(sorted(glob.glob(sys.argv[1] + "/*-ht1.csv"))[0])))
eligible = [r for r in rows if r["year_group"].isdigit() and 2 <= int(r["year_group"]) <= 10]
unauthorised = collections.Counter(r["upn"] for r in eligible if r["code"] in ("G", "N", "O", "U"))
upn = max(unauthorised, key=lambda u: (unauthorised[u], u))
row = next(r for r in eligible if r["upn"] == upn)
referral = json.load(open(sys.argv[2]))
referral["school"] = {"laestab": row["laestab"], "name": row["school_name"]}
referral["pupil"].update({"upn": row["upn"], "forename": row["forename"], "surname": row["surname"],
                          "date_of_birth": row["dob"], "year_group": row["year_group"]})
json.dump(referral, open(sys.argv[3], "w"), indent=2)
PY
LAESTAB=$(python3 -c "import json; print(json.load(open('$OUT/bodies/referral.json'))['school']['laestab'])")
CHILD=$(python3 -c "import json; p=json.load(open('$OUT/bodies/referral.json'))['pupil']; print(p['forename'], p['surname'])")
cp "$OUT/bodies/referral.json" "$INBOX/referral-case.json.part" && mv "$INBOX/referral-case.json.part" "$INBOX/referral-case.json"
for _ in $(seq 1 100); do "$LIAISON" case list --folder "$AGENCIES/npas" | grep -q "$CHILD" && break; sleep 0.1; done
CASE=$("$LIAISON" case list --folder "$AGENCIES/npas" | grep -m1 "$CHILD" | cut -d' ' -f1)
NPAS=(--folder "$AGENCIES/npas")
LEGAL=(--legal config/legal)
step "the referral opened case $CASE at the desk (a pupil of compulsory school age with unauthorised absence):"
"$LIAISON" case list "${NPAS[@]}" | grep "$CHILD" | sed 's/^/     /'
PROSECUTE=(case prosecute "$CASE" --config "$CONFIG" "${NPAS[@]}" "${LEGAL[@]}" --offence 444-1A --court "Example Magistrates' Court"
  --hearing 2026-01-20 --from 2025-09-03 --to 2025-10-17 --laid-on 2025-12-08 --statement-date 2025-12-05
  --summons-issued-on 2025-12-12 --summons-reference SUM-2025-0001 --court-address "Example Magistrates' Court; Court Street; EX1 1AA"
  --costs "Officer time preparing the case:18000" --costs "Legal review:12000" --log-level warning)
step "prosecution is refused while a court would lack something, with every reason at once:"
"$LIAISON" "${PROSECUTE[@]}" 2>&1 | fold -s -w 150 | sed 's/^/     /' || true
PROSECUTE+=(--declare --certified-by "H. Teacher, Headteacher" --certified-on 2025-11-24)
"$LIAISON" case allocate "$CASE" "${NPAS[@]}" --esw "E. Worker" | sed 's/^/   /'
"$LIAISON" case intervene "$CASE" "${NPAS[@]}" --type home_visit --date 2025-10-08 --description "Home visit; parent seen." | sed 's/^/   /'
"$LIAISON" case intervene "$CASE" "${NPAS[@]}" --type warning_notice --date 2025-10-15 \
  --description "Warning notice: your child's unauthorised absence this half term may lead to a penalty notice or to prosecution under section 444 of the Education Act 1996. Please contact the attendance service." | sed 's/^/   /'
step "the penalty-notice threshold (10 unauthorised sessions in 10 school weeks), from the registers the desk holds:"
"$LIAISON" case penalty-notice check "$CASE" "${NPAS[@]}" "${LEGAL[@]}" --on 2025-11-03 | sed 's/^/     /'
step "a penalty notice to the parent, sent through the school (the letter lands in the school's outbox):"
"$LIAISON" case penalty-notice issue "$CASE" --config "$CONFIG" "${NPAS[@]}" "${LEGAL[@]}" --parent C1 --date 2025-11-03 --log-level warning | sed 's/^/     /'
for _ in $(seq 1 100); do ls "$AGENCIES/schools-mis/outbox/$LAESTAB"/penalty.notice-*.html >/dev/null 2>&1 && break; sleep 0.1; done
step "  $(cd "$AGENCIES/schools-mis/outbox/$LAESTAB" 2>/dev/null && ls penalty.notice-*.html 2>/dev/null | tr '\n' ' ')"
step "unpaid 28 days later, the case is ready for prosecution:"
"$LIAISON" case routes "$CASE" "${NPAS[@]}" "${LEGAL[@]}" --on 2025-12-02 | sed 's/^/     /'
"$LIAISON" case defendant "$CASE" "${NPAS[@]}" --contact 1 --date-of-birth 1985-06-21 --has-care \
  --reason "The child lives with her; she received the warning notice and the penalty notice." | sed 's/^/   /'
step "the Courts' adapter is offline when the file is sent: the hub keeps it (store and forward)"
"$LIAISON" "${PROSECUTE[@]}" | sed 's/^/   /'
"$LIAISON" adapter courts --config "$CONFIG" --folder "$AGENCIES/courts" > "$OUT/logs/courts.log" 2>&1 &
PIDS+=($!)
BUNDLE="$AGENCIES/courts/outbox/$CASE/2026-01-20"
for _ in $(seq 1 300); do [ -f "$BUNDLE/manifest.json" ] && break; sleep 0.1; done
step "the Courts' adapter starts, collects it and writes the clerk's bundle: $(ls "$BUNDLE" | tr '\n' ' ')"
step "the clerk records the court's decision in a CSV (one row names a defendant the bundle does not have): outcomes go back to the desk"
cat > "$AGENCIES/courts/inbox/outcomes-2026-01-20.csv.part" <<CSV
case_reference,court,hearing_date,defendant,offence,outcome,amount,costs,victim_surcharge,parenting_months,programme,band,note
$CASE,Example Magistrates' Court,2026-01-20,D1,444(1A),fine+parenting_order,400,150,160,12,yes,B,
$CASE,Example Magistrates' Court,2026-01-20,D2,444(1A),fined,,,,,,,
CSV
mv "$AGENCIES/courts/inbox/outcomes-2026-01-20.csv.part" "$AGENCIES/courts/inbox/outcomes-2026-01-20.csv"
for _ in $(seq 1 200); do ls "$AGENCIES/schools-mis/outbox/$LAESTAB"/case.disposal-*.html >/dev/null 2>&1 && break; sleep 0.1; done
sed 's/^/     /' "$AGENCIES/courts/outbox/replies/outcomes-2026-01-20.csv.reply.csv" | cut -c1-160
step "on final disposal the desk writes to the school: $(cd "$AGENCIES/schools-mis/outbox/$LAESTAB" && ls case.disposal-*.html)"
"$LIAISON" case feedback "$CASE" --config "$CONFIG" "${NPAS[@]}" --case-status closed --log-level warning \
  --text "The court fined the parent and made a parenting order. The service will monitor attendance for two half terms." | sed 's/^/   /'
step "the case's history:"
"$LIAISON" case show "$CASE" "${NPAS[@]}" | sed -n '/History:/,$p' | cut -c1-150 | sed 's/^/     /'

say "8. Partners: what the desk shared under each agreement, and what the hub would not release"
for _ in $(seq 1 100); do [ "$(count "$AGENCIES/yot/outbox/yot.attendance-summary")" -ge 3 ] && break; sleep 0.1; done
step "the YOT: a summary of each child on its caseload for the second half term (after the list arrived):"
for file in "$AGENCIES"/yot/outbox/yot.attendance-summary/*.json; do
  python3 -c "import json,sys; d=json.load(open(sys.argv[1])); a=d['attendance']; print('     ', d['upn'], d['period']['start_date'], 'to', d['period']['end_date'], '| attendance', str(a.get('attendance_rate')) + '%', '| exclusions', len(d['exclusions']), '| sen', d['sen'])" "$file"
done
step "  (the SEN's primary need is withheld: the protocol allows only the status)"
step "Connexions: $(count "$AGENCIES/connexions/outbox/connexions.notification") young people aged 13-19 at risk, with names, address and a parent; e.g.:"
python3 -c "import json,sys; d=json.load(open(sys.argv[1])); p=d['young_person']; print('      year', p.get('year_group'), '|', d['reason'], '|', d['attendance']['figures'])" \
  "$(find "$AGENCIES/connexions/outbox/connexions.notification" -name '*.json' -print -quit)" | cut -c1-150
step "a summary for a child who is not on the YOT caseload: denied, with the reason:"
sed 's/N926400123002/Q926200024001/' "$EXAMPLES/yot.attendance-summary/valid-1.json" > "$OUT/bodies/not-on-caseload.json"
"$LIAISON" send --config "$CONFIG" --as npas --type yot.attendance-summary --to yot \
  --file "$OUT/bodies/not-on-caseload.json" --log-level critical 2>&1 | cut -c1-200 | sed 's/^/     /' || true
step "an adapter whose key no agency lists is never let in (the refusal is audited):"
"$LIAISON" keys generate --agency impostor --out "$OUT/impostor" >/dev/null
"$LIAISON" send --config "$CONFIG" --as yot --key "$OUT/impostor/impostor.key" --type yot.case-update --to npas \
  --file "$EXAMPLES/yot.case-update/valid-1.json" --log-level critical 2>&1 | cut -c1-200 | sed 's/^/     /' || true

say "9. Monitoring: the reports the strategy promises (HTML to print, PDF, a CSV per table; small counts shown as c)"
REPORTS="$OUT/reports"
REPORT=(--folder "$AGENCIES/npas" --out "$REPORTS" --on 2026-07-24)
FIRST_SCHOOL=$(awk -F, 'NR == 2 { print $1 }' "$OUT/county/schools.csv")
"$LIAISON" report governors "${REPORT[@]}" --school "$FIRST_SCHOOL" --year $YEAR --schools "$OUT/county/schools.csv" > "$OUT/logs/report-governors.log"
step "the governing body of $FIRST_SCHOOL: $(grep -c . "$OUT/logs/report-governors.log") files, e.g. demo-output/reports/governors-$FIRST_SCHOOL-$YEAR.pdf"
"$LIAISON" report smt "${REPORT[@]}" --year $YEAR --term autumn --imports "$AGENCIES/schools-mis" > "$OUT/logs/report-smt.log"
step "the senior team, autumn term: demo-output/reports/smt-$YEAR-autumn.pdf"
"$LIAISON" report members "${REPORT[@]}" --year $YEAR --schools "$OUT/county/schools.csv" > "$OUT/logs/report-members.log"
step "elected members (three years, by phase and district, the impact of prosecution): demo-output/reports/members-$YEAR.pdf"
"$LIAISON" report protocol --config "$CONFIG" --out "$REPORTS" --agreement children-in-care \
  --from "$(date -u -d '-5 months' +%Y-%m-01)" --to "$(date -u +%F)" > "$OUT/logs/report-protocol.log"
step "the six-monthly review of the children-in-care agreement (messages permitted and denied per month, cohort, dead letters): demo-output/reports/protocol-review-children-in-care-*.pdf"
"$LIAISON" report register-audit "${REPORT[@]}" --school "$FIRST_SCHOOL" --year $YEAR --send --config "$CONFIG" --log-level warning \
  > "$OUT/logs/report-register-audit.log"
step "$(tail -1 "$OUT/logs/report-register-audit.log" | cut -c1-160)"
"$LIAISON" report awards "${REPORT[@]}" --year $((YEAR - 1)) --schools "$OUT/county/schools.csv" --send --config "$CONFIG" --log-level warning \
  > "$OUT/logs/report-awards.log"
step "awards for $((YEAR - 1))/$((YEAR % 100)), each school sent only its own pupils: $(tail -1 "$OUT/logs/report-awards.log" | cut -c1-140)"
for _ in $(seq 1 100); do ls "$AGENCIES/schools-mis/outbox/$FIRST_SCHOOL"/awards.list-*.html >/dev/null 2>&1 && break; sleep 0.1; done
step "  the school's outbox: $(cd "$AGENCIES/schools-mis/outbox/$FIRST_SCHOOL" && ls awards.list-*.html register-audit.findings-*.html 2>/dev/null | tr '\n' ' ')"

say "10. Everything stops cleanly (SIGTERM): adapters settle what they hold, the broker signs a last checkpoint"
stop_all
trap - EXIT
tail -1 "$OUT/logs/broker.log" | cut -c1-200 | sed 's/^/   /'

say "11. The audit log is a Merkle log: recompute every entry and checkpoint"
"$LIAISON" audit verify --config "$CONFIG" | sed 's/^/   /'
step "and no entry holds a UPN or other personal-looking token (ids are opaque; the hub refuses UPN-shaped ids, 419):"
if ! "$LIAISON" audit scan --config "$CONFIG" > "$OUT/audit-scan.txt" 2>&1; then
  sed 's/^/     /' "$OUT/audit-scan.txt" | head -20
  echo "The audit log holds personal-looking tokens: see demo-output/audit-scan.txt" >&2
  exit 1
fi
tail -1 "$OUT/audit-scan.txt" | sed 's/^/     /'

say "Summary"
PROCESSED="$AGENCIES/schools-mis/processed"; FAILED="$AGENCIES/schools-mis/failed"
step "files imported: $(count "$PROCESSED") (demo-output/agencies/schools-mis/processed, a report beside each)"
with_problems=$(grep -l "^Problems" "$PROCESSED"/*.report.txt 2>/dev/null | wc -l)
step "  of which $with_problems with problems reported and counted, e.g.:"
grep -h -A1 '^Problems' "$PROCESSED"/*.report.txt 2>/dev/null | sed -n 2p | fold -s -w 140 | sed 's/^/       /'
step "files rejected: $(count "$FAILED") (demo-output/agencies/schools-mis/failed, an .error.txt beside each)"
for report in "$FAILED"/*.error.txt; do
  [ -f "$report" ] || continue
  printf '     %s: %s\n' "$(basename "$report" .error.txt)" "$(sed -n 3,4p "$report" | tr '\n' ' ' | cut -c1-150)"
done
step "messages per agreement (sharing decisions: permitted / denied):"
"$LIAISON" audit query --config "$CONFIG" --kind decision --limit 1000000 --format csv 2>/dev/null | python3 -c '
import csv, json, sys, collections
rows = list(csv.DictReader(sys.stdin))
tally = collections.defaultdict(lambda: [0, 0, 0])
for row in rows:
    try: detail = json.loads(row.get("detail") or "{}")
    except ValueError: detail = {}
    name = detail.get("agreement") or "(no agreement covers it)"
    if row.get("code") == "0":
        tally[name][0] += 1
        if detail.get("fields_withheld") or detail.get("withheld"): tally[name][1] += 1
    else: tally[name][2] += 1
for name, (permitted, minimised, denied) in sorted(tally.items()):
    print(f"     {name:28} {permitted:5} permitted ({minimised} minimised), {denied} denied")
' || true
step "what each agency received, and where:"
step "  npas (the desk):       $("$LIAISON" desk returns --folder "$AGENCIES/npas" | grep -c 'half term') returns and $("$LIAISON" desk returns --folder "$AGENCIES/npas" | grep 'referral' | tr -d '.') in demo-output/agencies/npas/desk.sqlite"
step "                         $("$LIAISON" desk returns --folder "$AGENCIES/npas" | grep 'Shared with partners')"
step "  advisory-service:      demo-output/agencies/advisory-service/outbox/ ($(ls "$AGENCIES/advisory-service/outbox" | tr '\n' ' '))"
step "  schools (letters):     demo-output/agencies/schools-mis/outbox/ ($(find "$AGENCIES/schools-mis/outbox" -name '*.html' | wc -l) letters)"
step "  courts (the clerk):    demo-output/agencies/courts/outbox/$CASE/2026-01-20/ (bundle), outbox/replies/ (replies to the clerk)"
step "  npas (casework):       $("$LIAISON" case list --folder "$AGENCIES/npas" | wc -l) case(s); \`liaison case show $CASE --folder demo-output/agencies/npas\`"
step "  social-services:       $(($(wc -l < "$AGENCIES/social-services/outbox/care.attendance-alert.csv" 2>/dev/null || echo 1) - 1)) absence alerts about children in care, demo-output/agencies/social-services/outbox/ (the desk sends one per run of absence of each looked-after child; the hub releases those on Social Services' list)"
step "  yot:                   $(count "$AGENCIES/yot/outbox/yot.attendance-summary") half-termly summaries of children on its caseload, demo-output/agencies/yot/outbox/"
step "  connexions:            $(count "$AGENCIES/connexions/outbox/connexions.notification") notifications of young people at risk, demo-output/agencies/connexions/outbox/ (those who opted out withheld by the hub)"
step "monitoring reports:     demo-output/reports/ ($(ls "$REPORTS"/*.pdf 2>/dev/null | wc -l) PDFs, each with its HTML and a CSV per table):"
for report in "$REPORTS"/*.html; do
  case $(basename "$report") in awards-[0-9]*) continue ;; esac  # one per school: counted below
  step "                         $(basename "$report" .html)"
done
step "                         and $(ls "$REPORTS"/awards-[0-9]*.html 2>/dev/null | wc -l) schools' award lists with their certificates"
step "hub store: demo-output/data/hub.sqlite; logs: demo-output/logs/"

say "12. The console: the staff's web pages on the demo's desk (docs/console.md)"
# A console of its own on a free port, on the desk's and the hub's stores as the demo left them; a demo manager
# signs in, and headless Chromium takes the main pages' screenshots; then it stops. `make console` serves the same.
CONSOLE="$OUT/console"
mkdir -p "$CONSOLE" && chmod 700 "$CONSOLE"
cat > "$OUT/console.yaml" <<YAML
# The console for the demo's screenshots (make demo): a free port. \`make console\` serves config/console.yaml.
listen: 127.0.0.1:0
desk: agencies/npas
hub_config: hub.yaml
imports: agencies/schools-mis
schools: county/schools.csv
state: console
idle_minutes: 30
YAML
DEMO_USER=demo.manager
DEMO_PASSWORD=synthetic-demo-password-not-for-real-use
printf '%s\n' "$DEMO_PASSWORD" > "$CONSOLE/demo-password.txt" && chmod 600 "$CONSOLE/demo-password.txt"
"$LIAISON" console user add --config "$OUT/console.yaml" --name "$DEMO_USER" --role manager --password-file "$CONSOLE/demo-password.txt" \
  | sed 's/^/   /'
cat > "$CONSOLE/README.txt" <<TEXT
The demo's console login (synthetic: made by make demo for this demo-output only, never for real use)

  make console        then open http://127.0.0.1:8080/
  user name: $DEMO_USER  (a manager)
  password:  $DEMO_PASSWORD

More users: liaison console user add --config config/console.yaml --name NAME --role esw|manager|ig|operator
The console-*.png files here are the main pages, taken by make demo with headless Chromium.
TEXT
"$LIAISON" console --config "$OUT/console.yaml" --log-level info > "$OUT/logs/console.log" 2>&1 &
CONSOLE_PID=$!
PIDS+=("$CONSOLE_PID")
trap stop_all EXIT
CONSOLE_URL=""
for _ in $(seq 1 200); do
  CONSOLE_URL=$(grep -o 'console: serving on http://[^ ]*' "$OUT/logs/console.log" | head -1 | cut -d' ' -f4 || true)
  [ -n "$CONSOLE_URL" ] && break
  kill -0 "$CONSOLE_PID" 2>/dev/null || break
  sleep 0.1
done
if [ -z "$CONSOLE_URL" ]; then
  step "the console did not start: see demo-output/logs/console.log"
elif ${HARNESS_PYTHON:-/usr/bin/python3} "$ROOT/scripts/console_browser.py" screenshots --url "$CONSOLE_URL" --user "$DEMO_USER" \
    --password-file "$CONSOLE/demo-password.txt" --out "$CONSOLE" ${CASE:+--case "$CASE"} > "$OUT/logs/console-screenshots.json" 2>&1; then
  step "screenshots of the main pages: demo-output/console/ ($(cd "$CONSOLE" && ls console-*.png | tr '\n' ' '))"
else
  step "no screenshots (headless Chromium: chromium, chromium-driver, python3-selenium): $(tail -1 "$OUT/logs/console-screenshots.json" | cut -c1-160)"
fi
stop_all
trap - EXIT
step "the console, on this demo's output:  make console   then open http://127.0.0.1:8080/"
step "  sign in as $DEMO_USER (a manager), password $DEMO_PASSWORD (synthetic; demo-output/console/README.txt)"
