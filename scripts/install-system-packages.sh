#!/usr/bin/env bash
# Debian packages crossover needs beyond Python: Pango/HarfBuzz for WeasyPrint (PDF), and for
# the tests LibreOffice (workbooks), Chromium (the HTML report and the portal in a real browser),
# poppler, PostgreSQL (the portal's tests run on it as well as on SQLite) and Redis (the
# portal's shared rate-limit store, tested across several web processes).
# Installs only what is missing; needs root (or sudo) on a Debian-based machine.
set -euo pipefail

runtime=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fontconfig fonts-dejavu-core)
testing=(libreoffice-calc-nogui chromium poppler-utils postgresql redis-server)

wanted=("${runtime[@]}")
if [[ "${1:-}" == "--test" ]]; then
  wanted+=("${testing[@]}")
fi

missing=()
for pkg in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [[ ${#missing[@]} -eq 0 ]]; then
  exit 0
fi

sudo=""
if [[ $(id -u) -ne 0 ]]; then
  sudo="sudo"
fi
echo "Installing Debian packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
