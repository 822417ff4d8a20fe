#!/usr/bin/env bash
# Node.js and npm (for snarkjs, noir_wasm and bb.js): installed from Debian's packages if missing.
set -euo pipefail
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  apt-get update -qq && apt-get install -y -qq nodejs npm
fi
