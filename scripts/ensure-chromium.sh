#!/usr/bin/env bash
# Makes sure Debian's chromium is installed for the browser suite (tests/browser), as
# ensure-postgres.sh does for PostgreSQL: playwright-core drives the system's browser, and no
# browser is downloaded. A CJK font comes with it, so that the Chinese pages (and the screenshots
# the suite keeps) show characters rather than empty boxes. CHROMIUM_PATH names another browser.
set -euo pipefail

browser="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ -n "${CHROMIUM_PATH:-}" ] && [ ! -x "$browser" ]; then
  echo "CHROMIUM_PATH is not an executable: $browser" >&2
  exit 1
fi

missing=()
[ -x "$browser" ] || missing+=(chromium)
{ command -v fc-list >/dev/null && fc-list :lang=zh family | grep -q .; } || missing+=(fonts-noto-cjk)
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo -n "$@"; else return 1; fi; }

echo "Installing ${missing[*]} (Debian packages) for the browser suite..." >&2
as_root apt-get update -qq >/dev/null && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null || {
  echo "${missing[*]} not installed and could not be installed here: apt-get install ${missing[*]}, or set CHROMIUM_PATH." >&2
  exit 1
}
[ -x "$browser" ] || { echo "chromium was installed but $browser is missing" >&2; exit 1; }
