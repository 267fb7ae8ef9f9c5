#!/usr/bin/env bash
# Installs what is needed and starts Sleuth on the embedded default: SQLite under .data/ and the
# built-in simulated fleet, on http://127.0.0.1:7070. Extra arguments go to `sleuth serve`.
#
# This local demo runs with authentication off (allowed only on a loopback address; Sleuth says so
# at startup and in the UI). SLEUTH_AUTH_ENABLED=true bash scripts/start.sh runs it with sign-in,
# as `sleuth serve` does by default (docs/security.md).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
export SLEUTH_AUTH_ENABLED="${SLEUTH_AUTH_ENABLED:-false}"
exec node bin/sleuth.mjs serve "$@"
