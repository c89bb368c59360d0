#!/usr/bin/env bash
# A hub of its own in a folder, for `make demo` and `make bench-county`: a CURVE keypair for the hub and each of
# the county's agencies in OUT/keys, and OUT/hub.yaml and OUT/agencies.yaml, which are the repository's
# configuration (the same agencies, schemas and agreements) with OUT's own endpoint, keys and data folder.
#   bash scripts/county-hub.sh LIAISON ROOT OUT
set -euo pipefail
LIAISON=$1
ROOT=$2
OUT=$3
for name in hub npas schools-mis connexions yot social-services courts advisory-service; do
  "$LIAISON" keys generate --agency "$name" --out "$OUT/keys" > /dev/null
done
sed -e "s|^endpoint:.*|endpoint: ipc://hub.ipc|" -e "s|^data_dir:.*|data_dir: data|" -e "s|^keys_dir:.*|keys_dir: keys|" \
  -e "s|^admin_endpoint:.*|admin_endpoint: ipc://admin/admin.ipc|" \
  -e "s|^schemas_dir:.*|schemas_dir: $ROOT/schemas|" -e "s|^agreements_dir:.*|agreements_dir: $ROOT/config/agreements|" \
  "$ROOT/config/hub.yaml" > "$OUT/hub.yaml"
cp "$ROOT/config/agencies.yaml" "$OUT/agencies.yaml"
