#!/usr/bin/env bash
# A whole Groth16 phase-2 ceremony at one production shape, each step timed with GNU time
# (wall seconds and peak RSS): a local powers-of-tau file (new, one contribution, prepare
# phase 2; an operator downloads the published Hermez file instead), `veil setup
# --ceremony-export`, snarkjs `zkey new`, two contributions, a beacon, `zkey verify`, and
# `veil setup --ceremony-import`. Release build; snarkjs from tools/ (scripts/test.sh installs
# it). Default shape: the preview of depth 20, 8 samples, 3 columns.
#   scripts/ceremony-timing.sh [veil setup shape options...]
set -euo pipefail
cd "$(dirname "$0")/.."
SHAPE=("$@")
[ ${#SHAPE[@]} -gt 0 ] || SHAPE=(--statement preview-membership --depth 20 --samples 8 --columns 3)
cargo build --release -p veil-cli --bin veil >/dev/null 2>&1
VEIL=$PWD/target/release/veil
JS=$PWD/tools/node_modules/.bin/snarkjs
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
cd "$W"
step() {
  local name=$1; shift
  /usr/bin/time -f "%e %M" -o t.txt "$@" >log.txt 2>&1 || { cat log.txt; exit 1; }
  read -r s kib <t.txt
  printf '%-28s %8.1f s %8.0f MiB\n' "$name" "$s" "$((kib / 1024))"
}
step "veil ceremony-export" "$VEIL" setup "${SHAPE[@]}" --ceremony-export out
desc=$(ls out/*.ceremony.json)
key=$(basename "$desc" .ceremony.json)
power=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['ptau_power'])" "$desc")
echo "$key: $(python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(d['constraints'], 'constraints, ptau 2^%d' % d['ptau_power'])" "$desc")"
step "ptau new" "$JS" powersoftau new bn128 "$power" p0.ptau
step "ptau contribute" "$JS" powersoftau contribute p0.ptau p1.ptau --name=local -e=timing
step "ptau prepare phase2" "$JS" powersoftau prepare phase2 p1.ptau final.ptau
step "zkey new" "$JS" zkey new "out/$key.r1cs" final.ptau k0.zkey
step "zkey contribute (1)" "$JS" zkey contribute k0.zkey k1.zkey --name=first -e=one
step "zkey contribute (2)" "$JS" zkey contribute k1.zkey k2.zkey --name=second -e=two
step "zkey beacon" "$JS" zkey beacon k2.zkey final.zkey 0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20 10 -n=beacon
step "zkey verify" "$JS" zkey verify "out/$key.r1cs" final.ptau final.zkey
step "veil ceremony-import" "$VEIL" setup "${SHAPE[@]}" --params params --ceremony-import final.zkey --ptau final.ptau
ls -l final.zkey final.ptau params/*.pk | awk '{printf "%-40s %8.1f MiB\n", $NF, $5/1048576}'
