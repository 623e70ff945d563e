#!/usr/bin/env bash
# Install the Debian/Ubuntu packages ediscovery needs outside Python:
#   Pango and HarfBuzz's subsetter (WeasyPrint; without it font subsetting is very slow), fontconfig's
#   fc-list and fc-query (which characters the installed fonts cover), Noto fonts (CJK, Arabic, Hebrew, emoji, symbols), 7-Zip (7zz),
#   qpdf and poppler-utils (PDF checks in tests), openssl (the tests' Time-Stamp Authority and the
#   standard-tool checks of time-stamps and signatures).
# Installs only what is missing; needs root or sudo. Elsewhere it prints what to install.
set -euo pipefail

packages=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fontconfig fonts-dejavu-core fonts-noto-core fonts-noto-cjk
          fonts-noto-color-emoji fonts-noto-mono qpdf poppler-utils openssl)
# 7-Zip: Debian 12+ and Ubuntu 24.04+ ship "7zip" (the 7zz binary); older ones only p7zip.
sevenzip=7zip

missing=()
for p in "${packages[@]}" "$sevenzip"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
  echo "system-deps: not a Debian/Ubuntu system; install these yourself: ${missing[*]}" >&2
  exit 0
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
    echo "system-deps: run as root to install: ${missing[*]}" >&2; exit 0; fi
fi
export DEBIAN_FRONTEND=noninteractive
# Another apt (an unattended upgrade) may hold the lock: wait for it rather than fail at once.
apt=(apt-get -o DPkg::Lock::Timeout=600)
$sudo "${apt[@]}" update -qq
if ! $sudo "${apt[@]}" install -y -qq --no-install-recommends "${missing[@]}"; then
  # Older releases: no "7zip" package; p7zip-full gives 7z (tests look for 7zz, then 7z).
  rest=()
  for p in "${missing[@]}"; do [ "$p" = "$sevenzip" ] || rest+=("$p"); done
  $sudo "${apt[@]}" install -y -qq --no-install-recommends "${rest[@]}" p7zip-full
fi
