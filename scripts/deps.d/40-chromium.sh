#!/usr/bin/env bash
# Debian's chromium, for the console's browser tests (internal/console, driven by chromedp).
set -euo pipefail
if ! [ -x /usr/bin/chromium ]; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core
fi
