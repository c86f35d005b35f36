// The archive's application service without HTTP: the policy the routes used to hold (ARC-2,
// ARC-3, who may know a Top Secret document, DES-2's keeper) is reached here directly, and a
// refusal writes nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { archiveService, fileDocument, type ArchiveService, type DocumentRegistration } from '../../areas/archive/index.ts';
import { Forbidden, NotFound, PolicyViolation, StateConflict } from '../../platform/errors.ts';
import type { User } from '../../platform/organisation/model.ts';
import { findUser, loadDemoOrganisation } from '../../platform/organisation/sql.ts';
import { createTestDatabase, type TestDatabase } from '../support/postgres.ts';

describe('archive service', () => {
  let db: TestDatabase;
  let archive: ArchiveService;
  const users: Record<string, User> = {};
  let registered = 0;
  const registration = (overrides: Partial<DocumentRegistration> = {}): DocumentRegistration => ({
    reference: `SVC-${(registered += 1)}`,
    title: 'Board minutes',
    category: 'meeting_minutes',
    secrecy: 'none',
    departmentId: 'finance',
    original: true,
    location: 'Archive room, cabinet 1',
    ...overrides,
  });
  const documentCount = async () => Number((await db.sql<{ count: string }[]>`select count(*) from documents`)[0]!.count);

  beforeAll(async () => {
    db = await createTestDatabase();
    await loadDemoOrganisation(db.sql);
    for (const id of ['archivist', 'gm', 'office-director', 'finance-clerk']) {
      const user = await findUser(db.sql, id);
      if (user) users[id] = user;
    }
    archive = archiveService(db.sql);
  });
  afterAll(() => db?.drop());

  it('ARC-2 only the Archivist registers: anyone else is refused and nothing is written', async () => {
    const before = await documentCount();
    await expect(archive.registerDocument(users.gm!, registration())).rejects.toBeInstanceOf(Forbidden);
    await expect(archive.registerDocument(users['finance-clerk']!, registration())).rejects.toMatchObject({ code: 'ARCHIVIST_ONLY', ruleId: 'ARC-2' });
    expect(await documentCount()).toBe(before);
  });

  it('ARC-3 a copy at Confidential is refused, and a taken reference is a conflict', async () => {
    await expect(archive.registerDocument(users.archivist!, registration({ secrecy: 'confidential', original: false }))).rejects.toMatchObject({
      code: 'ORIGINAL_REQUIRED',
      ruleId: 'ARC-3',
    });
    const first = await archive.registerDocument(users.archivist!, registration({ reference: 'SVC-TAKEN-1' }));
    expect(first).toMatchObject({ reference: 'SVC-TAKEN-1', registeredBy: 'archivist', status: 'in_archive' });
    await expect(archive.registerDocument(users.archivist!, registration({ reference: 'SVC-TAKEN-1' }))).rejects.toBeInstanceOf(StateConflict);
    await expect(archive.registerDocument(users.archivist!, registration({ departmentId: 'no-such-department' }))).rejects.toBeInstanceOf(PolicyViolation);
  });

  it('ARC-2 [interpretation] a Top Secret document is unknown to anyone without a role in the archive', async () => {
    const secret = await archive.registerDocument(users.archivist!, registration({ secrecy: 'top_secret' }));
    await expect(archive.visibleDocument(users['finance-clerk']!, secret.id)).rejects.toBeInstanceOf(NotFound);
    await expect(archive.visibleDocument(users['office-director']!, secret.id)).resolves.toMatchObject({ id: secret.id });
    const listed = async (user: User) => (await archive.searchDocuments(user, { secrecy: 'top_secret', limit: 50 })).documents.map((d) => d.id);
    expect(await listed(users['finance-clerk']!)).toEqual([]);
    expect(await listed(users.gm!)).toContain(secret.id);
  });

  it('DES-2 only the Office Director sets a retention period; the schedule lists every category', async () => {
    await expect(archive.setRetention(users.archivist!, 'contract', 30)).rejects.toMatchObject({ code: 'NOT_THE_OFFICE_DIRECTOR', ruleId: 'DES-2' });
    await expect(archive.setRetention(users['office-director']!, 'contract', 30)).resolves.toMatchObject({ category: 'contract', retentionYears: 30 });
    const schedule = await archive.retentionSchedule();
    expect(schedule.find((entry) => entry.category === 'contract')?.period?.retentionYears).toBe(30);
    expect(schedule.find((entry) => entry.category === 'notice')?.period).toBeUndefined();
  });

  it("fileDocument writes in the caller's transaction: rolled back with it", async () => {
    const before = await documentCount();
    await expect(
      db.sql.begin(async (tx) => {
        await fileDocument(tx, { id: 'svc-rolled-back', reference: 'SVC-RB-1', title: 't', category: 'other', secrecy: 'none', departmentId: 'finance', original: true, retentionYears: null, archivedOn: '2026-01-05', location: 'x', registeredBy: 'gm' });
        throw new Error('undo');
      }),
    ).rejects.toThrow('undo');
    expect(await documentCount()).toBe(before);
  });
});
