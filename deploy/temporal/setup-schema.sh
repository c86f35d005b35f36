#!/bin/sh
# Creates or upgrades Temporal's two schemas (persistence and visibility) in PostgreSQL with
# temporal-sql-tool, from the schemas built into the tool. Safe to run again: it applies only the
# versions a database lacks. The databases must exist (deploy/postgres-init creates them for
# docker-compose.yml; `npm run rehearse` creates fresh ones).
#
# Run by docker-compose.yml's temporal-schema job (admin-tools image) and by scripts/rehearse.ts
# (the locally built tool, named by SQL_TOOL), with the variables deploy/temporal/custodian.yaml
# reads.
set -eu

tool="${SQL_TOOL:-temporal-sql-tool}"

sql() {
  "$tool" --plugin postgres12 \
    --endpoint "${TEMPORAL_DB_HOST:-postgres}" --port "${TEMPORAL_DB_PORT:-5432}" \
    --user "${TEMPORAL_DB_USER:-temporal}" --password "${TEMPORAL_DB_PASSWORD:-temporal}" \
    --database "$1" "$2" "$3" "$4"
}

for pair in "${TEMPORAL_DB_NAME:-temporal}:temporal" "${TEMPORAL_VISIBILITY_DB_NAME:-temporal_visibility}:visibility"; do
  database="${pair%%:*}"
  schema="postgresql/v12/${pair#*:}"
  sql "$database" setup-schema -v 0.0
  sql "$database" update-schema --schema-name "$schema"
  echo "temporal schema $schema is current in database $database"
done
