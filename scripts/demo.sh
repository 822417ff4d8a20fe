#!/usr/bin/env bash
# Veil's main job on the bundled example: a seller commits examples/sales.csv and proves a
# preview of 8 rows drawn by a buyer's challenge; the buyer verifies it, and after "delivery"
# checks the file against the commitment; the Noir twin of the preview (what settlement on Aztec
# checks) executes to the same public inputs. Everything goes to ./demo-out (or $1).
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-demo-out}
mkdir -p "$OUT"
scripts/ensure-node.sh
cargo build --release -p veil-cli --bin veil
veil() { echo "+ veil $*" >&2; target/release/veil "$@"; }

# Seller: a master secret, then the dataset commitment (what a listing publishes).
[ -f "$OUT/seller.key" ] || veil dataset keygen --out "$OUT/seller.key"
veil dataset commit examples/sales.csv --secret-file "$OUT/seller.key" --dataset-id sales-2026 --out "$OUT/listing.json" --force

# Operator: keys for this shape (depth 20, 8 samples, 6 columns); insecure single-party setup.
# (A second run keeps them: `veil setup` refuses to replace keys without --force.)
[ -f "$OUT/params/manifest.json" ] || veil setup --listing "$OUT/listing.json" --samples 8 --params "$OUT/params"

# Buyer picks a challenge after the listing is public; seller proves the preview.
CHALLENGE=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
veil preview prove --dataset examples/sales.csv --secret-file "$OUT/seller.key" --listing "$OUT/listing.json" \
  --challenge "$CHALLENGE" --samples 8 --reveal city,category,amount_eur --out "$OUT/preview.json" --force --params "$OUT/params"

# Buyer verifies before paying.
veil preview verify "$OUT/preview.json" --listing "$OUT/listing.json" --params "$OUT/params"

# The same proof, checked by snarkjs' format (export only; scripts/test.sh runs snarkjs itself).
veil export snarkjs "$OUT/preview.json" --out "$OUT/snarkjs" --params "$OUT/params"

# After payment the seller delivers the file and its dataset key; the buyer checks it.
rm -f "$OUT/dataset.key"
veil dataset export-key --secret-file "$OUT/seller.key" --listing "$OUT/listing.json" --out "$OUT/dataset.key"
veil delivery verify examples/sales.csv --listing "$OUT/listing.json" --key "$OUT/dataset.key"

# Settlement on Aztec checks the same statement in Noir: the seller's preview as inputs of the
# Noir twin (compiled at this shape, d20 K8 m6), executed by the ACVM to the very public inputs
# the Groth16 proof carries. (UltraHonk proving needs the Ignition CRS: docs/noir.md, section 5.)
(cd noir && npm ci --no-audit --no-fund --loglevel=error)
veil noir build --variants >/dev/null
veil noir preview-inputs --dataset examples/sales.csv --secret-file "$OUT/seller.key" --listing "$OUT/listing.json" \
  --challenge "$CHALLENGE" --samples 8 --reveal city,category,amount_eur --out "$OUT/noir-inputs.json" --force
veil noir execute preview-membership-d20-k8-m6 --inputs "$OUT/noir-inputs.json" > "$OUT/noir-execution.json"
node -e '
const [a, b] = process.argv.slice(1).map((f) => JSON.parse(require("fs").readFileSync(f, "utf8")));
const same = JSON.stringify(a.public_inputs) === JSON.stringify(b.proof.public_inputs);
console.log(same ? `Noir twin: ${a.public_inputs.length} public inputs, equal to those of the Groth16 proof` : "Noir twin: public inputs DIFFER");
process.exit(same ? 0 : 1);' "$OUT/noir-execution.json" "$OUT/preview.json"
