#!/usr/bin/env bash
# Installs what the status-page browser test needs, and nothing it would download on its own: Debian's chromium (apt)
# and playwright-core 1.64.1 (npm) into the directory given ($1). Never a browser downloaded by Playwright.
set -euo pipefail
DIR="${1:?usage: install.sh <install-dir>}"
if ! command -v chromium >/dev/null 2>&1; then
  if [[ "$(id -u)" -eq 0 ]]; then
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null
  else
    sudo -n apt-get update -qq >/dev/null
    sudo -n env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null
  fi
fi
mkdir -p "$DIR"
if [[ ! -f "$DIR/node_modules/playwright-core/package.json" ]]; then
  # PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: playwright-core downloads nothing itself; the variable makes sure of it.
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm install --silent --no-audit --no-fund --prefix "$DIR" playwright-core@1.64.1
fi
command -v chromium
