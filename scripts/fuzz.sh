#!/usr/bin/env bash
# Fuzzes every file-format parser (fuzz/fuzz_targets/, one per format) with cargo-fuzz.
#   scripts/fuzz.sh [SECONDS_PER_TARGET=600] [PARALLEL=1] [TARGET...]
# Each target starts from every checked-in sample (tests/formats/v1/), so it begins with valid
# files of every kind. Needs the nightly toolchain and cargo-fuzz (installed if missing). Prints
# one line per target: executions, seconds, and whether it found a crash (saved under
# fuzz/artifacts/<target>/).
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-600}
jobs=${2:-1}
shift $(( $# > 2 ? 2 : $# ))
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
rustup toolchain list | grep -q nightly || rustup toolchain install nightly --profile minimal
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  mapfile -t targets < <(ls fuzz/fuzz_targets | sed 's/\.rs$//')
fi
cargo +nightly fuzz build --release "${targets[@]/#/}" >/dev/null 2>&1 || cargo +nightly fuzz build --release
mkdir -p fuzz/logs
run() {
  local t=$1 corpus=fuzz/corpus/$1
  mkdir -p "$corpus"
  cp tests/formats/v1/*.json tests/formats/v1/*.key tests/formats/v1/params/manifest.json tests/formats/fuzz-regressions/* "$corpus"/ 2>/dev/null || true
  cargo +nightly fuzz run --release "$t" "$corpus" -- -max_total_time="$secs" -print_final_stats=1 \
    >"fuzz/logs/$t.log" 2>&1 && status=ok || status="CRASH (see fuzz/logs/$t.log)"
  local execs
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "fuzz/logs/$t.log" | grep -o '[0-9]*$' || echo '?')
  printf '%-18s %12s executions in %ss: %s\n' "$t" "$execs" "$secs" "$status"
}
export -f run
export secs
printf '%s\n' "${targets[@]}" | xargs -P "$jobs" -I{} bash -c 'run {}'
