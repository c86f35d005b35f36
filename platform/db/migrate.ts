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
  const files = await migrationFiles();
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
    for (const { name, text, checksum } of files) {
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

interface MigrationFile {
  name: string;
  text: string;
  checksum: string;
}

async function migrationFiles(): Promise<MigrationFile[]> {
  const names = (await readdir(migrationsDir)).filter((name) => name.endsWith('.sql')).sort();
  return Promise.all(
    names.map(async (name) => {
      const text = await readFile(migrationsDir + name, 'utf8');
      return { name, text, checksum: createHash('sha256').update(text).digest('hex') };
    }),
  );
}

/**
 * What the API and the workers run at start-up. As a role that may create tables (the owner, or
 * local mode's one role) it migrates. As the application role (docs/deployment.md, "Database
 * roles"), which may not, it only checks that every migration has been applied, unchanged, and
 * stops start-up naming what is missing: the owner applies them (`npm run migrate`).
 */
export async function migrateOrCheck(sql: Sql): Promise<MigrationResult> {
  const [role] = await sql<{ mayCreate: boolean }[]>`select has_schema_privilege('public', 'CREATE') as "mayCreate"`;
  if (role!.mayCreate) return migrate(sql);
  const [table] = await sql<{ exists: boolean }[]>`select to_regclass('schema_migrations') is not null as exists`;
  const applied = new Map(
    table!.exists ? (await sql<{ name: string; checksum: string }[]>`select name, checksum from schema_migrations`).map((row) => [row.name, row.checksum]) : [],
  );
  const files = await migrationFiles();
  const pending = files.filter((file) => applied.get(file.name) !== file.checksum).map((file) => file.name);
  if (pending.length > 0) {
    throw new Error(
      `the database schema is not current (${pending.join(', ')} not applied, or changed) and this role may not migrate it; ` +
        'run `npm run migrate` with DATABASE_URL naming the owner role',
    );
  }
  return { applied: [], alreadyApplied: files.map((file) => file.name) };
}
