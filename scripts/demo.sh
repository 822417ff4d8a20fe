#!/usr/bin/env bash
# Veil's main job on the bundled example: a seller commits examples/sales.csv and proves a
# preview of 8 rows drawn by a buyer's challenge; the buyer verifies it, and after "delivery"
# checks the file against the commitment. Everything goes to ./demo-out (or $1).
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-demo-out}
mkdir -p "$OUT"
cargo build --release -p veil-service --bin veil
veil() { echo "+ veil $*" >&2; target/release/veil "$@"; }

# Seller: a master secret, then the dataset commitment (what a listing publishes).
[ -f "$OUT/seller.key" ] || veil dataset keygen --out "$OUT/seller.key"
veil dataset commit examples/sales.csv --secret-file "$OUT/seller.key" --dataset-id sales-2026 --out "$OUT/listing.json"

# Operator: keys for this shape (depth 20, 8 samples, 6 columns); insecure single-party setup.
veil setup --listing "$OUT/listing.json" --samples 8 --params "$OUT/params"

# Buyer picks a challenge after the listing is public; seller proves the preview.
CHALLENGE=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
veil preview prove --dataset examples/sales.csv --secret-file "$OUT/seller.key" --listing "$OUT/listing.json" \
  --challenge "$CHALLENGE" --samples 8 --reveal city,category,amount_eur --out "$OUT/preview.json" --params "$OUT/params"

# Buyer verifies before paying.
veil preview verify "$OUT/preview.json" --listing "$OUT/listing.json" --params "$OUT/params"

# The same proof, checked by snarkjs' format (export only; scripts/test.sh runs snarkjs itself).
veil export snarkjs "$OUT/preview.json" --out "$OUT/snarkjs" --params "$OUT/params"

# After payment the seller delivers the file and its dataset key; the buyer checks it.
veil dataset export-key --secret-file "$OUT/seller.key" --listing "$OUT/listing.json" --out "$OUT/dataset.key"
veil delivery verify examples/sales.csv --listing "$OUT/listing.json" --key "$OUT/dataset.key"
