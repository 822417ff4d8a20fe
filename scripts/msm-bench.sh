#!/usr/bin/env bash
# Veil's MSM against arkworks' (and Veil's portable path) in BN254 G1 and G2, at 2^14, 2^16 and
# 2^18 points, on one core and on two: the `msm_windows` example's `summary` mode (five
# interleaved rounds, medians), one JSON line per case, gathered into one file.
#
#   scripts/msm-bench.sh [out.json]      (default docs/performance/msm.json)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-docs/performance/msm.json}
cargo build --release -q -p veil-prover --example msm_windows
bin=target/release/examples/msm_windows
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')
lines=()
for threads in 1 2; do
  for curve in g1 g2; do
    for log in 14 16 18; do
      line=$(RAYON_NUM_THREADS=$threads "$bin" $((1 << log)) "$curve" summary)
      echo "$line" >&2
      lines+=("$line")
    done
  done
done
{
  printf '{"version":1,"cpu":"%s","date":"%s","cases":[\n' "$cpu" "$(date -u +%FT%TZ)"
  (IFS=$'\n'; echo "${lines[*]}") | sed '$!s/$/,/'
  printf ']}\n'
} > "$out"
python3 -c "import json,sys; json.load(open(sys.argv[1]))" "$out"
echo "wrote $out" >&2
