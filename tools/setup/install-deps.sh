#!/usr/bin/env bash
# Installs the system libraries PoseRT needs on Debian/Ubuntu. Idempotent: does nothing when all are present.
#   libgtk-3-0  OpenCV's native library (highgui) links against GTK 3; without it OpenCV cannot load at all.
#   chromium    headless browser for the demo's --serve page test (driven by Playwright with ExecutablePath=/usr/bin/chromium;
#               Playwright's own browser download is not used).
#   mono-runtime, mono-devel  Mono 6.8, to run the Runtime's netstandard2.0 build as Unity's editor runtime family does
#               (MonoHostTests). mono-runtime alone cannot load any netstandard2.0 library: Debian ships Mono's
#               netstandard.dll facade (/usr/lib/mono/4.5/Facades) only in mono-devel.
set -euo pipefail

packages=(libgtk-3-0 chromium mono-runtime mono-devel)

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
