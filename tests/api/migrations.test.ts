// The migrations apply from scratch on a real PostgreSQL and on the embedded PGlite that local
// mode serves, produce the same schema on both, run once (a second run applies nothing), and
// refuse to go on when an applied migration has changed. The `postgres` driver features the
// query modules rely on are checked over PGlite's socket too.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type Sql } from '../../platform/db/client.ts';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../platform/db/embedded.ts';
import { migrate } from '../../platform/db/migrate.ts';
import { loadDemoOrganisation } from '../../platform/organisation/sql.ts';
import { createTestDatabase, type TestDatabase } from '../support/postgres.ts';

const migrationsDir = fileURLToPath(new URL('../../platform/db/migrations/', import.meta.url));
const migrationFiles = (await readdir(migrationsDir)).filter((name) => name.endsWith('.sql')).sort();

/** PGlite runs PostgreSQL as WebAssembly: its first start (initdb) takes seconds on 2 cores. */
const PGLITE_TIMEOUT_MS = 120_000;

/** Tables, columns, indexes, constraints, triggers and functions: what a migration creates. */
async function schemaOf(sql: Sql) {
  const columns = await sql`
    select table_name, column_name, data_type, is_nullable, column_default
    from information_schema.columns where table_schema = 'public'
    order by table_name, column_name`;
  const indexes = await sql`select indexname, indexdef from pg_indexes where schemaname = 'public' order by indexname`;
  // PostgreSQL 18 (which PGlite is) also lists NOT NULL as constraints and earlier servers do not;
  // nullability is compared through the columns instead.
  const constraints = await sql`
    select conrelid::regclass::text as "table", conname, pg_get_constraintdef(oid) as definition
    from pg_constraint where connamespace = 'public'::regnamespace and contype <> 'n'
    order by 1, 2`;
  const triggers = await sql`
    select event_object_table, trigger_name, action_timing, event_manipulation, action_statement
    from information_schema.triggers where trigger_schema = 'public'
    order by 1, 2, 4`;
  const functions = await sql`
    select proname, pg_get_functiondef(oid) as definition
    from pg_proc where pronamespace = 'public'::regnamespace order by proname`;
  return { columns: [...columns], indexes: [...indexes], constraints: [...constraints], triggers: [...triggers], functions: [...functions] };
}

/** The migrations' behaviour that is the same on any server. */
function migrationContract(target: () => Sql) {
  it('applies every migration on an empty database, in name order', async () => {
    const result = await migrate(target());
    expect(result).toEqual({ applied: migrationFiles, alreadyApplied: [] });
    const recorded = await target()<{ name: string; checksum: string }[]>`select name, checksum from schema_migrations order by name`;
    expect(recorded.map((row) => row.name)).toEqual(migrationFiles);
    for (const row of recorded) expect(row.checksum).toMatch(/^[0-9a-f]{64}$/);
  });

  it('applies nothing the second time', async () => {
    expect(await migrate(target())).toEqual({ applied: [], alreadyApplied: migrationFiles });
  });

  it('refuses to start when an applied migration has changed', async () => {
    const sql = target();
    const [first] = migrationFiles;
    const [{ checksum }] = await sql<{ checksum: string }[]>`select checksum from schema_migrations where name = ${first!}` as unknown as [{ checksum: string }];
    // As if the file had been edited after it was applied: its recorded checksum no longer matches.
    await sql`update schema_migrations set checksum = ${'0'.repeat(64)} where name = ${first!}`;
    try {
      await expect(migrate(sql)).rejects.toThrow(`migration ${first} was changed after it was applied; add a new migration instead`);
    } finally {
      await sql`update schema_migrations set checksum = ${checksum} where name = ${first!}`;
    }
    expect(await migrate(sql)).toEqual({ applied: [], alreadyApplied: migrationFiles });
  });
}

describe('migrations on PostgreSQL', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase({ migrated: false });
  });
  afterAll(async () => {
    await db?.drop();
  });

  migrationContract(() => db.sql);

  it('lets concurrent starts take turns: one applies, the others find it done', async () => {
    const fresh = await createTestDatabase({ migrated: false });
    const pools = [fresh.sql, connect(fresh.ownerUrl, { max: 1 }), connect(fresh.ownerUrl, { max: 1 })];
    try {
      const results = await Promise.all(pools.map((sql) => migrate(sql)));
      expect(results.map((r) => r.applied.length).sort()).toEqual([0, 0, migrationFiles.length]);
      expect(results.filter((r) => r.alreadyApplied.length === migrationFiles.length)).toHaveLength(2);
    } finally {
      await Promise.all(pools.slice(1).map((sql) => sql.end({ timeout: 5 })));
      await fresh.drop();
    }
  });
});

