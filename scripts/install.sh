#!/usr/bin/env bash
# Installs what Sleuth needs on a fresh Debian machine with Node 20 and builds the web UI.
# Idempotent: when node_modules matches package-lock.json and ui/dist matches the UI's sources,
# it does nothing.
set -euo pipefail
cd "$(dirname "$0")/.."

need_major=20
need_minor=19
ver=$(node -p 'process.versions.node' 2>/dev/null || echo 0.0.0)
major=${ver%%.*}; rest=${ver#*.}; minor=${rest%%.*}
if [ "$major" -lt "$need_major" ] || { [ "$major" -eq "$need_major" ] && [ "$minor" -lt "$need_minor" ]; }; then
  echo "Sleuth needs Node >= ${need_major}.${need_minor}; found ${ver}" >&2
  exit 1
fi

# better-sqlite3 compiles from source here (its prebuilt download is refused): python3, make, g++.
missing=()
for tool in python3 make g++; do command -v "$tool" >/dev/null 2>&1 || missing+=("$tool"); done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "installing build tools: ${missing[*]}"
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -qq && $sudo apt-get install -y -qq python3 make g++ >/dev/null
fi

stamp=node_modules/.sleuth-install-stamp
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -e node_modules/better-sqlite3/build/Release/better_sqlite3.node ]; then
  echo "dependencies are up to date"
else
  echo "installing npm dependencies (the first time builds SQLite from source: about 2-3 minutes)"
  npm ci --no-audit --no-fund
  echo "$want" > "$stamp"
fi

# The web UI (ui/, Svelte + Vite) is built into ui/dist, which the server serves. Rebuilt when its
# sources or the lock file changed since the last build (about 2 s).
ui_want=$( (sha256sum package-lock.json ui/package.json ui/index.html ui/vite.config.ts ui/tsconfig.json; \
  find ui/src ui/public -type f -print0 | sort -z | xargs -0 sha256sum) | sha256sum | cut -d' ' -f1)
ui_stamp=ui/dist/.sleuth-build-stamp
if [ -f "$ui_stamp" ] && [ "$(cat "$ui_stamp")" = "$ui_want" ] && [ -f ui/dist/index.html ]; then
  echo "web UI is built"
else
  echo "building the web UI"
  npm run build --workspace ui --silent
  echo "$ui_want" > "$ui_stamp"
fi
