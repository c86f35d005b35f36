// Importing existing registers (issue 21.2): the archive register and the customer list, from CSV
// or XLSX, read as the file arrives. Each row is judged by the same schemas and policy checks as
// the single-record POSTs (POST /api/v1/documents, POST /api/v1/customers). A dry run reports
// every row at fault and writes nothing; an import writes the valid rows a batch at a time, one
// transaction each, skipping references already in the register, and keeps its job row's counts
// up to date so GET /api/v1/imports/{id} shows its progress. `npm run seed -- --demo-registers`
// imports through here too.
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { Sql } from '../../platform/db/client.ts';
import type { NewCustomer } from '../customers/index.ts';
import {
  createImportJob,
  existingReferences,
  finishImportJob,
  importCustomers,
  importDocuments,
  recordImportProgress,
  type ImportedDocument,
  type ImportCounts,
  findImportJob,
  type ImportJob,
} from './sql.ts';
import { listDepartments } from '../organisation/index.ts';
import { listUsers } from '../../platform/organisation/sql.ts';
import { checkCardKeeper, isSalesperson } from '../customers/index.ts';
import { Forbidden, NotFound, PolicyViolation } from '../../platform/errors.ts';
import {
  columnOfField,
  customerInput,
  departmentIdOf,
  documentInput,
  mayImport,
  policyProblems,
  requiredColumns,
  type ImportKind,
  type RegisterRow,
  type RowProblem,
} from './rules.ts';
import type { User } from '../../platform/organisation/model.ts';
import { formatOf, readRegister, UnreadableFile, XLSX_TYPE, type ImportFormat } from './readers.ts';
import { judgeLoan } from './loans.ts';
import { judgeCard } from './cards.ts';
import type { CardContent } from '../customer-archive/index.ts';
import type { ProcessOutbox } from '../../engine/outbox.ts';
import { HttpProblem } from '../../platform/http/problem.ts';
import { newCustomer } from '../customers/index.ts';
import { checkOriginal, documentRecord, newDocument } from '../archive/index.ts';
import { hasForbiddenText, identifier } from '../../platform/http/schemas.ts';

/** Rows written per transaction. */
export const IMPORT_BATCH_ROWS = 200;
/** Problems kept in a report (all are counted). */
export const MAX_REPORTED_PROBLEMS = 1_000;

export interface ImportReport extends ImportCounts {
  /** The import's job (GET /api/v1/imports/{id}); null for a dry run, which writes nothing. */
  id: string | null;
  kind: ImportKind;
  format: ImportFormat;
  dryRun: boolean;
  status: 'completed' | 'failed';
  /** Valid rows: imported (or, in a dry run, to be imported), or already in the register. */
  rowsValid: number;
  problems: RowProblem[];
  problemsTruncated: boolean;
}

type Valid =
  | { kind: 'documents'; reference: string; record: ImportedDocument }
  | { kind: 'customers'; reference: string; record: NewCustomer & { ownerId: string | null; card?: CardContent | undefined } };

interface Context {
  departments: { id: string; name: string; nameZh: string }[];
  users: Map<string, User>;
  actor: User;
  /** When the import started: a loan due before it is imported overdue. */
  now: Date;
}

function schemaProblems(row: number, issues: readonly { path: PropertyKey[]; message: string }[]): RowProblem[] {
  return issues.map((issue) => {
    const field = String(issue.path[0] ?? '(row)');
    return { row, field: columnOfField[field] ?? field, problem: issue.message };
  });
}

function judgeDocument(row: number, values: RegisterRow, context: Context): Valid | RowProblem[] {
  const input = documentInput(values);
  const departmentId = departmentIdOf(input.departmentId as string | undefined, context.departments);
  const parsed = newDocument.safeParse({ ...input, departmentId: departmentId ?? input.departmentId });
  if (!parsed.success) return schemaProblems(row, parsed.error.issues);
  if (departmentId === undefined) return [{ row, field: 'department', problem: `no department ${parsed.data.departmentId}` }];
  try {
    checkOriginal(parsed.data);
  } catch (error) {
    if (error instanceof PolicyViolation) return policyProblems(row, error, 'original');
    throw error;
  }
  const loan = judgeLoan(row, values, parsed.data, context.users, context.now);
  if (Array.isArray(loan)) return loan;
  return { kind: 'documents', reference: parsed.data.reference, record: { document: documentRecord(parsed.data, context.actor.id), loan } };
}

