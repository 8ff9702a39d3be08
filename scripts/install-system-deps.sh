#!/usr/bin/env bash
# Debian packages the app and its tests need: Qt's runtime libraries, a real-window (xcb) set,
# CJK fonts for the screen and for letters, poppler for reading generated PDFs back, Xvfb, Chromium
# (headless) for drawing the annual report's web page in its test.
# Installs only what is missing; does nothing on systems without apt-get.
set -euo pipefail
PACKAGES=(libgl1 libegl1 libxkbcommon0 libfontconfig1 libglib2.0-0 libdbus-1-3
          libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0
          libxcb-render-util0 libxcb-shape0 libxcb-xinerama0 libxcb-xkb1
          fonts-noto-cjk fonts-arphic-uming fonts-hanazono poppler-utils xvfb chromium)
command -v apt-get >/dev/null 2>&1 || exit 0
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
echo "Installing Debian packages: ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
