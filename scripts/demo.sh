#!/usr/bin/env bash
# `make demo`: a scripted exchange between agencies through a real Liaison broker.
# Everything it writes goes under demo-output/. All data is synthetic.
set -euo pipefail
LIAISON=${1:-.build/debug/liaison}
ROOT=$(pwd)
OUT="$ROOT/demo-output"
rm -rf "$OUT"
mkdir -p "$OUT/keys" "$OUT/bodies" "$OUT/received"

say()  { printf '\n\033[1m== %s\033[0m\n' "$*"; }
step() { printf '   %s\n' "$*"; }

say "1. Keys: the hub and each agency get a CURVE keypair"
for name in hub npas schools-mis connexions yot social-services courts advisory-service; do
  "$LIAISON" keys generate --agency "$name" --out "$OUT/keys" >/dev/null
done
step "wrote $(ls "$OUT/keys" | wc -l) key files to demo-output/keys (secret keys are mode 0600)"

# The demo runs on its own copy of the configuration: the same agencies, schemas and agreements, with
# its own endpoint, keys and data folder.
sed -e "s|^endpoint:.*|endpoint: ipc://hub.ipc|" -e "s|^data_dir:.*|data_dir: data|" -e "s|^keys_dir:.*|keys_dir: keys|" \
  -e "s|^schemas_dir:.*|schemas_dir: $ROOT/schemas|" -e "s|^agreements_dir:.*|agreements_dir: $ROOT/config/agreements|" \
  "$ROOT/config/hub.yaml" > "$OUT/hub.yaml"
cp "$ROOT/config/agencies.yaml" "$OUT/agencies.yaml"
CONFIG="$OUT/hub.yaml"
EXAMPLES="$ROOT/schemas/examples"
"$LIAISON" config check --config "$CONFIG" | sed 's/^/   /'
"$LIAISON" rules check --config "$CONFIG" | sed 's/^/   /'

say "2. The broker starts: CURVE server, ZAP handler first, schemas and agreements loaded, store in demo-output/data"
"$LIAISON" broker --config "$CONFIG" > "$OUT/broker.log" 2>&1 &
BROKER=$!
trap 'kill $BROKER 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do grep -q "Broker running" "$OUT/broker.log" && break; sleep 0.1; done
step "broker running (pid $BROKER), log in demo-output/broker.log"

say "3. A school's MIS import sends its half-termly return; the rules route it (schools' SLA) to the attendance service"
"$LIAISON" send --config "$CONFIG" --as schools-mis --type attendance.return --to "" \
  --subject 9262001 --file "$EXAMPLES/attendance.return/valid-1.json" --log-level warning | sed 's/^/   /'
"$LIAISON" listen --config "$CONFIG" --as npas --count 1 --timeout 10 --out "$OUT/received/npas" --log-level warning | sed 's/^/   /'

say "4. The Youth Offending Team registers its caseload; the desk's summary of that child reaches the YOT, minimised"
cat > "$OUT/bodies/caseload.json" <<'JSON'
{"cohort": "yot-caseload", "operation": "replace", "members": [{"upn": "N926400123002"}]}
JSON
"$LIAISON" send --config "$CONFIG" --as yot --type cohort.update --to "" --file "$OUT/bodies/caseload.json" --log-level warning | sed 's/^/   /'
"$LIAISON" send --config "$CONFIG" --as npas --type yot.attendance-summary --to yot \
  --file "$EXAMPLES/yot.attendance-summary/valid-1.json" --log-level warning | sed 's/^/   /'
"$LIAISON" listen --config "$CONFIG" --as yot --count 1 --timeout 10 --out "$OUT/received/yot" --log-level warning | sed 's/^/   /'
step "what the YOT received has no /sen/primary_need (the protocol allows only the SEN status):"
python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print('     fields:', ', '.join(sorted(d)), '| sen:', d.get('sen'))" "$OUT"/received/yot/*.body

say "5. A child who is not on the YOT caseload: the summary is denied, with the reason"
sed 's/N926400123002/Q926200024001/' "$EXAMPLES/yot.attendance-summary/valid-1.json" > "$OUT/bodies/not-on-caseload.json"
"$LIAISON" send --config "$CONFIG" --as npas --type yot.attendance-summary --to yot \
  --file "$OUT/bodies/not-on-caseload.json" --log-level critical 2>&1 | sed 's/^/   /' || true