const customerReference = identifier(100);

function judgeCustomer(row: number, values: RegisterRow, context: Context): Valid | RowProblem[] {
  const { card, reference, department, owner } = customerInput(values);
  const problems: RowProblem[] = [];
  const parsed = newCustomer.safeParse(card);
  if (!parsed.success) problems.push(...schemaProblems(row, parsed.error.issues));
  const id = customerReference.safeParse(reference);
  if (!id.success) problems.push(...schemaProblems(row, id.error.issues.map((issue) => ({ ...issue, path: ['reference'] }))));
  const departmentId = departmentIdOf(department, context.departments);
  if (departmentId === undefined) problems.push({ row, field: 'department', problem: department === undefined ? 'required' : `no department ${department}` });
  const ownerUser = owner === undefined ? undefined : context.users.get(owner);
  // OVL-8: a customer is someone's only as a salesperson's; the list's owner must be one, of the card's department.
  if (owner !== undefined && (!ownerUser?.active || !isSalesperson(ownerUser) || (departmentId !== undefined && ownerUser.departmentId !== departmentId))) {
    problems.push({ row, field: 'owner', problem: `${owner} is not an active salesperson of ${departmentId ?? department ?? 'the department'}` });
  }
  if (parsed.success && departmentId !== undefined) {
    try {
      checkCardKeeper(departmentId, parsed.data.cardType);
    } catch (error) {
      if (!(error instanceof PolicyViolation)) throw error;
      problems.push(...policyProblems(row, error, 'cardType'));
    }
  }
  const content = judgeCard(row, values, parsed.success ? parsed.data.name : undefined);
  if (Array.isArray(content)) problems.push(...content);
  if (problems.length > 0 || !parsed.success || !id.success || departmentId === undefined || Array.isArray(content)) return problems;
  return {
    kind: 'customers',
    reference: id.data,
    record: { id: id.data, ...parsed.data, departmentId, createdBy: context.actor.id, ownerId: ownerUser?.id ?? null, card: content },
  };
}

export interface ImportRequest {
  kind: ImportKind;
  format: ImportFormat;
  body: ReadableStream<Uint8Array> | Readable;
  actor: User;
  dryRun: boolean;
  /** Told each time a batch is written (the job row holds the same counts). */
  onProgress?: (counts: ImportCounts) => void;
  batchRows?: number;
  /** Delivers the starts of imported loans' processes after each batch commits; without it the outbox's background loop does. */
  outbox?: ProcessOutbox | undefined;
}

/**
 * Reads the file and imports it (or, dry, only judges it). A file without the columns its register
 * needs is refused before anything is written (422 IMPORT_MISSING_COLUMNS); one that cannot be
 * read is 400 IMPORT_UNREADABLE, its batches already written staying written and its job failed.
 */
