#!/usr/bin/env bash
# The buyer's and auditor's page as plain files (what `veil serve` serves at /): the page, its
# scripts and the WebAssembly verifier, into DIR (default target/web). Serve the folder from any
# static host (`python3 -m http.server -d target/web`); with no Veil server behind it, the page
# asks for the verifying keys as files (docs/browser.md).
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-target/web}
scripts/build-wasm.sh
mkdir -p "$out"
cp verifier/web/index.html verifier/web/app.mjs verifier/web/delivery-worker.mjs verifier/web/style.css \
  verifier/js/veil-verifier.mjs target/wasm32-unknown-unknown/release/veil_verifier.wasm \
  target/wasm32-unknown-unknown/release/veil_verifier_relaxed.wasm "$out/"
echo "wrote the page to $out ($(du -sh "$out" | cut -f1))"
