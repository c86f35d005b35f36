// Archive documents for suites that need them in the register without going through the API: by
// default accounting vouchers archived in 2012 and kept 10 years, so their retention has ended.
import { randomUUID } from 'node:crypto';
import type { Sql } from '../../platform/db/client.ts';
import { insertDocument, type NewDocument } from '../../areas/archive/sql.ts';

let documentCount = 0;

/** Registers a document (past its retention unless `overrides` say otherwise); its id. */
export async function archived(sql: Sql, overrides: Partial<NewDocument> = {}): Promise<string> {
  documentCount += 1;
  const id = `api-doc-${documentCount}-${randomUUID().slice(0, 8)}`;
  await insertDocument(sql, {
    id,
    reference: `ACC-2012-${documentCount}`,
    title: `Accounting vouchers, batch ${documentCount}`,
    category: 'accounting_record',
    secrecy: 'none',
    departmentId: 'finance',
    original: true,
    retentionYears: 10,
    archivedOn: '2012-06-30',
    location: 'Archive room, cabinet 7',
    registeredBy: 'archivist',
    ...overrides,
  });
  return id;
}