say "6. The desk writes back to the school: written feedback on a case"
"$LIAISON" send --config "$CONFIG" --as npas --type case.feedback --to schools-mis \
  --file "$EXAMPLES/case.feedback/valid-1.json" --log-level warning | sed 's/^/   /'
"$LIAISON" listen --config "$CONFIG" --as schools-mis --count 1 --timeout 10 --out "$OUT/received/schools-mis" --log-level warning | sed 's/^/   /'

say "7. Store and forward: the Courts' adapter is offline when a prosecution file is sent, and collects it later"
"$LIAISON" send --config "$CONFIG" --as npas --type prosecution.file --to courts \
  --file "$EXAMPLES/prosecution.file/valid-1.json" --log-level warning | sed 's/^/   /'
step "(courts connects now)"
"$LIAISON" listen --config "$CONFIG" --as courts --count 1 --timeout 10 --out "$OUT/received/courts" --log-level warning | sed 's/^/   /'

say "8. What the hub refuses, and why"
step "a pupil-level return for the Advisory Service (no agreement allows it):"
"$LIAISON" send --config "$CONFIG" --as schools-mis --type attendance.return --to advisory-service \
  --file "$EXAMPLES/attendance.return/valid-1.json" --log-level critical 2>&1 | cut -c1-220 | sed 's/^/     /' || true
step "a return whose UPN fails its schema:"
"$LIAISON" send --config "$CONFIG" --as schools-mis --type attendance.return --to npas \
  --file "$EXAMPLES/attendance.return/invalid-bad-upn.json" --log-level critical 2>&1 | cut -c1-220 | sed 's/^/     /' || true
step "a message for an agency the hub does not know:"
"$LIAISON" send --config "$CONFIG" --as yot --type yot.case-update --to police \
  --file "$EXAMPLES/yot.case-update/valid-1.json" --log-level critical 2>&1 | cut -c1-220 | sed 's/^/     /' || true
step "an adapter whose key no agency lists (it is never let in; the refusal is audited):"
"$LIAISON" keys generate --agency impostor --out "$OUT/impostor" >/dev/null
"$LIAISON" send --config "$CONFIG" --as yot --key "$OUT/impostor/impostor.key" --type yot.case-update --to npas \
  --file "$EXAMPLES/yot.case-update/valid-1.json" --log-level critical 2>&1 | sed 's/^/     /' || true

say "9. The broker stops cleanly (SIGTERM), saying goodbye and flushing its store"
kill -TERM $BROKER
wait $BROKER || true
trap - EXIT
tail -1 "$OUT/broker.log" | sed 's/^/   /'

say "10. The audit log: every exchange and decision, no personal data (bodies appear only as SHA-256)"
"$LIAISON" audit tail --config "$CONFIG" -n 60 | cut -c1-260 | sed 's/^/   /'

say "11. The audit log is a Merkle log: recompute it, and prove one entry to someone who does not trust the hub"
"$LIAISON" audit verify --config "$CONFIG" | sed 's/^/   /'
"$LIAISON" audit proof --config "$CONFIG" --entry 4 > "$OUT/proof-entry-4.json"
step "inclusion proof of entry 4: demo-output/proof-entry-4.json (docs/audit.md shows how to check it with hashlib)"

say "Summary"
ACCEPTED=$("$LIAISON" audit tail --config "$CONFIG" -n 100000 | grep -c " accepted " || true)
DELIVERED=$("$LIAISON" audit tail --config "$CONFIG" -n 100000 | grep -c " acknowledged " || true)
REJECTED=$("$LIAISON" audit tail --config "$CONFIG" -n 100000 | grep -c " rejected " || true)
REFUSED=$("$LIAISON" audit tail --config "$CONFIG" -n 100000 | grep -c " handshake-refused " || true)
PERMITS=$("$LIAISON" audit tail --config "$CONFIG" -n 100000 | grep " decision " | grep -c "code=0 " || true)
DENIALS=$("$LIAISON" audit tail --config "$CONFIG" -n 100000 | grep " decision " | grep -c "code=451 " || true)
step "messages accepted: $ACCEPTED, delivered and acknowledged: $DELIVERED, rejected: $REJECTED, handshakes refused: $REFUSED"
step "sharing decisions: $PERMITS permitted (each with its agreement, flow and fields withheld), $DENIALS denied"
step "received bodies:  demo-output/received/<agency>/<sequence>.body"
step "hub store:        demo-output/data/hub.sqlite (audit_log is append-only)"
step "broker log:       demo-output/broker.log"
