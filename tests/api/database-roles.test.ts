// Issue 17, database privileges: the migrations run as the owner role; the services connect as
// the application role, which may only INSERT and SELECT the audit trail, the destruction register
// and the decisions. Each forbidden statement is tried as the application role and refused by
// PostgreSQL's privileges (not only by the triggers, which the owner could switch off).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertAudit } from '../../platform/db/audit.ts';
import { connect } from '../../platform/db/client.ts';
import { migrate, migrateOrCheck } from '../../platform/db/migrate.ts';
import { loadDemoOrganisation } from '../../platform/organisation/sql.ts';
import { createTestDatabase, testRoles, type TestDatabase } from '../support/postgres.ts';

let db: TestDatabase;
const sql = () => db.sql;

beforeAll(async () => {
  db = await createTestDatabase();
  await loadDemoOrganisation(db.sql);
  await insertAudit(db.sql, [{ key: 'roles-test#1', at: Date.now(), processId: 'p-roles', event: 'process.started' }]);
  await db.sql`insert into destruction_requests (id, requested_by, reason, secrecy, supervisors_required) values ('dr-roles', 'archivist', 'x', 'none', 1)`;
  await db.sql`
    insert into destruction_register (request_id, process_id, requested_by, reason, approval_form, approvers, items, supervisors, method, place, executed_at, registered_at, prev_hash, hash)
    values ('dr-roles', 'p|1', 'archivist', 'r', '{}', '[]', '[]', '{}', 'shredding', 'room', now(), now(), '', '')`;
  await db.sql`insert into destruction_decisions (key, request_id, step, outcome, decided_by, at) values ('dr-roles#1', 'dr-roles', 'office_review', 'approve', 'office-director', now())`;
});

afterAll(() => db?.drop());

/** Each append-only table, with a column an UPDATE would change. */
const appendOnly = [
  ['audit_log', 'event'],
  ['destruction_register', 'method'],
  ['destruction_decisions', 'outcome'],
] as const;

describe('the application role', () => {
  it('is who the suites connect as, and owns no table', async () => {
    const [me] = await sql()<{ user: string; superuser: string }[]>`select current_user as user, current_setting('is_superuser') as superuser`;
    expect(me).toEqual({ user: testRoles.app, superuser: 'off' });
    const owned = await sql()<{ tablename: string }[]>`select tablename from pg_tables where schemaname = 'public' and tableowner = current_user`;
    expect(owned).toEqual([]);
  });

  it.each(appendOnly)('database privileges (issue 17): may INSERT and SELECT %s, and nothing else', async (table, column) => {
    const [{ count }] = (await sql().unsafe(`select count(*)::int as count from ${table}`)) as unknown as [{ count: number }];
    expect(count).toBe(1);
    const refusals: [string, RegExp][] = [
      [`update ${table} set ${column} = 'changed'`, /permission denied for table/],
      [`delete from ${table}`, /permission denied for table/],
      [`truncate ${table}`, /permission denied for table/],
      [`alter table ${table} disable trigger user`, /must be owner of table/],
      [`alter table ${table} disable trigger all`, /must be owner of table/],
      [`drop trigger ${table}_append_only on ${table}`, /must be owner of (table|relation)/],
      [`create trigger sneaky before insert on ${table} for each row execute function forbid_change()`, /permission denied for table/],
      [`alter table ${table} owner to ${testRoles.app}`, /must be owner of table/],
      [`drop table ${table}`, /must be owner of table/],
    ];
    for (const [statement, refusal] of refusals) {
      await expect(sql().unsafe(statement), statement).rejects.toThrow(refusal);
    }
    const [{ after }] = (await sql().unsafe(`select count(*)::int as after from ${table}`)) as unknown as [{ after: number }];
    expect(after).toBe(1);
  });

  it('database privileges (issue 17): may not switch triggers off for its session, nor record migrations', async () => {
    await expect(sql()`set session_replication_role = replica`).rejects.toThrow(/permission denied/);
    await expect(sql()`insert into schema_migrations (name, checksum) values ('9999_evil.sql', 'x')`).rejects.toThrow(/permission denied for table schema_migrations/);
    await expect(sql()`delete from schema_migrations`).rejects.toThrow(/permission denied for table schema_migrations/);
    await expect(sql()`create table sneaky (id int)`).rejects.toThrow(/permission denied for schema public/);
  });

  it('still reads and writes the working tables', async () => {
    await sql()`insert into notifications (key, user_id, process_id, kind, text, created_at) values ('roles-n', 'gm', 'p-roles', 'info', 't', now())`;
    await sql()`update notifications set text = 'changed' where key = 'roles-n'`;
    await sql()`delete from notifications where key = 'roles-n'`;
    expect(await sql()`select 1 from notifications where key = 'roles-n'`).toHaveLength(0);
  });
});

describe('migrating at start-up', () => {
  it('database privileges (issue 17): as the application role the services only check the schema is current', async () => {
    expect((await migrateOrCheck(sql())).applied).toEqual([]);
    const fresh = await createTestDatabase({ migrated: false });
    const app = connect(fresh.url, { max: 1 });
    try {
      await expect(migrateOrCheck(app)).rejects.toThrow(/the database schema is not current \(0001_foundation\.sql, .*\) and this role may not migrate it; run `npm run migrate`/);
      // The owner migrates; then the application role finds nothing missing.
      expect((await migrateOrCheck(fresh.sql)).applied.length).toBeGreaterThan(10);
      await expect(migrate(app)).rejects.toThrow(/permission denied/);
      expect((await migrateOrCheck(app)).applied).toEqual([]);
    } finally {
      await app.end({ timeout: 5 });
      await fresh.drop();
    }
  });
});