describe('migrations on the embedded PGlite', () => {
  let dataDir: string;
  let embedded: EmbeddedPostgres;
  let sql: Sql;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'custodian-pglite-'));
    embedded = await startEmbeddedPostgres({ dataDir: path.join(dataDir, 'pglite'), port: 0 });
    sql = connect(embedded.url, { max: 1 });
  }, PGLITE_TIMEOUT_MS);

  afterAll(async () => {
    await sql?.end({ timeout: 5 });
    await embedded?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  migrationContract(() => sql);

  it('produces the same schema as on PostgreSQL', async () => {
    const reference = await createTestDatabase();
    // As the owner: information_schema hides the triggers of tables the application role may only read.
    const owner = connect(reference.ownerUrl, { max: 1 });
    try {
      const [onPglite, onPostgres] = await Promise.all([schemaOf(sql), schemaOf(owner)]);
      expect(onPglite.columns.length).toBeGreaterThan(0);
      expect(onPglite).toEqual(onPostgres);
    } finally {
      await owner.end({ timeout: 5 });
      await reference.drop();
    }
  });

  it('keeps its data across a restart', async () => {
    await loadDemoOrganisation(sql);
    await sql.end({ timeout: 5 });
    await embedded.stop();
    // The folder is free again once stopped: a second open while the first runs is refused.
    embedded = await startEmbeddedPostgres({ dataDir: path.join(dataDir, 'pglite'), port: 0 });
    await expect(startEmbeddedPostgres({ dataDir: path.join(dataDir, 'pglite'), port: 0 })).rejects.toThrow(/is open in process/);
    sql = connect(embedded.url, { max: 1 });
    expect(await migrate(sql)).toEqual({ applied: [], alreadyApplied: migrationFiles });
    expect((await loadDemoOrganisation(sql)).changed).toBe(0);
  }, PGLITE_TIMEOUT_MS);

  describe('the postgres driver over its socket', () => {
    it('runs parameterised queries (extended protocol), again and again on one prepared statement', async () => {
      for (const id of ['gm', 'archivist', 'gm']) {
        const [user] = await sql<{ id: string; departmentId: string }[]>`select id, department_id as "departmentId" from users where id = ${id}`;
        expect(user?.id).toBe(id);
      }
      const typed = await sql`select ${42}::int as n, ${'文字'}::text as t, ${true}::bool as b, ${new Date('2026-01-02T03:04:05.678Z')}::timestamptz as at`;
      expect(typed[0]).toEqual({ n: 42, t: '文字', b: true, at: new Date('2026-01-02T03:04:05.678Z') });
    });

    it('queues concurrent queries on the one connection', async () => {
      const results = await Promise.all(Array.from({ length: 50 }, (_, i) => sql<{ i: number }[]>`select ${i}::int as i`));
      expect(results.map(([row]) => row!.i)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    });

    it('commits a transaction, rolls one back on error, and savepoints', async () => {
      await sql.begin(async (tx) => {
        await tx`insert into departments (id, name, name_zh) values ('pglite-committed', 'Committed', '已提交')`;
        await tx.savepoint(async (sp) => {
          await sp`insert into departments (id, name, name_zh) values ('pglite-savepoint', 'Savepoint', '保存点')`;
        });
      });
      await expect(
        sql.begin(async (tx) => {
          await tx`insert into departments (id, name, name_zh) values ('pglite-rolled-back', 'Rolled back', '回滚')`;
          await tx`select 1 / 0`;
        }),
      ).rejects.toThrow(/division by zero/);
      const ids = await sql<{ id: string }[]>`select id from departments where id like 'pglite-%' order by id`;
      expect(ids.map((row) => row.id)).toEqual(['pglite-committed', 'pglite-savepoint']);
      // The session is usable after the failed transaction.
      expect(await sql`select 1 as one`).toEqual([{ one: 1 }]);
    });

    it('stores jsonb and text[] and finds tasks by candidate', async () => {
      await sql`insert into process_definitions (key, version, checksum, definition)
        values ('pglite.check', 1, 'c', ${sql.json({ nodes: [{ id: 'start', type: 'startEvent' }], name: { en: 'Check', zh: '检查' } })})`;
      await sql`insert into process_instances (id, definition_key, definition_version, initiator_id, status, started_at)
        values ('pglite-process', 'pglite.check', 1, 'gm', 'running', now())`;
      await sql`insert into tasks (id, process_id, node_id, name, name_zh, state, candidate_ids, outcomes, data, created_at)
        values ('pglite-task', 'pglite-process', 'approve', 'Approve', '审批', 'open', ${['archivist', 'office-director']},
                ${['approve', 'reject']}, ${sql.json({ reason: '借阅', pages: [1, 2] })}, now())`;
      const [definition] = await sql`select definition -> 'name' ->> 'zh' as zh, definition from process_definitions where key = 'pglite.check'`;
      expect(definition).toEqual({ zh: '检查', definition: { nodes: [{ id: 'start', type: 'startEvent' }], name: { en: 'Check', zh: '检查' } } });
      const tasks = await sql`select id, candidate_ids, outcomes, data from tasks where state = 'open' and candidate_ids @> ${['archivist']}::text[]`;
      expect(tasks).toEqual([
        { id: 'pglite-task', candidate_ids: ['archivist', 'office-director'], outcomes: ['approve', 'reject'], data: { reason: '借阅', pages: [1, 2] } },
      ]);
    });

    it('runs the triggers: published definitions and the audit trail cannot change, and the audit trail is chained', async () => {
      await expect(sql`update process_definitions set checksum = 'other' where key = 'pglite.check'`).rejects.toMatchObject({
        code: '42501',
        message: 'process_definitions is append-only: UPDATE refused',
      });
      for (const event of ['first', 'second']) {
        await sql`insert into audit_log (at, event, idempotency_key, prev_hash, hash, detail)
          values (now(), ${event}, ${`pglite-${event}`}, '', '', ${sql.json({ event })})`;
      }
      const chain = await sql<{ prevHash: string; hash: string }[]>`
        select prev_hash as "prevHash", hash from audit_log where idempotency_key like 'pglite-%' order by seq`;
      expect(chain).toHaveLength(2);
      expect(chain[0]!.hash).toMatch(/^[0-9a-f]{64}$/);
      expect(chain[1]!.prevHash).toBe(chain[0]!.hash);
      await expect(sql`delete from audit_log`).rejects.toThrow('audit_log is append-only: DELETE refused');
      await expect(sql`truncate audit_log`).rejects.toThrow('audit_log is append-only: TRUNCATE refused');
    });
  });
});
