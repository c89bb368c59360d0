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

# The demo runs on its own copy of the configuration: same agencies, its own endpoint and data folder.
sed -e "s|^endpoint:.*|endpoint: ipc://hub.ipc|" -e "s|^data_dir:.*|data_dir: data|" -e "s|^keys_dir:.*|keys_dir: keys|" \
  "$ROOT/config/hub.yaml" > "$OUT/hub.yaml"
cp "$ROOT/config/agencies.yaml" "$OUT/agencies.yaml"
CONFIG="$OUT/hub.yaml"
"$LIAISON" config check --config "$CONFIG" | sed 's/^/   /'

say "2. The broker starts: CURVE server, ZAP handler first, store in demo-output/data"
"$LIAISON" broker --config "$CONFIG" > "$OUT/broker.log" 2>&1 &
BROKER=$!
trap 'kill $BROKER 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do grep -q "Broker running" "$OUT/broker.log" && break; sleep 0.1; done
step "broker running (pid $BROKER), log in demo-output/broker.log"

say "3. A school's MIS import sends the attendance service its half-termly return"
cat > "$OUT/bodies/return.json" <<'JSON'
{"laestab": "9262001", "period": "2026-autumn-1", "note": "synthetic return: 3 pupils",
 "pupils": [{"upn": "Q926200024001", "possible": 70, "present": 66, "authorised": 3, "unauthorised": 1},
            {"upn": "B801200005001", "possible": 70, "present": 55, "authorised": 5, "unauthorised": 10},
            {"upn": "Q926200024002", "possible": 70, "present": 70, "authorised": 0, "unauthorised": 0}]}
JSON
"$LIAISON" send --config "$CONFIG" --as schools-mis --type attendance.return --to npas \
  --subject 9262001 --file "$OUT/bodies/return.json" --log-level warning | sed 's/^/   /'

say "4. The attendance service's desk receives it, stores it, and acknowledges"
"$LIAISON" listen --config "$CONFIG" --as npas --count 1 --timeout 10 --out "$OUT/received/npas" --log-level warning | sed 's/^/   /'

say "5. The desk writes back to the school: written feedback on a case"
echo '{"case": "SYNTH-CASE-0007", "feedback": "Home visit made; attendance contract agreed."}' > "$OUT/bodies/feedback.json"
"$LIAISON" send --config "$CONFIG" --as npas --type case.feedback --to schools-mis \
  --subject SYNTH-CASE-0007 --file "$OUT/bodies/feedback.json" --log-level warning | sed 's/^/   /'
"$LIAISON" listen --config "$CONFIG" --as schools-mis --count 1 --timeout 10 --out "$OUT/received/schools-mis" --log-level warning | sed 's/^/   /'

say "6. Store and forward: the Courts' adapter is offline when a file is sent, and collects it later"
echo '{"case": "SYNTH-CASE-0007", "offence": "444(1)"}' > "$OUT/bodies/prosecution.json"
"$LIAISON" send --config "$CONFIG" --as npas --type prosecution.file --to courts \
  --subject SYNTH-CASE-0007 --file "$OUT/bodies/prosecution.json" --log-level warning | sed 's/^/   /'
step "(courts connects now)"
"$LIAISON" listen --config "$CONFIG" --as courts --count 1 --timeout 10 --out "$OUT/received/courts" --log-level warning | sed 's/^/   /'

say "7. What the hub refuses, and why"
step "a message for an agency the hub does not know:"
"$LIAISON" send --config "$CONFIG" --as yot --type yot.case-update --to police \
  --file "$OUT/bodies/feedback.json" --log-level critical 2>&1 | sed 's/^/     /' || true
step "an adapter whose key no agency lists (it is never let in; the refusal is audited):"
"$LIAISON" keys generate --agency impostor --out "$OUT/impostor" >/dev/null
"$LIAISON" send --config "$CONFIG" --as yot --key "$OUT/impostor/impostor.key" --type yot.case-update --to npas \
  --file "$OUT/bodies/feedback.json" --log-level critical 2>&1 | sed 's/^/     /' || true

say "8. The broker stops cleanly (SIGTERM), saying goodbye and flushing its store"
kill -TERM $BROKER
wait $BROKER || true
trap - EXIT
tail -1 "$OUT/broker.log" | sed 's/^/   /'

say "9. The audit log: every exchange and decision, no personal data (bodies appear only as SHA-256)"
"$LIAISON" audit tail --config "$CONFIG" -n 40 | sed 's/^/   /'

say "Summary"
ACCEPTED=$("$LIAISON" audit tail --config "$CONFIG" -n 100000 | grep -c " accepted " || true)
DELIVERED=$("$LIAISON" audit tail --config "$CONFIG" -n 100000 | grep -c " acknowledged " || true)
REJECTED=$("$LIAISON" audit tail --config "$CONFIG" -n 100000 | grep -c " rejected " || true)
REFUSED=$("$LIAISON" audit tail --config "$CONFIG" -n 100000 | grep -c " handshake-refused " || true)
step "messages accepted: $ACCEPTED, delivered and acknowledged: $DELIVERED, rejected: $REJECTED, handshakes refused: $REFUSED"
step "received bodies:  demo-output/received/<agency>/<sequence>.body"
step "hub store:        demo-output/data/hub.sqlite (audit_log is append-only)"
step "broker log:       demo-output/broker.log"
