// A process id format is defined once, in its area's rules; where the register also derives it
// (borrow_requests.process_id, a generated column of 0005_borrowing.sql) the two must agree.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { borrowProcessId } from '../../areas/borrowing/rules.ts';
import { insertBorrowRequest } from '../../areas/borrowing/sql.ts';
import { loadDemoOrganisation } from '../../platform/organisation/sql.ts';
import { archived } from '../support/documents.ts';
import { createTestDatabase, type TestDatabase } from '../support/postgres.ts';

describe('process ids', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
    await loadDemoOrganisation(db.sql);
  });
  afterAll(() => db?.drop());

  it("a borrow request's stored process id is borrowProcessId of its id", async () => {
    const documentId = await archived(db.sql);
    const id = '3f6c0000-0000-4000-8000-000000000001';
    const { request } = await insertBorrowRequest(db.sql, {
      id,
      processKey: 'archive.borrow.direct',
      documentId,
      requesterId: 'gm',
      requesterDepartmentId: 'gm-office',
      mode: 'loan',
      hours: null,
      purpose: 'audit',
      idempotencyKey: null,
    });
    expect(request.processId).toBe(borrowProcessId(id));
    expect(borrowProcessId(id)).toBe(`borrow-${id}`);
  });
});
