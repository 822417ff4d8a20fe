#!/usr/bin/env bash
# Runs schemathesis (PyPI) against a `veil serve` started on a throwaway ledger: every operation
# of /v1/openapi.json, generated valid and invalid requests, checking that nothing answers 5xx,
# that every status, content type, header and body is the one the document declares, and that
# schema-violating requests are refused. (Not `positive_data_acceptance`: the API refuses some
# schema-valid requests for reasons a schema cannot state, e.g. a proof that does not verify.)
#   scripts/schemathesis.sh [MAX_EXAMPLES=100]
# VEIL_BIN=<path> runs that `veil` (scripts/test.sh passes the one its tests built) instead of
# building one.
set -euo pipefail
cd "$(dirname "$0")/.."
examples=${1:-100}
venv=target/schemathesis-venv
if [ ! -x "$venv/bin/st" ]; then
  python3 -m venv "$venv" 2>/dev/null || {
    apt-get update -qq && apt-get install -y -qq python3-venv && python3 -m venv "$venv"; }
  "$venv/bin/pip" install -q "schemathesis==4.32.5"
fi
if [ -n "${VEIL_BIN:-}" ]; then
  veil=$VEIL_BIN
else
  cargo build -q -p veil-cli
  veil=$(pwd)/target/debug/veil
fi
dir=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
token=$(cd "$dir" && "$veil" serve token create --role admin 2>/dev/null)
# API only (--workers 0): generated jobs are queued and checked, never run (a generated
# benchmark job could ask for minutes of proving).
(cd "$dir" && exec "$veil" serve --listen "127.0.0.1:$port" --workers 0 >serve.log 2>&1) &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$dir"' EXIT
python3 - "$port" <<'PY'
import sys, time, urllib.request
for _ in range(300):
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/healthz", timeout=1)
        break
    except OSError:
        time.sleep(0.1)
else:
    sys.exit("veil serve did not start")
PY
"$venv/bin/st" run "http://127.0.0.1:$port/v1/openapi.json" \
  -H "Authorization: Bearer $token" \
  --checks all --exclude-checks positive_data_acceptance \
  --max-examples "$examples" --seed 2026 --no-color
