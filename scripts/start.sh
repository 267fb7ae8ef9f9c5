#!/usr/bin/env bash
# Installs what is needed and starts Sleuth on the embedded default: SQLite under .data/ and the
# built-in simulated fleet, on http://127.0.0.1:7070. Extra arguments go to `sleuth serve`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
exec node bin/sleuth.mjs serve "$@"
