#!/usr/bin/env bash
# Installs the real servers the tests run against (Debian packages; nothing is started here):
# Prometheus and Alertmanager. Idempotent: a machine that has them installs nothing.
set -euo pipefail

missing=()
command -v prometheus >/dev/null 2>&1 || missing+=(prometheus)
command -v prometheus-alertmanager >/dev/null 2>&1 || missing+=(prometheus-alertmanager)
if [ "${#missing[@]}" -eq 0 ]; then
  echo "test servers are installed (prometheus, prometheus-alertmanager)"
  exit 0
fi
echo "installing test servers: ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
$sudo apt-get update -qq
# The packages' postinst scripts try to start daemons through systemd; without systemd they only warn.
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
