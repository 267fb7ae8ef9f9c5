#!/usr/bin/env bash
# Installs what is needed and runs the whole test suite: typecheck, lint, format check, tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
bash scripts/install-test-servers.sh
npm run check
