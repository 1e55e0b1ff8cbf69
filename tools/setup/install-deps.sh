#!/usr/bin/env bash
# Installs the system libraries PoseRT needs on Debian/Ubuntu. Idempotent: does nothing when all are present.
#   libgtk-3-0  OpenCV's native library (highgui) links against GTK 3; without it OpenCV cannot load at all.
#   chromium    headless browser for the demo's --serve page test (driven by Playwright with ExecutablePath=/usr/bin/chromium;
#               Playwright's own browser download is not used).
set -euo pipefail

packages=(libgtk-3-0 chromium)

if ! command -v dpkg-query >/dev/null 2>&1; then
  echo "install-deps: not a Debian-based system; make sure these are installed: ${packages[*]}" >&2
  exit 0
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
    echo "install-deps: missing ${missing[*]}; run as root: apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
fi
echo "install-deps: installing ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
