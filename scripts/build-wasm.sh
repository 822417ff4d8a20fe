#!/usr/bin/env bash
# The WebAssembly verifier, as two builds, both written to target/wasm32-unknown-unknown/release/
# (where `veil serve` and the tests look):
#   veil_verifier.wasm          every check (Groth16, halo2, deliveries, reports); any engine.
#   veil_verifier_relaxed.wasm  the same with the feature relaxed-simd: its delivery check runs
#                               two Poseidon2 permutations at once in f64x2 fused multiply-adds
#                               (circuits/src/poseidon2/fma51.rs). The page uses it for
#                               deliveries when the browser compiles it and its self-check
#                               passes (docs/browser.md); it needs an engine with relaxed SIMD
#                               (Chromium 114+; Node 20 only with --experimental-wasm-relaxed-simd).
# Both share every dependency's build: only veil-circuits, veil-halo2 and veil-verifier are
# compiled twice. They build in their own folder, target/wasm, so that this script can run
# beside a native build of the workspace (cargo locks a build folder for one build at a time).
set -euo pipefail
cd "$(dirname "$0")/.."
rustup target add wasm32-unknown-unknown >/dev/null 2>&1 || true
export CARGO_TARGET_DIR=target/wasm
built=target/wasm/wasm32-unknown-unknown/release
out=target/wasm32-unknown-unknown/release
mkdir -p "$out"
build() { cargo build -p veil-verifier --target wasm32-unknown-unknown --release --features "$1"; }
build wasm,halo2,relaxed-simd
cp "$built/veil_verifier.wasm" "$out/veil_verifier_relaxed.wasm"
build wasm,halo2
cp "$built/veil_verifier.wasm" "$out/veil_verifier.wasm"