export async function runImport(sql: Sql, request: ImportRequest): Promise<ImportReport> {
  const { kind, format, dryRun, actor } = request;
  const batchRows = request.batchRows ?? IMPORT_BATCH_ROWS;
  const context: Context = {
    departments: await listDepartments(sql),
    users: new Map((await listUsers(sql)).map((u) => [u.id, u])),
    actor,
    now: new Date(),
  };
  const judge = kind === 'documents' ? judgeDocument : judgeCustomer;
  const counts: ImportCounts = { rowsRead: 0, rowsImported: 0, rowsExisting: 0, rowsInvalid: 0 };
  const problems: RowProblem[] = [];
  let problemsTruncated = false;
  const seen = new Map<string, number>();
  let batch: Valid[] = [];
  let jobId: string | null = null;
  let valid = 0;

  const flush = async () => {
    if (batch.length === 0) return;
    const references = batch.map((v) => v.reference);
    if (dryRun) {
      counts.rowsExisting += (await existingReferences(sql, kind, references)).size;
    } else {
      const id = jobId!;
      const written = batch;
      const started = await sql.begin(async (tx) => {
        const imported =
          kind === 'documents'
            ? await importDocuments(tx, id, actor.id, written.flatMap((v) => (v.kind === 'documents' ? [v.record] : [])), context.now)
            : { imported: await importCustomers(tx, id, actor.id, written.flatMap((v) => (v.kind === 'customers' ? [v.record] : [])), context.now), processIds: [] };
        counts.rowsImported += imported.imported;
        counts.rowsExisting += written.length - imported.imported;
        await recordImportProgress(tx, id, counts, problems);
        return imported.processIds;
      });
      if (started.length > 0) await request.outbox?.deliver(started);
    }
    batch = [];
    request.onProgress?.({ ...counts });
  };

  const report = (status: ImportReport['status']): ImportReport => ({
    id: jobId,
    kind,
    format,
    dryRun,
    status,
    ...counts,
    rowsValid: valid,
    problems,
    problemsTruncated,
  });

  try {
    for await (const item of readRegister(request.body, format)) {
      if ('columns' in item) {
        const missing = requiredColumns[kind].filter((column) => !item.columns.includes(column));
        if (missing.length > 0) {
          throw new PolicyViolation(
            'IMPORT_MISSING_COLUMNS',
            undefined,
            `The ${kind} register needs the columns ${missing.join(', ')}; the header row names them (in English or Chinese).`,
            missing.map((column) => ({ path: column, message: 'missing column' })),
          );
        }
        if (!dryRun) {
          jobId = randomUUID();
          await createImportJob(sql, { id: jobId, kind, format, createdBy: actor.id });
        }
        continue;
      }
      counts.rowsRead += 1;
      // PostgreSQL stores neither NUL nor an unpaired surrogate: such a cell is the row's fault, as in any request.
      const unstorable = Object.entries(item.values).filter(([, value]) => value !== undefined && hasForbiddenText(value));
      let judged: Valid | RowProblem[] = unstorable.length
        ? unstorable.map(([field]) => ({ row: item.row, field, problem: 'NUL characters and unpaired surrogates are not accepted' }))
        : judge(item.row, item.values, context);
      if (!Array.isArray(judged)) {
        const first = seen.get(judged.reference);
        if (first !== undefined) judged = [{ row: item.row, field: 'reference', problem: `${judged.reference} is already in row ${first} of this file` }];
        else seen.set(judged.reference, item.row);
      }
      if (Array.isArray(judged)) {
        counts.rowsInvalid += 1;
        const room = MAX_REPORTED_PROBLEMS - problems.length;
        if (judged.length > room) problemsTruncated = true;
        problems.push(...judged.slice(0, Math.max(0, room)));
        continue;
      }
      valid += 1;
      batch.push(judged);
      if (batch.length >= batchRows) await flush();
    }
    await flush();
  } catch (error) {
    if (jobId !== null) await finishImportJob(sql, jobId, 'failed', error instanceof Error ? error.message : String(error));
    if (error instanceof UnreadableFile) {
      throw new HttpProblem(400, 'IMPORT_UNREADABLE', `The file cannot be read as ${format.toUpperCase()}: ${error.message}`);
    }
    throw error;
  }
  if (jobId !== null) {
    await recordImportProgress(sql, jobId, counts, problems);
    await finishImportJob(sql, jobId, 'completed');
  }
  return report('completed');
}

/** An import posted over HTTP: the caller's right to import the register (ARC-2), then the file's type and body. */
export async function importRegister(
  sql: Sql,
  request: { kind: ImportKind; contentType: string | undefined; body: ReadableStream<Uint8Array> | null; actor: User; dryRun: boolean; outbox?: ProcessOutbox },
): Promise<ImportReport> {
  const { kind, actor, dryRun } = request;
  if (!mayImport(kind, actor)) {
    if (kind === 'documents') throw new Forbidden('ARCHIVIST_ONLY', 'Only the Archivist registers documents in the archive.', 'ARC-2');
    throw new Forbidden('IMPORT_NOT_ALLOWED', 'The customer list is imported by the GM, the Marketing Director or the Marketing VP.');
  }
  const format = formatOf(request.contentType);
  if (!format) throw new HttpProblem(415, 'IMPORT_UNSUPPORTED_TYPE', `Send the register as text/csv or as ${XLSX_TYPE}.`);
  if (!request.body) throw new HttpProblem(400, 'IMPORT_UNREADABLE', 'The request has no body: send the register file as it.');
  return runImport(sql, { kind, format, body: request.body, actor, dryRun, outbox: request.outbox });
}

/** An import job, to the one who started it or to anyone who imports its register. */
export async function importJob(sql: Sql, id: string, viewer: User): Promise<ImportJob> {
  const job = await findImportJob(sql, id);
  if (!job || !(job.createdBy === viewer.id || mayImport(job.kind, viewer))) throw new NotFound('IMPORT_NOT_FOUND', `No import ${id}.`);
  return job;
}
