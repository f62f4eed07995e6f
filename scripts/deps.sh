#!/usr/bin/env bash
# Installs everything gridline needs to build, serve and test, from Debian's
# packages and (for the web app) the npm registry via the committed lock file.
# Idempotent: when everything is present it prints nothing and exits 0.
set -euo pipefail
cd "$(dirname "$0")/.."

pkgs=(
  build-essential pkg-config
  libmicrohttpd-dev libjansson-dev libsqlite3-dev libsodium-dev liboath-dev libcsv-dev
  libjpeg62-turbo-dev libpng-dev libcurl4-openssl-dev libxlsxwriter-dev libqrencode-dev
  libcmocka-dev sqlite3 zbar-tools librsvg2-bin
  chromium fonts-wqy-microhei
  nodejs npm
)

missing=()
for p in "${pkgs[@]}"; do
  # nodejs may come from another source (e.g. a newer upstream build); accept
  # any working node + npm instead of insisting on Debian's package.
  if [ "$p" = nodejs ] && command -v node >/dev/null 2>&1; then continue; fi
  if [ "$p" = npm ] && command -v npm >/dev/null 2>&1; then continue; fi
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "deps: installing ${missing[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# npm packages (the web app's vendored libraries), only when the lock changed.
if [ -f package-lock.json ]; then
  stamp=node_modules/.gridline-lock
  if [ ! -f "$stamp" ] || ! cmp -s package-lock.json "$stamp"; then
    npm ci --no-audit --no-fund --loglevel=error >&2
    cp package-lock.json "$stamp"
  fi
fi
