#!/usr/bin/env bash
# Veil's test command: installs what the tests need on a fresh machine, then runs them.
#   scripts/test.sh            CI's loop, complete (docs/testing.md says what runs where)
#   scripts/test.sh --quick    a developer's loop: the tests of the crates that changed
#                              (against HEAD, or the last commit on a clean tree; VEIL_SINCE=<rev>
#                              to choose), no wasm, no schemathesis
#   scripts/test.sh --full     CI's loop and the `#[ignore]`d heavy tests
# Arguments after `--` go to cargo-nextest (a filter: `-- -E 'test(/chain/)'`).
#
# What it installs: npm snarkjs and playwright-core (tools/), npm noir_wasm and bb (noir/, then every Noir program
# is compiled), both cached by their lock files inside the clone; rustup's clippy and wasm32
# target; cargo-nextest; PyPI schemathesis (target/schemathesis-venv); Debian postgresql,
# libsodium23 and chromium (the page's browser test; screenshots in target/browser/).
#
# One build: clippy runs as the workspace's rustc (RUSTC_WORKSPACE_WRAPPER) while the tests
# compile, so its lints cost no second pass over the dependencies. The step times and the
# slowest tests are written to target/test-report.md.
set -euo pipefail
cd "$(dirname "$0")/.."

mode=ci
case "${1:-}" in
  --quick) mode=quick; shift ;;
  --full) mode=full; shift ;;
  --ci) shift ;;
esac
[ "${1:-}" = "--" ] && shift
extra=("$@")

report=target/test-report.md
steps=()
started=$SECONDS
# `step NAME COMMAND...`: runs and times one step of the table.
step() {
  local name=$1 t0=$SECONDS
  shift
  echo "== $name"
  "$@"
  steps+=("| $name | $((SECONDS - t0)) |")
}
write_report() {
  mkdir -p target
  {
    echo "# scripts/test.sh ($mode), $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores"
    echo
    echo "| step | seconds |"
    echo "|---|---:|"
    printf '%s\n' "${steps[@]}"
    echo "| **total** | **$((SECONDS - started))** |"
  } >"$report"
  local junit=target/nextest/$profile/junit.xml
  [ -f "$junit" ] && python3 scripts/slowest-tests.py "$junit" 20 >>"$report"
  echo
  cat "$report"
}
profile=ci
[ "$mode" = quick ] && profile=default
trap 'write_report' EXIT

# `npm ci` only when the lock changed since the last install in this clone.
npm_ci() {
  local dir=$1 stamp=$1/node_modules/.veil-lock.sha256 want
  want=$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)
  if [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
    echo "$dir/node_modules: up to date with its lock"
    return
  fi
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
  echo "$want" >"$stamp"
}

