#!/usr/bin/env bash
# Makes sure the PostgreSQL server the tests use answers: TEST_DATABASE_URL if set, otherwise
# the local Debian cluster, installed and started if this machine lets us (root with apt-get).
# Tests never run against an embedded database: they use a real server.
set -euo pipefail

url="${TEST_DATABASE_URL:-postgres://postgres:postgres@127.0.0.1:5432/postgres}"

answers() { pg_isready -q -d "$url" 2>/dev/null && psql "$url" -qtAc 'select 1' >/dev/null 2>&1; }

if command -v pg_isready >/dev/null && answers; then exit 0; fi
if [ -n "${TEST_DATABASE_URL:-}" ]; then
  echo "TEST_DATABASE_URL does not answer: $url" >&2
  exit 1
fi

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo -n "$@"; else return 1; fi; }

if ! command -v pg_ctlcluster >/dev/null; then
  echo "Installing PostgreSQL (Debian package)..." >&2
  as_root apt-get update -qq >/dev/null && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null || {
    echo "PostgreSQL is not installed and could not be installed here. Install it, or set TEST_DATABASE_URL." >&2
    exit 1
  }
fi

# The cluster on port 5432 (other clusters, such as the rehearsal's, are not the tests' server).
cluster=$(pg_lsclusters --no-header | awk '$3 == 5432 {print $1" "$2; exit}')
if [ -z "$cluster" ]; then
  version=$(ls /usr/lib/postgresql | sort -n | tail -1)
  as_root pg_createcluster "$version" main >/dev/null
  cluster="$version main"
fi
# shellcheck disable=SC2086
as_root pg_ctlcluster $cluster start 2>/dev/null || true
for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done

# The tests log in over TCP with a password; give the local superuser the one they expect.
if ! answers; then
  as_root su postgres -c "psql -qc \"alter user postgres password 'postgres'\"" >/dev/null
fi
answers || { echo "PostgreSQL is running but does not accept $url" >&2; exit 1; }
