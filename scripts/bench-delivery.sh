#!/usr/bin/env bash
# Encrypted delivery against `veil dataset commit` on the same file, in the same run: a
# generated CSV shaped like examples/sales.csv (ROWS rows, default 1,000,000), release build.
# ROUNDS rounds (default 3), interleaved: commit, encrypt, decrypt, check. Prints each command's
# median wall time, its ratio to commit's median, and its largest peak RSS (GNU time).
#   scripts/bench-delivery.sh [ROWS] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${1:-1000000}
ROUNDS=${2:-3}
cargo build --release -p veil-cli --bin veil
VEIL=$PWD/target/release/veil
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
python3 - "$ROWS" >"$W/sales.csv" <<'PY'
import random, sys
rng = random.Random(7)
cities = ["Oslo", "Perth", "Lyon", "Quito", "Osaka", "Accra", "Lima", "Turin"]
cats = ["grocery", "garden", "books", "toys", "tools", "music"]
out = sys.stdout
out.write("order_id,date,city,category,amount_eur,customer_email\n")
for i in range(int(sys.argv[1])):
    out.write(f"ORD-{10000 + i},2026-{rng.randint(1, 12):02}-{rng.randint(1, 28):02},"
              f"{rng.choice(cities)},{rng.choice(cats)},{rng.randint(100, 99999) / 100:.2f},"
              f"user{rng.randint(1000, 9999)}@example.net\n")
PY
cd "$W"
"$VEIL" dataset keygen --out seller.key >/dev/null 2>&1
# `name seconds kib` per run.
run() {
  local name=$1
  shift
  /usr/bin/time -f "$name %e %M" -a -o times.txt "$VEIL" "$@" >/dev/null 2>&1
}
for _ in $(seq "$ROUNDS"); do
  rm -f sales.veilct out.csv
  run commit dataset commit sales.csv --secret-file seller.key --dataset-id bench --out listing.json --force
  run encrypt dataset encrypt sales.csv --secret-file seller.key --listing listing.json --out sales.veilct
  run check delivery check sales.veilct --listing listing.json
  "$VEIL" dataset export-key --secret-file seller.key --listing listing.json --out k.key --force >/dev/null 2>&1
  run decrypt delivery decrypt sales.veilct --listing listing.json --key k.key --out out.csv
  cmp -s out.csv sales.csv || { echo "decrypt did not give the file back" >&2; exit 1; }
done
echo "$ROWS rows, $(du -m sales.csv | cut -f1) MB CSV, $(du -m sales.veilct | cut -f1) MB ciphertext, $ROUNDS rounds, $(nproc) cores"
python3 - <<'PY'
import statistics
runs = {}
for line in open("times.txt"):
    name, secs, kib = line.split()
    runs.setdefault(name, []).append((float(secs), int(kib)))
base = statistics.median(s for s, _ in runs["commit"])
print("| command | median seconds | ratio to commit | peak RSS |")
print("|---|---:|---:|---:|")
for name in ["commit", "encrypt", "decrypt", "check"]:
    r = runs[name]
    med = statistics.median(s for s, _ in r)
    print(f"| `{name}` | {med:.1f} | {med / base:.2f} | {max(k for _, k in r) // 1024} MiB |")
PY
