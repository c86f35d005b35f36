// Import runs in PostgreSQL (migration 0018): the job row that reports progress, and the writes of
// one batch, each record audited as imported. A batch is one transaction and awaits nothing but it.
import type { RowProblem } from './rules.ts';
import { insertAudit } from '../../platform/db/audit.ts';
import type { Queryable, Sql, TransactionSql } from '../../platform/db/client.ts';
import { insertCustomer, type NewCustomer } from '../customers/index.ts';
import { insertDocument, type NewDocument } from '../archive/index.ts';
import { recordImportedLoan, type ImportedLoan } from '../borrowing/index.ts';
import { importCard, type CardContent } from '../customer-archive/index.ts';

export interface ImportCounts {
  rowsRead: number;
  rowsImported: number;
  rowsExisting: number;
  rowsInvalid: number;
}

export interface ImportJob extends ImportCounts {
  id: string;
  kind: 'documents' | 'customers';
  format: 'csv' | 'xlsx';
  status: 'running' | 'completed' | 'failed';
  problems: RowProblem[];
  error: string | null;
  createdBy: string;
  createdAt: Date;
  finishedAt: Date | null;
}

export async function createImportJob(sql: Sql, job: Pick<ImportJob, 'id' | 'kind' | 'format' | 'createdBy'>): Promise<void> {
  await sql`insert into import_jobs (id, kind, format, created_by) values (${job.id}, ${job.kind}, ${job.format}, ${job.createdBy})`;
}

/** The counts so far and the problems kept, written as each batch commits. */
export async function recordImportProgress(sql: Queryable, id: string, counts: ImportCounts, problems: readonly RowProblem[]): Promise<void> {
  await sql`
    update import_jobs set rows_read = ${counts.rowsRead}, rows_imported = ${counts.rowsImported}, rows_existing = ${counts.rowsExisting},
      rows_invalid = ${counts.rowsInvalid}, problems = ${sql.json(problems as never)}
    where id = ${id}`;
}

export async function finishImportJob(sql: Sql, id: string, status: 'completed' | 'failed', error: string | null = null): Promise<void> {
  await sql`update import_jobs set status = ${status}, error = ${error}, finished_at = now() where id = ${id}`;
}

export async function findImportJob(sql: Queryable, id: string): Promise<ImportJob | undefined> {
  const [row] = await sql<ImportJob[]>`
    select id, kind, format, status, rows_read as "rowsRead", rows_imported as "rowsImported", rows_existing as "rowsExisting",
      rows_invalid as "rowsInvalid", problems, error, created_by as "createdBy", created_at as "createdAt", finished_at as "finishedAt"
    from import_jobs where id = ${id}`;
  return row;
}

/** Which of these references the register already holds (documents by reference, customers by id). */
export async function existingReferences(sql: Queryable, kind: ImportJob['kind'], references: readonly string[]): Promise<Set<string>> {
  const rows =
    kind === 'documents'
      ? await sql<{ ref: string }[]>`select reference as ref from documents where reference = any(${references as string[]})`
      : await sql<{ ref: string }[]>`select id as ref from customers where id = any(${references as string[]})`;
  return new Set(rows.map((row) => row.ref));
}

const importedAudit = (jobId: string, actorId: string, event: string, reference: string, detail: Record<string, unknown>) => ({
  key: `import:${jobId}:${reference}`,
  at: Date.now(),
  processId: null,
  event,
  actorId,
  detail: { importId: jobId, reference, ...detail },
});

/** A document of the archive register, with the loan the register shows it still out on, if any. */
export interface ImportedDocument {
  document: NewDocument;
  loan?: Omit<ImportedLoan, 'documentId'> | undefined;
}

/**
 * Registers the documents of one batch not registered yet, each loan still out with its document
 * (its process queued to start); returns how many it registered and the loans' processes.
 */
export async function importDocuments(tx: TransactionSql, jobId: string, actorId: string, documents: readonly ImportedDocument[], at: Date): Promise<{ imported: number; processIds: string[] }> {
  const existing = await existingReferences(tx, 'documents', documents.map((d) => d.document.reference));
  let imported = 0;
  const processIds: string[] = [];
  for (const { document, loan } of documents) {
    if (existing.has(document.reference)) continue;
    const row = await insertDocument(tx, document);
    await insertAudit(tx, [importedAudit(jobId, actorId, 'document.imported', row.reference, { documentId: row.id, secrecy: row.secrecy, category: row.category, onLoan: loan !== undefined })]);
    if (loan) processIds.push(await recordImportedLoan(tx, { ...loan, documentId: row.id }, { actorId, importId: jobId, reference: row.reference, at }));
    imported += 1;
  }
  return { imported, processIds };
}

/**
 * Enters the customers of one batch not entered yet; returns how many it entered. A customer with
 * an owner in the list is theirs (status owned), as the list had it; the others are in the open pool.
 */
export async function importCustomers(
  tx: TransactionSql,
  jobId: string,
  actorId: string,
  customers: readonly (NewCustomer & { ownerId: string | null; card?: CardContent | undefined })[],
  at: Date,
): Promise<number> {
  const existing = await existingReferences(tx, 'customers', customers.map((c) => c.id));
  let imported = 0;
  for (const { ownerId, card, ...customer } of customers) {
    if (existing.has(customer.id)) continue;
    await insertCustomer(tx, customer);
    if (ownerId !== null) await tx`update customers set owner_id = ${ownerId}, status = 'owned' where id = ${customer.id}`;
    await insertAudit(tx, [importedAudit(jobId, actorId, 'customer.imported', customer.id, { customerId: customer.id, ownerId, departmentId: customer.departmentId, card: card !== undefined })]);
    if (card) await importCard(tx, customer.id, card, { actorId, importId: jobId, at });
    imported += 1;
  }
  return imported;
}
