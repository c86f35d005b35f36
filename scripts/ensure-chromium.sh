#!/usr/bin/env bash
# Makes sure Debian's chromium is installed for the browser suite (tests/browser), as
# ensure-postgres.sh does for PostgreSQL: playwright-core drives the system's browser, and no
# browser is downloaded. CHROMIUM_PATH names another executable to use instead.
set -euo pipefail

browser="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ -x "$browser" ]; then exit 0; fi
if [ -n "${CHROMIUM_PATH:-}" ]; then
  echo "CHROMIUM_PATH is not an executable: $browser" >&2
  exit 1
fi

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo -n "$@"; else return 1; fi; }

echo "Installing chromium (Debian package) for the browser suite..." >&2
as_root apt-get update -qq >/dev/null && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null || {
  echo "chromium is not installed and could not be installed here. Install it (apt-get install chromium), or set CHROMIUM_PATH." >&2
  exit 1
}
[ -x "$browser" ] || { echo "chromium was installed but $browser is missing" >&2; exit 1; }
