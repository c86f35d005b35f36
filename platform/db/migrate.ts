import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Sql } from './client.ts';

const migrationsDir = fileURLToPath(new URL('./migrations/', import.meta.url));

// An arbitrary constant: two processes starting together take turns at migrating.
const MIGRATION_LOCK = 7_401_202;

export interface MigrationResult {
  applied: string[];
  alreadyApplied: string[];
}

/**
 * Applies the plain-SQL files in db/migrations in name order, each in its own transaction,
 * once. A file changed after it was applied stops start-up: published migrations are history.
 */
export async function migrate(sql: Sql): Promise<MigrationResult> {
  const files = (await readdir(migrationsDir)).filter((name) => name.endsWith('.sql')).sort();
  const result: MigrationResult = { applied: [], alreadyApplied: [] };
  await sql.begin(async (tx) => {
    await tx`select pg_advisory_xact_lock(${MIGRATION_LOCK})`;
    await tx`
      create table if not exists schema_migrations (
        name text primary key,
        checksum text not null,
        applied_at timestamptz not null default now()
      )`;
    const rows = await tx<{ name: string; checksum: string }[]>`select name, checksum from schema_migrations`;
    const known = new Map(rows.map((row) => [row.name, row.checksum]));
    for (const name of files) {
      const text = await readFile(migrationsDir + name, 'utf8');
      const checksum = createHash('sha256').update(text).digest('hex');
      const previous = known.get(name);
      if (previous === checksum) {
        result.alreadyApplied.push(name);
        continue;
      }
      if (previous !== undefined) {
        throw new Error(`migration ${name} was changed after it was applied; add a new migration instead`);
      }
      await tx.unsafe(text);
      await tx`insert into schema_migrations (name, checksum) values (${name}, ${checksum})`;
      result.applied.push(name);
    }
  });
  return result;
}
