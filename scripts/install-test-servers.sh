#!/usr/bin/env bash
# Installs the real servers and the browser the tests run against (Debian packages; nothing is
# started here): Prometheus and Alertmanager, and Chromium for the web UI's end-to-end test
# (test/ui/e2e.test.ts drives /usr/bin/chromium through playwright-core; never
# `npx playwright install`). Idempotent: a machine that has them installs nothing.
set -euo pipefail

missing=()
command -v prometheus >/dev/null 2>&1 || missing+=(prometheus)
command -v prometheus-alertmanager >/dev/null 2>&1 || missing+=(prometheus-alertmanager)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
if [ "${#missing[@]}" -eq 0 ]; then
  echo "test servers are installed (prometheus, prometheus-alertmanager, chromium)"
  exit 0
fi
echo "installing test servers: ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
$sudo apt-get update -qq
# The packages' postinst scripts try to start daemons through systemd; without systemd they only warn.
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
