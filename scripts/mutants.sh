#!/usr/bin/env bash
# Mutation testing of the functions that generate constraints (cargo-mutants): every mutant of
# the gadgets, the Merkle and Poseidon2 gadgets and the statements' circuits must make a test of
# veil-circuits fail. A surviving ("missed") mutant is a constraint no test depends on.
#   scripts/mutants.sh [OUT_DIR=mutants.out] [FILE...]
# Runs on a clean clone of HEAD (cargo-mutants copies the tree it tests, and a working tree
# holds gigabytes of build output), with the library's tests (`cargo test --lib`): 531 mutants
# with cargo-mutants 27, about an hour on 2 cores. Prints the summary; the lists are in
# OUT_DIR/mutants.out/.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(realpath -m "${1:-mutants.out}")
shift $(( $# > 0 ? 1 : 0 ))
files=("$@")
if [ ${#files[@]} -eq 0 ]; then
  files=(circuits/src/gadgets.rs circuits/src/merkle/r1cs.rs circuits/src/poseidon2/r1cs.rs
         'circuits/src/statements/*/circuit.rs')
fi
command -v cargo-mutants >/dev/null || cargo install cargo-mutants --locked
src=$(mktemp -d)
trap 'rm -rf "$src"' EXIT
git clone -q . "$src"
mkdir -p "$out"
args=()
for f in "${files[@]}"; do args+=(-f "$f"); done
(cd "$src" && cargo mutants -p veil-circuits --no-shuffle -j 1 "${args[@]}" -o "$out" -- --lib) || true
echo "missed (no test failed):"
cat "$out/mutants.out/missed.txt"
