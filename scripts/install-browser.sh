#!/usr/bin/env bash
# Headless Chromium for the HTML report's browser tests and screenshots (Debian package
# `chromium`; Playwright drives it, it never downloads a browser of its own). Does nothing
# when a Chromium is already installed.
set -euo pipefail
for name in chromium chromium-browser google-chrome; do
  if command -v "$name" >/dev/null 2>&1; then exit 0; fi
done
if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
echo "installing chromium (apt) for the browser tests..." >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
