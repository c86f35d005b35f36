#!/bin/sh
# Registers Custodian's namespace on a Temporal cluster, if it is missing, and Custodian's search
# attributes on it (domain/search-attributes.ts; tests/unit/docker-compose.test.ts checks this list
# against that file). Safe to run again: an existing namespace is left as it is, and adding an
# attribute that already exists changes nothing.
#
# Run by docker-compose.yml's temporal-setup job (admin-tools image) and by scripts/rehearse.ts
# (the locally built CLI, named by TEMPORAL_CLI), with TEMPORAL_ADDRESS and TEMPORAL_NAMESPACE set.
set -eu

cli="${TEMPORAL_CLI:-temporal}"
ns="${TEMPORAL_NAMESPACE:-default}"
# How long closed workflow histories stay in Temporal (and in its UI). Read only when the namespace
# is created. Custodian's records and audit trail are kept in its own database.
retention="${TEMPORAL_RETENTION:-720h}"

# Runs a command until it succeeds, every 2 s, at most $1 times.
retry() {
  tries="$1"
  what="$2"
  shift 2
  until "$@"; do
    tries=$((tries - 1))
    if [ "$tries" -le 0 ]; then
      echo "gave up: $what" >&2
      exit 1
    fi
    sleep 2
  done
}

healthy() { "$cli" operator cluster health >/dev/null 2>&1; }
retry 90 "Temporal at $TEMPORAL_ADDRESS did not answer within 3 minutes" healthy

if ! "$cli" operator namespace describe --namespace "$ns" >/dev/null 2>&1; then
  "$cli" operator namespace create --namespace "$ns" --retention "$retention"
fi

# A new namespace reaches the frontends' namespace cache some seconds after it is created, and
# until then adding attributes to it answers "not found": try again for up to a minute.
retry 30 "could not add the search attributes to namespace $ns" \
  "$cli" operator search-attribute create --namespace "$ns" \
  --name CustodianProcessKey --type Keyword \
  --name CustodianBusinessKey --type Keyword \
  --name CustodianInitiator --type Keyword \
  --name CustodianSecrecy --type Keyword \
  --name CustodianCustomer --type Keyword
"$cli" operator search-attribute list --namespace "$ns"