# The Noir programs, compiled again only when a source, the lock or the build script changed.
noir_build() {
  local stamp=noir/target/.veil-sources.sha256 want
  want=$(git ls-files -co --exclude-standard noir | grep -Ev '^noir/(tests|src)/|^noir/Cargo.toml$' | sort |
    xargs sha256sum | sha256sum | cut -d' ' -f1)
  if [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
    echo "noir/target: up to date with the sources"
    return
  fi
  (cd noir && node build.mjs --variants)
  echo "$want" >"$stamp"
}

# The workspace packages with a changed file (docs and the README are veil-cli's readme test).
changed_packages() {
  local files
  if [ -n "${VEIL_SINCE:-}" ]; then
    files=$(git diff --name-only "$VEIL_SINCE")
  else
    files=$( (git diff --name-only HEAD; git ls-files -o --exclude-standard) | sort -u)
    [ -z "$files" ] && files=$(git diff --name-only HEAD~1 HEAD)
  fi
  cargo metadata --no-deps --format-version 1 | python3 -c '
import json, os, sys
meta = json.load(sys.stdin)
root = meta["workspace_root"]
dirs = {os.path.relpath(os.path.dirname(p["manifest_path"]), root): p["name"] for p in meta["packages"]}
out = set()
for f in sys.argv[1].split():
    top = f.split("/")[0]
    if top in dirs:
        out.add(dirs[top])
    elif f.endswith(".md") or top in ("examples", "params", "tests"):
        out.add("veil-cli")
print(" ".join(sorted(out)))
' "$files"
}

scripts/ensure-node.sh
scripts/ensure-postgres.sh
sudo=""; [ "$(id -u)" != 0 ] && sudo="sudo"
apt_updated=""
apt_install() {
  [ -n "$apt_updated" ] || { $sudo apt-get update -qq; apt_updated=1; }
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$@"
}
# libsodium, the key note's independent implementation (scripts/sodium-sealed-box.py).
if ! python3 -c 'import ctypes.util, sys; sys.exit(not ctypes.util.find_library("sodium"))'; then
  apt_install libsodium23
fi
# Chromium, the browser the page's test drives (playwright-core from tools/ talks to it).
if [ "$mode" != quick ] && ! command -v chromium >/dev/null 2>&1; then
  step "apt: chromium (the page's browser test)" apt_install chromium
fi
command -v cargo-nextest >/dev/null || cargo install cargo-nextest --locked
rustup component add clippy >/dev/null 2>&1 || true
rustup target add wasm32-unknown-unknown >/dev/null 2>&1 || true

step "npm ci: snarkjs, playwright-core (tools/)" npm_ci tools
# `npm ci`: exactly the locked versions (the lock lists every platform's optional packages).
step "npm ci: noir_wasm, bb.js (noir/)" npm_ci noir
step "noir: compile every program and variant" noir_build
step "cargo fmt --check" cargo fmt --all -- --check
import_cycles() {
  python3 scripts/check-import-cycles.py --self-test
  python3 scripts/check-import-cycles.py
}
step "no file-level import cycles (and the check finds planted ones)" import_cycles

# CI builds without line tables (the workspace's crates have them in the dev profile): about a
# fifth less codegen for each of them (veil-engine: 55 s to 45 s). A failure still names the
# assertion's file and line (the panic's own location); its backtrace names functions only.
if [ "$mode" != quick ]; then export CARGO_PROFILE_TEST_DEBUG=false; fi

export RUSTC_WORKSPACE_WRAPPER
RUSTC_WORKSPACE_WRAPPER=$(rustup which clippy-driver 2>/dev/null || command -v clippy-driver)
export CLIPPY_ARGS="-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__"
export VEIL_REQUIRE_SNARKJS=1 VEIL_REQUIRE_WASM=1 VEIL_REQUIRE_NOIR=1 VEIL_REQUIRE_SODIUM=1
export VEIL_REQUIRE_BROWSER=1

# What nextest builds (libraries, binaries, tests, and examples as programs), then the benches:
# `--all-targets` would build the examples a second way (as tests), and nextest them again.
# The build's timings: target/cargo-timings/cargo-timing.html.
build_all() {
  cargo test "$@" --no-run --timings
  cargo test "$@" --benches --no-run
}

if [ "$mode" = quick ]; then
  packages=$(changed_packages)
  if [ -z "$packages" ]; then
    echo "no workspace package changed: nothing to test (VEIL_SINCE=<rev> to compare with one)"
    exit 0
  fi
  echo "changed: $packages"
  args=()
  for p in $packages; do args+=(-p "$p"); done
  # The wasm cross test needs the wasm verifier; --quick does not build it.
  unset VEIL_REQUIRE_WASM VEIL_REQUIRE_BROWSER
  step "build + clippy: $packages" build_all "${args[@]}"
  step "cargo nextest: $packages" cargo nextest run "${args[@]}" "${extra[@]}"
  exit 0
fi

# The wasm verifier builds beside the workspace (its own build folder): it fills the cores the
# native build leaves idle in its serial stretches (a crate or a link at a time). Its output
# is printed after the native build's.
build_everything() {
  scripts/build-wasm.sh >target/build-wasm.log 2>&1 &
  local wasm=$!
  local native=0
  build_all --workspace || native=$?
  local rc=0
  wait "$wasm" || rc=$?
  echo "-- the wasm verifier, plain and relaxed-SIMD (scripts/build-wasm.sh):"
  cat target/build-wasm.log
  [ "$native" -eq 0 ] && [ "$rc" -eq 0 ]
}
mkdir -p target
step "build + clippy -D warnings (every target, benches included; the wasm verifier beside)" build_everything
ignored=()
[ "$mode" = full ] && ignored=(--run-ignored all)
step "cargo nextest: every test of the workspace" \
  cargo nextest run --workspace --profile "$profile" "${ignored[@]}" "${extra[@]}"
step "doc tests" cargo test --workspace --doc
step "schemathesis against veil serve (PyPI: schemathesis)" \
  env VEIL_BIN="$PWD/target/debug/veil" scripts/schemathesis.sh 100
