#!/usr/bin/env bash
# The page's delivery check against `veil delivery verify` on the same machine, interleaved:
# a MiB-sized file (default 100 MB of random bytes, committed as 1 KiB chunks), RUNS times each
# (default 3), medians and their ratio; the page's preview verification time and load size
# beside, and the same file encrypted and decrypted (native against the page). Release builds;
# Chromium and tools/node_modules (scripts/test.sh installs both).
#   scripts/browser-bench.sh [MB] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
mb=${1:-100}
runs=${2:-3}
cargo build --release -p veil-cli --bin veil
scripts/build-wasm.sh
veil=$PWD/target/release/veil
work=$(mktemp -d)
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT
cd "$work"
head -c $((mb * 1000 * 1000)) /dev/urandom >big.bin
"$veil" dataset keygen --out seller.key
"$veil" dataset commit big.bin --secret-file seller.key --dataset-id big --out listing.json
"$veil" dataset export-key --secret-file seller.key --listing listing.json --out big.key
"$veil" dataset commit "$OLDPWD/examples/sales.csv" --secret-file seller.key --dataset-id sales --out sales.json
"$veil" setup --listing sales.json --samples 8 --params params
"$veil" preview prove --dataset "$OLDPWD/examples/sales.csv" --secret-file seller.key --listing sales.json \
  --challenge 9749ea59e916da13 --samples 8 --reveal city,category,amount_eur --out preview.json --params params
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$veil" serve --listen "127.0.0.1:$port" --params params --ledger serve.db --workers 0 --allow-insecure-keys \
  --verifier-wasm "$OLDPWD/target/wasm32-unknown-unknown/release/veil_verifier.wasm" >serve.log 2>&1 &
server=$!
until curl -sf "http://127.0.0.1:$port/healthz" >/dev/null; do sleep 0.2; done
cat >cases.json <<JSON
{ "url": "http://127.0.0.1:$port/", "chromium": "$(command -v chromium)", "tools": "$OLDPWD/tools/node_modules",
  "screenshots": "$work/shots", "repeat_preview": "preview",
  "cases": [ { "name": "preview", "files": { "preview-listing": "$work/sales.json", "preview-file": "$work/preview.json" } },
             { "name": "delivery", "files": { "delivery-listing": "$work/listing.json", "delivery-key": "$work/big.key",
                                              "delivery-file": "$work/big.bin" } } ] }
JSON
native=()
page=()
for _ in $(seq "$runs"); do
  t0=$(date +%s.%N)
  "$veil" delivery verify big.bin --listing listing.json --key big.key >/dev/null
  native+=("$(echo "$(date +%s.%N) - $t0" | bc)")
  node "$OLDPWD/verifier/web/tests/browser.mjs" cases.json results.json
  page+=("$(python3 -c 'import json; print(json.load(open("results.json"))["cases"]["delivery"]["seconds"])')")
done
# The encrypted delivery of the same file, decrypted (and checked record by record): native
# `veil delivery decrypt` against the page's one worker.
"$veil" dataset encrypt big.bin --secret-file seller.key --listing listing.json \
  --listing-out ct-listing.json --out big.veilct >/dev/null
cat >cases-ct.json <<JSON
{ "url": "http://127.0.0.1:$port/", "chromium": "$(command -v chromium)", "tools": "$OLDPWD/tools/node_modules",
  "screenshots": "$work/shots",
  "cases": [ { "name": "decrypt", "files": { "delivery-listing": "$work/ct-listing.json", "delivery-key": "$work/big.key",
                                             "delivery-file": "$work/big.veilct" } } ] }
JSON
native_ct=()
page_ct=()
for _ in $(seq "$runs"); do
  t0=$(date +%s.%N)
  "$veil" delivery decrypt big.veilct --listing ct-listing.json --key big.key --out plain.bin --force >/dev/null
  native_ct+=("$(echo "$(date +%s.%N) - $t0" | bc)")
  node "$OLDPWD/verifier/web/tests/browser.mjs" cases-ct.json results-ct.json
  page_ct+=("$(python3 -c 'import json; print(json.load(open("results-ct.json"))["cases"]["decrypt"]["seconds"])')")
done
python3 - "${native_ct[*]}" "${page_ct[*]}" "$(stat -c %s big.veilct)" <<'PY'
import statistics, sys
native = [float(x) for x in sys.argv[1].split()]
page = [float(x) for x in sys.argv[2].split()]
mib = int(sys.argv[3]) / 2**20
n, p = statistics.median(native), statistics.median(page)
print(f"decrypt of a {mib:.1f} MiB ciphertext: native veil delivery decrypt {n:.2f} s (runs {native})")
print(f"                     the page (one worker) {p:.2f} s (runs {page}); page / native rate: {n / p:.2f}")
PY
python3 - "$mb" "${native[*]}" "${page[*]}" <<'PY'
import json, statistics, sys
mb = int(sys.argv[1]) * 1e6 / 2**20
native = [float(x) for x in sys.argv[2].split()]
page = [float(x) for x in sys.argv[3].split()]
r = json.load(open("results.json"))
n, p = statistics.median(native), statistics.median(page)
print(f"delivery of {mb:.1f} MiB: native veil delivery verify {n:.2f} s ({mb / n:.1f} MiB/s; runs {native})")
print(f"                     the page ({r['cases']['delivery']['workers']} workers) {p:.2f} s ({mb / p:.1f} MiB/s; runs {page})")
print(f"page / native rate: {n / p:.2f}")
print(f"preview d20 K=8 m=6 in the page: median {statistics.median(r['preview_ms']):.1f} ms of {r['preview_ms']}")
load = r["load"][0]
print(f"page load: {load['transfer'] / 1e6:.2f} MB transferred ({load['decoded'] / 1e6:.2f} MB decoded) in {load['ms']} ms")
PY
