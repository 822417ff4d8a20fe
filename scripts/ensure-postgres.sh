#!/usr/bin/env bash
# PostgreSQL's server tools (initdb, pg_ctl), for the tests' throwaway clusters: installed from
# Debian's `postgresql` package if missing. Nothing is started here; each test binary starts and
# removes its own cluster.
set -euo pipefail
if command -v initdb >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  exit 0
fi
sudo=""
if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq postgresql
