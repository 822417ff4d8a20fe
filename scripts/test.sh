#!/usr/bin/env bash
# Veil's test command: installs what the tests need on a fresh machine, then runs them all.
#   - npm: snarkjs (independent Groth16 verifier) into tools/node_modules
#   - npm: the Noir compiler (noir_wasm) and Barretenberg's bb into noir/node_modules; then
#     every Noir program is compiled into noir/target/
#   - rustup: the wasm32 target, to check that the verifier builds for browsers
#   - cargo fmt --check, no file-level import cycles, cargo clippy -D warnings on every target
#   - cargo test --workspace (unit, vector, end-to-end, snarkjs and wasm-in-Node cross tests)
#   - PyPI: schemathesis against `veil serve`'s OpenAPI document (no 5xx, no schema violation)
#   - Debian: postgresql (the store and service tests start throwaway clusters with initdb)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-node.sh
scripts/ensure-postgres.sh

echo "== installing test tools (npm: snarkjs)"
(cd tools && npm ci --no-audit --no-fund --loglevel=error)

echo "== installing the Noir toolchain (npm: @noir-lang/noir_wasm, @aztec/bb.js) and compiling"
# `npm ci`: exactly the locked versions (the lock lists every platform's optional packages).
(cd noir && npm ci --no-audit --no-fund --loglevel=error && node build.mjs --variants)

echo "== checking formatting"
cargo fmt --all -- --check

echo "== no file-level import cycles"
python3 scripts/check-import-cycles.py

echo "== clippy (every target, benches included, so they cannot rot)"
rustup component add clippy >/dev/null 2>&1 || true
cargo clippy --workspace --all-targets -- -D warnings

echo "== building the verifier for WebAssembly"
rustup target add wasm32-unknown-unknown >/dev/null 2>&1 || true
cargo build -p veil-verifier --target wasm32-unknown-unknown --features wasm,halo2 --release

echo "== running the tests"
VEIL_REQUIRE_SNARKJS=1 VEIL_REQUIRE_WASM=1 VEIL_REQUIRE_NOIR=1 cargo test --workspace

echo "== schemathesis against veil serve (PyPI: schemathesis)"
scripts/schemathesis.sh 100
