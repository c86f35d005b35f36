// Published definitions are immutable per key@version, and the audit trail is append-only and
// chained, enforced by PostgreSQL itself.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertAudit } from '../../platform/db/audit.ts';
import { findDefinition, publishDefinition } from '../../engine/sql/definitions.ts';
import { StateConflict } from '../../platform/errors.ts';
import { connect } from '../../platform/db/client.ts';
import { approvalDefinition } from '../support/definitions.ts';
import { createTestDatabase, type TestDatabase } from '../support/postgres.ts';
import { serviceSpecs } from '../../areas/catalogue.ts';

describe('definition registry and audit trail', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db?.drop());

  it('publishing the same definition twice is a no-op; a changed one under the same version is refused', async () => {
    expect((await publishDefinition(db.sql, approvalDefinition, serviceSpecs)).created).toBe(true);
    expect((await publishDefinition(db.sql, structuredClone(approvalDefinition), serviceSpecs)).created).toBe(false);
    const changed = { ...structuredClone(approvalDefinition), name: { en: 'Changed', zh: '改' } };
    await expect(publishDefinition(db.sql, changed, serviceSpecs)).rejects.toBeInstanceOf(StateConflict);
    expect((await publishDefinition(db.sql, { ...changed, version: 2 }, serviceSpecs)).created).toBe(true);
    expect((await findDefinition(db.sql, 'test.approval', 1))?.name.en).toBe('Approval');
  });

  it('the database refuses to change or delete a published definition', async () => {
    await expect(db.sql`update process_definitions set checksum = 'x' where key = 'test.approval'`).rejects.toThrow(/append-only/);
    await expect(db.sql`delete from process_definitions where key = 'test.approval'`).rejects.toThrow(/append-only/);
  });

  it('audit rows are written once per key, chained by sha-256, and cannot be changed', async () => {
    const entry = { key: 'p1#1', at: Date.now(), processId: 'p1', event: 'task.completed', actorId: 'gm', detail: { outcome: 'approve' } };
    await insertAudit(db.sql, [entry, entry, { ...entry, key: 'p1#2', event: 'process.ended' }]);
    const rows = await db.sql<{ seq: number; prev_hash: string; hash: string }[]>`select seq::int, prev_hash, hash from audit_log order by seq`;
    expect(rows).toHaveLength(2);
    expect(rows[0]!.prev_hash).toBe('0'.repeat(64));
    expect(rows[1]!.prev_hash).toBe(rows[0]!.hash);
    expect(rows[0]!.hash).toMatch(/^[0-9a-f]{64}$/);
    // The triggers refuse even the tables' owner (the application role is refused before them, by
    // its privileges: tests/api/database-roles.test.ts).
    const owner = connect(db.ownerUrl, { max: 1 });
    try {
      await expect(owner`update audit_log set actor_id = 'someone-else'`).rejects.toThrow(/append-only/);
      await expect(owner`delete from audit_log`).rejects.toThrow(/append-only/);
      await expect(owner`truncate audit_log`).rejects.toThrow(/append-only/);
    } finally {
      await owner.end({ timeout: 5 });
    }
  });
});
